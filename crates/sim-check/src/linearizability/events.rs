//! The call and return events of one key in time order, as a doubly linked list that the
//! search lifts an op's two events out of and puts them back into (Lowe's "lift" and
//! "unlift"), each in constant time.
//!
//! It is not the search: it knows nothing of registers, values or placement; it only
//! orders events and undoes lifts last-in first-out.

use super::key_history::{End, Op};

pub(super) const HEAD: u32 = 0;
pub(super) const NIL: u32 = u32::MAX;

/// Whether an event is an op's call or its return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EventKind {
    Call,
    Return,
}

/// The call and return events of one key in time order, as a doubly linked list (node 0
/// is the head) from which the search lifts an op's two events and puts them back.
/// [`EventList::fill`] rebuilds it for another key in the memory it already has.
#[derive(Default)]
pub(super) struct EventList {
    pub(super) op: Vec<u32>,
    pub(super) kind: Vec<EventKind>,
    /// For a call: its return node.
    partner: Vec<u32>,
    /// For an op: its call node.
    pub(super) call_of: Vec<u32>,
    prev: Vec<u32>,
    next: Vec<u32>,
    /// The events being sorted (kept for the next key's `fill`).
    sorted: Vec<(u64, u8, u32)>,
}

impl EventList {
    /// The list of `ops` (see [`EventList::fill`]).
    #[cfg(test)]
    pub(super) fn new(ops: &[Op]) -> Self {
        let mut list = EventList::default();
        list.fill(ops);
        list
    }

    /// Rebuilds the list for `ops`, in the memory it already holds: sorted by time; at one
    /// instant calls come before returns (ops that touch are concurrent), and unknown
    /// returns come after everything.
    pub(super) fn fill(&mut self, ops: &[Op]) {
        let mut events = std::mem::take(&mut self.sorted);
        events.clear();
        for (index, op) in ops.iter().enumerate() {
            let index = u32::try_from(index).expect("op count bounded by OPS_PER_KEY_MAX");
            events.push((op.invoke_ns, 0, index));
            events.push(match op.end {
                End::At(ns) => (ns, 1, index),
                End::Unknown => (u64::MAX, 2, index),
                End::Failed => unreachable!("failed ops are dropped before the search"),
            });
        }
        events.sort_unstable();
        let nodes = events.len() + 1;
        let list = self;
        refill(&mut list.op, nodes, NIL);
        refill(&mut list.kind, nodes, EventKind::Call);
        refill(&mut list.partner, nodes, NIL);
        refill(&mut list.call_of, ops.len(), NIL);
        list.prev.clear();
        list.prev
            .extend((0..nodes as u32).map(|n| n.wrapping_sub(1)));
        list.next.clear();
        list.next
            .extend((1..=nodes as u32).map(|n| if n as usize == nodes { NIL } else { n }));
        for (position, &(_, rank, index)) in events.iter().enumerate() {
            let node = position as u32 + 1;
            list.op[node as usize] = index;
            if rank == 0 {
                list.call_of[index as usize] = node;
            } else {
                let call = list.call_of[index as usize];
                assert!(call != NIL, "op {index}: its return sorts before its call");
                list.kind[node as usize] = EventKind::Return;
                list.partner[call as usize] = node;
            }
        }
        list.sorted = events;
    }

    pub(super) fn next(&self, node: u32) -> u32 {
        self.next[node as usize]
    }

    /// Takes a call and its return out of the list.
    pub(super) fn lift(&mut self, call: u32) {
        debug_assert_eq!(self.kind[call as usize], EventKind::Call);
        self.unlink(call);
        self.unlink(self.partner[call as usize]);
    }

    /// Puts back what the matching `lift` took out (lifts are undone last-in first-out).
    pub(super) fn unlift(&mut self, call: u32) {
        self.relink(self.partner[call as usize]);
        self.relink(call);
    }

    fn unlink(&mut self, node: u32) {
        let (prev, next) = (self.prev[node as usize], self.next[node as usize]);
        self.next[prev as usize] = next;
        if next != NIL {
            self.prev[next as usize] = prev;
        }
    }

    fn relink(&mut self, node: u32) {
        let (prev, next) = (self.prev[node as usize], self.next[node as usize]);
        self.next[prev as usize] = node;
        if next != NIL {
            self.prev[next as usize] = node;
        }
    }
}

/// `v` as `len` copies of `value`, in the memory it has.
fn refill<T: Copy>(v: &mut Vec<T>, len: usize, value: T) {
    v.clear();
    v.resize(len, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearizability::key_history::Action;

    #[test]
    fn lift_and_unlift_restore_the_list() {
        let op = |invoke_ns, end| Op {
            id: 0,
            client: 0,
            action: Action::Read(None),
            invoke_ns,
            end,
        };
        let ops = [op(0, End::At(10)), op(5, End::Unknown), op(10, End::At(10))];
        let mut list = EventList::new(&ops);
        let walk = |list: &EventList| {
            let mut out = Vec::new();
            let mut node = list.next(HEAD);
            while node != NIL {
                out.push((list.op[node as usize], list.kind[node as usize]));
                node = list.next(node);
            }
            out
        };
        let before = walk(&list);
        use EventKind::{Call, Return};
        assert_eq!(
            before,
            vec![
                (0, Call),
                (1, Call),
                (2, Call),
                (0, Return),
                (2, Return),
                (1, Return)
            ]
        );
        let first = list.next(HEAD);
        list.lift(first);
        let second = list.next(HEAD);
        list.lift(second);
        assert_eq!(walk(&list), vec![(2, Call), (2, Return)]);
        list.unlift(second);
        list.unlift(first);
        assert_eq!(walk(&list), before);
    }
}
