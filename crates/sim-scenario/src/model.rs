//! The resolved scenario: every key of SCENARIO.md with its default filled in.
//!
//! This is plain, validated data. Parsing and validation live in `parse.rs`; the meaning of
//! each field is documented here and in docs/scenario.md (the reference users read).
//! Times keep the unit in their name, as in the file. `Serialize` gives `show` its output
//! and the trace its `resolved` field; serializing and parsing again yields the same value.

use serde::Serialize;
use sim_core::Dist;

/// The largest cluster a scenario may describe.
pub use sim_core::NODES_MAX;

/// The longest liveness bound a scenario may set, in election timeouts, and the most
/// clients it may have: the world's bounds.
pub use sim_cluster::config::{CLIENTS_MAX, LIVENESS_TIMEOUTS_MAX};

/// The fault schedule's types, the state machine, the fsync error policy, the heal
/// network and the workload's kind are the world's own (`sim_cluster::config`): the file
/// names them as they are.
pub use sim_cluster::config::{
    CrashKind, FaultAction, FsyncErrorPolicy, HealNetwork, Implementation, NodeSel, RangeMs,
    ScheduledFault, StateMachine, WorkloadKind,
};

/// A whole scenario, resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Defaults to the file's stem.
    pub name: String,
    /// Free text; empty by default.
    pub description: String,
    pub cluster: Cluster,
    pub raft: Raft,
    pub disk: Disk,
    pub network: Network,
    pub faults: Faults,
    pub workload: Workload,
    pub run: Run,
    pub expect: Expect,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    /// 1..=9; node ids are 1..=nodes.
    pub nodes: u8,
    /// The Raft implementation the nodes run. Default `model` (this project's core).
    pub implementation: Implementation,
    pub mode: Mode,
    /// async-handler only (`None` in other modes). Default `commit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ack: Option<ClientAck>,
    /// async-handler only (`None` in other modes). Default `background`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follower_flush: Option<FollowerFlush>,
    /// parallel-append only (`None` in other modes). Default `blocking`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follower_append: Option<FollowerAppend>,
    /// A mutant from the bug catalogue; default `none`.
    pub bug: Bug,
    /// Default `volatile`.
    pub state_machine: StateMachine,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Sync,
    AsyncHandler,
    ParallelAppend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAck {
    /// Acknowledge when the commit handler fires (NuRaft's naive use).
    Commit,
    /// Acknowledge when the handler fired AND the leader's flush covers the entry.
    CommitAndFlush,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowerFlush {
    /// Followers answer before their background flush ends (the same log store as the leader).
    Background,
    /// Followers flush, then answer.
    BeforeAnswer,
}

/// What a parallel-append follower does while its write is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowerAppend {
    /// NuRaft: the Raft thread waits until the request's entries are durable, then answers.
    Blocking,
    /// ClickHouse's NuRaft fork (PR #101): the thread keeps taking requests while the fsync
    /// runs; each answer is held until its entries are durable, then sent in order.
    Pipelined,
}

/// The bug catalogue: deliberate durability mistakes (docs/bugs.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bug {
    None,
    LeaderCountsUnflushed,
    FollowerAcksBeforeFlush,
    DurableIndexReportsAppended,
    CompletionOvershoots,
    VoteNotPersisted,
    TermNotPersisted,
    TruncateNotFlushed,
    StaleWriteAfterTruncate,
    ApplyBeforeDurable,
    CommitIndexNotClamped,
    RecoveryTrustsVolatile,
    AckBeforeCommit,
    TruncateKeepsDurableIndex,
    EndOfBatchSkippedForConfig,
    FlushErrorNeverCompletes,
    StateFileNotAtomic,
    NewLeaderMarksTailFlushed,
    CompletionBeforePending,
    DurableIndexStartsAtZero,
    FollowerAcksEmptyRequest,
    /// Needs snapshots (`snapshot_distance`).
    SnapshotDirNotFsynced,
    /// Needs snapshots (`snapshot_distance`).
    CompactBeforeSnapshotDurable,
    /// Needs snapshots (`snapshot_distance`).
    InstallAckedBeforeDurable,
    /// raft-rs adapter only.
    PersistedMessagesEarly,
    /// openraft adapter only.
    IoFlushedBeforeFsync,
}

impl Bug {
    /// Whether it is a mistake in how snapshots reach the disk (it needs
    /// `snapshot_distance`).
    pub fn needs_snapshots(self) -> bool {
        matches!(
            self,
            Bug::SnapshotDirNotFsynced
                | Bug::CompactBeforeSnapshotDurable
                | Bug::InstallAckedBeforeDurable
        )
    }

