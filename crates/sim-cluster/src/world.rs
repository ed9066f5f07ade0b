//! The world: every node, disk, the network, the clients and the fault injector, driven by
//! one event queue in virtual time. [`World::run`] is the kernel's loop: pop the earliest
//! event, dispatch it, repeat until the end time or a bound.
//!
//! The parts, each its own type and file: the nodes (`node.rs`, each with its Raft thread
//! in `thread.rs`), the clients (`client.rs`), the fault injector (`faults.rs`), and the
//! kernel every part shares (`kernel.rs`: queue, clock, and the observer of `observer.rs`,
//! which feeds every event to the trace hash, the trace file and the checker). The
//! dispatch of each kind of event lives with what it drives: `exec.rs` (a node's Raft
//! thread and its actions), `disk_io.rs`, `messages.rs`, `lifecycle.rs` (crash and
//! restart), `inject.rs` (faults).

use crate::client::Clients;
use crate::codec::SavedState;
use crate::config::WorldConfig;
use crate::crash_point::{Boundaries, CrashPoint};
use crate::event::Event;
use crate::faults::FaultInjector;
use crate::kernel::Kernel;
use crate::metrics::Metrics;
use crate::node::NodeSlot;
use crate::observer::Observer;
use crate::outcome::RunOutcome;
use crate::state_file::StateFile;
use crate::store::LogStore;
use crate::thread::Thread;
use crate::timers::TimerSlot;
use crate::wire::Wire;
use raft_core::{Action, NodeId, Raft, Recovered, Replica};
use sim_check::{AppliedIndexCheck, CheckConfig, EndChecks, LivenessBound};
use sim_core::{EventQueue, RngStreams, RunLimits, SimDuration, SimRng, SimTime, StopReason};
use sim_disk::{Completion, Disk};
use sim_net::Network;
use sim_trace::TraceEvent;
use sim_trace::jsonl;
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

/// Builds the replica of a node from its configuration, what it recovered, and a random
/// stream of its own (per node and incarnation, from the run's seed) for an implementation
/// that needs randomness the world does not draw for it. `M` is the implementation's
/// message type.
pub type ReplicaFactory<M> =
    fn(raft_core::Config, Recovered, SimRng) -> Box<dyn Replica<Message = M>>;

/// The replica the simulator runs unless told otherwise: this project's Raft core.
pub fn raft_core_replica(
    cfg: raft_core::Config,
    recovered: Recovered,
    _rng: SimRng,
) -> Box<dyn Replica<Message = raft_core::Message>> {
    Box::new(Raft::new(cfg, recovered))
}

/// Options of one run that are not part of the world's configuration.
pub struct RunOptions<M = raft_core::Message> {
    /// Write the trace as JSON lines here.
    pub trace: Option<Box<dyn Write>>,
    /// The Raft implementation behind the replica boundary.
    pub replica: ReplicaFactory<M>,
    /// Count each node's disk-I/O boundaries (`crash_point.rs`) and report them in
    /// [`RunOutcome::boundaries`].
    pub count_boundaries: bool,
    /// Crash a node (or the cluster) at each of these boundaries, with a chosen outcome
    /// (implies counting); at most `CRASH_POINTS_MAX`.
    pub crash_points: Vec<CrashPoint>,
}

impl Default for RunOptions<raft_core::Message> {
    fn default() -> Self {
        RunOptions {
            trace: None,
            replica: raft_core_replica,
            count_boundaries: false,
            crash_points: Vec::new(),
        }
    }
}

impl<M> RunOptions<M> {
    /// The same options with another implementation's replica.
    pub fn with_replica<N>(self, replica: ReplicaFactory<N>) -> RunOptions<N> {
        RunOptions {
            trace: self.trace,
            replica,
            count_boundaries: self.count_boundaries,
            crash_points: self.crash_points,
        }
    }
}

/// One simulated cluster. `M` is the message type of the Raft implementation it runs
/// (this project's core by default).
pub struct World<M: Wire = raft_core::Message> {
    pub(crate) config: WorldConfig,
    pub(crate) seed: u64,
    pub(crate) k: Kernel,
    pub(crate) nodes: Vec<NodeSlot<M>>,
    pub(crate) net: Network<M>,
    pub(crate) clients: Clients,
    pub(crate) faults: FaultInjector,
    pub(crate) phase: Phase,
    limits: RunLimits,
    pub(crate) replica: ReplicaFactory<M>,
    /// Set when the run is to end after the event being dispatched.
    stopping: bool,
    /// Boundary counting and the crash point, when asked for.
    pub(crate) boundaries: Option<Boundaries>,
    /// Scratch buffers reused by every step.
    pub(crate) actions: Vec<Action<M>>,
    pub(crate) completions: Vec<Completion>,
}

