//! Every event of a run as one enum. The variants and fields of the "trace" table in
//! SCENARIO.md keep their names and meaning; the others (messages, disk I/O, timers,
//! faults) are documented in docs/trace.md.
//!
//! An event is a value: it prints, hashes, serializes and replays. Most variants are small
//! and `Copy`-sized; the few that carry a `String` or `Vec` are rare (faults, violations).

use raft_core::{ClientId, LogIndex, NODES_MAX, NodeId, ReqId, Role, Term};
use serde::{Serialize, Serializer};

/// A set of node ids (`1..=NODES_MAX`) as a bit mask, bit `id` for node `id`; serializes
/// as a sorted list of ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodeSet(pub u16);

impl NodeSet {
    pub fn insert(&mut self, node: NodeId) {
        assert!(
            (1..=NODES_MAX).contains(&node.0),
            "node id {node} outside 1..={NODES_MAX}"
        );
        self.0 |= 1 << node.0;
    }
    pub fn remove(&mut self, node: NodeId) {
        self.0 &= !(1 << node.0);
    }
    pub fn contains(&self, node: NodeId) -> bool {
        self.0 & (1 << node.0) != 0
    }
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
    pub fn iter(&self) -> impl Iterator<Item = NodeId> + '_ {
        NodeId::all(NODES_MAX).filter(|n| self.0 & (1 << n.0) != 0)
    }
}

impl Serialize for NodeSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(|n| n.0))
    }
}

impl std::fmt::Display for NodeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("{")?;
        for (i, n) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n}")?;
        }
        f.write_str("}")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientOp {
    Write,
    Read,
    /// List-append: append the request's `value` to the key's list.
    Append,
    /// List-append: read the key's whole list.
    ReadList,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOutcome {
    /// Certainly not applied.
    Fail,
    /// Indeterminate: it may take effect at any later point, or never.
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimerKind {
    Election,
    Heartbeat,
}

/// What a crash took down: the machine's power (the page cache is lost; the disk's crash
/// model decides what of it reached the media), or only the process (the page cache
/// survives, still unflushed, and the restarting process syncs it before reading).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrashKind {
    #[default]
    Power,
    Process,
}

impl CrashKind {
    pub fn is_power(&self) -> bool {
        *self == CrashKind::Power
    }
}

/// A power loss feeds nothing into a hash, so the trace hash of every run without a
/// process crash is the one it had before crashes had kinds.
impl std::hash::Hash for CrashKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if *self == CrashKind::Process {
            state.write_u8(1);
        }
    }
}

/// The last index of a restarting node's snapshot, 0 for none. Zero feeds nothing into a
/// hash, so the trace hash of every run without snapshots is the one it had before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SnapshotIndex(pub LogIndex);

impl SnapshotIndex {
    pub fn is_none(&self) -> bool {
        self.0 == LogIndex::ZERO
    }
}

impl std::hash::Hash for SnapshotIndex {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if !self.is_none() {
            state.write_u64(self.0.0);
        }
    }
}

/// Which file of a node's disk an I/O touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Log,
    State,
    /// A snapshot's data file or the snapshot directory.
    Snapshot,
    /// The log's directory: where the log store records the first index it keeps.
    LogDir,
}

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LostReason {
    /// `drop_rate` hit it at send.
    Random,
    /// Its link was cut when it would have arrived.
    Partitioned,
    /// The receiver was down.
    ReceiverDown,
    /// The sender or receiver crashed after it was sent.
    Restarted,
}

/// A Raft message without its entries: what the trace shows of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum MsgSummary {
    AppendEntries {
        term: Term,
        prev_index: LogIndex,
        prev_term: Term,
        entries: u32,
        leader_commit: LogIndex,
    },
    AppendResponse {
        term: Term,
        success: bool,
        match_index: LogIndex,
        /// The follower's state machine asked for a pause (a negative batch-size hint);
        /// written only when true.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        pause: bool,
    },
    VoteRequest {
        term: Term,
        last_index: LogIndex,
        last_term: Term,
    },
    VoteResponse {
        term: Term,
        granted: bool,
    },
    /// A leader's snapshot up to `index` (whose entry has `last_term`).
    InstallSnapshot {
        term: Term,
        index: LogIndex,
        last_term: Term,
    },
}

