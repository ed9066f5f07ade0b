//! The world's configuration: everything one run needs besides its seed, in the world's own
//! terms (the Raft core's knobs, the disk's and network's configs, the fault plan, the
//! workload, the run's bounds). The cluster reads nothing else while it runs.
//!
//! Build one with [`WorldConfig::builder`] (defaults: a healthy three-node cluster under the
//! given durability mode, no faults, the scenario format's default timings), or from a
//! scenario file with `sim_scenario::world_config`. [`WorldConfigBuilder::build`] validates
//! every field, so a world never starts from a configuration it cannot run.

mod faults;
mod mutants;

pub use faults::{
    CrashKind, FaultAction, FaultPlan, NodeSel, RangeMs, ScheduledFault, crash_action,
};
pub use mutants::{AdapterMutant, MutantPlacement};

use raft_core::{CommitRule, Durability, NODES_MAX, NodeId, ReadPath};
use serde::Serialize;
use sim_core::{Dist, SimDuration};
use sim_disk::{DiskConfig, DiskConfigError};
use sim_net::{NetConfig, NetConfigError};

/// The most clients a world may have: each holds a request, a timeout and a tick in the
/// world's queue, whose size is bounded.
pub const CLIENTS_MAX: u32 = 10_000;

/// The longest liveness bound, in election timeouts.
pub const LIVENESS_TIMEOUTS_MAX: u64 = 1000;

/// Everything a run needs besides its seed. Fields are public to read; build it with
/// [`WorldConfig::builder`], which validates.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldConfig {
    /// Nodes `1..=nodes`, at most [`NODES_MAX`].
    pub nodes: u8,
    /// The Raft implementation the nodes run ([`Implementation::Model`]: this project's
    /// core). The world runs the replica its `RunOptions` names; whoever builds the world
    /// reads this to pick it (`sim_scenario::run_world`).
    pub implementation: Implementation,
    pub raft: RaftSettings,
    /// The mutant of the bug catalogue the world runs ([`MutantPlacement::NONE`]: none).
    pub mutant: MutantPlacement,
    pub state_machine: StateMachine,
    pub disk: DiskConfig,
    pub fsync_error_policy: FsyncErrorPolicy,
    /// Node-to-node links; client links use its latency and are never lossy.
    pub net: NetConfig,
    pub faults: FaultPlan,
    pub workload: WorkloadConfig,
    pub run: RunConfig,
    /// What a liveness finding says when these timings break Raft's timing assumption
    /// (computed by whoever builds the configuration; `None`: they do not).
    pub timing_note: Option<String>,
}

/// The Raft core's settings, the same on every node.
#[derive(Clone, Debug, PartialEq)]
pub struct RaftSettings {
    pub heartbeat_interval_ms: u64,
    pub election_timeout_ms: RangeMs,
    /// Entries per AppendEntries and per `end_of_append_batch`, >= 1.
    pub max_append_batch: u32,
    /// The three NuRaft knobs of the durability mode.
    pub durability: Durability,
    pub commit_rule: CommitRule,
    pub read_path: ReadPath,
    /// Probability that a follower's state machine answers an AppendEntries with a negative
    /// batch-size hint (it is busy), in [0, 1].
    pub negative_batch_hint_rate: f64,
    /// NuRaft's `snapshot_distance`: a snapshot every this many entries applied, and the
    /// log compacted behind it (0: never).
    pub snapshot_distance: u64,
    /// NuRaft's `reserved_log_items`: entries kept in the log behind a snapshot.
    pub reserved_log_items: u64,
}

/// The clients and what they offer.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadConfig {
    /// What the clients do with the keys: registers, or Elle's list-append.
    pub kind: WorkloadKind,
    /// Concurrent clients, each with at most one request in flight; at most [`CLIENTS_MAX`].
    pub clients: u32,
    /// Operations per simulated second offered by all clients together (reads included).
    pub write_rate_per_s: f64,
    /// Fraction of operations that are reads, in [0, 1].
    pub read_fraction: f64,
    /// Distinct keys, >= 1.
    pub keys: u32,
    /// A request with no answer after this long ends indeterminate, >= 1.
    pub request_timeout_ms: u64,
}

