//! The messages nodes exchange: Raft's four RPCs, and a leader's snapshot to a follower
//! that needs entries it has compacted away.

use crate::snapshot::Snapshot;
use crate::types::{Entry, LogIndex, NodeId, Term};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    AppendEntries {
        term: Term,
        leader: NodeId,
        prev_index: LogIndex,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
    },
    /// `match_index`: on success the last index the request covered; on rejection a hint,
    /// the highest index the leader may try next as `prev_index`.
    AppendResponse {
        term: Term,
        success: bool,
        match_index: LogIndex,
        /// The follower's state machine returned a negative batch-size hint
        /// (`get_next_batch_size_hint_in_bytes() < 0`): it asks the leader to send it no
        /// entries (heartbeats only) until an answer without it. The core answers `false`;
        /// the state machine's owner (the caller) sets it.
        pause: bool,
    },
    VoteRequest {
        term: Term,
        candidate: NodeId,
        last_index: LogIndex,
        last_term: Term,
    },
    VoteResponse {
        term: Term,
        granted: bool,
    },
    /// The leader's last snapshot, whole (NuRaft's `install_snapshot_request`, in one
    /// chunk). The follower answers with an [`Message::AppendResponse`] matching up to
    /// the snapshot's index.
    InstallSnapshot {
        term: Term,
        leader: NodeId,
        snapshot: Arc<Snapshot>,
    },
}

impl Message {
    pub fn term(&self) -> Term {
        match self {
            Message::AppendEntries { term, .. }
            | Message::AppendResponse { term, .. }
            | Message::VoteRequest { term, .. }
            | Message::VoteResponse { term, .. }
            | Message::InstallSnapshot { term, .. } => *term,
        }
    }
}