/// One event of a run. Serialized with `kind` (kebab-case) and the run's `t_ns` by
/// [`crate::jsonl`].
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
// An explicit one-byte tag: with the compiler free to hide the kind in a field's unused
// values, reading it took several comparisons, and every announced event is switched on
// its kind by the hash, the view, the checkers' walk and its drop. The trace hash does not
// change: `derive(Hash)` hashes the tag as a `u8` instead of an `isize`, and the trace
// hasher folds both as the same word (the pinned hashes hold it).
#[repr(u8)]
pub enum TraceEvent {
    // --- The contract of SCENARIO.md -------------------------------------------------
    ClientInvoke {
        client: ClientId,
        req: ReqId,
        op: ClientOp,
        key: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<u64>,
    },
    ClientOk {
        client: ClientId,
        req: ReqId,
        /// Reads: the value read (`null` when the key was never written).
        #[serde(skip_serializing_if = "is_write_ack")]
        value: ReadValue,
    },
    ClientFail {
        client: ClientId,
        req: ReqId,
        outcome: FailOutcome,
    },
    Role {
        node: NodeId,
        role: Role,
        term: Term,
    },
    Append {
        node: NodeId,
        index: LogIndex,
        term: Term,
        req: Option<ReqId>,
    },
    Truncate {
        node: NodeId,
        from_index: LogIndex,
    },
    Durable {
        node: NodeId,
        from_index: LogIndex,
        index: LogIndex,
        term: Term,
        /// The identity of each entry now durable at `from_index..`, as `[term, req]`
        /// (empty for a truncation reaching the disk). Not always what the node holds in
        /// memory there: a flush can make an older write durable after a truncation.
        entries: Vec<DurableEntry>,
    },
    Commit {
        node: NodeId,
        index: LogIndex,
    },
    Apply {
        node: NodeId,
        index: LogIndex,
        term: Term,
        req: Option<ReqId>,
    },
    /// `crash` is left out of the line for a power loss.
    Crash {
        node: NodeId,
        #[serde(skip_serializing_if = "CrashKind::is_power")]
        crash: CrashKind,
    },
    Restart {
        node: NodeId,
        log_first_index: LogIndex,
        log_last_index: LogIndex,
        log_last_term: Term,
        dropped: u64,
        term: Term,
        vote: Option<NodeId>,
        applied_index: LogIndex,
        /// The last index of the snapshot the node restarted from (left out when it had
        /// none: 0).
        #[serde(skip_serializing_if = "SnapshotIndex::is_none")]
        snapshot_index: SnapshotIndex,
    },
    Heal,
    Hazard {
        index: LogIndex,
        term: Term,
        opened_t_ns: u64,
        closed_t_ns: Option<u64>,
        durable_nodes: NodeSet,
    },
    Violation {
        invariant: crate::Invariant,
        #[serde(skip_serializing_if = "Option::is_none")]
        node: Option<NodeId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        index: Option<LogIndex>,
        #[serde(skip_serializing_if = "Option::is_none")]
        term: Option<Term>,
        #[serde(skip_serializing_if = "Option::is_none")]
        req: Option<ReqId>,
        detail: String,
    },
    Final {
        node: NodeId,
        up: bool,
        log_last_index: Option<LogIndex>,
        log_last_term: Option<Term>,
        commit_index: Option<LogIndex>,
        applied_index: Option<LogIndex>,
    },

