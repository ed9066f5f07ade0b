//! The follower's side: an AppendEntries request, in NuRaft's order (NURAFT.md,
//! "Follower: an AppendEntries request"): check, write the new entries (`write_at` on a
//! conflict), end the batch, with parallel appending wait for durability (as NuRaft, only
//! for a request that carries entries), advance the commit index, answer.

use crate::config::{CoreMutant, FlushWait, ParallelAppend};
use crate::io::Action;
use crate::message::Message;
use crate::node::Raft;
use crate::pipeline::HeldAnswer;
use crate::types::{Entry, LogIndex, NodeId, Payload, Role, Term};

/// How the first chunk of a follower's new entries reaches the log store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FirstWrite {
    /// `write_at`: a conflict truncates the log there first.
    WriteAt,
    /// `append`: the entries continue the log.
    Append,
}

impl Raft {
    /// A request of `leader` in `term` (AppendEntries or InstallSnapshot): refused with a
    /// failure answer from a stale leader, or (only with a broken election) a second
    /// leader of our term; else the node follows it, its election timer reset, and its
    /// term and vote are saved if they changed. Whether to go on.
    pub(crate) fn accept_leader(
        &mut self,
        term: Term,
        leader: NodeId,
        out: &mut Vec<Action>,
    ) -> bool {
        if term < self.term || (term == self.term && self.role == Role::Leader) {
            self.reply_append(leader, false, self.log.last_index(), out);
            return false;
        }
        if self.role != Role::Follower || self.leader != Some(leader) {
            self.become_follower(term, Some(leader), out);
        } else {
            self.reset_election_timer(out);
        }
        self.persist_state(out);
        true
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_append_entries(
        &mut self,
        term: Term,
        leader: NodeId,
        prev_index: LogIndex,
        prev_term: Term,
        entries: &[Entry],
        leader_commit: LogIndex,
        out: &mut Vec<Action>,
    ) {
        if !self.accept_leader(term, leader, out) {
            return;
        }
        let compacted = self.log.first_index().prev();
        if prev_index < compacted && self.commit >= compacted {
            // The request starts inside what this node's snapshot covers, committed and
            // the same on every node: it matches up to the snapshot, and the leader moves
            // on from there.
            self.reply_append(leader, true, compacted, out);
            return;
        }
        if self.log.term_at(prev_index) != Some(prev_term) {
            let hint = if prev_index > self.log.last_index() {
                self.log.last_index()
            } else {
                prev_index.prev()
            };
            self.reply_append(leader, false, hint, out);
            return;
        }
        let last_new = prev_index.plus(entries.len() as u64);
        let written = self.write_new_entries(prev_index, entries, out);
        // `follower-acks-empty-request`: nothing new written, so nothing to wait for.
        let acks_empty =
            self.cfg.mutant == CoreMutant::FollowerAcksEmptyRequest && written.is_none();
        if self.cfg.mutant == CoreMutant::ApplyBeforeDurable {
            self.follower_commit(leader_commit, last_new, out);
        }
        let acks_early = self.cfg.mutant == CoreMutant::FollowerAcksBeforeFlush;
        let written = written.filter(|&(start, count)| !self.skips_end_of_batch(start, count));
        if let Some((start, count)) = written {
            let flush = if acks_early {
                FlushWait::Background
            } else {
                self.cfg.durability.follower_flush
            };
            out.push(Action::EndOfAppendBatch {
                start,
                count,
                flush,
            });
        }
        if self.cfg.durability.pipelined_followers() && !acks_early {
            // Pipelined: hold the answer (and the commit it brings) until the request's
            // last index is durable, whether or not the request carried anything new.
            let answer = HeldAnswer {
                leader,
                term: self.term,
                match_index: last_new,
                leader_commit,
            };
            if acks_empty {
                self.send_success(answer, out);
                return;
            }
            self.answer_when_durable(answer, out);
            return;
        }
        if self.cfg.durability.parallel_append == ParallelAppend::On
            && !acks_early
            && !entries.is_empty()
        {
            out.push(Action::WaitDurable { index: last_new });
        }
        if self.cfg.mutant != CoreMutant::ApplyBeforeDurable {
            self.follower_commit(leader_commit, last_new, out);
        }
        self.reply_append(leader, true, last_new, out);
    }

    /// Appends what the log lacks; on a conflict truncates first (`write_at`). Returns the
    /// batch written as (start, count), if any.
    fn write_new_entries(
        &mut self,
        prev_index: LogIndex,
        entries: &[Entry],
        out: &mut Vec<Action>,
    ) -> Option<(LogIndex, u64)> {
        for (k, e) in entries.iter().enumerate() {
            let index = prev_index.plus(k as u64 + 1);
            match self.log.term_at(index) {
                Some(t) if t == e.term => continue,
                Some(_) => {
                    // Raft never truncates a committed entry; a mode that counts
                    // unflushed copies can make it happen. NuRaft then rolls its commit
                    // and state-machine indexes back ("it shouldn't happen and may
                    // indicate data loss") and applies the new entries again: so do we,
                    // and the checkers see the divergence.
                    self.commit = self.commit.min(index.prev());
                    self.applied = self.applied.min(index.prev());
                    self.log.truncate_from(index);
                    self.last_durable = self.last_durable.min(index.prev());
                    self.drop_held_answers_from(index);
                    let to = self.write_all(index, &entries[k..], FirstWrite::WriteAt, out);
                    return Some((index, to.0 - index.0 + 1));
                }
                None => {
                    let to = self.write_all(index, &entries[k..], FirstWrite::Append, out);
                    return Some((index, to.0 - index.0 + 1));
                }
            }
        }
        None
    }

    /// Writes `entries` from `from` on: the first chunk as `first` says, the rest with
    /// `append`. A configuration entry (a leader's first entry of its term) is flushed,
    /// blocking, as soon as it is written (NuRaft's `store_log_entry`), before the entries
    /// after it.
    fn write_all(
        &mut self,
        from: LogIndex,
        entries: &[Entry],
        first: FirstWrite,
        out: &mut Vec<Action>,
    ) -> LogIndex {
        let mut start = from;
        let mut first = first == FirstWrite::WriteAt;
        for chunk in entries.split_inclusive(|e| e.payload == Payload::Noop) {
            for e in chunk {
                self.log.push(*e);
            }
            let to = self.log.last_index();
            out.push(if first {
                Action::WriteAt { from: start, to }
            } else {
                Action::Append { from: start, to }
            });
            first = false;
            if chunk.last().is_some_and(|e| e.payload == Payload::Noop) {
                out.push(Action::FlushLog);
            }
            start = to.next();
        }
        self.log.last_index()
    }

    /// `end-of-batch-skipped-for-config`: HomeStore before PR #631 called its
    /// `end_of_append_batch` only for batches with application entries, so a batch of
    /// configuration entries alone never reaches it.
    fn skips_end_of_batch(&self, start: LogIndex, count: u64) -> bool {
        self.cfg.mutant == CoreMutant::EndOfBatchSkippedForConfig
            && self
                .log
                .slice(start, start.plus(count - 1))
                .iter()
                .all(|e| e.payload == Payload::Noop)
    }

    /// commit = min(leader's commit, last new index): what the leader vouches for and this
    /// node holds in the leader's version.
    pub(crate) fn follower_commit(
        &mut self,
        leader_commit: LogIndex,
        last_new: LogIndex,
        out: &mut Vec<Action>,
    ) {
        let bound = match self.cfg.mutant {
            CoreMutant::CommitIndexNotClamped => self.log.last_index(),
            _ => last_new,
        };
        let target = leader_commit.min(bound);
        if target > self.commit {
            self.advance_commit(target, out);
        }
    }

    pub(crate) fn reply_append(
        &self,
        to: NodeId,
        success: bool,
        match_index: LogIndex,
        out: &mut Vec<Action>,
    ) {
        out.push(Action::Send {
            to,
            msg: Message::AppendResponse {
                term: self.term,
                success,
                match_index,
                pause: false,
            },
        });
    }
}
