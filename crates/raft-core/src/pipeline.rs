//! The pipelined follower's held answers (ClickHouse's NuRaft fork, PR #101): with
//! parallel appending and [`FollowerAppend::Pipelined`], a follower does not block its Raft
//! thread until a request's entries are durable; it keeps taking requests, holds each
//! success answer, and sends it (advancing its commit index with it) once
//! [`crate::Input::LogDurable`] covers the answer's match index. Several answers may wait on
//! one fsync; they go out in the order their requests came.
//!
//! What an answer may claim, and how this file keeps it true:
//!
//! * **durable** — an answer leaves only when `last_durable_index()` is at or past its match
//!   index (and not before the answers held ahead of it);
//! * **still in the log** — a truncation (`write_at`) drops every held answer at or past the
//!   truncation point; within one leader's term it cannot reach one, so this only guards;
//! * **of this leader and term** — a new term, a new leader or a candidacy drops every held
//!   answer: sent later, with the new term in it, it would be counted by a leader that never
//!   asked (NuRaft processes answers of earlier terms). The old leader resends what it
//!   misses.
//!
//! This is not the blocking follower (`follower.rs`, [`crate::Action::WaitDurable`]) and
//! does no I/O: the caller reports durability, the core decides what to send.
//!
//! [`FollowerAppend::Pipelined`]: crate::FollowerAppend::Pipelined

use crate::config::CoreMutant;
use crate::io::Action;
use crate::node::Raft;
use crate::types::{LogIndex, NodeId, Role, Term};

/// The most answers a follower holds at once. Identical answers coalesce, and a leader keeps
/// one request in flight per follower (resent every two heartbeats), so distinct held answers
/// are a handful in practice; more means answers that are never released (a bug).
pub const HELD_ANSWERS_MAX: usize = 1024;

/// One success answer waiting for durability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeldAnswer {
    pub leader: NodeId,
    /// The term the request was handled in (the follower's term then and now).
    pub term: Term,
    /// The request's last index: what the answer claims the follower holds.
    pub match_index: LogIndex,
    /// The leader's commit index the request carried, applied when the answer leaves.
    pub leader_commit: LogIndex,
}

impl Raft {
    /// Answers a request now if its entries are durable and no answer is held before it;
    /// otherwise holds the answer until [`Raft::release_held_answers`] can send it.
    pub(crate) fn answer_when_durable(&mut self, a: HeldAnswer, out: &mut Vec<Action>) {
        debug_assert_eq!(self.role, Role::Follower);
        debug_assert!(
            a.match_index <= self.log.last_index(),
            "answer past the log"
        );
        if self.held.is_empty() && a.match_index <= self.last_durable {
            self.send_success(a, out);
            return;
        }
        if self.cfg.mutant == CoreMutant::CompletionBeforePending {
            // The durability check is done; the registration happens only after whatever
            // the thread takes next (see `Raft::step`): a completion in between is lost.
            assert!(self.registering.is_none(), "two answers being registered");
            self.registering = Some(a);
            return;
        }
        self.hold(a);
    }

    /// Queues `a` behind the held answers; an answer identical to the last one held is the
    /// same message and coalesces with it.
    pub(crate) fn hold(&mut self, a: HeldAnswer) {
        if let Some(last) = self.held.back_mut() {
            if (last.leader, last.term, last.match_index) == (a.leader, a.term, a.match_index) {
                last.leader_commit = last.leader_commit.max(a.leader_commit);
                return;
            }
        }
        assert!(
            self.held.len() < HELD_ANSWERS_MAX,
            "node {} holds {HELD_ANSWERS_MAX} answers",
            self.cfg.id
        );
        self.held.push_back(a);
    }

    /// Sends, in order, every held answer that `last_durable_index()` now covers.
    pub(crate) fn release_held_answers(&mut self, out: &mut Vec<Action>) {
        while let Some(a) = self.held.front().copied() {
            if a.match_index > self.last_durable {
                break;
            }
            self.held.pop_front();
            assert!(
                self.role == Role::Follower && self.term == a.term,
                "held answer of term {} outlived its term (now {} as {:?})",
                a.term,
                self.term,
                self.role
            );
            assert_eq!(
                self.leader,
                Some(a.leader),
                "held answer outlived its leader"
            );
            self.send_success(a, out);
        }
    }

    /// A truncation from `from`: answers claiming entries there are void.
    pub(crate) fn drop_held_answers_from(&mut self, from: LogIndex) {
        self.held.retain(|a| a.match_index < from);
    }

    /// A new term, a new leader or a candidacy: no held answer may go out any more.
    pub(crate) fn drop_held_answers(&mut self) {
        self.held.clear();
    }

    /// `completion-before-pending`: the answer checked in the previous step is registered
    /// now, after the input that came in between (a completion, if that was one).
    pub(crate) fn register_late(&mut self) {
        if let Some(a) = self.registering.take() {
            if self.role == Role::Follower && self.term == a.term && self.leader == Some(a.leader) {
                self.hold(a);
            }
        }
    }

    /// The success answer, with the commit index it lets the follower take.
    pub(crate) fn send_success(&mut self, a: HeldAnswer, out: &mut Vec<Action>) {
        self.follower_commit(a.leader_commit, a.match_index, out);
        self.reply_append(a.leader, true, a.match_index, out);
    }
}