    // --- Our own events (docs/trace.md) --------------------------------------------
    /// A message left `from` for `to`.
    Send {
        from: NodeId,
        to: NodeId,
        msg: MsgSummary,
    },
    /// A message reached `to` (it is handled now, or queued if the node is busy).
    Deliver {
        from: NodeId,
        to: NodeId,
        msg: MsgSummary,
    },
    /// A message was lost.
    Drop {
        from: NodeId,
        to: NodeId,
        msg: MsgSummary,
        reason: LostReason,
    },
    /// A node's timer fired.
    Timer {
        node: NodeId,
        timer: TimerKind,
    },
    /// A disk write of log entries `from_index..=to_index` was submitted.
    LogWrite {
        node: NodeId,
        op: u64,
        from_index: LogIndex,
        to_index: LogIndex,
    },
    /// A disk truncation of the log to the entries before `from_index` was submitted.
    LogTruncate {
        node: NodeId,
        op: u64,
        from_index: LogIndex,
    },
    /// A flush (fsync) of a file was submitted.
    Flush {
        node: NodeId,
        op: u64,
        file: FileKind,
    },
    /// A flush completed; `ok = false` is an fsync error.
    FlushDone {
        node: NodeId,
        op: u64,
        file: FileKind,
        ok: bool,
    },
    /// The term/vote state was written (and is being flushed).
    SaveState {
        node: NodeId,
        term: Term,
        vote: Option<NodeId>,
    },
    /// The node's Raft thread blocks (it handles no input until `unblock`).
    Block {
        node: NodeId,
        on: BlockReason,
    },
    Unblock {
        node: NodeId,
    },
    /// A disk of `node` stalls or resumes.
    DiskStall {
        node: NodeId,
    },
    DiskResume {
        node: NodeId,
    },
    /// The network was partitioned: `groups` as given (unnamed nodes form one more group).
    Partition {
        groups: Vec<Vec<NodeId>>,
        one_way: bool,
    },
    Isolate {
        node: NodeId,
    },
    /// All network cuts were removed (a fault `heal`; the heal phase is `heal`).
    NetHeal,
    /// A scheduled fault had nothing to do (e.g. crash of a node already down).
    FaultNoop {
        action: &'static str,
        detail: String,
    },
    /// A client sent a request to a node that is not the leader and was turned away.
    ClientRedirect {
        client: ClientId,
        req: ReqId,
        node: NodeId,
    },
    // --- Snapshots and compaction (docs/trace.md) -----------------------------------
    /// The node's last snapshot is now the one up to `index`: its state machine created it
    /// and reported it done, or (`installed`) it installed it from the leader.
    Snapshot {
        node: NodeId,
        index: LogIndex,
        term: Term,
        installed: bool,
    },
    /// The node's media now hold its snapshot up to `index` as the current one: the data
    /// file and the directory entry naming it are both flushed.
    SnapshotDurable {
        node: NodeId,
        index: LogIndex,
    },
    /// The log store compacted its log up to `upto` (NuRaft's `compact`): it serves no
    /// entry at or below it any more.
    Compact {
        node: NodeId,
        upto: LogIndex,
    },
    /// The compaction up to `upto` reached the media: recovery reads no entry at or below
    /// it any more.
    CompactDurable {
        node: NodeId,
        upto: LogIndex,
    },
}

/// The value a `client-ok` carries: nothing for a write or an append, the value read for
/// a register read, the elements for a list read. Only a list read allocates; its elements
/// come from the state machine's answer, moved, not copied.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReadValue {
    Write,
    Read(Option<u64>),
    /// A list read: the list's elements in order (empty: never appended to). At most
    /// `raft_core::LIST_ELEMENTS_MAX`.
    List(Vec<u64>),
}

fn is_write_ack(v: &ReadValue) -> bool {
    matches!(v, ReadValue::Write)
}

impl Serialize for ReadValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ReadValue::Write => s.serialize_none(),
            ReadValue::Read(v) => v.serialize(s),
            ReadValue::List(list) => list.serialize(s),
        }
    }
}

/// The identity of one durable log entry: its term and the request that wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DurableEntry {
    pub term: Term,
    pub req: Option<ReqId>,
}

impl DurableEntry {
    /// No entry: a place in a log whose entry was compacted away with nothing to stand
    /// for it (term 0, which no real entry has).
    pub const HOLE: DurableEntry = DurableEntry {
        term: Term(0),
        req: None,
    };
    /// A place a snapshot stands for, where a reader that does not track the committed
    /// entries needs only a count.
    pub const COVERED: DurableEntry = DurableEntry::HOLE;
}

impl Serialize for DurableEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.term, self.req).serialize(s)
    }
}

/// What a blocked Raft thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockReason {
    /// `end_of_append_batch` flushes synchronously (sync mode).
    LogFlush,
    /// A parallel-append follower waits for `last_durable_index` to cover the request.
    Durable,
    /// `save_state` is synchronous by contract.
    SaveState,
    /// A configuration entry (a leader's first entry of its term) is flushed as soon as it
    /// is written (NuRaft's `store_log_entry`), in every mode.
    ConfigFlush,
    /// A follower saves a snapshot from its leader (`save_logical_snp_obj`).
    Snapshot,
}

