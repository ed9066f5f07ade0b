//! Byte-level edits of one file's content, shared by the page cache, the durable media and
//! the crash models: write at an offset, set the length, copy (part of) a sector's image.
//!
//! A file is a `Vec<u8>` whose length is the file's length. Bytes past the end read as
//! zeros if the file grows again, like POSIX: extending fills the gap with zeros. These
//! are pure functions over buffers, with no timing and no randomness.

use std::ops::Range;

/// The largest length a simulated file may reach (1 GiB). A write or truncate beyond it is
/// a bug in the caller (a corrupt offset), and panics before it allocates.
pub const FILE_BYTES_MAX: u64 = 1 << 30;

/// A growing file's first allocation: a log grows by one record per write, and would
/// otherwise reallocate at every doubling from its first few bytes.
const GROWN_FILE_BYTES_MIN: usize = 16 << 10;

/// Writes `data` at `offset_bytes`, extending the file with zeros if it is shorter.
pub(crate) fn write_at(file: &mut Vec<u8>, offset_bytes: u64, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    let end = to_index(offset_bytes + data.len() as u64);
    let start = end - data.len();
    if file.len() < end {
        if file.capacity() < end {
            file.reserve(end.max(GROWN_FILE_BYTES_MIN) - file.len());
        }
        file.resize(end, 0);
    }
    file[start..end].copy_from_slice(data);
}

/// Sets the file's length: shortens it, or extends it with zeros.
pub(crate) fn set_len(file: &mut Vec<u8>, len_bytes: u64) {
    file.resize(to_index(len_bytes), 0);
}

/// The sectors a write of `len_bytes` at `offset_bytes` touches.
pub(crate) fn sectors_touched(offset_bytes: u64, len_bytes: u64, sector_bytes: u32) -> Range<u64> {
    if len_bytes == 0 {
        return 0..0;
    }
    let sb = u64::from(sector_bytes);
    offset_bytes / sb..(offset_bytes + len_bytes - 1) / sb + 1
}

/// Applies the first `image_bytes` bytes of sector `sector`'s image to `target`, where the
/// image is the sector as it stands in `source` (zero-padded past `source`'s end, as the
/// kernel zeroes a page's tail past end-of-file). `target` grows to cover the image's data
/// but never shrinks; bytes of the sector past `image_bytes` keep their old content.
pub(crate) fn copy_sector_image(
    target: &mut Vec<u8>,
    source: &[u8],
    sector: u64,
    sector_bytes: u32,
    image_bytes: u32,
) {
    assert!(
        image_bytes <= sector_bytes,
        "an image is at most one sector"
    );
    let start = to_index(sector * u64::from(sector_bytes));
    let limit = start + image_bytes as usize;
    assert!(
        source.len() > start,
        "a sector image of sector {sector} past the source's end"
    );
    let data_end = source.len().min(limit);
    if target.len() < data_end {
        target.resize(data_end, 0);
    }
    target[start..data_end].copy_from_slice(&source[start..data_end]);
    let pad_end = target.len().min(limit);
    if pad_end > data_end {
        target[data_end..pad_end].fill(0);
    }
}

fn to_index(bytes: u64) -> usize {
    assert!(
        bytes <= FILE_BYTES_MAX,
        "file offset {bytes} bytes is past FILE_BYTES_MAX"
    );
    bytes as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_past_the_end_fills_the_gap_with_zeros() {
        let mut f = vec![1, 1];
        write_at(&mut f, 4, &[9, 9]);
        assert_eq!(f, vec![1, 1, 0, 0, 9, 9]);
        write_at(&mut f, 1, &[5]);
        assert_eq!(f, vec![1, 5, 0, 0, 9, 9]);
        write_at(&mut f, 100, &[]);
        assert_eq!(f.len(), 6, "an empty write does not extend");
    }

    #[test]
    fn truncate_then_grow_reads_zeros() {
        let mut f = vec![7; 8];
        set_len(&mut f, 3);
        set_len(&mut f, 5);
        assert_eq!(f, vec![7, 7, 7, 0, 0]);
    }

    #[test]
    fn sectors_touched_covers_boundaries() {
        assert_eq!(sectors_touched(0, 0, 4), 0..0);
        assert_eq!(sectors_touched(0, 4, 4), 0..1);
        assert_eq!(sectors_touched(3, 2, 4), 0..2);
        assert_eq!(sectors_touched(8, 9, 4), 2..5);
    }

    #[test]
    fn a_sector_image_is_zero_padded_past_the_sources_end() {
        let mut target = vec![1; 10];
        let source = vec![2; 6];
        copy_sector_image(&mut target, &source, 1, 4, 4);
        assert_eq!(target, vec![1, 1, 1, 1, 2, 2, 0, 0, 1, 1]);
    }

    #[test]
    fn a_half_image_keeps_the_old_second_half_and_extends_only_to_its_data() {
        let mut target = vec![1; 5];
        let source = vec![2; 8];
        copy_sector_image(&mut target, &source, 1, 4, 2);
        assert_eq!(target, vec![1, 1, 1, 1, 2, 2]);
        let mut target = vec![1; 8];
        copy_sector_image(&mut target, &source, 1, 4, 2);
        assert_eq!(target, vec![1, 1, 1, 1, 2, 2, 1, 1]);
    }

    #[test]
    #[should_panic(expected = "FILE_BYTES_MAX")]
    fn absurd_offsets_are_a_bug() {
        write_at(&mut Vec::new(), FILE_BYTES_MAX, &[1]);
    }
}
