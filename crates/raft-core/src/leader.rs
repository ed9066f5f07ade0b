//! The leader's side of replication: client requests, AppendEntries to each follower, the
//! responses, heartbeats, and the commit index by quorum (NURAFT.md, "Leader: a client
//! write").

use crate::config::{CommitRule, CoreMutant, FlushWait, ParallelAppend, ReadPath};
use crate::io::{Action, ClientResult, Timer};
use crate::message::Message;
use crate::node::{InFlight, Raft};
use crate::types::{
    ClientId, Command, Entry, LogIndex, NODES_MAX, NodeId, Payload, ReqId, Role, Term,
};

/// Heartbeat ticks after which an unanswered AppendEntries is sent again.
const RESEND_AFTER_TICKS: u8 = 2;

impl Raft {
    pub(crate) fn on_client_request(
        &mut self,
        client: ClientId,
        req: ReqId,
        command: Command,
        out: &mut Vec<Action>,
    ) {
        if self.role != Role::Leader {
            let result = ClientResult::NotLeader { hint: self.leader };
            out.push(Action::ClientReply {
                client,
                req,
                result,
            });
            return;
        }
        let leader_state = self.cfg.read_path == ReadPath::LeaderState;
        if let Some(read) = self.kv.read(command).filter(|_| leader_state) {
            let result = ClientResult::ok(Some(read));
            out.push(Action::ClientReply {
                client,
                req,
                result,
            });
            return;
        }
        let entry = Entry {
            term: self.term,
            payload: Payload::Client {
                client,
                req,
                command,
            },
        };
        self.append_client_entry(entry, out);
        if self.cfg.mutant == CoreMutant::AckBeforeCommit && command.is_update() {
            out.push(Action::ClientReply {
                client,
                req,
                result: ClientResult::Ok { read: None },
            });
        }
    }

    /// Steps 1-5 of NURAFT.md's leader write: append, end the batch, count itself,
    /// replicate, recompute the commit index. A sync leader's batch flushes on the client
    /// path ([`FlushWait::BlockingClient`]): steps 3-5 wait for [`Raft::on_log_durable`].
    fn append_client_entry(&mut self, entry: Entry, out: &mut Vec<Action>) {
        debug_assert_eq!(self.role, Role::Leader);
        let index = self.log.push(entry);
        out.push(Action::Append {
            from: index,
            to: index,
        });
        let flush = self.cfg.durability.leader_flush;
        out.push(Action::EndOfAppendBatch {
            start: index,
            count: 1,
            flush,
        });
        if flush == FlushWait::BlockingClient {
            assert!(self.client_batch.is_none(), "two client batches in flight");
            self.client_batch = Some(index);
            return;
        }
        self.count_own(index, out);
    }

    /// The leader counts its own log up to `index` (`precommit_index_`), sends it to every
    /// idle follower, and (alone in its cluster) commits; with followers, NuRaft recomputes
    /// the commit index on their answers.
    pub(crate) fn count_own(&mut self, index: LogIndex, out: &mut Vec<Action>) {
        self.precommit = self.precommit.max(index);
        for i in 0..self.peers.len() {
            if self.peers[i].in_flight.is_none() {
                self.send_append(i, out);
            }
        }
        if self.peers.is_empty() {
            self.maybe_commit(out);
        }
    }

    pub(crate) fn on_heartbeat(&mut self, out: &mut Vec<Action>) {
        if self.role != Role::Leader {
            return;
        }
        for i in 0..self.peers.len() {
            let resend = match self.peers[i].in_flight {
                None => true,
                Some(f) => f.ticks + 1 >= RESEND_AFTER_TICKS,
            };
            if resend {
                self.send_append(i, out);
            } else if let Some(f) = &mut self.peers[i].in_flight {
                f.ticks += 1;
            }
        }
        out.push(Action::SetTimer {
            timer: Timer::Heartbeat,
            min_ns: self.cfg.heartbeat_interval_ns,
            max_ns: self.cfg.heartbeat_interval_ns,
        });
    }

    /// An AppendEntries to one follower: from its next index up to `precommit_index_`
    /// (NuRaft's `create_append_entries_req`), at most `max_append_batch` entries; none
    /// when the follower is caught up to it or asked for a pause (its state machine's
    /// negative batch-size hint: NuRaft's log store then returns no entries).
    fn send_append(&mut self, peer: usize, out: &mut Vec<Action>) {
        let last = self.precommit.min(self.log.last_index());
        let next = LogIndex(self.peers[peer].next.0.clamp(1, last.0 + 1));
        self.peers[peer].next = next;
        if self.needs_snapshot(next) {
            self.send_snapshot(peer, out);
            return;
        }
        let p = &mut self.peers[peer];
        let prev_index = p.next.prev();
        // Unknown only just below a log recovered behind a lost snapshot (a snapshot
        // mutant): NuRaft's `term_for_log` then answers 0 and sends the request anyway.
        let prev_term = self.log.term_at(prev_index).unwrap_or(Term(0));
        let to = LogIndex((p.next.0 + u64::from(self.cfg.max_append_batch) - 1).min(last.0));
        let mut entries = self.buffers.take();
        if !p.paused {
            entries.extend_from_slice(self.log.slice(p.next, to));
        }
        p.in_flight = Some(InFlight {
            prev_index,
            last_index: prev_index.plus(entries.len() as u64),
            ticks: 0,
        });
        let msg = Message::AppendEntries {
            term: self.term,
            leader: self.cfg.id,
            prev_index,
            prev_term,
            entries,
            leader_commit: self.commit,
        };
        out.push(Action::Send { to: p.id, msg });
    }

