//! The replica boundary: what the simulator needs from a Raft implementation. Inputs in,
//! actions out (executed in order, blocking ones marked), plus read access to what the
//! world must see — the entries of the in-memory log an action names (to write them), the
//! role and indexes (to resolve faults and report), the state machine (to keep it across a
//! crash when persistent). The log is read by index through [`Replica::entry`] and
//! [`Replica::entries_between`], from [`Replica::first_index`]: nothing assumes the whole
//! log is in memory from index 1, so an implementation that compacts its log fits.
//!
//! An implementation brings its own wire message ([`Replica::Message`]): the simulator's
//! network carries it as it is and never looks inside, except through what the world asks
//! of a message for the trace. [`crate::Raft`] implements the trait with [`crate::Message`];
//! another implementation (raft-rs, openraft) plugs in by adapting its own effects to the
//! same [`Action`]s: effects to perform in order, blocking ones marked, and
//! [`crate::Notice`]s to report.

use crate::io::{Action, Input};
use crate::kv::Kv;
use crate::types::{Entry, LogIndex, Role, Term};

pub trait Replica {
    /// What its nodes send each other.
    type Message;
    /// The world's clock, in nanoseconds, told before every `start` and `step`: for an
    /// implementation that reads time itself (openraft's runtime). Never goes back.
    fn set_time(&mut self, _now_ns: u64) {}
    /// The actions of a node that has just started.
    fn start(&mut self, out: &mut Vec<Action<Self::Message>>);
    /// Feeds one input; its actions are appended to `out`.
    fn step(&mut self, input: Input<Self::Message>, out: &mut Vec<Action<Self::Message>>);
    /// The first index the in-memory log holds (1 until a prefix is compacted away).
    fn first_index(&self) -> LogIndex;
    /// The last index of the log (0 when it is empty).
    fn last_index(&self) -> LogIndex;
    /// The entry at `index`, if the in-memory log holds it.
    fn entry(&self, index: LogIndex) -> Option<&Entry>;
    /// Entries `from..=to`, clamped to what the in-memory log holds: what an
    /// `Append`/`WriteAt` action names (those entries are always held).
    fn entries_between(&self, from: LogIndex, to: LogIndex) -> &[Entry];
    fn role(&self) -> Role;
    fn term(&self) -> Term;
    fn commit_index(&self) -> LogIndex;
    fn applied_index(&self) -> LogIndex;
    fn state_machine(&self) -> &Kv;

    /// The emptied entry buffer of the message this node has just stepped, if it kept one:
    /// the caller hands it back to the message's sender ([`Replica::give_entry_buffer`]),
    /// whose next AppendEntries fills it instead of allocating. Memory only: nothing the
    /// node does depends on it. The default keeps none.
    fn take_entry_buffer(&mut self) -> Option<Vec<Entry>> {
        None
    }

    /// An emptied entry buffer for this node's later AppendEntries (see
    /// [`Replica::take_entry_buffer`]); the default drops it.
    fn give_entry_buffer(&mut self, _buf: Vec<Entry>) {}

    /// The term of the last entry (0 when the log is empty).
    fn last_term(&self) -> Term {
        self.entry(self.last_index()).map_or(Term(0), |e| e.term)
    }
}

impl Replica for crate::Raft {
    type Message = crate::Message;
    fn start(&mut self, out: &mut Vec<Action>) {
        crate::Raft::start(self, out)
    }
    fn step(&mut self, input: Input, out: &mut Vec<Action>) {
        crate::Raft::step(self, input, out)
    }
    fn first_index(&self) -> LogIndex {
        crate::Raft::first_index(self)
    }
    fn last_index(&self) -> LogIndex {
        crate::Raft::last_index(self)
    }
    fn entry(&self, index: LogIndex) -> Option<&Entry> {
        crate::Raft::entry(self, index)
    }
    fn entries_between(&self, from: LogIndex, to: LogIndex) -> &[Entry] {
        crate::Raft::entries_between(self, from, to)
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
    fn take_entry_buffer(&mut self) -> Option<Vec<Entry>> {
        self.buffers.take_spent()
    }
    fn give_entry_buffer(&mut self, buf: Vec<Entry>) {
        self.buffers.give(buf)
    }
}
