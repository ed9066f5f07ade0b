//! openraft's RPCs on the simulator's network. A call becomes a [`OpenraftMessage::Request`]
//! with a number; the remote node hands it to its `Raft` and sends the result back as an
//! [`OpenraftMessage::Answer`] with the same number, which completes the caller's future.
//! Bodies are shared (`Rc`): the network may duplicate a message. What the trace says of
//! each is fixed when it is built.

use crate::types::{Cfg, OrLogId};
use openraft::raft::{AppendEntriesRequest, AppendEntriesResponse, VoteRequest, VoteResponse};
use raft_core::{LogIndex, Term};
use sim_cluster::Wire;
use sim_trace::MsgSummary;
use std::rc::Rc;

#[derive(Debug)]
pub enum Request {
    Append(AppendEntriesRequest<Cfg>),
    Vote(VoteRequest<Cfg>),
}

#[derive(Debug)]
pub enum Reply {
    Append(AppendEntriesResponse<Cfg>),
    Vote(VoteResponse<Cfg>),
}

#[derive(Clone, Debug)]
pub enum OpenraftMessage {
    Request {
        rpc: u64,
        body: Rc<Request>,
        summary: MsgSummary,
    },
    Answer {
        rpc: u64,
        body: Rc<Reply>,
        summary: MsgSummary,
    },
}

fn index_term(l: &Option<OrLogId>) -> (LogIndex, Term) {
    l.as_ref().map_or((LogIndex::ZERO, Term(0)), |l| {
        (LogIndex(l.index), Term(l.leader_id.term))
    })
}

impl Request {
    pub fn summary(&self) -> MsgSummary {
        match self {
            Request::Append(r) => {
                let (prev_index, prev_term) = index_term(&r.prev_log_id);
                MsgSummary::AppendEntries {
                    term: Term(r.vote.leader_id.term),
                    prev_index,
                    prev_term,
                    entries: r.entries.len() as u32,
                    leader_commit: index_term(&r.leader_commit).0,
                }
            }
            Request::Vote(r) => {
                let (last_index, last_term) = index_term(&r.last_log_id);
                MsgSummary::VoteRequest {
                    term: Term(r.vote.leader_id.term),
                    last_index,
                    last_term,
                }
            }
        }
    }
}

impl Reply {
    /// What the trace says of the answer to `req`.
    pub fn summary(&self, req: &Request) -> MsgSummary {
        match (self, req) {
            (Reply::Append(resp), Request::Append(r)) => {
                let term = Term(r.vote.leader_id.term);
                let last = r
                    .entries
                    .last()
                    .map(|e| LogIndex(e.log_id.index))
                    .unwrap_or(index_term(&r.prev_log_id).0);
                let (success, match_index, term) = match resp {
                    AppendEntriesResponse::Success => (true, last, term),
                    AppendEntriesResponse::PartialSuccess(m) => (true, index_term(m).0, term),
                    AppendEntriesResponse::Conflict => (false, LogIndex::ZERO, term),
                    AppendEntriesResponse::HigherVote(v) => {
                        (false, LogIndex::ZERO, Term(v.leader_id.term))
                    }
                };
                MsgSummary::AppendResponse {
                    term,
                    success,
                    match_index,
                    pause: false,
                }
            }
            (Reply::Vote(v), _) => MsgSummary::VoteResponse {
                term: Term(v.vote.leader_id.term),
                granted: v.vote_granted,
            },
            (Reply::Append(_), Request::Vote(_)) => unreachable!("an append answers an append"),
        }
    }
}

impl Wire for OpenraftMessage {
    fn summary(&self) -> MsgSummary {
        match self {
            OpenraftMessage::Request { summary, .. } | OpenraftMessage::Answer { summary, .. } => {
                *summary
            }
        }
    }

    fn is_answer(&self) -> bool {
        matches!(self, OpenraftMessage::Answer { .. })
    }
}
