//! How a node is configured: its peers, its timing, and the three NuRaft knobs that make up
//! a durability mode (NURAFT.md, "Three knobs, not one").

use crate::types::NodeId;

/// Whether a call that writes to disk waits for the flush before returning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlushWait {
    /// The Raft thread blocks until the flush completes (sync mode's `end_of_append_batch`,
    /// and `save_state` in every correct mode).
    Blocking,
    /// The flush is handed to a background I/O thread and the call returns at once.
    Background,
    /// Only the caller's path blocks: NuRaft's sync leader runs `end_of_append_batch` on the
    /// client path under `cli_lock_`, so the Raft thread goes on handling answers and
    /// heartbeats while the flush runs, the next client request waits, and the batch is
    /// counted and replicated once the flush returns ([`crate::Input::LogDurable`]).
    BlockingClient,
}

/// When the client of a write is told it succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AckRule {
    /// When the commit handler fires (the entry is committed and applied).
    OnCommit,
    /// When the handler fired AND the leader's own flush covers the entry.
    OnCommitAndFlush,
}

/// NuRaft's `parallel_log_appending_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParallelAppend {
    Off,
    /// The leader counts itself only up to `last_durable_index`; a follower waits until its
    /// write is durable before it answers.
    On,
}

/// What a parallel-append follower's Raft thread does while its write is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FollowerAppend {
    /// NuRaft's order: the thread waits ([`crate::Action::WaitDurable`]) until the request's
    /// entries are durable, then answers; nothing else runs meanwhile.
    Blocking,
    /// ClickHouse's NuRaft fork (PR #101): the thread goes on taking requests while the
    /// fsync runs; each answer is held until [`crate::Input::LogDurable`] covers its match
    /// index, then sent, in the order the requests came (several may wait on one fsync).
    Pipelined,
}

/// Where reads are served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadPath {
    /// A read is a log entry, answered when applied.
    Log,
    /// The leader answers at once from its state machine (not linearizable under partitions).
    LeaderState,
}

/// The durability knobs. [`Durability::sync`], [`Durability::async_handler`] and
/// [`Durability::parallel_append`] build the three modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Durability {
    /// What the leader's `end_of_append_batch` does.
    pub leader_flush: FlushWait,
    /// What a follower's `end_of_append_batch` does.
    pub follower_flush: FlushWait,
    pub parallel_append: ParallelAppend,
    pub ack: AckRule,
    /// With parallel appending, whether a follower blocks for durability or pipelines
    /// ([`FollowerAppend::Blocking`] in every other mode, where it means nothing).
    pub follower_append: FollowerAppend,
}

impl Durability {
    /// `end_of_append_batch` flushes and blocks: the leader's client path, and a
    /// follower's Raft thread.
    pub fn sync() -> Self {
        Durability {
            leader_flush: FlushWait::BlockingClient,
            follower_flush: FlushWait::Blocking,
            parallel_append: ParallelAppend::Off,
            ack: AckRule::OnCommit,
            follower_append: FollowerAppend::Blocking,
        }
    }

    /// The flush runs in the background on the leader; followers flush in the background
    /// too (`FlushWait::Background`, NuRaft's behaviour with one log store) or first.
    pub fn async_handler(ack: AckRule, follower_flush: FlushWait) -> Self {
        Durability {
            leader_flush: FlushWait::Background,
            follower_flush,
            parallel_append: ParallelAppend::Off,
            ack,
            follower_append: FollowerAppend::Blocking,
        }
    }

    /// Writes start without blocking; the leader counts itself up to `last_durable_index`;
    /// followers wait for durability before answering.
    pub fn parallel_append() -> Self {
        Durability {
            leader_flush: FlushWait::Background,
            follower_flush: FlushWait::Background,
            parallel_append: ParallelAppend::On,
            ack: AckRule::OnCommit,
            follower_append: FollowerAppend::Blocking,
        }
    }

    /// Parallel appending with pipelined followers (ClickHouse's NuRaft fork, PR #101): the
    /// leader as in [`Durability::parallel_append`]; a follower keeps taking requests while
    /// its fsync runs and answers each once its entries are durable.
    pub fn parallel_append_pipelined() -> Self {
        Durability {
            follower_append: FollowerAppend::Pipelined,
            ..Durability::parallel_append()
        }
    }

