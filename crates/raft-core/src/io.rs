//! The boundary of the core: what goes in ([`Input`]) and what comes out ([`Action`]).
//!
//! The caller executes actions **in order**. An action marked blocking (a `SaveState` or
//! `EndOfAppendBatch` with [`FlushWait::Blocking`], a `WaitDurable`) blocks the node's Raft
//! thread: the caller runs the rest of the list only once that I/O has completed, and gives
//! the node no input meanwhile. That is how NuRaft's synchronous calls behave, and it is the
//! whole difference between the durability modes.

use crate::config::FlushWait;
use crate::message::Message;
use crate::types::{ClientId, Command, LogIndex, NodeId, ReqId, Term, Value};

/// Which timer an action or input is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    Election,
    Heartbeat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A timer set by [`Action::SetTimer`] fired.
    Timer(Timer),
    Message {
        from: NodeId,
        msg: Message,
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
}

/// What a client is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientResult {
    /// Success; reads carry the value read (`None`: never written).
    Ok { read: Option<Option<Value>> },
    /// This node is not the leader; the request was not appended.
    NotLeader { hint: Option<NodeId> },
    /// Leadership was lost after the request was appended: it may still commit, or not.
    Dropped,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Send {
        to: NodeId,
        msg: Message,
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
    /// The role or term changed (for the trace).
    RoleChanged {
        role: crate::Role,
        term: Term,
    },
    /// The commit index advanced to `index`.
    Commit {
        index: LogIndex,
    },
    /// The entry at `index` was applied to the state machine.
    Apply {
        index: LogIndex,
        term: Term,
        req: Option<ReqId>,
    },
    ClientReply {
        client: ClientId,
        req: ReqId,
        result: ClientResult,
    },
}

impl Action {
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