impl TraceEvent {
    /// Whether this event holds memory of its own to free (a `Vec` or a `String`): a
    /// `durable` line's entries, a list read's elements, a violation's or a no-op fault's
    /// detail, a partition's groups. Every other kind is plain data, and [`Self::dispose`]
    /// lets it go without the drop glue's out-of-line call.
    ///
    /// The proof is in the match: every field of a kind it calls plain is passed to
    /// `plain`, which takes only `Copy` types — and a type that owns memory cannot be
    /// `Copy`. A kind added to the enum, or a field added to a kind, does not compile
    /// until it is listed here. The calls compile to nothing.
    #[inline]
    pub fn owns_heap(&self) -> bool {
        #[inline(always)]
        fn plain<T: Copy>(_: &T) {}
        match self {
            TraceEvent::Durable { .. }
            | TraceEvent::Violation { .. }
            | TraceEvent::Partition { .. }
            | TraceEvent::FaultNoop { .. } => true,
            TraceEvent::ClientInvoke {
                client,
                req,
                op,
                key,
                value,
            } => {
                plain(client);
                plain(req);
                plain(op);
                plain(key);
                plain(value);
                false
            }
            TraceEvent::ClientOk { client, req, value } => {
                plain(client);
                plain(req);
                match value {
                    ReadValue::Write => false,
                    ReadValue::Read(v) => {
                        plain(v);
                        false
                    }
                    ReadValue::List(_) => true,
                }
            }
            TraceEvent::ClientFail {
                client,
                req,
                outcome,
            } => {
                plain(client);
                plain(req);
                plain(outcome);
                false
            }
            TraceEvent::Role { node, role, term } => {
                plain(node);
                plain(role);
                plain(term);
                false
            }
            TraceEvent::Append {
                node,
                index,
                term,
                req,
            } => {
                plain(node);
                plain(index);
                plain(term);
                plain(req);
                false
            }
            TraceEvent::Truncate { node, from_index } => {
                plain(node);
                plain(from_index);
                false
            }
            TraceEvent::Commit { node, index } => {
                plain(node);
                plain(index);
                false
            }
            TraceEvent::Apply {
                node,
                index,
                term,
                req,
            } => {
                plain(node);
                plain(index);
                plain(term);
                plain(req);
                false
            }
            TraceEvent::Crash { node, crash } => {
                plain(node);
                plain(crash);
                false
            }
            TraceEvent::Restart {
                node,
                log_first_index,
                log_last_index,
                log_last_term,
                dropped,
                term,
                vote,
                applied_index,
                snapshot_index,
            } => {
                plain(node);
                plain(log_first_index);
                plain(log_last_index);
                plain(log_last_term);
                plain(dropped);
                plain(term);
                plain(vote);
                plain(applied_index);
                plain(snapshot_index);
                false
            }
            TraceEvent::Heal => false,
            TraceEvent::Hazard {
                index,
                term,
                opened_t_ns,
                closed_t_ns,
                durable_nodes,
            } => {
                plain(index);
                plain(term);
                plain(opened_t_ns);
                plain(closed_t_ns);
                plain(durable_nodes);
                false
            }
            TraceEvent::Final {
                node,
                up,
                log_last_index,
                log_last_term,
                commit_index,
                applied_index,
            } => {
                plain(node);
                plain(up);
                plain(log_last_index);
                plain(log_last_term);
                plain(commit_index);
                plain(applied_index);
                false
            }
            TraceEvent::Send { from, to, msg } => {
                plain(from);
                plain(to);
                plain(msg);
                false
            }
            TraceEvent::Deliver { from, to, msg } => {
                plain(from);
                plain(to);
                plain(msg);
                false
            }
            TraceEvent::Drop {
                from,
                to,
                msg,
                reason,
            } => {
                plain(from);
                plain(to);
                plain(msg);
                plain(reason);
                false
            }
            TraceEvent::Timer { node, timer } => {
                plain(node);
                plain(timer);
                false
            }
            TraceEvent::LogWrite {
                node,
                op,
                from_index,
                to_index,
            } => {
                plain(node);
                plain(op);
                plain(from_index);
                plain(to_index);
                false
            }
            TraceEvent::LogTruncate {
                node,
                op,
                from_index,
            } => {
                plain(node);
                plain(op);
                plain(from_index);
                false
            }
            TraceEvent::Flush { node, op, file } => {
                plain(node);
                plain(op);
                plain(file);
                false
            }
            TraceEvent::FlushDone { node, op, file, ok } => {
                plain(node);
                plain(op);
                plain(file);
                plain(ok);
                false
            }
            TraceEvent::SaveState { node, term, vote } => {
                plain(node);
                plain(term);
                plain(vote);
                false
            }
            TraceEvent::Block { node, on } => {
                plain(node);
                plain(on);
                false
            }
            TraceEvent::Unblock { node } => {
                plain(node);
                false
            }
            TraceEvent::DiskStall { node } => {
                plain(node);
                false
            }
            TraceEvent::DiskResume { node } => {
                plain(node);
                false
            }
            TraceEvent::Isolate { node } => {
                plain(node);
                false
            }
            TraceEvent::NetHeal => false,
            TraceEvent::ClientRedirect { client, req, node } => {
                plain(client);
                plain(req);
                plain(node);
                false
            }
            TraceEvent::Snapshot {
                node,
                index,
                term,
                installed,
            } => {
                plain(node);
                plain(index);
                plain(term);
                plain(installed);
                false
            }
            TraceEvent::SnapshotDurable { node, index } => {
                plain(node);
                plain(index);
                false
            }
            TraceEvent::Compact { node, upto } => {
                plain(node);
                plain(upto);
                false
            }
            TraceEvent::CompactDurable { node, upto } => {
                plain(node);
                plain(upto);
                false
            }
        }
    }