    pub(crate) fn on_append_response(
        &mut self,
        from: NodeId,
        term: Term,
        success: bool,
        match_index: LogIndex,
        pause: bool,
        out: &mut Vec<Action>,
    ) {
        if self.role != Role::Leader || term > self.term {
            return;
        }
        let Some(i) = self.peers.iter().position(|p| p.id == from) else {
            return;
        };
        let last = self.log.last_index();
        if term < self.term {
            self.on_earlier_term_response(i, success, match_index, out);
            return;
        }
        let p = &mut self.peers[i];
        // One request in flight per follower (NuRaft's busy flag). Only the answer to it
        // moves the follower on: a duplicated or late answer to an earlier request still
        // counts its success, but sends nothing and moves no index back — or a duplicating
        // network would multiply the leader's traffic without bound. A success answers the
        // request when it matches its last index; a rejection, when its hint lies below the
        // request's `prev_index` (earlier requests of the walk back had higher ones).
        let answered = match p.in_flight {
            Some(f) if success => match_index == f.last_index,
            Some(f) => match_index < f.prev_index,
            None => false,
        };
        if answered {
            p.in_flight = None;
            p.paused = pause;
        }
        if success {
            assert!(
                match_index <= last,
                "follower {from} matched {match_index} past the leader's log end {last}"
            );
            p.matched = match self.cfg.commit_rule {
                // `set_matched_idx(resp.get_next_idx() - 1)`: unconditional, may move down.
                CommitRule::Nuraft => match_index,
                CommitRule::CurrentTerm => p.matched.max(match_index),
            };
            p.next = p.next.max(match_index.next());
            self.maybe_commit(out);
        } else if answered {
            p.next = LogIndex(p.next.0.saturating_sub(1).min(match_index.0 + 1).max(1));
        }
        // A paused follower gets no follow-up request: only heartbeats go to it.
        let more = !success || self.peers[i].next <= self.precommit.min(last);
        if answered && !self.peers[i].paused && more {
            self.send_append(i, out);
        }
    }

    /// A success answer of an earlier term of this leader's: NuRaft still takes its
    /// matched index (`handle_append_entries_resp` checks no term) and recomputes the
    /// commit index; Raft §5.4.2 ignores it. It answers no request of this term.
    fn on_earlier_term_response(
        &mut self,
        i: usize,
        success: bool,
        match_index: LogIndex,
        out: &mut Vec<Action>,
    ) {
        if self.cfg.commit_rule == CommitRule::CurrentTerm || !success {
            return;
        }
        if match_index <= self.log.last_index() {
            self.peers[i].matched = match_index;
            self.maybe_commit(out);
        }
    }

    /// The leader's own matched index: what it has appended, or with parallel appending only
    /// what is durable.
    fn own_matched(&self) -> LogIndex {
        match (self.cfg.durability.parallel_append, self.cfg.mutant) {
            (ParallelAppend::On, CoreMutant::LeaderCountsUnflushed) => self.precommit,
            (ParallelAppend::On, _) => self.precommit.min(self.last_durable),
            (ParallelAppend::Off, _) => self.precommit,
        }
    }

    /// Commit = the matched index at the quorum position; under Raft §5.4.2 only if the
    /// entry there is of the current term, under NuRaft's rule whatever its term.
    pub(crate) fn maybe_commit(&mut self, out: &mut Vec<Action>) {
        if self.role != Role::Leader {
            return;
        }
        assert!(
            self.peers.len() < usize::from(NODES_MAX),
            "more voters than NODES_MAX"
        );
        let mut matched = [LogIndex::ZERO; NODES_MAX as usize];
        matched[0] = self.own_matched();
        for (slot, p) in matched[1..].iter_mut().zip(&self.peers) {
            *slot = p.matched;
        }
        let n = self.peers.len() + 1;
        let matched = &mut matched[..n];
        matched.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = matched[self.cfg.quorum() - 1];
        let own_term = self.log.term_at(candidate) == Some(self.term);
        let allowed = match self.cfg.commit_rule {
            CommitRule::Nuraft => candidate <= self.log.last_index(),
            CommitRule::CurrentTerm => own_term,
        };
        if candidate > self.commit && allowed {
            self.advance_commit(candidate, out);
        }
    }

    /// `notify_log_append_completion`; for a sync leader also the return of its client
    /// batch's `end_of_append_batch`, after which the batch counts and is sent.
    pub(crate) fn on_log_durable(&mut self, index: LogIndex, out: &mut Vec<Action>) {
        self.last_durable = index.min(self.log.last_index());
        if let Some(batch) = self.client_batch {
            if self.last_durable >= batch || self.role != Role::Leader {
                self.client_batch = None;
                if self.role == Role::Leader {
                    self.count_own(batch, out);
                }
            }
        }
        if self.role == Role::Leader {
            self.maybe_commit(out);
            self.release_flushed_acks(out);
        } else {
            self.release_held_answers(out);
        }
    }
}
