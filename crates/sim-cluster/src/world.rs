//! The world: every node, disk, the network, the clients and the fault processes, driven
//! by one event queue in virtual time. [`World::run`] is the kernel's loop: pop the
//! earliest event, dispatch it, repeat until the end time or a bound.
//!
//! Every change of state is announced as a [`TraceEvent`] through [`World::emit`], which
//! feeds the trace hash, the trace file (when asked) and the checker. Dispatch of each
//! kind of event lives in its own file: `exec.rs` (a node's inputs and actions),
//! `lifecycle.rs` (crash and restart), `clients.rs`, `faults.rs`.

use crate::client::Client;
use crate::codec::SavedState;
use crate::config;
use crate::event::Event;
use crate::metrics::Metrics;
use crate::node::NodeSlot;
use crate::outcome::RunOutcome;
use crate::readable::Readable;
use crate::state_file::StateFile;
use crate::store::LogStore;
use crate::timers::TimerSlot;
use raft_core::{Action, NodeId, Raft, Recovered, Replica};
use sim_check::{CheckConfig, Checker, EndChecks, LivenessBound};
use sim_core::{
    EventQueue, RngStreams, RunLimits, SimDuration, SimRng, SimTime, StopReason, TraceHasher,
};
use sim_disk::{Completion, Disk};
use sim_net::Network;
use sim_scenario::Scenario;
use sim_trace::TraceEvent;
use sim_trace::jsonl::{self, JsonlWriter};
use std::io::Write;

/// Events pending at once; the world keeps far fewer (one timer per node and kind, one
/// disk wakeup per node, the messages in flight, one tick per client).
pub const PENDING_EVENTS_MAX: usize = 1 << 20;
/// Messages in flight at once.
pub const IN_FLIGHT_MESSAGES_MAX: usize = 1 << 18;

/// Where the run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Faults and workload run.
    Running,
    /// Faults stopped; the cluster must converge.
    Healing,
}

/// Builds the replica of a node from its configuration and what it recovered.
pub type ReplicaFactory = fn(raft_core::Config, Recovered) -> Box<dyn Replica>;

/// The replica the simulator runs unless told otherwise: this project's Raft core.
pub fn raft_core_replica(cfg: raft_core::Config, recovered: Recovered) -> Box<dyn Replica> {
    Box::new(Raft::new(cfg, recovered))
}

/// Options of one run that are not part of the scenario.
pub struct RunOptions {
    /// Write the trace as JSON lines here.
    pub trace: Option<Box<dyn Write>>,
    /// The Raft implementation behind the replica boundary.
    pub replica: ReplicaFactory,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            trace: None,
            replica: raft_core_replica,
        }
    }
}

pub struct World {
    pub(crate) scenario: Scenario,
    pub(crate) seed: u64,
    pub(crate) queue: EventQueue<Event>,
    pub(crate) nodes: Vec<NodeSlot>,
    pub(crate) net: Network<raft_core::Message>,
    pub(crate) clients: Vec<Client>,
    pub(crate) client_net_rng: SimRng,
    /// Latency of client <-> node messages (the network's distribution; never dropped).
    pub(crate) client_latency: sim_core::Dist,
    pub(crate) fault_rng: SimRng,
    pub(crate) phase: Phase,
    pub(crate) next_req: u64,
    pub(crate) partition_generation: u32,
    /// The faults that took effect, nodes resolved, in order.
    pub(crate) fired_faults: Vec<sim_scenario::ScheduledFault>,
    pub(crate) metrics: Metrics,
    pub(crate) limits: RunLimits,
    pub(crate) bugs: config::BugPlacement,
    pub(crate) replica: ReplicaFactory,
    // Tracing.
    hasher: TraceHasher,
    writer: Option<JsonlWriter<Box<dyn Write>>>,
    trace_error: Option<String>,
    pub(crate) checker: Checker,
    /// Set when the run is to end after the event being dispatched.
    stopping: bool,
    found: Vec<TraceEvent>,
    /// Events produced by a part (store, state file) before they are emitted.
    pub(crate) pending_events: Vec<TraceEvent>,
    /// Scratch buffers reused by every step.
    pub(crate) actions: Vec<Action>,
    pub(crate) completions: Vec<Completion>,
}