    /// Every value, in catalogue order (`None` first).
    pub const ALL: [Bug; 26] = [
        Bug::None,
        Bug::LeaderCountsUnflushed,
        Bug::FollowerAcksBeforeFlush,
        Bug::DurableIndexReportsAppended,
        Bug::CompletionOvershoots,
        Bug::VoteNotPersisted,
        Bug::TermNotPersisted,
        Bug::TruncateNotFlushed,
        Bug::StaleWriteAfterTruncate,
        Bug::ApplyBeforeDurable,
        Bug::CommitIndexNotClamped,
        Bug::RecoveryTrustsVolatile,
        Bug::AckBeforeCommit,
        Bug::TruncateKeepsDurableIndex,
        Bug::EndOfBatchSkippedForConfig,
        Bug::FlushErrorNeverCompletes,
        Bug::StateFileNotAtomic,
        Bug::NewLeaderMarksTailFlushed,
        Bug::CompletionBeforePending,
        Bug::DurableIndexStartsAtZero,
        Bug::FollowerAcksEmptyRequest,
        Bug::SnapshotDirNotFsynced,
        Bug::CompactBeforeSnapshotDurable,
        Bug::InstallAckedBeforeDurable,
        Bug::PersistedMessagesEarly,
        Bug::IoFlushedBeforeFsync,
    ];

    /// The name as written in a scenario file.
    pub fn name(self) -> &'static str {
        match self {
            Bug::None => "none",
            Bug::LeaderCountsUnflushed => "leader-counts-unflushed",
            Bug::FollowerAcksBeforeFlush => "follower-acks-before-flush",
            Bug::DurableIndexReportsAppended => "durable-index-reports-appended",
            Bug::CompletionOvershoots => "completion-overshoots",
            Bug::VoteNotPersisted => "vote-not-persisted",
            Bug::TermNotPersisted => "term-not-persisted",
            Bug::TruncateNotFlushed => "truncate-not-flushed",
            Bug::StaleWriteAfterTruncate => "stale-write-after-truncate",
            Bug::ApplyBeforeDurable => "apply-before-durable",
            Bug::CommitIndexNotClamped => "commit-index-not-clamped",
            Bug::RecoveryTrustsVolatile => "recovery-trusts-volatile",
            Bug::AckBeforeCommit => "ack-before-commit",
            Bug::TruncateKeepsDurableIndex => "truncate-keeps-durable-index",
            Bug::EndOfBatchSkippedForConfig => "end-of-batch-skipped-for-config",
            Bug::FlushErrorNeverCompletes => "flush-error-never-completes",
            Bug::StateFileNotAtomic => "state-file-not-atomic",
            Bug::NewLeaderMarksTailFlushed => "new-leader-marks-tail-flushed",
            Bug::CompletionBeforePending => "completion-before-pending",
            Bug::DurableIndexStartsAtZero => "durable-index-starts-at-zero",
            Bug::FollowerAcksEmptyRequest => "follower-acks-empty-request",
            Bug::SnapshotDirNotFsynced => "snapshot-dir-not-fsynced",
            Bug::CompactBeforeSnapshotDurable => "compact-before-snapshot-durable",
            Bug::InstallAckedBeforeDurable => "install-acked-before-durable",
            Bug::PersistedMessagesEarly => "persisted-messages-early",
            Bug::IoFlushedBeforeFsync => "io-flushed-before-fsync",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Raft {
    /// >= 1. Default 50.
    pub heartbeat_interval_ms: u64,
    /// Default { min = 150, max = 300 }.
    pub election_timeout_ms: RangeMs,
    /// Entries per AppendEntries and per end_of_append_batch, >= 1. Default 64.
    pub max_append_batch: u32,
    /// How the leader decides what is committed. Default `nuraft`.
    pub commit_rule: CommitRule,
    /// Probability that a follower's state machine answers an AppendEntries with a
    /// negative batch-size hint (`get_next_batch_size_hint_in_bytes() < 0`, it is busy):
    /// the leader then sends that follower requests without entries — heartbeats that
    /// still carry its commit index — until an answer without the hint. In [0, 1].
    /// Default 0.
    pub negative_batch_hint_rate: f64,
    /// NuRaft's `snapshot_distance`: the state machine is snapshotted every this many
    /// entries applied and the log compacted behind the snapshot. 0 (the default): never.
    pub snapshot_distance: u64,
    /// NuRaft's `reserved_log_items`: entries kept in the log behind a snapshot. Default 0.
    pub reserved_log_items: u64,
}

/// How a leader turns its peers' matched indexes into a commit index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitRule {
    /// NuRaft's `get_expected_committed_log_idx`: the quorum position of the matched
    /// indexes, whatever the entry's term; peers' matched indexes survive an election and
    /// answers of an earlier term still count.
    Nuraft,
    /// Raft §5.4.2: only an entry of the leader's own term commits by counting replicas;
    /// matched indexes start from zero each term.
    CurrentTerm,
}

/// A latency as written in the file, in the unit of its key's name (`_ms` or `_us`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Latency {
    Constant { value: f64 },
    Uniform { min: f64, max: f64 },
    Exponential { mean: f64 },
    Lognormal { p50: f64, p99: f64 },
}

/// The unit a latency key is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyUnit {
    Microseconds,
    Milliseconds,
}

