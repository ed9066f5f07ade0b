//! [`Window`]: a log held from index 1 whose prefix can be forgotten. The log store keeps
//! two (what the media hold, what its own reads return); below a compaction neither is read
//! again, so a long run's store holds memory for the live tail only, as its file does.
//!
//! Positions are 0-based (entry `i + 1` at position `i`), as in the `Vec`s it replaces.
//! Below the forgotten prefix nothing is held: reads there return `None`, and a shortening
//! there stops at the prefix (what the snapshot stands for does not change).

/// A log-indexed sequence whose first `base` items are forgotten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window<T> {
    /// Items forgotten: the first held item is at position `base`.
    base: usize,
    /// The last forgotten item, for [`Window::last`] when nothing past it is held.
    base_last: Option<T>,
    items: Vec<T>,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            base: 0,
            base_last: None,
            items: Vec::new(),
        }
    }
}

impl<T: Copy> Window<T> {
    pub fn from_vec(items: Vec<T>) -> Self {
        Window {
            base: 0,
            base_last: None,
            items,
        }
    }

    /// Length, the forgotten prefix included.
    pub fn len(&self) -> usize {
        self.base + self.items.len()
    }

    /// Items forgotten.
    pub fn base(&self) -> usize {
        self.base
    }

    /// The item at position `i`; `None` past the end and in the forgotten prefix.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.items.get(i.checked_sub(self.base)?)
    }

    /// The item at position `i`, or the last forgotten one when that is `i`.
    pub fn get_or_last_forgotten(&self, i: usize) -> Option<&T> {
        if i + 1 == self.base {
            return self.base_last.as_ref();
        }
        self.get(i)
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last().or(self.base_last.as_ref())
    }

    /// Held items from position `i` to the end; `i` must not be in the forgotten prefix.
    pub fn from(&self, i: usize) -> &[T] {
        assert!(
            i >= self.base,
            "a read at {i} below the forgotten {}",
            self.base
        );
        &self.items[(i - self.base).min(self.items.len())..]
    }

    /// Held items from the first held one on.
    pub fn held(&self) -> &[T] {
        &self.items
    }

    /// Sets item `i`, or appends it when `i` is the length. Items in the forgotten prefix
    /// stay as they were.
    pub fn set(&mut self, i: usize, item: T) {
        assert!(i <= self.len(), "a set at {i} past the end {}", self.len());
        if i < self.base {
            return;
        }
        match self.items.get_mut(i - self.base) {
            Some(slot) => *slot = item,
            None => self.items.push(item),
        }
    }

    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    pub fn extend_from_slice(&mut self, items: &[T]) {
        self.items.extend_from_slice(items);
    }

    /// Shortens to `len` items, never into the forgotten prefix.
    pub fn truncate(&mut self, len: usize) {
        self.items.truncate(len.saturating_sub(self.base));
    }

    /// Shortens or extends with `fill` to `len` items, never into the forgotten prefix.
    pub fn resize(&mut self, len: usize, fill: T) {
        self.items.resize(len.saturating_sub(self.base), fill);
    }

    /// Becomes `items` after `base` forgotten ones (nothing known of them).
    pub fn reset(&mut self, base: usize, items: &[T]) {
        self.base = base;
        self.base_last = None;
        self.items.clear();
        self.items.extend_from_slice(items);
    }

    /// Forgets the items before position `upto` (at most the length).
    pub fn forget_below(&mut self, upto: usize) {
        let upto = upto.min(self.len());
        if upto <= self.base {
            return;
        }
        let n = upto - self.base;
        self.base_last = Some(self.items[n - 1]);
        self.items.drain(..n);
        self.base = upto;
    }

    /// Becomes the first `len` items of `other` (its forgotten prefix included), reusing
    /// this window's memory.
    pub fn copy_prefix(&mut self, other: &Window<T>, len: usize) {
        self.base = other.base.min(len);
        self.base_last = if self.base == other.base {
            other.base_last
        } else {
            None
        };
        self.items.clear();
        let held = len.saturating_sub(other.base).min(other.items.len());
        self.items.extend_from_slice(&other.items[..held]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forgotten_prefix_keeps_positions_length_and_last() {
        let mut w = Window::from_vec(vec![1, 2, 3, 4, 5]);
        w.forget_below(3);
        assert_eq!((w.len(), w.base(), w.held()), (5, 3, &[4, 5][..]));
        assert_eq!((w.get(2), w.get(3), w.get(5)), (None, Some(&4), None));
        assert_eq!(w.from(4), &[5]);
        w.truncate(1);
        assert_eq!((w.len(), w.last()), (3, Some(&3)), "never into the prefix");
        w.set(1, 9);
        w.set(3, 7);
        assert_eq!((w.len(), w.get(3), w.last()), (4, Some(&7), Some(&7)));
        w.resize(6, 0);
        assert_eq!(w.held(), &[7, 0, 0]);
        w.forget_below(100);
        assert_eq!((w.len(), w.base(), w.last()), (6, 6, Some(&0)));
        let mut c = Window::default();
        c.copy_prefix(&w, 4);
        assert_eq!((c.len(), c.base(), c.last()), (4, 4, None));
    }

    #[test]
    #[should_panic(expected = "below the forgotten")]
    fn reading_the_forgotten_prefix_is_a_bug() {
        let mut w = Window::from_vec(vec![1, 2, 3]);
        w.forget_below(2);
        let _ = w.from(1);
    }
}
