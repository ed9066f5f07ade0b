//! The boundary of the core: what goes in ([`Input`]) and what comes out ([`Action`]).
//!
//! Actions are of two kinds. Effects are I/O the caller performs: messages, timers, the
//! state file, the log store, client answers. [`Notice`]s change nothing outside the node
//! (its role, its commit index, what it applied): the caller only reports them. Both come in
//! one ordered list, because a notice belongs after the effects before it: an entry applied
//! behind a blocking flush is applied when the flush returns. Both types take the replica's
//! message type as a parameter (`M`, this core's [`Message`] by default), so another Raft
//! implementation speaks the same boundary with its own messages.
//!
//! The caller executes actions **in order**. An action marked blocking (a `SaveState` or
//! `EndOfAppendBatch` with [`FlushWait::Blocking`], a `WaitDurable`) blocks the node's Raft
//! thread: the caller runs the rest of the list only once that I/O has completed, and gives
//! the node no input meanwhile. That is how NuRaft's synchronous calls behave, and it is the
//! whole difference between the durability modes.

use crate::config::FlushWait;
use crate::kv::ReadResult;
use crate::message::Message;
use crate::snapshot::Snapshot;
use crate::types::{ClientId, Command, LogIndex, NodeId, ReqId, Term, Value};
use std::sync::Arc;

/// Which timer an action or input is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    Election,
    Heartbeat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input<M = Message> {
    /// A timer set by [`Action::SetTimer`] fired.
    Timer(Timer),
    Message {
        from: NodeId,
        msg: M,
    },
    /// A client request reached this node.
    ClientRequest {
        client: ClientId,
        req: ReqId,
        command: Command,
    },
    /// `notify_log_append_completion`: the log store's `last_durable_index()` is now `index`.
    LogDurable {
        index: LogIndex,
    },
    /// The connection to `peer` broke: a request to it failed because it is down or cut
    /// off, or it has been silent too long. NuRaft re-creates the connection before its
    /// next request to the peer, and that resets the peer's matched index
    /// (`request_append_entries` -> `reconnect_client` -> `set_matched_idx(0)`).
    PeerUnreachable {
        peer: NodeId,
    },
    /// The state machine finished the snapshot of [`Action::CreateSnapshot`] at `index`
    /// (`create_snapshot`'s handler, with `true`).
    SnapshotCreated {
        index: LogIndex,
    },
}

/// What a client is told. Not `Copy`: a list read carries its elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClientResult {
    /// Success; register reads carry the value read (`None`: never written).
    Ok { read: Option<Option<Value>> },
    /// Success of a list read: the list's elements, in order.
    OkList { list: Vec<Value> },
    /// This node is not the leader; the request was not appended.
    NotLeader { hint: Option<NodeId> },
    /// Leadership was lost after the request was appended: it may still commit, or not.
    Dropped,
}

