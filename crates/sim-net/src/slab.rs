//! A bounded slab: a `Vec` of entries with a free list of vacant indices, so that taking
//! a value out and putting another in reuses the same storage and allocates nothing once
//! the slab has grown to its working size.
//!
//! The network keeps its in-flight messages here; an index is a [`crate::Slot`]. Freed
//! indices are reused last-freed-first, which is deterministic. The bound is a hard one:
//! exceeding it means the caller lost track of its messages, a bug, so it panics.

#[derive(Debug)]
pub(crate) struct Slab<T> {
    entries: Vec<Option<T>>,
    /// Vacant indices, reused from the end.
    free: Vec<u32>,
    occupied: usize,
    occupied_max: usize,
}

impl<T> Slab<T> {
    /// An empty slab that holds at most `occupied_max` values (at least 1, at most
    /// `u32::MAX`).
    pub(crate) fn new(occupied_max: usize) -> Self {
        assert!(occupied_max >= 1, "a slab needs room for one value");
        assert!(occupied_max <= u32::MAX as usize, "slab indices are u32");
        let initial = occupied_max.min(1024);
        Slab {
            entries: Vec::with_capacity(initial),
            free: Vec::with_capacity(initial),
            occupied: 0,
            occupied_max,
        }
    }

    /// Whether `n` more values fit.
    pub(crate) fn has_room_for(&self, n: usize) -> bool {
        self.occupied + n <= self.occupied_max
    }

    /// Stores `value`; returns its index.
    pub(crate) fn insert(&mut self, value: T) -> u32 {
        assert!(
            self.has_room_for(1),
            "slab full: {} values (its maximum)",
            self.occupied_max
        );
        self.occupied += 1;
        match self.free.pop() {
            Some(index) => {
                let entry = &mut self.entries[index as usize];
                assert!(entry.is_none(), "slab: free list named an occupied entry");
                *entry = Some(value);
                index
            }
            None => {
                self.entries.push(Some(value));
                (self.entries.len() - 1) as u32
            }
        }
    }

    /// Removes and returns the value at `index`, which must be occupied.
    pub(crate) fn take(&mut self, index: u32) -> T {
        let value = self
            .entries
            .get_mut(index as usize)
            .and_then(Option::take)
            .unwrap_or_else(|| panic!("slab: index {index} holds nothing (taken twice?)"));
        self.free.push(index);
        self.occupied -= 1;
        value
    }

    pub(crate) fn len(&self) -> usize {
        self.occupied
    }

    pub(crate) fn len_max(&self) -> usize {
        self.occupied_max
    }

    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.entries.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_indices_are_reused_last_freed_first() {
        let mut s = Slab::new(4);
        let (a, b, c) = (s.insert('a'), s.insert('b'), s.insert('c'));
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(s.take(b), 'b');
        assert_eq!(s.take(a), 'a');
        assert_eq!(s.insert('d'), a);
        assert_eq!(s.insert('e'), b);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn the_steady_state_allocates_nothing() {
        let mut s = Slab::new(100);
        let mut live: Vec<u32> = (0..50).map(|i| s.insert(i)).collect();
        let capacity = s.capacity();
        for i in 0..10_000 {
            let victim = live.remove(i % live.len());
            s.take(victim);
            live.push(s.insert(i));
        }
        assert_eq!(s.capacity(), capacity);
        assert_eq!(s.len(), 50);
    }

    #[test]
    #[should_panic(expected = "slab full")]
    fn the_bound_is_enforced() {
        let mut s = Slab::new(2);
        for i in 0..3 {
            s.insert(i);
        }
    }

    #[test]
    #[should_panic(expected = "taken twice")]
    fn taking_twice_is_a_bug() {
        let mut s = Slab::new(2);
        let i = s.insert(1);
        s.take(i);
        s.take(i);
    }
}
