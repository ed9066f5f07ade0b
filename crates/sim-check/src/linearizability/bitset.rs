//! A fixed-size set of op indices: which completed ops the search has placed, with the
//! scans the cache key needs (the first absent index, the absent indices in a range).
//!
//! It is not a general bitset: it holds at most `u32` indices, and inserting an index
//! already in the set, or removing one not in it, is a bug and panics.

/// A fixed-size set of op indices.
#[derive(Default)]
pub(super) struct Bitset {
    words: Vec<u64>,
    len: u32,
}

impl Bitset {
    #[cfg(test)]
    pub(super) fn new(len: u32) -> Self {
        let mut set = Bitset::default();
        set.reset(len);
        set
    }

    /// Empties the set and sizes it for `len` indices, in the memory it already holds.
    pub(super) fn reset(&mut self, len: u32) {
        self.words.clear();
        self.words.resize((len as usize).div_ceil(64), 0);
        self.len = len;
    }

    fn contains(&self, i: u32) -> bool {
        self.words[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    pub(super) fn insert(&mut self, i: u32) {
        assert!(
            i < self.len && !self.contains(i),
            "bitset: {i} already in or out of range"
        );
        self.words[(i / 64) as usize] |= 1 << (i % 64);
    }

    pub(super) fn remove(&mut self, i: u32) {
        assert!(self.contains(i), "bitset: {i} is not in the set");
        self.words[(i / 64) as usize] &= !(1 << (i % 64));
    }

    /// The first index at or after `from` not in the set, or `len`.
    pub(super) fn next_absent(&self, from: u32) -> u32 {
        let mut word = (from / 64) as usize;
        let mut free = !self.words.get(word).copied().unwrap_or(0) & (u64::MAX << (from % 64));
        while free == 0 && word + 1 < self.words.len() {
            word += 1;
            free = !self.words[word];
        }
        let found = if free == 0 {
            self.len
        } else {
            word as u32 * 64 + free.trailing_zeros()
        };
        found.min(self.len)
    }

    /// Appends the indices in `from..to` that are not in the set.
    pub(super) fn absent_in(&self, from: u32, to: u32, out: &mut Vec<u32>) {
        let mut i = self.next_absent(from);
        while i < to {
            out.push(i);
            i = self.next_absent(i + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset_finds_absent_indices() {
        let mut set = Bitset::new(130);
        for i in 0..130 {
            if i != 3 && i != 64 && i != 129 {
                set.insert(i);
            }
        }
        assert_eq!(set.next_absent(0), 3);
        assert_eq!(set.next_absent(4), 64);
        assert_eq!(set.next_absent(65), 129);
        let mut holes = Vec::new();
        set.absent_in(0, 129, &mut holes);
        assert_eq!(holes, vec![3, 64]);
        set.insert(129);
        assert_eq!(set.next_absent(65), 130);
        set.remove(10);
        assert_eq!(set.next_absent(4), 10);
    }
}