impl World {
    /// A world for one seed of `scenario`, every node up and empty at time zero.
    pub fn new(scenario: &Scenario, seed: u64, options: RunOptions) -> World {
        let streams = RngStreams::new(seed);
        let bugs = config::place_bug(scenario.cluster.bug);
        let nodes = (1..=scenario.cluster.nodes)
            .map(|i| new_node(scenario, &streams, NodeId(i), bugs, options.replica))
            .collect();
        let net = Network::new(
            config::net_config(scenario),
            scenario.cluster.nodes,
            streams.stream("net"),
            IN_FLIGHT_MESSAGES_MAX,
        );
        let clients = (0..scenario.workload.clients)
            .map(|c| {
                Client::new(
                    c,
                    streams.stream(&format!("client.{c}")),
                    scenario.cluster.nodes,
                )
            })
            .collect();
        let end = scenario
            .run
            .duration_ms
            .saturating_add(liveness_bound_ms(scenario));
        World {
            seed,
            queue: EventQueue::new(PENDING_EVENTS_MAX),
            nodes,
            net,
            clients,
            client_net_rng: streams.stream("clients.net"),
            client_latency: config::net_config(scenario).latency,
            fault_rng: streams.stream("faults"),
            phase: Phase::Running,
            next_req: 1,
            partition_generation: 0,
            fired_faults: Vec::new(),
            metrics: Metrics::default(),
            limits: RunLimits {
                events_max: scenario.run.max_events,
                end_time: SimTime::from_ms(end),
            },
            bugs,
            replica: options.replica,
            hasher: TraceHasher::new(),
            writer: options.trace.map(JsonlWriter::new),
            trace_error: None,
            checker: Checker::new(check_config(scenario)),
            stopping: false,
            found: Vec::new(),
            pending_events: Vec::new(),
            actions: Vec::with_capacity(64),
            completions: Vec::with_capacity(16),
            scenario: scenario.clone(),
        }
    }

    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// Writes the trace's first line (when a trace file was asked for).
    pub fn write_header(&mut self, header: &jsonl::RunHeader) {
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.header(header) {
                self.trace_error.get_or_insert(e.to_string());
            }
        }
    }

    /// Runs to the end (or a bound) and returns what happened.
    pub fn run(mut self) -> RunOutcome {
        self.start();
        let mut events = 0u64;
        let stop = loop {
            let Some(at) = self.queue.peek_time() else {
                break StopReason::Quiescent;
            };
            if at > self.limits.end_time {
                break StopReason::EndTime;
            }
            if events >= self.limits.events_max {
                break StopReason::EventLimit;
            }
            let (_, ev) = self.queue.pop().expect("peeked");
            events += 1;
            self.dispatch(ev);
            if self.stopping {
                // Converged after healing (or no heal phase): the run ends now.
                self.limits.end_time = self.queue.now();
                break StopReason::EndTime;
            }
        };
        self.finish(stop, events)
    }

    fn start(&mut self) {
        for n in 0..self.nodes.len() {
            self.start_node(n);
        }
        self.start_clients();
        self.start_faults();
        let duration = SimTime::from_ms(self.scenario.run.duration_ms);
        if self.scenario.run.heal_ms > 0 {
            self.queue.push(duration, Event::Heal);
        }
        let heal_end = duration.after(SimDuration::from_ms(self.scenario.run.heal_ms));
        self.queue.push(heal_end, Event::End);
    }

    /// Runs the start-up actions of node `n`'s replica (it has just been built).
    pub(crate) fn start_node(&mut self, n: usize) {
        let mut actions = std::mem::take(&mut self.actions);
        let core = self.nodes[n].core.as_mut().expect("a starting node is up");
        core.start(&mut actions);
        self.execute(n, &mut actions);
        self.actions = actions;
    }

    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Deliver(slot) => self.on_deliver(slot),
            Event::ClientArrive { client, req } => self.on_client_arrive(client, req),
            Event::ClientReply {
                client,
                req,
                result,
            } => self.on_client_reply(client, req, result),
            Event::ClientTick { client } => self.on_client_tick(client),
            Event::ClientTimeout { client, req } => self.on_client_timeout(client, req),
            Event::Disk { node } => self.on_disk(usize::from(node)),
            Event::Timer { node, timer } => self.on_timer(usize::from(node), timer),
            Event::Scheduled { index } => self.on_scheduled_fault(index as usize),
            Event::RandomCrash => self.on_random_crash(),
            Event::RandomRestart {
                node,
                incarnation,
                fault,
            } => self.on_random_restart(usize::from(node), incarnation, fault),
            Event::RandomPartition => self.on_random_partition(),
            Event::PartitionEnd { generation } => self.on_partition_end(generation),
            Event::Heal => self.on_heal(),
            Event::End | Event::LivenessProbe => self.on_end_or_probe(),
        }
    }

    /// The heal phase is over (or the run, without one): stop if the cluster converged,
    /// else look again a heartbeat later, until the liveness bound ends the run.
    fn on_end_or_probe(&mut self) {
        if self.scenario.run.heal_ms == 0 || self.checker.convergence().is_some() {
            self.stopping = true;
            return;
        }
        let every = SimDuration::from_ms(self.scenario.raft.heartbeat_interval_ms);
        let at = self.now().after(every);
        if at <= self.limits.end_time {
            self.queue.push(at, Event::LivenessProbe);
        }
    }

    /// Announces one event: trace hash, trace file, checker (whose findings are announced
    /// in turn, without being checked again).
    pub(crate) fn emit(&mut self, ev: TraceEvent) {
        let t = self.queue.now();
        self.record(t, &ev);
        self.checker.observe(t, &ev, &mut self.found);
        if !self.found.is_empty() {
            let found = std::mem::take(&mut self.found);
            for f in &found {
                self.record(t, f);
            }
            self.found = found;
            self.found.clear();
        }
    }

    fn record(&mut self, t: SimTime, ev: &TraceEvent) {
        jsonl::hash_event(&mut self.hasher, t, ev);
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.event(t, ev) {
                self.trace_error.get_or_insert(e.to_string());
                self.writer = None;
            }
        }
        tracing::debug!(target: "sim", "seed {}  {t}  {}", self.seed, Readable(ev));
    }

    /// Emits the events a part queued in `pending_events`.
    pub(crate) fn emit_pending(&mut self) {
        if self.pending_events.is_empty() {
            return;
        }
        let mut evs = std::mem::take(&mut self.pending_events);
        for ev in evs.drain(..) {
            self.emit(ev);
        }
        self.pending_events = evs;
    }

    fn finish(mut self, stop: StopReason, events: u64) -> RunOutcome {
        let end = self.queue.now().max(if stop.completed() {
            self.limits.end_time
        } else {
            self.queue.now()
        });
        self.advance_clock_to(end);
        // The verdicts at the end (hazard windows, liveness, acknowledged writes,
        // linearizability), then one `final` line per node just before `end`.
        let checks = if stop.completed() && self.scenario.run.heal_ms > 0 {
            EndChecks::AfterHeal
        } else {
            EndChecks::NoHeal
        };
        self.checker.finish(end, checks, &mut self.found);
        let found = std::mem::take(&mut self.found);
        for f in &found {
            self.record(end, f);
        }
        for n in 0..self.nodes.len() {
            let ev = self.final_line(n);
            self.emit(ev);
        }
        let trace_hash = self.hasher.hex();
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.end(end, events, &trace_hash) {
                self.trace_error.get_or_insert(e.to_string());
            }
        }
        let flushes = self
            .nodes
            .iter()
            .map(|n| n.disk.stats().flushes_submitted)
            .sum();
        let messages = self.net.stats().sent;
        let workload_s = self.scenario.run.duration_ms as f64 / 1e3;
        RunOutcome {
            seed: self.seed,
            stop,
            events,
            end_time: end,
            trace_hash,
            violations: self.checker.violations().to_vec(),
            violation_counts: self.checker.counts().clone(),
            hazards: self.checker.hazard_summary(),
            metrics: self.metrics.summarize(workload_s, flushes, messages),
            linearizability_undecided: self.checker.linearizability_undecided().map(str::to_string),
            fired_faults: self.fired_faults,
            trace_error: self.trace_error,
        }
    }

    /// Moves the clock to `t` (the end of the run) by queueing and popping a no-op.
    fn advance_clock_to(&mut self, t: SimTime) {
        if t > self.queue.now() {
            self.queue.push(t, Event::End);
            while let Some((at, _)) = self.queue.pop() {
                if at >= t {
                    break;
                }
            }
        }
    }

    fn final_line(&self, n: usize) -> TraceEvent {
        let slot = &self.nodes[n];
        match &slot.core {
            Some(c) => TraceEvent::Final {
                node: slot.id,
                up: true,
                log_last_index: Some(c.last_index()),
                log_last_term: Some(c.last_term()),
                commit_index: Some(c.commit_index()),
                applied_index: Some(c.applied_index()),
            },
            None => TraceEvent::Final {
                node: slot.id,
                up: false,
                log_last_index: None,
                log_last_term: None,
                commit_index: None,
                applied_index: None,
            },
        }
    }

    /// Queues the disk wakeup of node `n` if its disk now completes something earlier.
    pub(crate) fn arm_disk(&mut self, n: usize) {
        let node = &mut self.nodes[n];
        if let Some(at) = node.disk.next_wakeup() {
            if node.disk_armed.is_none_or(|a| at < a) {
                node.disk_armed = Some(at);
                self.queue.push(at, Event::Disk { node: n as u8 });
            }
        }
    }
}