impl<M: Wire> World<M> {
    /// A world for one seed of `config`, every node up and empty at time zero. Panics on a
    /// configuration that does not validate (build it with `WorldConfig::builder`).
    pub fn new(config: WorldConfig, seed: u64, options: RunOptions<M>) -> World<M> {
        if let Err(e) = config.validate() {
            panic!("invalid world configuration: {e}");
        }
        let streams = RngStreams::new(seed);
        let nodes = NodeId::all(config.nodes)
            .map(|id| new_node(&config, &streams, id, options.replica))
            .collect();
        let net = Network::new(
            config.net,
            config.nodes,
            streams.stream("net"),
            IN_FLIGHT_MESSAGES_MAX,
        );
        let workload_end = SimTime::from_ms(config.run.duration_ms);
        let clients = Clients::new(
            &config.workload,
            config.nodes,
            config.net.latency,
            workload_end,
            &streams,
        );
        let faults = FaultInjector::new(&config.faults, streams.stream("faults"), workload_end);
        let k = Kernel {
            queue: EventQueue::new(PENDING_EVENTS_MAX),
            observer: Observer::new(seed, options.trace, check_config(&config)),
            metrics: Metrics::default(),
            pending: Vec::new(),
            spare_entries: Vec::new(),
        };
        World {
            seed,
            k,
            nodes,
            net,
            clients,
            faults,
            phase: Phase::Running,
            limits: RunLimits {
                events_max: config.run.max_events,
                end_time: SimTime::from_ms(config.end_ms()),
            },
            replica: options.replica,
            stopping: false,
            boundaries: (options.count_boundaries || !options.crash_points.is_empty())
                .then(|| Boundaries::new(config.nodes, options.crash_points)),
            actions: Vec::with_capacity(64),
            completions: Vec::with_capacity(16),
            config,
        }
    }

    pub fn now(&self) -> SimTime {
        self.k.now()
    }

    /// Writes the trace's first line (when a trace file was asked for).
    pub fn write_header(&mut self, header: &jsonl::RunHeader) {
        self.k.observer.write_header(header);
    }

    /// Runs to the end (or a bound) and returns what happened.
    pub fn run(mut self) -> RunOutcome {
        self.start();
        let mut events = 0u64;
        let stop = loop {
            let Some(at) = self.k.queue.peek_time() else {
                break StopReason::Quiescent;
            };
            if at > self.limits.end_time {
                break StopReason::EndTime;
            }
            if events >= self.limits.events_max {
                break StopReason::EventLimit;
            }
            let (_, ev) = self.k.queue.pop().expect("peeked");
            events += 1;
            self.dispatch(ev);
            if self.stopping {
                // Converged after healing (or no heal phase): the run ends now.
                self.limits.end_time = self.k.now();
                break StopReason::EndTime;
            }
        };
        self.finish(stop, events)
    }

    fn start(&mut self) {
        for n in 0..self.nodes.len() {
            self.start_node(n);
        }
        self.clients.start(&mut self.k);
        self.faults.start(&mut self.k);
        let duration = SimTime::from_ms(self.config.run.duration_ms);
        if self.config.run.heal_ms > 0 {
            self.k.push(duration, Event::Heal);
        }
        let heal_end = duration.after(SimDuration::from_ms(self.config.run.heal_ms));
        self.k.push(heal_end, Event::End);
    }

    fn dispatch(&mut self, ev: Event) {
        let running = self.phase == Phase::Running;
        match ev {
            Event::Deliver(slot) => self.on_deliver(slot),
            Event::ClientArrive { client, req } => {
                if let Some((node, input)) = self.clients.on_arrive(client, req, &self.nodes) {
                    self.input(node.index(), input);
                }
            }
            Event::ClientReply {
                client,
                req,
                answer,
            } => self
                .clients
                .on_reply(client, req, answer, running, &mut self.k, &self.nodes),
            Event::ClientTick { client } => {
                self.clients
                    .on_tick(client, running, &mut self.k, &self.nodes)
            }
            Event::ClientTimeout { client, req } => {
                self.clients.on_timeout(client, req, &mut self.k)
            }
            Event::Disk { node } => self.on_disk(node.index()),
            Event::Timer { node, timer } => self.on_timer(node.index(), timer),
            Event::Scheduled { index } => self.on_scheduled_fault(index as usize),
            Event::RandomCrash => self.on_random_crash(),
            Event::RandomRestart {
                node,
                incarnation,
                fault,
            } => self.on_random_restart(node, incarnation, fault),
            Event::CrashPoint { node, point } => self.on_crash_point(node, point),
            Event::LateRestart { node } => self.on_late_restart(node),
            Event::RandomPartition => self.on_random_partition(),
            Event::PartitionEnd { generation } => self.on_partition_end(generation),
            Event::Heal => self.on_heal(),
            Event::End | Event::LivenessProbe => self.on_end_or_probe(),
        }
    }

    /// The heal phase is over (or the run, without one): stop if the cluster converged,
    /// else look again a heartbeat later, until the liveness bound ends the run.
    fn on_end_or_probe(&mut self) {
        if self.config.run.heal_ms == 0 || self.k.observer.checker.convergence().is_some() {
            self.stopping = true;
            return;
        }
        let at = self.k.now().after(self.config.heartbeat());
        if at <= self.limits.end_time {
            self.k.push(at, Event::LivenessProbe);
        }
    }