/// What the workload's operations are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// Each key is a register: a write puts a unique value, a read returns the last one.
    Register,
    /// Each key is a list (Jepsen Elle's list-append): a write appends a unique element
    /// (its request id), a read returns the whole list. An entry applied twice shows as an
    /// element present twice, where a register overwritten with its own value hides it.
    ListAppend,
}

/// How long the run lasts and what bounds it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    /// Faults and workload run this long, >= 1.
    pub duration_ms: u64,
    /// Then faults stop and the cluster must converge; 0 = no heal phase.
    pub heal_ms: u64,
    /// Hard bound of events, >= 1.
    pub max_events: u64,
    /// The cluster must converge within max(heal_ms, this many maximum election timeouts)
    /// of the heal; 1..=[`LIVENESS_TIMEOUTS_MAX`].
    pub liveness_timeouts: u64,
    pub heal_network: HealNetwork,
}

/// Which Raft implementation a world's nodes run. A name only: this crate holds no
/// implementation but the model, and no other's types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    /// This project's NuRaft-shaped core (`raft-core`).
    Model,
    /// raft-rs (the `raft` crate), through `replica-raft-rs`.
    RaftRs,
    /// openraft (a pinned 0.10 alpha), through `replica-openraft`.
    Openraft,
}

/// Whether the state machine survives a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateMachine {
    /// Rebuilt from the log on restart.
    Volatile,
    /// Applied state survives a crash.
    Persistent,
}

/// What the node does when its log store sees a failed flush.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FsyncErrorPolicy {
    /// The process dies and recovers from what is durable (PostgreSQL's answer since 2018).
    Crash,
    /// The flush is retried and its success believed: the pages Linux dropped are lost
    /// while the log store reports them durable (the fsyncgate mistake).
    Retry,
}

/// What the network does in the heal phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealNetwork {
    /// No loss and no duplication once the heal begins (partitions heal in any case).
    Reliable,
    /// Loss and duplication go on as configured.
    KeepFaults,
}