/// How long after the heal the cluster may take to converge: the heal phase, or
/// `liveness_timeouts` maximum election timeouts if that is longer. 0 without a heal phase.
pub fn liveness_bound_ms(s: &Scenario) -> u64 {
    if s.run.heal_ms == 0 {
        return 0;
    }
    let timeouts_ms = s
        .run
        .liveness_timeouts
        .saturating_mul(s.raft.election_timeout_ms.max);
    s.run.heal_ms.max(timeouts_ms)
}

/// Recent elections the liveness finding describes, in maximum election timeouts.
const LIVENESS_WINDOW_TIMEOUTS: u64 = 10;

/// The checker's bounds for a scenario: the liveness bound, and the timing note a liveness
/// finding carries when the scenario breaks Raft's timing assumption.
fn check_config(s: &Scenario) -> CheckConfig {
    let mut c = CheckConfig::new(s.cluster.nodes);
    let bound_ms = liveness_bound_ms(s);
    let et_max = s.raft.election_timeout_ms.max;
    c.liveness = LivenessBound {
        within: SimDuration::from_ms(bound_ms),
        text: format!(
            "{bound_ms} ms ({:.1} election timeouts of {et_max} ms)",
            bound_ms as f64 / et_max.max(1) as f64
        ),
        window: SimDuration::from_ms((LIVENESS_WINDOW_TIMEOUTS * et_max).min(bound_ms.max(1))),
        timing_note: sim_scenario::timing(s).note(),
    };
    c
}

fn new_node(
    s: &Scenario,
    streams: &RngStreams,
    id: NodeId,
    bugs: config::BugPlacement,
    replica: ReplicaFactory,
) -> NodeSlot {
    let disk = Disk::new(
        config::disk_config(s),
        2,
        streams.stream(&format!("disk.{id}.latency")),
        streams.stream(&format!("disk.{id}.fault")),
    );
    let core = replica(config::core_config(s, id), Recovered::default());
    NodeSlot {
        id,
        core: Some(core),
        disk,
        store: LogStore::open(id, bugs.store, &[], 0),
        state_file: StateFile::open(id, &SavedState::default(), s.disk.sector_bytes),
        incarnation: 0,
        blocked: None,
        suspended: Vec::new(),
        inbox: std::collections::VecDeque::new(),
        client_flush: None,
        client_queue: std::collections::VecDeque::new(),
        timers: [TimerSlot::default(); 2],
        disk_armed: None,
        timer_rng: streams.stream(&format!("node.{id}.timer")),
        sm_rng: streams.stream(&format!("node.{id}.sm")),
        peer_active_at: vec![SimTime::ZERO; usize::from(s.cluster.nodes)],
        persisted_sm: None,
        pre_crash_log: Vec::new(),
    }
}
