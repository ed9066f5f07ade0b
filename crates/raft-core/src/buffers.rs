//! The entry buffers of AppendEntries, reused instead of allocated: memory only, never
//! behaviour.
//!
//! A leader fills a `Vec<Entry>` for every AppendEntries it sends, and the follower that
//! steps it is done with the buffer once the entries are in its log. The caller closes the
//! loop across the sans-IO boundary: after stepping a message it takes the emptied buffer
//! from the receiver ([`crate::Replica::take_entry_buffer`]) and hands it back to the
//! message's sender ([`crate::Replica::give_entry_buffer`]), as a transport hands back a
//! buffer it has serialized. A caller that never does so loses nothing but allocations.
//!
//! This is not a log cache and not shared between nodes: each node holds its own few spare
//! buffers, bounded by [`SPARE_ENTRY_BUFFERS_MAX`].

use crate::types::Entry;

/// Spare buffers a node keeps; more are dropped. A leader has at most one AppendEntries
/// in flight per follower, so a few cover a cluster of any size the simulator runs.
pub const SPARE_ENTRY_BUFFERS_MAX: usize = 8;

#[derive(Clone, Debug, Default)]
pub(crate) struct EntryBuffers {
    /// Emptied buffers to fill for the next AppendEntries.
    spare: Vec<Vec<Entry>>,
    /// The buffer of the AppendEntries just stepped, for the caller to take back.
    spent: Option<Vec<Entry>>,
}

impl EntryBuffers {
    /// An empty buffer: a spare one if there is one, else a new (unallocated) one.
    pub fn take(&mut self) -> Vec<Entry> {
        let buf = self.spare.pop().unwrap_or_default();
        debug_assert!(buf.is_empty(), "a spare entry buffer is kept empty");
        buf
    }

    /// Keeps `buf`, emptied, for a later AppendEntries (unless enough are kept already).
    pub fn give(&mut self, mut buf: Vec<Entry>) {
        if buf.capacity() > 0 && self.spare.len() < SPARE_ENTRY_BUFFERS_MAX {
            buf.clear();
            self.spare.push(buf);
        }
    }

    /// The entries of the AppendEntries just stepped: kept until the caller takes them.
    pub fn spent(&mut self, mut buf: Vec<Entry>) {
        if buf.capacity() > 0 {
            buf.clear();
            self.spent = Some(buf);
        }
    }

    /// The emptied buffer of the last AppendEntries stepped, if it was not taken yet.
    pub fn take_spent(&mut self) -> Option<Vec<Entry>> {
        self.spent.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Payload, Term};

    fn filled(n: usize) -> Vec<Entry> {
        vec![
            Entry {
                term: Term(1),
                payload: Payload::Noop,
            };
            n
        ]
    }

    #[test]
    fn a_buffer_given_back_is_the_next_one_taken_and_empty() {
        let mut b = EntryBuffers::default();
        let buf = filled(3);
        let ptr = buf.as_ptr();
        b.give(buf);
        let again = b.take();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), ptr, "the same memory, not a new allocation");
        assert_eq!(b.take().capacity(), 0, "none left: a new, unallocated one");
    }

    #[test]
    fn spares_are_bounded_and_unallocated_buffers_are_not_kept() {
        let mut b = EntryBuffers::default();
        b.give(Vec::new());
        assert!(b.spare.is_empty());
        for _ in 0..SPARE_ENTRY_BUFFERS_MAX + 3 {
            b.give(filled(1));
        }
        assert_eq!(b.spare.len(), SPARE_ENTRY_BUFFERS_MAX);
    }

    #[test]
    fn the_spent_buffer_is_taken_once() {
        let mut b = EntryBuffers::default();
        b.spent(filled(2));
        assert!(b.take_spent().is_some_and(|v| v.is_empty()));
        assert!(b.take_spent().is_none());
    }
}