    /// Drops this event, calling the drop glue only for a kind that [owns
    /// memory](Self::owns_heap): for the others it is one test of the kind instead of a
    /// call that looks the kind up again. Two events in three of a run go through here.
    #[inline]
    pub fn dispose(self) {
        if self.owns_heap() {
            drop(self);
        } else {
            // Plain data: forgetting it frees nothing, because there is nothing to free.
            std::mem::forget(self);
        }
    }

    /// The kind name as in the trace (`"append"`, `"client-ok"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            TraceEvent::ClientInvoke { .. } => "client-invoke",
            TraceEvent::ClientOk { .. } => "client-ok",
            TraceEvent::ClientFail { .. } => "client-fail",
            TraceEvent::Role { .. } => "role",
            TraceEvent::Append { .. } => "append",
            TraceEvent::Truncate { .. } => "truncate",
            TraceEvent::Durable { .. } => "durable",
            TraceEvent::Commit { .. } => "commit",
            TraceEvent::Apply { .. } => "apply",
            TraceEvent::Crash { .. } => "crash",
            TraceEvent::Restart { .. } => "restart",
            TraceEvent::Heal => "heal",
            TraceEvent::Hazard { .. } => "hazard",
            TraceEvent::Violation { .. } => "violation",
            TraceEvent::Final { .. } => "final",
            TraceEvent::Send { .. } => "send",
            TraceEvent::Deliver { .. } => "deliver",
            TraceEvent::Drop { .. } => "drop",
            TraceEvent::Timer { .. } => "timer",
            TraceEvent::LogWrite { .. } => "log-write",
            TraceEvent::LogTruncate { .. } => "log-truncate",
            TraceEvent::Flush { .. } => "flush",
            TraceEvent::FlushDone { .. } => "flush-done",
            TraceEvent::SaveState { .. } => "save-state",
            TraceEvent::Block { .. } => "block",
            TraceEvent::Unblock { .. } => "unblock",
            TraceEvent::DiskStall { .. } => "disk-stall",
            TraceEvent::DiskResume { .. } => "disk-resume",
            TraceEvent::Partition { .. } => "partition",
            TraceEvent::Isolate { .. } => "isolate",
            TraceEvent::NetHeal => "net-heal",
            TraceEvent::Snapshot { .. } => "snapshot",
            TraceEvent::SnapshotDurable { .. } => "snapshot-durable",
            TraceEvent::Compact { .. } => "compact",
            TraceEvent::CompactDurable { .. } => "compact-durable",
            TraceEvent::FaultNoop { .. } => "fault-noop",
            TraceEvent::ClientRedirect { .. } => "client-redirect",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_read_is_dropped_with_its_glue_and_a_register_answer_is_not() {
        let answer = |value| TraceEvent::ClientOk {
            client: ClientId(1),
            req: ReqId(2),
            value,
        };
        assert!(answer(ReadValue::List(vec![4, 9])).owns_heap());
        assert!(!answer(ReadValue::Write).owns_heap());
        assert!(!answer(ReadValue::Read(Some(7))).owns_heap());
        assert!(!answer(ReadValue::Read(None)).owns_heap());
        for value in [ReadValue::List(vec![4, 9]), ReadValue::Write] {
            answer(value).dispose();
        }
        let durable = TraceEvent::Durable {
            node: NodeId(1),
            from_index: LogIndex(1),
            index: LogIndex(1),
            term: Term(1),
            entries: vec![DurableEntry::HOLE],
        };
        assert!(durable.owns_heap());
        durable.dispose();
    }
}
