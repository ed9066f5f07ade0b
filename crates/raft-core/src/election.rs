//! Leader election: the election timeout, RequestVote with the up-to-date check, counting
//! votes, and becoming leader (with the new term's no-op entry).

use crate::config::{CommitRule, CoreMutant, FlushWait};
use crate::io::{Action, Notice, Timer};
use crate::message::Message;
use crate::node::Raft;
use crate::types::{Entry, LogIndex, NodeId, Payload, Role, Term};

impl Raft {
    pub(crate) fn on_election_timeout(&mut self, out: &mut Vec<Action>) {
        if self.role == Role::Leader {
            return;
        }
        self.drop_held_answers();
        self.term = self.term.next();
        self.vote = Some(self.cfg.id);
        self.term_dirty = true;
        self.vote_dirty = true;
        self.role = Role::Candidate;
        self.leader = None;
        self.votes = 1 << self.cfg.id.0;
        out.push(Action::Notice(Notice::RoleChanged {
            role: Role::Candidate,
            term: self.term,
        }));
        // The vote for itself must be durable before it asks for others'.
        self.persist_state(out);
        self.reset_election_timer(out);
        if self.votes.count_ones() as usize >= self.cfg.quorum() {
            self.become_leader(out);
            return;
        }
        let (last_index, last_term) = (self.log.last_index(), self.log.last_term());
        for i in 0..self.peers.len() {
            let to = self.peers[i].id;
            out.push(Action::Send {
                to,
                msg: Message::VoteRequest {
                    term: self.term,
                    candidate: self.cfg.id,
                    last_index,
                    last_term,
                },
            });
        }
    }

    pub(crate) fn on_vote_request(
        &mut self,
        term: Term,
        candidate: NodeId,
        last_index: LogIndex,
        last_term: Term,
        out: &mut Vec<Action>,
    ) {
        let up_to_date = (last_term, last_index) >= (self.log.last_term(), self.log.last_index());
        let free = self.vote.is_none() || self.vote == Some(candidate);
        let granted = term == self.term && free && up_to_date;
        if granted {
            if self.vote != Some(candidate) {
                self.vote = Some(candidate);
                self.vote_dirty = true;
            }
            self.reset_election_timer(out);
        }
        // The vote must be durable before the answer leaves.
        self.persist_state(out);
        out.push(Action::Send {
            to: candidate,
            msg: Message::VoteResponse {
                term: self.term,
                granted,
            },
        });
    }

    pub(crate) fn on_vote_response(
        &mut self,
        from: NodeId,
        term: Term,
        granted: bool,
        out: &mut Vec<Action>,
    ) {
        if self.role != Role::Candidate || term != self.term || !granted {
            return;
        }
        self.votes |= 1 << from.0;
        if self.votes.count_ones() as usize >= self.cfg.quorum() {
            self.become_leader(out);
        }
    }

    fn become_leader(&mut self, out: &mut Vec<Action>) {
        assert_eq!(
            self.role,
            Role::Candidate,
            "only a candidate becomes leader"
        );
        assert_eq!(self.vote, Some(self.cfg.id), "a leader voted for itself");
        debug_assert!(self.held.is_empty(), "a candidate holds no answers");
        self.role = Role::Leader;
        self.leader = Some(self.cfg.id);
        out.push(Action::Notice(Notice::RoleChanged {
            role: Role::Leader,
            term: self.term,
        }));
        out.push(Action::CancelTimer {
            timer: Timer::Election,
        });
        // NuRaft's `become_leader` resets each peer's next index only; Raft §5.4.2 starts
        // matched indexes from zero each term.
        let next = self.log.last_index().next();
        let reset_matched = self.cfg.commit_rule == CommitRule::CurrentTerm;
        for p in &mut self.peers {
            p.next = next;
            if reset_matched {
                p.matched = LogIndex::ZERO;
            }
            p.in_flight = None;
        }
        self.precommit = self.log.last_index();
        // A client batch of an earlier leadership still flushing counts for nothing now.
        self.client_batch = None;
        out.push(Action::SetTimer {
            timer: Timer::Heartbeat,
            min_ns: self.cfg.heartbeat_interval_ns,
            max_ns: self.cfg.heartbeat_interval_ns,
        });
        // The term's first entry (NuRaft's configuration entry) is written and flushed,
        // blocking, whatever the mode (`store_log_entry` -> `log_store_->flush()`); then
        // it counts and goes out.
        //
        // `new-leader-marks-tail-flushed` (openraft #2118): the new leader takes its whole
        // log up to here as flushed without any I/O having completed, then writes its first
        // entry as openraft does since PR #1125 — through the ordinary asynchronous write,
        // counted once durable — instead of NuRaft's blocking flush, which would hide the
        // mistake. Its own matched index then covers a tail still in flight.
        let marks_tail_flushed = self.cfg.mutant == CoreMutant::NewLeaderMarksTailFlushed;
        if marks_tail_flushed {
            self.last_durable = self.log.last_index();
        }
        let index = self.log.push(Entry {
            term: self.term,
            payload: Payload::Noop,
        });
        out.push(Action::Append {
            from: index,
            to: index,
        });
        out.push(if marks_tail_flushed {
            Action::EndOfAppendBatch {
                start: index,
                count: 1,
                flush: FlushWait::Background,
            }
        } else {
            Action::FlushLog
        });
        self.count_own(index, out);
    }
}