    /// Whether followers hold their answers instead of blocking for durability.
    pub fn pipelined_followers(&self) -> bool {
        self.parallel_append == ParallelAppend::On
            && self.follower_append == FollowerAppend::Pipelined
    }
}

/// The deliberate mistakes of the bug catalogue that live in the Raft core (the others
/// live in the log store or recovery of the harness). See docs/bugs.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoreMutant {
    None,
    /// The parallel-append leader counts its appended, not durable, index toward the quorum.
    LeaderCountsUnflushed,
    /// A follower answers AppendEntries before its write is durable.
    FollowerAcksBeforeFlush,
    /// A vote is answered before term and vote are flushed.
    VoteNotPersisted,
    /// A higher term is adopted without flushing it (with the vote granted along with it).
    TermNotPersisted,
    /// A follower applies entries before its batch is durable.
    ApplyBeforeDurable,
    /// A follower takes the leader's commit index, clamped only to its own log's end.
    CommitIndexNotClamped,
    /// The leader acknowledges a write as soon as it is appended locally.
    AckBeforeCommit,
    /// A follower does not call `end_of_append_batch` for a batch of configuration
    /// entries only (the log store's half is `StoreMutant::FlushLeavesDurableIndex`).
    EndOfBatchSkippedForConfig,
    /// A node that becomes leader reports its log tail as flushed at once, and appends its
    /// first entry through the ordinary asynchronous path instead of a blocking flush.
    NewLeaderMarksTailFlushed,
    /// Pipelined follower: a completion that arrives between the durability check of a
    /// request and the registration of its held answer is lost, so the answer waits for a
    /// later completion (ClickHouse NuRaft PR #101's race).
    CompletionBeforePending,
    /// After a restart `last_durable_index` starts at 0 instead of the recovered log's end,
    /// and moves only when a new write completes (ClickHouse NuRaft #116).
    DurableIndexStartsAtZero,
    /// Pipelined follower: a request that brings nothing new (a resend, a heartbeat) is
    /// answered at once, claiming its whole match index although the entries it matches may
    /// still be waiting for their flush (YugabyteDB #32875).
    FollowerAcksEmptyRequest,
}

/// How the leader turns matched indexes into a commit index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommitRule {
    /// NuRaft's `get_expected_committed_log_idx`: the quorum position of the matched
    /// indexes (its own included), whatever the term of the entry there. Peers' matched
    /// indexes survive an election, and a success answer of an earlier term still sets
    /// one.
    Nuraft,
    /// Raft §5.4.2: an entry commits by counting replicas only if it is of the leader's
    /// term; matched indexes start from zero each term; answers of other terms are
    /// ignored.
    CurrentTerm,
}

/// Everything a node needs to know to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub id: NodeId,
    /// Every voting member, this node included, in ascending order.
    pub voters: Vec<NodeId>,
    pub heartbeat_interval_ns: u64,
    pub election_timeout_min_ns: u64,
    pub election_timeout_max_ns: u64,
    /// Entries per AppendEntries request, >= 1.
    pub max_append_batch: u32,
    pub durability: Durability,
    pub commit_rule: CommitRule,
    pub read_path: ReadPath,
    pub mutant: CoreMutant,
    /// NuRaft's `snapshot_distance`: a snapshot is created every this many entries applied
    /// (0: never, and the log is never compacted).
    pub snapshot_distance: u64,
    /// NuRaft's `reserved_log_items`: entries kept in the log behind a new snapshot.
    pub reserved_log_items: u64,
}

impl Config {
    /// Panics on a configuration no caller should build (a bug upstream, not user input).
    pub fn validate(&self) {
        assert!(
            self.voters.contains(&self.id),
            "node {} is not among its voters",
            self.id
        );
        assert!(
            self.voters.windows(2).all(|w| w[0] < w[1]),
            "voters must be sorted and unique"
        );
        assert!(
            self.voters.len() <= usize::from(crate::NODES_MAX),
            "more than NODES_MAX voters"
        );
        assert!(self.max_append_batch >= 1, "max_append_batch must be >= 1");
        assert!(
            self.heartbeat_interval_ns > 0,
            "heartbeat interval must be positive"
        );
        assert!(
            self.election_timeout_min_ns <= self.election_timeout_max_ns,
            "election timeout min > max"
        );
    }

    /// The number of votes (or acknowledgements) that make a majority.
    pub fn quorum(&self) -> usize {
        self.voters.len() / 2 + 1
    }
}