    fn finish(mut self, stop: StopReason, events: u64) -> RunOutcome {
        let end = self.k.now().max(if stop.completed() {
            self.limits.end_time
        } else {
            self.k.now()
        });
        self.advance_clock_to(end);
        // The verdicts at the end (hazard windows, liveness, acknowledged writes,
        // linearizability), then one `final` line per node just before `end`.
        let checks = if stop.completed() && self.config.run.heal_ms > 0 {
            EndChecks::AfterHeal
        } else {
            EndChecks::NoHeal
        };
        self.k.observer.finish_checks(end, checks);
        for n in 0..self.nodes.len() {
            let ev = self.final_line(n);
            self.k.emit(ev);
        }
        let trace_hash = self.k.observer.end(end, events);
        let flushes = self
            .nodes
            .iter()
            .map(|n| n.disk.stats().flushes_submitted)
            .sum();
        let messages = self.net.stats().sent;
        let workload_s = self.config.run.duration_ms as f64 / 1e3;
        let trace_error = self.k.observer.trace_error();
        let checker = &self.k.observer.checker;
        RunOutcome {
            seed: self.seed,
            stop,
            events,
            end_time: end,
            trace_hash,
            violations: checker.violations().to_vec(),
            violation_counts: checker.counts().clone(),
            hazards: checker.hazard_summary(),
            metrics: self.k.metrics.summarize(workload_s, flushes, messages),
            linearizability_undecided: checker.linearizability_undecided().map(str::to_string),
            trace_error,
            fired_faults: self.faults.into_fired(),
            boundaries: self.boundaries.map(|b| b.report),
        }
    }

    /// Moves the clock to `t` (the end of the run) by queueing and popping a no-op.
    fn advance_clock_to(&mut self, t: SimTime) {
        if t > self.k.now() {
            self.k.push(t, Event::End);
            while let Some((at, _)) = self.k.queue.pop() {
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
}

/// Recent elections the liveness finding describes, in maximum election timeouts.
const LIVENESS_WINDOW_TIMEOUTS: u64 = 10;

/// The checker's bounds for a world: the liveness bound, and the timing note a liveness
/// finding carries when the configuration breaks Raft's timing assumption. Public so that
/// a trace of the world judged later (`sim-runner check-trace`) is judged with the bounds
/// it was judged with while it ran.
pub fn check_config(c: &WorldConfig) -> CheckConfig {
    let mut check = CheckConfig::new(c.nodes);
    let bound_ms = c.liveness_bound_ms();
    let et_max = c.raft.election_timeout_ms.max;
    check.liveness = LivenessBound {
        within: SimDuration::from_ms(bound_ms),
        text: format!(
            "{bound_ms} ms ({:.1} election timeouts of {et_max} ms)",
            bound_ms as f64 / et_max.max(1) as f64
        ),
        window: SimDuration::from_ms((LIVENESS_WINDOW_TIMEOUTS * et_max).min(bound_ms.max(1))),
        timing_note: c.timing_note.clone(),
    };
    check.applied_index = match c.workload.kind {
        crate::config::WorkloadKind::Register => AppliedIndexCheck::Off,
        crate::config::WorkloadKind::ListAppend => AppliedIndexCheck::On,
    };
    check
}

/// The replica's own random stream for node `id` in its `incarnation`.
pub(crate) fn replica_rng(streams: &RngStreams, id: NodeId, incarnation: u32) -> SimRng {
    streams.stream(&format!("node.{id}.replica.{incarnation}"))
}

fn new_node<M>(
    c: &WorldConfig,
    streams: &RngStreams,
    id: NodeId,
    replica: ReplicaFactory<M>,
) -> NodeSlot<M> {
    let snapshots = c.raft.snapshot_distance > 0;
    let disk = Disk::new(
        c.disk,
        if snapshots {
            crate::snapshot_store::FILES_WITH_SNAPSHOTS
        } else {
            2
        },
        streams.stream(&format!("disk.{id}.latency")),
        streams.stream(&format!("disk.{id}.fault")),
    );
    let core = replica(
        c.core_config(id),
        Recovered::default(),
        replica_rng(streams, id, 0),
    );
    NodeSlot {
        id,
        core: Some(core),
        disk,
        store: LogStore::open(id, c.mutant.store, &[], 0),
        state_file: StateFile::open(
            id,
            &SavedState::default(),
            c.disk.sector_bytes,
            c.mutant.state_layout(),
        ),
        snapshots: snapshots.then(|| {
            crate::snapshot_store::SnapshotStore::open(
                id,
                c.mutant.snapshot,
                &crate::snapshot_store::Media::default_empty(),
                c.disk.sector_bytes,
            )
        }),
        incarnation: 0,
        thread: Thread::default(),
        timers: [TimerSlot::default(); 2],
        disk_armed: None,
        timer_rng: streams.stream(&format!("node.{id}.timer")),
        sm_rng: streams.stream(&format!("node.{id}.sm")),
        peer_active_at: vec![SimTime::ZERO; usize::from(c.nodes)],
        persisted_sm: None,
        pre_crash_log: Vec::new(),
    }
}
