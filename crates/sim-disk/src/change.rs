//! A change to one file's content, between submission and the moment it stops mattering:
//! a write (its payload in the [`Arena`]) or a truncate. The same value sits in the write
//! lane while it is in flight and in the dirty list once it has landed.
//!
//! A change knows how to apply itself to a buffer and which sectors it touches; it does
//! not know about time, flushes or crashes.

use crate::arena::{Arena, Span};
use crate::media;
use crate::op::{FileId, OpId, OpKind};
use std::ops::Range;

/// What a write or truncate does to its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Write { offset_bytes: u64, payload: Span },
    Truncate { len_bytes: u64 },
}

/// A change with the operation it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileChange {
    pub(crate) op: OpId,
    pub(crate) file: FileId,
    pub(crate) change: Change,
}

impl Change {
    pub(crate) fn kind(&self) -> OpKind {
        match self {
            Change::Write { .. } => OpKind::Write,
            Change::Truncate { .. } => OpKind::Truncate,
        }
    }

    /// Applies the change to a file's bytes.
    pub(crate) fn apply(&self, file: &mut media::FileBytes, arena: &Arena) {
        match *self {
            Change::Write {
                offset_bytes,
                payload,
            } => media::write_at(file, offset_bytes, arena.get(payload)),
            Change::Truncate { len_bytes } => media::set_len(file, len_bytes),
        }
    }

    /// The sectors a write touches, in ascending order; none for a truncate.
    pub(crate) fn sectors(&self, sector_bytes: u32) -> Range<u64> {
        match *self {
            Change::Write {
                offset_bytes,
                payload,
            } => media::sectors_touched(offset_bytes, payload.len_bytes() as u64, sector_bytes),
            Change::Truncate { .. } => 0..0,
        }
    }

    pub(crate) fn payload(&self) -> Option<Span> {
        match *self {
            Change::Write { payload, .. } => Some(payload),
            Change::Truncate { .. } => None,
        }
    }

    pub(crate) fn payload_mut(&mut self) -> Option<&mut Span> {
        match self {
            Change::Write { payload, .. } => Some(payload),
            Change::Truncate { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_applies_and_names_its_sectors() {
        let mut arena = Arena::default();
        let w = Change::Write {
            offset_bytes: 6,
            payload: arena.alloc(&[3, 3, 3, 3]),
        };
        let mut file = media::FileBytes::default();
        w.apply(&mut file, &arena);
        assert_eq!(file.to_vec(), vec![0, 0, 0, 0, 0, 0, 3, 3, 3, 3]);
        assert_eq!(w.sectors(4), 1..3);
        assert_eq!(w.kind(), OpKind::Write);
        let t = Change::Truncate { len_bytes: 7 };
        t.apply(&mut file, &arena);
        assert_eq!(file.len_bytes(), 7);
        assert_eq!(t.sectors(4), 0..0);
        assert_eq!(t.payload(), None);
    }
}
