//! The discrete-event queue: a 4-ary min-heap keyed by (time, insertion sequence).
//!
//! Ties at one instant pop in the order they were pushed, so a run replays exactly. The
//! heap holds events by value (`E: Copy`, kept small by the caller), so pushing and popping
//! allocate nothing once the heap has grown to its working size. The number of pending
//! events is bounded: exceeding `pending_max` is a bug in the world, and panics.
//!
//! Four children per node rather than two: a pop walks half as many levels, and each level
//! moves one entry; the three extra comparisons per level are of one `u128` key each. The
//! order is total ((time, sequence) is unique), so any correct heap pops the same sequence:
//! the shape is a matter of speed only (`sim-runner bench` measures it as the kernel).

use crate::time::SimTime;

/// Children per heap node.
const ARITY: usize = 4;

#[derive(Clone, Copy, Debug)]
struct Scheduled<E> {
    /// The instant in the high 64 bits, the insertion sequence in the low: one comparison
    /// orders by time, then by sequence.
    key: u128,
    event: E,
}

impl<E> Scheduled<E> {
    fn at(&self) -> SimTime {
        SimTime::from_ns((self.key >> 64) as u64)
    }
}

/// Pending events ordered by (time, insertion sequence), with the virtual clock.
#[derive(Debug)]
pub struct EventQueue<E> {
    /// The earliest pending event, when it was pushed earlier than every other then
    /// pending: it waits here, not in the heap, and the next pop takes it without touching
    /// the heap. A quarter of a cluster run's events are pushed this way (a message's
    /// answer, a disk completion due before anything else). Earlier than every key in
    /// `heap` whenever it is set.
    front: Option<Scheduled<E>>,
    /// A 4-ary min-heap on `key`: the children of `i` are `ARITY * i + 1 ..= ARITY * i + 4`.
    heap: Vec<Scheduled<E>>,
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
            front: None,
            heap: Vec::with_capacity(pending_max.min(4096)),
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
            self.len() < self.pending_max,
            "event queue full: {} pending events (pending_max)",
            self.pending_max
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        let new = Scheduled {
            key: (u128::from(at.as_ns()) << 64) | u128::from(seq),
            event,
        };
        let into_heap = match self.front {
            Some(front) if new.key < front.key => {
                self.front = Some(new);
                front
            }
            Some(_) => new,
            None if self.heap.first().is_none_or(|first| new.key < first.key) => {
                self.front = Some(new);
                return;
            }
            None => new,
        };
        let hole = self.heap.len();
        self.heap.push(into_heap);
        self.sift_up(hole, into_heap);
    }

    /// Removes the earliest event and advances the clock to its instant.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if let Some(front) = self.front.take() {
            let at = front.at();
            debug_assert!(at >= self.now, "time went backwards");
            debug_assert!(
                self.heap.first().is_none_or(|first| front.key < first.key),
                "the front event is the earliest"
            );
            self.now = at;
            return Some((at, front.event));
        }
        let last = self.heap.pop()?;
        let next = match self.heap.first() {
            None => last,
            Some(&first) => {
                self.sift_down_from_root(last);
                first
            }
        };
        let at = next.at();
        debug_assert!(at >= self.now, "time went backwards");
        self.now = at;
        Some((at, next.event))
    }

    /// Puts `moved` (the former last entry) in place of the root, as Floyd's heap does:
    /// the hole walks down to a leaf, the earliest child moving up at each level, then
    /// `moved` sifts up from there. The entry that was last almost always belongs near the
    /// bottom, so this skips a comparison with it at every level, the one branch a CPU
    /// cannot predict; the earliest of four children is chosen without branching.
    fn sift_down_from_root(&mut self, moved: Scheduled<E>) {
        let len = self.heap.len();
        let mut hole = 0;
        loop {
            let first = ARITY * hole + 1;
            let earliest = if first + ARITY <= len {
                let keys = &self.heap[first..first + ARITY];
                let a = if keys[1].key < keys[0].key { 1 } else { 0 };
                let b = if keys[3].key < keys[2].key { 3 } else { 2 };
                first + if keys[b].key < keys[a].key { b } else { a }
            } else if first < len {
                (first..len)
                    .min_by_key(|&c| self.heap[c].key)
                    .expect("a child exists")
            } else {
                break;
            };
            self.heap[hole] = self.heap[earliest];
            hole = earliest;
        }
        self.sift_up(hole, moved);
    }

    /// Puts `entry` at `hole` or above it: parents later than it move down into the hole.
    fn sift_up(&mut self, mut hole: usize, entry: Scheduled<E>) {
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            if self.heap[parent].key <= entry.key {
                break;
            }
            self.heap[hole] = self.heap[parent];
            hole = parent;
        }
        self.heap[hole] = entry;
    }

    /// The instant of the earliest pending event, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.front.as_ref().or(self.heap.first()).map(Scheduled::at)
    }

    pub fn len(&self) -> usize {
        self.heap.len() + usize::from(self.front.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.front.is_none() && self.heap.is_empty()
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

    /// An event pushed earlier than every pending one waits in front of the heap; an even
    /// earlier one sends it into the heap; counts and the next instant see it either way.
    #[test]
    fn the_earliest_push_waits_in_front_and_keeps_the_order() {
        let mut q = EventQueue::new(16);
        q.push(SimTime::from_ns(30), 'c');
        q.push(SimTime::from_ns(20), 'b');
        assert_eq!((q.len(), q.peek_time()), (2, Some(SimTime::from_ns(20))));
        q.push(SimTime::from_ns(10), 'a');
        q.push(SimTime::from_ns(20), 'b');
        assert_eq!((q.len(), q.peek_time()), (4, Some(SimTime::from_ns(10))));
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'b', 'c']);
        assert!(q.is_empty());
        q.push(SimTime::from_ns(30), 'd');
        assert_eq!((q.len(), q.is_empty()), (1, false));
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
        /// Pushes and pops interleaved (as a run does) pop exactly what a sorted list of
        /// the pending (time, sequence) pairs would.
        #[test]
        fn interleaved_pushes_and_pops_match_a_sorted_list(
            ops in proptest::collection::vec((0u64..40, proptest::bool::weighted(0.4)), 0..400)
        ) {
            let mut q = EventQueue::new(1000);
            let mut model: Vec<(u64, usize)> = Vec::new();
            for (i, (delay, pop)) in ops.iter().enumerate() {
                if *pop {
                    model.sort_unstable();
                    let want = (!model.is_empty()).then(|| model.remove(0));
                    let got = q.pop().map(|(t, e)| (t.as_ns(), e));
                    prop_assert_eq!(got, want);
                } else {
                    let at = q.now().as_ns() + delay;
                    q.push(SimTime::from_ns(at), i);
                    model.push((at, i));
                }
                prop_assert_eq!(q.len(), model.len());
            }
        }

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