impl Latency {
    /// The distribution in nanoseconds.
    pub fn to_dist(&self, unit: LatencyUnit) -> Dist {
        let k = match unit {
            LatencyUnit::Microseconds => 1e3,
            LatencyUnit::Milliseconds => 1e6,
        };
        match *self {
            Latency::Constant { value } => Dist::Constant {
                value_ns: value * k,
            },
            Latency::Uniform { min, max } => Dist::Uniform {
                min_ns: min * k,
                max_ns: max * k,
            },
            Latency::Exponential { mean } => Dist::Exponential { mean_ns: mean * k },
            Latency::Lognormal { p50, p99 } => Dist::LogNormal {
                p50_ns: p50 * k,
                p99_ns: p99 * k,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Disk {
    /// Time for a write to land in the page cache. Default uniform 5..50 us.
    pub write_latency_us: Latency,
    /// Time for a flush (fsync). Default lognormal p50 = 2 ms, p99 = 30 ms.
    pub flush_latency_ms: Latency,
    /// Time for a flush of the one-sector term-and-vote file, when it differs from
    /// `flush_latency_ms`. Default: unset, the same as the log's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_flush_latency_ms: Option<Latency>,
    /// Default `lose-unflushed`.
    pub crash: CrashModel,
    /// Power of two, 512..=65536. Default 512.
    pub sector_bytes: u32,
    /// Probability a flush fails (and drops its dirty pages). Default 0.
    pub fsync_error_rate: f64,
    /// Probability a sector read at recovery returns corrupt data. Default 0.
    pub corruption_rate: f64,
    /// What a node does when a flush of its log fails. Default `crash`.
    pub fsync_error_policy: FsyncErrorPolicy,
    /// Whether fsyncs of different files (the log, the state file) complete in submission
    /// order or independently. Default `submission`.
    pub flush_order: FlushOrder,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrashModel {
    LoseUnflushed,
    KeepRandomSubset,
    TornTail,
}

/// In which order a disk completes the fsyncs of different files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlushOrder {
    /// One fsync at a time for the whole disk, in submission order.
    Submission,
    /// One fsync at a time per file: a state-file fsync does not wait for a log fsync
    /// submitted before it, and may complete first.
    PerFile,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Network {
    /// One-way delivery latency. Default uniform 1..10 ms.
    pub latency_ms: Latency,
    /// Probability a message is lost. Default 0.
    pub drop_rate: f64,
    /// Probability a message is delivered twice. Default 0.
    pub duplicate_rate: f64,
    /// `false`: per-link FIFO delivery. Default false.
    pub reorder: bool,
}

/// `[faults]`: the world's fault plan as it is (random crashes and partitions per
/// simulated second, restart delays, partition durations, the explicit schedule). Defaults:
/// no random faults, restarts after 50..2000 ms, partitions of 100..3000 ms, no schedule.
pub use sim_cluster::config::FaultPlan as Faults;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workload {
    /// `register` (a write puts a value, a read returns it) or `list-append` (a write
    /// appends its request id to the key's list, a read returns the list). Default
    /// `register`.
    pub kind: WorkloadKind,
    /// Concurrent clients, each with at most one request in flight. 0 = no workload. Default 4.
    pub clients: u32,
    /// Operations per simulated second offered by all clients together (reads included).
    /// Default 200.
    pub write_rate_per_s: f64,
    /// Fraction of operations that are reads, in [0, 1]. Default 0.
    pub read_fraction: f64,
    /// Default `log`.
    pub read_path: ReadPath,
    /// Distinct keys, >= 1. Default 16.
    pub keys: u32,
    /// A request with no answer after this long ends indeterminate and the client moves on.
    /// >= 1. Default 1000.
    pub request_timeout_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadPath {
    /// Reads go through the log.
    Log,
    /// The leader answers from its state machine.
    LeaderState,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Run {
    /// Faults and workload run this long, >= 1. Default 10_000.
    pub duration_ms: u64,
    /// Then faults stop and the cluster must converge; 0 = no heal phase. Default 5_000.
    pub heal_ms: u64,
    /// Seeds `run` tries by default, >= 1. Default 100.
    pub seeds: u64,
    /// First seed, 0..=2^63-1 in a file. Default 1.
    pub seed: u64,
    /// Hard bound of events per seed, >= 1. Default 5_000_000.
    pub max_events: u64,
    /// The liveness bound, in maximum election timeouts: the cluster must converge within
    /// max(heal_ms, this many election timeouts) of the heal, 1..=1000. Default 20.
    pub liveness_timeouts: u64,
    /// What the network does in the heal phase. Default `reliable`.
    pub heal_network: HealNetwork,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expect {
    pub outcome: Outcome,
    /// Non-empty when `outcome = violation`: any one of them satisfies the expectation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violation: Vec<Invariant>,
    /// When `outcome = pass`: invariants that may fire without failing the scenario — a
    /// known, tolerated finding such as async-handler's durability hazard — while any other
    /// still fails it. Empty by default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<Invariant>,
    /// When `outcome = violation`: the violation must fire on one of the first N seeds.
    /// Defaults to `run.seeds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_seeds: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Violation,
}

/// The invariants the checker enforces (SCENARIO.md, "Invariant names"); defined with the
/// trace vocabulary, since a `violation` line names one.
pub use sim_trace::Invariant;
