//! raft-rs's message on the simulator's network: a newtype over `eraftpb::Message` (the
//! world's [`Wire`] trait and raft-rs's type are both foreign to this crate) and what the
//! trace says of it. Heartbeats are traced as AppendEntries without entries and their
//! answers as successful AppendEntries answers; pre-votes (not enabled) as votes.

use raft::eraftpb::{Message, MessageType};
use raft_core::{LogIndex, Term};
use sim_cluster::Wire;
use sim_trace::MsgSummary;

/// One raft-rs message in flight.
#[derive(Clone, Debug)]
pub struct RaftRsMessage(pub Message);

impl Wire for RaftRsMessage {
    fn summary(&self) -> MsgSummary {
        let m = &self.0;
        let term = Term(m.term);
        match m.get_msg_type() {
            MessageType::MsgAppendResponse => MsgSummary::AppendResponse {
                term,
                success: !m.reject,
                match_index: LogIndex(m.index),
                pause: false,
            },
            MessageType::MsgHeartbeatResponse => MsgSummary::AppendResponse {
                term,
                success: true,
                match_index: LogIndex(0),
                pause: false,
            },
            MessageType::MsgRequestVote | MessageType::MsgRequestPreVote => {
                MsgSummary::VoteRequest {
                    term,
                    last_index: LogIndex(m.index),
                    last_term: Term(m.log_term),
                }
            }
            MessageType::MsgRequestVoteResponse | MessageType::MsgRequestPreVoteResponse => {
                MsgSummary::VoteResponse {
                    term,
                    granted: !m.reject,
                }
            }
            // MsgAppend, MsgHeartbeat and anything else a leader sends a follower.
            _ => MsgSummary::AppendEntries {
                term,
                prev_index: LogIndex(m.index),
                prev_term: Term(m.log_term),
                entries: m.get_entries().len() as u32,
                leader_commit: LogIndex(m.commit),
            },
        }
    }

    fn is_answer(&self) -> bool {
        matches!(
            self.0.get_msg_type(),
            MessageType::MsgAppendResponse
                | MessageType::MsgHeartbeatResponse
                | MessageType::MsgRequestVoteResponse
                | MessageType::MsgRequestPreVoteResponse
        )
    }
}