/// A configuration no world can run: which field, and what it must be.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("nodes = {0}: a cluster has 1 to {NODES_MAX} nodes")]
    Nodes(u8),
    #[error("{name} = {value}: must be at least {min}")]
    TooSmall {
        name: &'static str,
        value: u64,
        min: u64,
    },
    #[error("{name} = {value}: must be at most {max}")]
    TooLarge {
        name: &'static str,
        value: u64,
        max: u64,
    },
    #[error("{name} = {value}: must be a probability from 0 to 1")]
    Probability { name: &'static str, value: f64 },
    #[error("{name} = {value}: must be a finite rate >= 0")]
    Rate { name: &'static str, value: f64 },
    #[error("{name} = {{ min = {min}, max = {max} }}: min must not exceed max")]
    Range {
        name: &'static str,
        min: u64,
        max: u64,
    },
    #[error("disk: {0}")]
    Disk(#[from] DiskConfigError),
    #[error("network: {0}")]
    Net(#[from] NetConfigError),
    #[error("fault schedule entry {entry}: {problem}")]
    Schedule { entry: usize, problem: String },
}

impl WorldConfig {
    /// A builder with the defaults of a scenario file that sets only `nodes` and the mode:
    /// heartbeat 50 ms, election timeout 150..300 ms, batches of 64, NuRaft's commit rule,
    /// disk writes 5..50 us and flushes log-normal (p50 2 ms, p99 30 ms), network 1..10 ms,
    /// no faults, 4 clients offering 200 writes/s over 16 keys, 10 s of workload and 5 s
    /// to heal.
    pub fn builder(nodes: u8, durability: Durability) -> WorldConfigBuilder {
        WorldConfigBuilder {
            config: WorldConfig {
                nodes,
                implementation: Implementation::Model,
                raft: RaftSettings {
                    heartbeat_interval_ms: 50,
                    election_timeout_ms: RangeMs { min: 150, max: 300 },
                    max_append_batch: 64,
                    durability,
                    commit_rule: CommitRule::Nuraft,
                    read_path: ReadPath::Log,
                    negative_batch_hint_rate: 0.0,
                    snapshot_distance: 0,
                    reserved_log_items: 0,
                },
                mutant: MutantPlacement::NONE,
                state_machine: StateMachine::Volatile,
                disk: DiskConfig {
                    write_latency: Dist::Uniform {
                        min_ns: 5e3,
                        max_ns: 50e3,
                    },
                    flush_latency: Dist::LogNormal {
                        p50_ns: 2e6,
                        p99_ns: 30e6,
                    },
                    ..DiskConfig::simple(0.0, 0.0)
                },
                fsync_error_policy: FsyncErrorPolicy::Crash,
                net: NetConfig {
                    latency: Dist::Uniform {
                        min_ns: 1e6,
                        max_ns: 10e6,
                    },
                    ..NetConfig::reliable(0.0)
                },
                faults: FaultPlan::none(),
                workload: WorkloadConfig {
                    kind: WorkloadKind::Register,
                    clients: 4,
                    write_rate_per_s: 200.0,
                    read_fraction: 0.0,
                    keys: 16,
                    request_timeout_ms: 1000,
                },
                run: RunConfig {
                    duration_ms: 10_000,
                    heal_ms: 5_000,
                    max_events: 5_000_000,
                    liveness_timeouts: 20,
                    heal_network: HealNetwork::Reliable,
                },
                timing_note: None,
            },
        }
    }

    /// The Raft core's configuration of node `id`.
    pub fn core_config(&self, id: NodeId) -> raft_core::Config {
        let r = &self.raft;
        raft_core::Config {
            id,
            voters: NodeId::all(self.nodes).collect(),
            heartbeat_interval_ns: r.heartbeat_interval_ms * 1_000_000,
            election_timeout_min_ns: r.election_timeout_ms.min * 1_000_000,
            election_timeout_max_ns: r.election_timeout_ms.max * 1_000_000,
            max_append_batch: r.max_append_batch,
            durability: r.durability,
            commit_rule: r.commit_rule,
            read_path: r.read_path,
            mutant: self.mutant.core,
            snapshot_distance: r.snapshot_distance,
            reserved_log_items: r.reserved_log_items,
        }
    }

    /// How long after the heal the cluster may take to converge: the heal phase, or
    /// `liveness_timeouts` maximum election timeouts if that is longer. 0 without a heal
    /// phase.
    pub fn liveness_bound_ms(&self) -> u64 {
        if self.run.heal_ms == 0 {
            return 0;
        }
        let timeouts_ms = self
            .run
            .liveness_timeouts
            .saturating_mul(self.raft.election_timeout_ms.max);
        self.run.heal_ms.max(timeouts_ms)
    }

    /// Checks every field; the first broken rule is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=NODES_MAX).contains(&self.nodes) {
            return Err(ConfigError::Nodes(self.nodes));
        }
        let r = &self.raft;
        at_least("raft.heartbeat_interval_ms", r.heartbeat_interval_ms, 1)?;
        range("raft.election_timeout_ms", r.election_timeout_ms)?;
        at_least("raft.election_timeout_ms.min", r.election_timeout_ms.min, 1)?;
        at_least("raft.max_append_batch", u64::from(r.max_append_batch), 1)?;
        probability("raft.negative_batch_hint_rate", r.negative_batch_hint_rate)?;
        self.disk.validate()?;
        self.net.validate()?;
        let f = &self.faults;
        rate("faults.crash_rate_per_s", f.crash_rate_per_s)?;
        rate("faults.partition_rate_per_s", f.partition_rate_per_s)?;
        range("faults.restart_delay_ms", f.restart_delay_ms)?;
        range("faults.partition_duration_ms", f.partition_duration_ms)?;
        for (entry, fault) in f.schedule.iter().enumerate() {
            self.check_fault(fault)
                .map_err(|problem| ConfigError::Schedule { entry, problem })?;
        }
        let w = &self.workload;
        at_most(
            "workload.clients",
            u64::from(w.clients),
            u64::from(CLIENTS_MAX),
        )?;
        rate("workload.write_rate_per_s", w.write_rate_per_s)?;
        probability("workload.read_fraction", w.read_fraction)?;
        at_least("workload.keys", u64::from(w.keys), 1)?;
        at_least("workload.request_timeout_ms", w.request_timeout_ms, 1)?;
        let run = &self.run;
        at_least("run.duration_ms", run.duration_ms, 1)?;
        at_least("run.max_events", run.max_events, 1)?;
        at_least("run.liveness_timeouts", run.liveness_timeouts, 1)?;
        at_most(
            "run.liveness_timeouts",
            run.liveness_timeouts,
            LIVENESS_TIMEOUTS_MAX,
        )?;
        Ok(())
    }

    /// A schedule entry's time and nodes against this cluster.
    fn check_fault(&self, fault: &ScheduledFault) -> Result<(), String> {
        if fault.at_ms >= self.run.duration_ms {
            return Err(format!(
                "at_ms = {} is not before the end of the workload ({} ms)",
                fault.at_ms, self.run.duration_ms
            ));
        }
        let known = |id: NodeId| (1..=self.nodes).contains(&id.0);
        match &fault.action {
            FaultAction::Crash { node, .. }
            | FaultAction::Restart { node }
            | FaultAction::Isolate { node }
            | FaultAction::DiskStall { node }
            | FaultAction::DiskResume { node } => match node {
                NodeSel::Id(id) if !known(*id) => Err(format!("no node {id}")),
                _ => Ok(()),
            },
            FaultAction::Partition { groups, one_way } => {
                let mut seen = [false; NODES_MAX as usize];
                for &id in groups.iter().flatten() {
                    if !known(id) {
                        return Err(format!("no node {id}"));
                    }
                    if std::mem::replace(&mut seen[id.index()], true) {
                        return Err(format!("node {id} is in two groups"));
                    }
                }
                let all_named = NodeId::all(self.nodes).all(|n| seen[n.index()]);
                if *one_way && (groups.len() != 2 || !all_named) {
                    return Err("a one-way partition has two groups naming every node".into());
                }
                Ok(())
            }
            FaultAction::Heal => Ok(()),
        }
    }

    /// The end of the run's simulated time: the workload, then the liveness bound.
    pub(crate) fn end_ms(&self) -> u64 {
        self.run
            .duration_ms
            .saturating_add(self.liveness_bound_ms())
    }

    /// The heartbeat interval.
    pub(crate) fn heartbeat(&self) -> SimDuration {
        SimDuration::from_ms(self.raft.heartbeat_interval_ms)
    }
}

/// Builds a [`WorldConfig`]; [`WorldConfigBuilder::build`] validates it.
#[derive(Clone, Debug)]
pub struct WorldConfigBuilder {
    config: WorldConfig,
}

impl WorldConfigBuilder {
    pub fn heartbeat_interval_ms(mut self, ms: u64) -> Self {
        self.config.raft.heartbeat_interval_ms = ms;
        self
    }
    pub fn election_timeout_ms(mut self, min: u64, max: u64) -> Self {
        self.config.raft.election_timeout_ms = RangeMs { min, max };
        self
    }
    pub fn max_append_batch(mut self, entries: u32) -> Self {
        self.config.raft.max_append_batch = entries;
        self
    }
    pub fn commit_rule(mut self, rule: CommitRule) -> Self {
        self.config.raft.commit_rule = rule;
        self
    }
    pub fn read_path(mut self, path: ReadPath) -> Self {
        self.config.raft.read_path = path;
        self
    }
    pub fn snapshots(mut self, distance: u64, reserved_log_items: u64) -> Self {
        self.config.raft.snapshot_distance = distance;
        self.config.raft.reserved_log_items = reserved_log_items;
        self
    }
    pub fn negative_batch_hint_rate(mut self, p: f64) -> Self {
        self.config.raft.negative_batch_hint_rate = p;
        self
    }
    /// The Raft implementation the nodes run.
    pub fn implementation(mut self, implementation: Implementation) -> Self {
        self.config.implementation = implementation;
        self
    }
    pub fn mutant(mut self, mutant: MutantPlacement) -> Self {
        self.config.mutant = mutant;
        self
    }
    pub fn state_machine(mut self, sm: StateMachine) -> Self {
        self.config.state_machine = sm;
        self
    }
    pub fn disk(mut self, disk: DiskConfig) -> Self {
        self.config.disk = disk;
        self
    }
    pub fn fsync_error_policy(mut self, policy: FsyncErrorPolicy) -> Self {
        self.config.fsync_error_policy = policy;
        self
    }
    pub fn net(mut self, net: NetConfig) -> Self {
        self.config.net = net;
        self
    }
    pub fn faults(mut self, faults: FaultPlan) -> Self {
        self.config.faults = faults;
        self
    }
    /// Adds one explicit fault.
    pub fn fault(mut self, at_ms: u64, action: FaultAction) -> Self {
        self.config
            .faults
            .schedule
            .push(ScheduledFault { at_ms, action });
        self
    }
    pub fn workload(mut self, workload: WorkloadConfig) -> Self {
        self.config.workload = workload;
        self
    }
    pub fn duration_ms(mut self, ms: u64) -> Self {
        self.config.run.duration_ms = ms;
        self
    }
    pub fn heal_ms(mut self, ms: u64) -> Self {
        self.config.run.heal_ms = ms;
        self
    }
    pub fn max_events(mut self, events: u64) -> Self {
        self.config.run.max_events = events;
        self
    }
    pub fn liveness_timeouts(mut self, timeouts: u64) -> Self {
        self.config.run.liveness_timeouts = timeouts;
        self
    }
    pub fn heal_network(mut self, heal: HealNetwork) -> Self {
        self.config.run.heal_network = heal;
        self
    }
    pub fn timing_note(mut self, note: Option<String>) -> Self {
        self.config.timing_note = note;
        self
    }

    /// The configuration, if every field holds.
    pub fn build(self) -> Result<WorldConfig, ConfigError> {
        self.config.validate()?;
        Ok(self.config)
    }
}

fn at_least(name: &'static str, value: u64, min: u64) -> Result<(), ConfigError> {
    if value < min {
        return Err(ConfigError::TooSmall { name, value, min });
    }
    Ok(())
}

fn at_most(name: &'static str, value: u64, max: u64) -> Result<(), ConfigError> {
    if value > max {
        return Err(ConfigError::TooLarge { name, value, max });
    }
    Ok(())
}

fn probability(name: &'static str, value: f64) -> Result<(), ConfigError> {
    if !(0.0..=1.0).contains(&value) {
        return Err(ConfigError::Probability { name, value });
    }
    Ok(())
}

fn rate(name: &'static str, value: f64) -> Result<(), ConfigError> {
    if !value.is_finite() || value < 0.0 {
        return Err(ConfigError::Rate { name, value });
    }
    Ok(())
}

fn range(name: &'static str, r: RangeMs) -> Result<(), ConfigError> {
    if r.min > r.max {
        return Err(ConfigError::Range {
            name,
            min: r.min,
            max: r.max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync3() -> WorldConfigBuilder {
        WorldConfig::builder(3, Durability::sync())
    }

    #[test]
    fn the_defaults_build() {
        let c = sync3().build().expect("the defaults are valid");
        assert_eq!(c.liveness_bound_ms(), 6_000, "max(5 s, 20 x 300 ms)");
        assert_eq!(c.core_config(NodeId(2)).voters.len(), 3);
    }

    #[test]
    fn build_names_the_broken_field() {
        assert_eq!(
            WorldConfig::builder(10, Durability::sync()).build(),
            Err(ConfigError::Nodes(10))
        );
        assert!(matches!(
            sync3().election_timeout_ms(300, 150).build(),
            Err(ConfigError::Range {
                name: "raft.election_timeout_ms",
                ..
            })
        ));
        let late = sync3().duration_ms(1_000).fault(
            1_000,
            FaultAction::Crash {
                node: NodeSel::Leader,
                kind: CrashKind::Power,
            },
        );
        assert!(matches!(
            late.build(),
            Err(ConfigError::Schedule { entry: 0, .. })
        ));
        let twice = sync3().fault(
            1,
            FaultAction::Partition {
                groups: vec![vec![NodeId(1)], vec![NodeId(1), NodeId(2)]],
                one_way: false,
            },
        );
        let e = twice.build().expect_err("a node in two groups");
        assert_eq!(
            e.to_string(),
            "fault schedule entry 0: node 1 is in two groups"
        );
    }
}
