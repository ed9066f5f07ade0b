//! The discrete-event queue: a binary min-heap keyed by (time, insertion sequence).
//!
//! Ties at one instant pop in the order they were pushed, so a run replays exactly. The
//! heap holds events by value (`E: Copy`, kept small by the caller), so pushing and popping
//! allocate nothing once the heap has grown to its working size. The number of pending
//! events is bounded: exceeding `pending_max` is a bug in the world, and panics.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug)]
struct Scheduled<E> {
    at: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl<E> Eq for Scheduled<E> {}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Scheduled<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .at
            .cmp(&self.at)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Pending events ordered by (time, insertion sequence), with the virtual clock.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Scheduled<E>>,
    now: SimTime,
    next_seq: u64,
    pending_max: usize,
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue at time zero that holds at most `pending_max` events.
    pub fn new(pending_max: usize) -> Self {
        assert!(
            pending_max > 0,
            "an event queue needs room for at least one event"
        );
        EventQueue {
            heap: BinaryHeap::with_capacity(pending_max.min(4096)),
            now: SimTime::ZERO,
            next_seq: 0,
            pending_max,
        }
    }

    /// The current virtual time: the instant of the last popped event.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `at`, which must not be in the past.
    pub fn push(&mut self, at: SimTime, event: E) {
        assert!(
            at >= self.now,
            "event scheduled in the past: {at:?} < now {:?}",
            self.now
        );
        assert!(
            self.heap.len() < self.pending_max,
            "event queue full: {} pending events (pending_max)",
            self.pending_max
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Scheduled { at, seq, event });
    }

    /// Removes the earliest event and advances the clock to its instant.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let next = self.heap.pop()?;
        debug_assert!(next.at >= self.now, "time went backwards");
        self.now = next.at;
        Some((next.at, next.event))
    }

    /// The instant of the earliest pending event, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|s| s.at)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_pop_in_insertion_order() {
        let mut q = EventQueue::new(16);
        q.push(SimTime::from_ns(5), 'b');
        q.push(SimTime::from_ns(1), 'a');
        q.push(SimTime::from_ns(5), 'c');
        q.push(SimTime::from_ns(5), 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
        assert_eq!(q.now(), SimTime::from_ns(5));
    }

    #[test]
    #[should_panic(expected = "in the past")]
    fn pushing_into_the_past_is_a_bug() {
        let mut q = EventQueue::new(4);
        q.push(SimTime::from_ns(10), ());
        q.pop();
        q.push(SimTime::from_ns(9), ());
    }

    #[test]
    #[should_panic(expected = "queue full")]
    fn the_bound_is_enforced() {
        let mut q = EventQueue::new(2);
        for _ in 0..3 {
            q.push(SimTime::ZERO, ());
        }
    }

    proptest! {
        #[test]
        fn pops_are_sorted_by_time_then_sequence(times in proptest::collection::vec(0u64..50, 0..200)) {
            let mut q = EventQueue::new(1000);
            for (i, t) in times.iter().enumerate() {
                q.push(SimTime::from_ns(*t), i);
            }
            let mut last: Option<(SimTime, usize)> = None;
            while let Some((t, i)) = q.pop() {
                if let Some((lt, li)) = last {
                    prop_assert!(t > lt || (t == lt && i > li));
                }
                prop_assert_eq!(SimTime::from_ns(times[i]), t);
                last = Some((t, i));
            }
        }
    }
}
