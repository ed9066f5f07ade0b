//! What the world needs of a replica's messages. The network carries a replica's own
//! message type as it is; the world looks at a message only to trace it, to see an answer
//! (activity of the connection it came back on), and to play the state machine's
//! batch-size hint on an AppendEntries answer, where the implementation has one.

use raft_core::{Entry, Message};
use sim_trace::MsgSummary;
use std::fmt::Debug;

pub trait Wire: Clone + Debug + 'static {
    /// What the trace says of the message.
    fn summary(&self) -> MsgSummary;

    /// Whether it answers a request (AppendEntries or a vote): the connection it came
    /// back on is alive.
    fn is_answer(&self) -> bool {
        matches!(
            self.summary(),
            MsgSummary::AppendResponse { .. } | MsgSummary::VoteResponse { .. }
        )
    }

    /// The negative batch-size hint of an AppendEntries answer, to set, if the message is
    /// one and the implementation carries the hint (NuRaft's
    /// `get_next_batch_size_hint_in_bytes() < 0`).
    fn pause_hint(&mut self) -> Option<&mut bool> {
        None
    }

    /// The entry buffer of a message lost on the way, for its sender to reuse
    /// ([`raft_core::Replica::give_entry_buffer`]); `None` if it has none.
    fn into_entry_buffer(self) -> Option<Vec<Entry>> {
        None
    }
}

impl Wire for Message {
    fn summary(&self) -> MsgSummary {
        match self {
            Message::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                leader_commit,
                ..
            } => MsgSummary::AppendEntries {
                term: *term,
                prev_index: *prev_index,
                prev_term: *prev_term,
                entries: entries.len() as u32,
                leader_commit: *leader_commit,
            },
            Message::AppendResponse {
                term,
                success,
                match_index,
                pause,
            } => MsgSummary::AppendResponse {
                term: *term,
                success: *success,
                match_index: *match_index,
                pause: *pause,
            },
            Message::VoteRequest {
                term,
                last_index,
                last_term,
                ..
            } => MsgSummary::VoteRequest {
                term: *term,
                last_index: *last_index,
                last_term: *last_term,
            },
            Message::VoteResponse { term, granted } => MsgSummary::VoteResponse {
                term: *term,
                granted: *granted,
            },
            Message::InstallSnapshot { term, snapshot, .. } => MsgSummary::InstallSnapshot {
                term: *term,
                index: snapshot.index,
                last_term: snapshot.term,
            },
        }
    }

    fn is_answer(&self) -> bool {
        matches!(
            self,
            Message::AppendResponse { .. } | Message::VoteResponse { .. }
        )
    }

    fn pause_hint(&mut self) -> Option<&mut bool> {
        match self {
            Message::AppendResponse { pause, .. } => Some(pause),
            _ => None,
        }
    }

    fn into_entry_buffer(self) -> Option<Vec<Entry>> {
        match self {
            Message::AppendEntries { entries, .. } => Some(entries),
            _ => None,
        }
    }
}
