//! The byte arena that holds the payloads of writes between submission and the moment
//! they stop mattering (made durable, dropped by a failed flush, or lost in a crash).
//!
//! One growable buffer per disk instead of a `Vec` per write, so the hot loop allocates
//! nothing once the buffer has reached its working size. Payloads are appended at the end
//! (a bump allocator) and freed by count only; when more than half of the buffer is dead,
//! the owner compacts it by sliding the live payloads down, in allocation order. The arena
//! does not know who holds its spans: the disk hands them back, in order, to `compact`.

/// Where one payload lives in the arena: `start .. start + len_bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    len_bytes: usize,
}

impl Span {
    pub(crate) fn len_bytes(&self) -> usize {
        self.len_bytes
    }
}

/// Below this size a dead arena is not worth compacting.
const COMPACT_MIN_BYTES: usize = 64 * 1024;

#[derive(Debug, Default)]
pub(crate) struct Arena {
    bytes: Vec<u8>,
    live_bytes: usize,
}

impl Arena {
    /// Copies `data` in and returns where it lives.
    pub(crate) fn alloc(&mut self, data: &[u8]) -> Span {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(data);
        self.live_bytes += data.len();
        Span {
            start,
            len_bytes: data.len(),
        }
    }

    /// Marks a payload dead; its bytes are reclaimed by the next compaction.
    pub(crate) fn free(&mut self, span: Span) {
        assert!(
            span.len_bytes <= self.live_bytes,
            "arena: freed more bytes than are live"
        );
        assert!(
            span.start + span.len_bytes <= self.bytes.len(),
            "arena: span out of range"
        );
        self.live_bytes -= span.len_bytes;
    }

    pub(crate) fn get(&self, span: Span) -> &[u8] {
        &self.bytes[span.start..span.start + span.len_bytes]
    }

    /// Whether enough of the buffer is dead that compacting pays (or nothing is live, in
    /// which case compacting is free).
    pub(crate) fn wants_compaction(&self) -> bool {
        let dead_bytes = self.bytes.len() - self.live_bytes;
        (self.live_bytes == 0 && !self.bytes.is_empty())
            || (self.bytes.len() >= COMPACT_MIN_BYTES && dead_bytes * 2 > self.bytes.len())
    }

    /// Slides every live payload to the front. `live` must yield every live span exactly
    /// once, in allocation order; each is updated to its new place.
    pub(crate) fn compact<'a>(&mut self, live: impl Iterator<Item = &'a mut Span>) {
        let mut cursor = 0;
        for span in live {
            assert!(
                span.start >= cursor,
                "arena: spans not given in allocation order"
            );
            self.bytes
                .copy_within(span.start..span.start + span.len_bytes, cursor);
            span.start = cursor;
            cursor += span.len_bytes;
        }
        assert_eq!(
            cursor, self.live_bytes,
            "arena: compaction missed live payloads"
        );
        self.bytes.truncate(cursor);
    }

    /// Drops everything (a crash).
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.live_bytes = 0;
    }

    #[cfg(test)]
    pub(crate) fn len_bytes(&self) -> usize {
        self.bytes.len()
    }

    #[cfg(test)]
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.bytes.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compaction_keeps_live_payloads_and_their_order() {
        let mut a = Arena::default();
        let mut spans: Vec<Span> = (0..4u8).map(|i| a.alloc(&[i; 3])).collect();
        a.free(spans.remove(0));
        a.free(spans.remove(1));
        a.compact(spans.iter_mut());
        assert_eq!(a.len_bytes(), 6);
        assert_eq!(a.get(spans[0]), &[1, 1, 1]);
        assert_eq!(a.get(spans[1]), &[3, 3, 3]);
    }

    #[test]
    fn a_dead_arena_asks_to_be_compacted() {
        let mut a = Arena::default();
        let s = a.alloc(&[7; 10]);
        assert!(!a.wants_compaction());
        a.free(s);
        assert!(a.wants_compaction());
        a.compact(std::iter::empty());
        assert_eq!(a.len_bytes(), 0);
    }

    #[test]
    fn steady_state_reuses_the_buffer() {
        let mut a = Arena::default();
        let mut live: Vec<Span> = Vec::new();
        let mut capacity_after_warmup = 0;
        for round in 0..10_000u32 {
            live.push(a.alloc(&[round as u8; 100]));
            if live.len() > 8 {
                a.free(live.remove(0));
            }
            if a.wants_compaction() {
                a.compact(live.iter_mut());
            }
            if round == 5_000 {
                capacity_after_warmup = a.bytes.capacity();
            }
        }
        assert_eq!(a.bytes.capacity(), capacity_after_warmup);
        assert_eq!(a.get(*live.last().unwrap()), &[(9_999u32 as u8); 100]);
    }

    #[test]
    #[should_panic(expected = "allocation order")]
    fn out_of_order_spans_are_a_bug() {
        let mut a = Arena::default();
        let mut s1 = a.alloc(&[1]);
        let mut s2 = a.alloc(&[2]);
        a.compact([&mut s2, &mut s1].into_iter());
    }
}