impl ClientResult {
    /// Success, carrying what the state machine returned (`None` for an update).
    pub fn ok(read: Option<ReadResult>) -> ClientResult {
        match read {
            None => ClientResult::Ok { read: None },
            Some(ReadResult::Register(v)) => ClientResult::Ok { read: Some(v) },
            Some(ReadResult::List(list)) => ClientResult::OkList { list },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<M = Message> {
    Send {
        to: NodeId,
        msg: M,
    },
    /// Arm a timer: fire after a delay drawn uniformly from `min_ns..=max_ns`, replacing any
    /// earlier setting of the same timer.
    SetTimer {
        timer: Timer,
        min_ns: u64,
        max_ns: u64,
    },
    CancelTimer {
        timer: Timer,
    },
    /// `state_mgr::save_state(term, vote)`: synchronous by contract.
    SaveState {
        term: Term,
        vote: Option<NodeId>,
        wait: FlushWait,
    },
    /// `log_store.append` of entries `from..=to` (read them from [`crate::Raft::entry`]).
    Append {
        from: LogIndex,
        to: LogIndex,
    },
    /// `log_store.write_at(from, ..)`: truncate everything from `from`, then write
    /// `from..=to`.
    WriteAt {
        from: LogIndex,
        to: LogIndex,
    },
    /// `log_store.end_of_append_batch(start, count)`; the log store flushes, blocking or in
    /// the background as `flush` says.
    EndOfAppendBatch {
        start: LogIndex,
        count: u64,
        flush: FlushWait,
    },
    /// `log_store.flush()`: flush everything written, blocking the Raft thread. NuRaft's
    /// `store_log_entry` does it after writing a configuration entry — a new leader's
    /// first entry, and that entry on a follower — in every mode.
    FlushLog,
    /// Parallel-append follower: block until `last_durable_index() >= index`.
    WaitDurable {
        index: LogIndex,
    },
    ClientReply {
        client: ClientId,
        req: ReqId,
        result: ClientResult,
    },
    /// `state_machine::create_snapshot`: persist this snapshot in the background, then
    /// report [`Input::SnapshotCreated`].
    CreateSnapshot {
        snapshot: Arc<Snapshot>,
    },
    /// A follower's `save_logical_snp_obj` of a snapshot received from the leader: it
    /// blocks the Raft thread until the state machine returns.
    InstallSnapshot {
        snapshot: Arc<Snapshot>,
    },
    /// `log_store::compact(upto)`: the store may drop every entry up to `upto`.
    Compact {
        upto: LogIndex,
    },
    /// Something that changed inside the node, to report; no I/O.
    Notice(Notice),
}

/// What changed inside a node: the caller reports it and performs nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The role or term changed.
    RoleChanged { role: crate::Role, term: Term },
    /// The commit index advanced to `index`.
    Commit { index: LogIndex },
    /// The entry at `index` was applied to the state machine.
    Apply {
        index: LogIndex,
        term: Term,
        req: Option<ReqId>,
    },
}

impl<M> Input<M> {
    /// The same input with its message (if any) converted: how an adapter hands a wrapped
    /// or decoded message to the implementation it wraps.
    pub fn map_message<N>(self, f: impl FnOnce(M) -> N) -> Input<N> {
        match self {
            Input::Timer(t) => Input::Timer(t),
            Input::Message { from, msg } => Input::Message { from, msg: f(msg) },
            Input::ClientRequest {
                client,
                req,
                command,
            } => Input::ClientRequest {
                client,
                req,
                command,
            },
            Input::LogDurable { index } => Input::LogDurable { index },
            Input::PeerUnreachable { peer } => Input::PeerUnreachable { peer },
            Input::SnapshotCreated { index } => Input::SnapshotCreated { index },
        }
    }
}

impl<M> Action<M> {
    /// The same action with its message (if any) converted: how an adapter wraps or
    /// encodes the messages of the implementation it wraps.
    pub fn map_message<N>(self, f: impl FnOnce(M) -> N) -> Action<N> {
        match self {
            Action::Send { to, msg } => Action::Send { to, msg: f(msg) },
            Action::SetTimer {
                timer,
                min_ns,
                max_ns,
            } => Action::SetTimer {
                timer,
                min_ns,
                max_ns,
            },
            Action::CancelTimer { timer } => Action::CancelTimer { timer },
            Action::SaveState { term, vote, wait } => Action::SaveState { term, vote, wait },
            Action::Append { from, to } => Action::Append { from, to },
            Action::WriteAt { from, to } => Action::WriteAt { from, to },
            Action::EndOfAppendBatch {
                start,
                count,
                flush,
            } => Action::EndOfAppendBatch {
                start,
                count,
                flush,
            },
            Action::FlushLog => Action::FlushLog,
            Action::WaitDurable { index } => Action::WaitDurable { index },
            Action::ClientReply {
                client,
                req,
                result,
            } => Action::ClientReply {
                client,
                req,
                result,
            },
            Action::CreateSnapshot { snapshot } => Action::CreateSnapshot { snapshot },
            Action::InstallSnapshot { snapshot } => Action::InstallSnapshot { snapshot },
            Action::Compact { upto } => Action::Compact { upto },
            Action::Notice(n) => Action::Notice(n),
        }
    }

    /// Whether the Raft thread blocks on this action.
    pub fn blocks(&self) -> bool {
        matches!(
            self,
            Action::SaveState {
                wait: FlushWait::Blocking,
                ..
            } | Action::EndOfAppendBatch {
                flush: FlushWait::Blocking,
                ..
            } | Action::WaitDurable { .. }
                | Action::FlushLog
                | Action::InstallSnapshot { .. }
        )
    }

    /// Whether this action blocks the client path only (the Raft thread goes on).
    pub fn blocks_client(&self) -> bool {
        matches!(
            self,
            Action::EndOfAppendBatch {
                flush: FlushWait::BlockingClient,
                ..
            }
        )
    }
}
