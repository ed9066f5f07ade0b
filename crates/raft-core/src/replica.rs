//! The replica boundary: what the simulator needs from a Raft implementation. Inputs in,
//! actions out (executed in order, blocking ones marked), plus read access to what the
//! world must see — the in-memory log (to write it), the role and indexes (to resolve
//! faults and report), the state machine (to keep it across a crash when persistent).
//!
//! [`crate::Raft`] implements it; another implementation (tikv's raft-rs next) plugs in
//! by adapting its own effects to the same [`Action`]s.

use crate::io::{Action, Input};
use crate::kv::Kv;
use crate::types::{Entry, LogIndex, Role, Term};

pub trait Replica {
    /// The actions of a node that has just started.
    fn start(&mut self, out: &mut Vec<Action>);
    /// Feeds one input; effects are appended to `out`.
    fn step(&mut self, input: Input, out: &mut Vec<Action>);
    /// The in-memory log, from index 1 (what `Append`/`WriteAt` actions refer to).
    fn entries(&self) -> &[Entry];
    fn role(&self) -> Role;
    fn term(&self) -> Term;
    fn commit_index(&self) -> LogIndex;
    fn applied_index(&self) -> LogIndex;
    fn state_machine(&self) -> &Kv;

    fn last_index(&self) -> LogIndex {
        LogIndex(self.entries().len() as u64)
    }
    fn last_term(&self) -> Term {
        self.entries().last().map_or(Term(0), |e| e.term)
    }
    fn entry(&self, index: LogIndex) -> Option<&Entry> {
        let i = usize::try_from(index.0).ok()?.checked_sub(1)?;
        self.entries().get(i)
    }
}

impl Replica for crate::Raft {
    fn start(&mut self, out: &mut Vec<Action>) {
        crate::Raft::start(self, out)
    }
    fn step(&mut self, input: Input, out: &mut Vec<Action>) {
        crate::Raft::step(self, input, out)
    }
    fn entries(&self) -> &[Entry] {
        crate::Raft::entries(self)
    }
    fn role(&self) -> Role {
        crate::Raft::role(self)
    }
    fn term(&self) -> Term {
        crate::Raft::term(self)
    }
    fn commit_index(&self) -> LogIndex {
        crate::Raft::commit_index(self)
    }
    fn applied_index(&self) -> LogIndex {
        crate::Raft::applied_index(self)
    }
    fn state_machine(&self) -> &Kv {
        crate::Raft::state_machine(self)
    }
}
