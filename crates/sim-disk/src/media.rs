//! Byte-level edits of one file's content, shared by the page cache, the durable media and
//! the crash models: write at an offset, set the length, copy (part of) a sector's image.
//!
//! A file is a [`FileBytes`]: its bytes from a `base` offset on, whose length is the file's
//! length. Bytes past the end read as zeros if the file grows again, like POSIX: extending
//! fills the gap with zeros. Bytes below `base` were punched out (`punch`): they read as
//! zeros and hold no memory, as a log store's unlinked segments hold none, so a long run's
//! compacted log costs nothing. These are pure functions over buffers, with no timing and
//! no randomness.

use std::ops::Range;

/// The largest length a simulated file may reach (1 GiB). A write or truncate beyond it is
/// a bug in the caller (a corrupt offset), and panics before it allocates.
pub const FILE_BYTES_MAX: u64 = 1 << 30;

/// A growing file's first allocation: a log grows by one record per write, and would
/// otherwise reallocate at every doubling from its first few bytes.
const GROWN_FILE_BYTES_MIN: usize = 16 << 10;

/// One file's content: `bytes` holds the file from `base_bytes` to its end; below it the
/// file reads as zeros (a punched prefix).
#[derive(Clone, Debug, Default)]
pub(crate) struct FileBytes {
    base_bytes: u64,
    bytes: Vec<u8>,
    /// No byte below this offset changed, and the length did not cross it, since the last
    /// [`FileBytes::take_changed_from`] (0 for a new file): a reader that keeps what it
    /// decoded re-reads from here only. Every edit below lowers it.
    changed_from_bytes: u64,
    /// The same mark for the page cache's reset at a crash ([`FileBytes::reset_to`]): no
    /// byte below it changed, nor did the length cross it, since the page cache and the
    /// media were last made equal. Kept apart from `changed_from_bytes`, whose reader
    /// takes it at its own times.
    diverged_from_bytes: u64,
}

/// Equal content and punched prefix (not the change mark, which is a reader's).
impl PartialEq for FileBytes {
    fn eq(&self, other: &FileBytes) -> bool {
        self.base_bytes == other.base_bytes && self.bytes == other.bytes
    }
}

impl Eq for FileBytes {}

impl FileBytes {
    /// The file's length in bytes, the punched prefix included.
    pub(crate) fn len_bytes(&self) -> u64 {
        self.base_bytes + self.bytes.len() as u64
    }

    /// Where the bytes held in memory start: everything below reads as zeros.
    pub(crate) fn base_bytes(&self) -> u64 {
        self.base_bytes
    }

    /// The file from `offset_bytes` to its end. Reading into the punched prefix is a bug of
    /// the caller (it punched what it still reads).
    pub(crate) fn from(&self, offset_bytes: u64) -> &[u8] {
        assert!(
            offset_bytes >= self.base_bytes,
            "a read from byte {offset_bytes} of a file punched up to byte {}",
            self.base_bytes
        );
        let at = to_index(offset_bytes - self.base_bytes).min(self.bytes.len());
        &self.bytes[at..]
    }

    /// The lowest offset that may have changed since the last call (see
    /// `changed_from_bytes`); from now on nothing has.
    pub(crate) fn take_changed_from(&mut self) -> u64 {
        std::mem::replace(&mut self.changed_from_bytes, u64::MAX)
    }

    /// Bytes from `offset_bytes` on (or the length there) are about to change.
    fn touch(&mut self, offset_bytes: u64) {
        self.changed_from_bytes = self.changed_from_bytes.min(offset_bytes);
        self.diverged_from_bytes = self.diverged_from_bytes.min(offset_bytes);
    }

    /// Becomes a copy of `other`, reusing this file's memory.
    pub(crate) fn copy_from(&mut self, other: &FileBytes) {
        self.touch(0);
        self.base_bytes = other.base_bytes;
        self.bytes.clear();
        self.bytes.extend_from_slice(&other.bytes);
    }

    /// Becomes a copy of `media`, as the page cache does when the machine loses power,
    /// copying only from the lowest byte either side edited since they were last made
    /// equal (this way, at the last crash or when both were new): a crash costs what
    /// changed since the one before, not the file's length. Both marks start over.
    pub(crate) fn reset_to(&mut self, media: &mut FileBytes) {
        let from = self.diverged_from_bytes.min(media.diverged_from_bytes);
        let base = self.base_bytes;
        if base != media.base_bytes || from <= base {
            self.copy_from(media);
        } else {
            let from = from.min(self.len_bytes()).min(media.len_bytes());
            self.touch(from);
            let keep = to_index(from - base);
            self.bytes.truncate(keep);
            self.bytes.extend_from_slice(&media.bytes[keep..]);
        }
        debug_assert!(
            *self == *media,
            "the page cache differs from the media below the divergence mark"
        );
        self.diverged_from_bytes = u64::MAX;
        media.diverged_from_bytes = u64::MAX;
    }

    /// Drops the bytes below `upto_bytes` (at most the file's length) from memory: they
    /// read as zeros from now on. The length does not change.
    pub(crate) fn punch(&mut self, upto_bytes: u64) {
        let upto = upto_bytes.min(self.len_bytes());
        if upto <= self.base_bytes {
            return;
        }
        self.touch(self.base_bytes);
        self.bytes.drain(..to_index(upto - self.base_bytes));
        self.base_bytes = upto;
    }

    /// Whether the two read the same, byte for byte (a punched prefix reads as zeros).
    pub(crate) fn same_content(&self, other: &FileBytes) -> bool {
        if self.len_bytes() != other.len_bytes() {
            return false;
        }
        let base = self.base_bytes.max(other.base_bytes);
        let zeros_below = |f: &FileBytes| {
            f.bytes[..to_index(base - f.base_bytes).min(f.bytes.len())]
                .iter()
                .all(|b| *b == 0)
        };
        zeros_below(self) && zeros_below(other) && self.from(base) == other.from(base)
    }

    /// A file holding `bytes`, nothing punched.
    #[cfg(test)]
    pub(crate) fn from_vec(bytes: Vec<u8>) -> FileBytes {
        FileBytes {
            base_bytes: 0,
            bytes,
            changed_from_bytes: 0,
            diverged_from_bytes: 0,
        }
    }

    /// The whole file as it reads, the punched prefix as zeros.
    #[cfg(test)]
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        let mut all = vec![0; to_index(self.base_bytes)];
        all.extend_from_slice(&self.bytes);
        all
    }

    /// Holds the bytes from `offset_bytes` on in memory (zeros where it was punched), so
    /// that a write there can land.
    fn unpunch(&mut self, offset_bytes: u64) {
        if offset_bytes >= self.base_bytes {
            return;
        }
        self.touch(offset_bytes);
        let gap = to_index(self.base_bytes - offset_bytes);
        self.bytes.splice(0..0, std::iter::repeat_n(0, gap));
        self.base_bytes = offset_bytes;
    }
}

/// Writes `data` at `offset_bytes`, extending the file with zeros if it is shorter.
pub(crate) fn write_at(file: &mut FileBytes, offset_bytes: u64, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    let end_bytes = offset_bytes + data.len() as u64;
    let _ = to_index(end_bytes);
    file.touch(offset_bytes.min(file.len_bytes()));
    file.unpunch(offset_bytes.min(file.len_bytes()));
    let end = to_index(end_bytes - file.base_bytes);
    let start = end - data.len();
    let bytes = &mut file.bytes;
    if bytes.len() < end {
        if bytes.capacity() < end {
            bytes.reserve(end.max(GROWN_FILE_BYTES_MIN) - bytes.len());
        }
        bytes.resize(end, 0);
    }
    bytes[start..end].copy_from_slice(data);
}

/// Sets the file's length: shortens it, or extends it with zeros.
pub(crate) fn set_len(file: &mut FileBytes, len_bytes: u64) {
    let len = to_index(len_bytes);
    file.touch(len_bytes.min(file.len_bytes()));
    if len_bytes < file.base_bytes {
        file.base_bytes = len_bytes;
        file.bytes.clear();
        return;
    }
    file.bytes.resize(len - to_index(file.base_bytes), 0);
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
    target: &mut FileBytes,
    source: &FileBytes,
    sector: u64,
    sector_bytes: u32,
    image_bytes: u32,
) {
    assert!(
        image_bytes <= sector_bytes,
        "an image is at most one sector"
    );
    let start = sector * u64::from(sector_bytes);
    let limit = start + u64::from(image_bytes);
    assert!(
        source.len_bytes() > start,
        "a sector image of sector {sector} past the source's end"
    );
    let data_end = source.len_bytes().min(limit);
    target.touch(start.min(target.len_bytes()));
    if target.len_bytes() < data_end {
        set_len(target, data_end);
    }
    target.unpunch(start);
    let t = to_index(start - target.base_bytes);
    let image_len = to_index(data_end - start);
    let image = &mut target.bytes[t..t + image_len];
    // The source's punched prefix reads as zeros.
    let zeros = to_index(source.base_bytes.clamp(start, data_end) - start);
    image[..zeros].fill(0);
    if zeros < image_len {
        let data = &source.from(start + zeros as u64)[..image_len - zeros];
        image[zeros..].copy_from_slice(data);
    }
    let pad_end = target.len_bytes().min(limit);
    if pad_end > data_end {
        let from = to_index(data_end - target.base_bytes);
        let to = to_index(pad_end - target.base_bytes);
        target.bytes[from..to].fill(0);
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

    fn file(bytes: Vec<u8>) -> FileBytes {
        FileBytes::from_vec(bytes)
    }

    fn content(f: &FileBytes) -> Vec<u8> {
        f.to_vec()
    }

    #[test]
    fn a_write_past_the_end_fills_the_gap_with_zeros() {
        let mut f = file(vec![1, 1]);
        write_at(&mut f, 4, &[9, 9]);
        assert_eq!(content(&f), vec![1, 1, 0, 0, 9, 9]);
        write_at(&mut f, 1, &[5]);
        assert_eq!(content(&f), vec![1, 5, 0, 0, 9, 9]);
        write_at(&mut f, 100, &[]);
        assert_eq!(f.len_bytes(), 6, "an empty write does not extend");
    }

    /// An edit of one side of a cache/media pair: a write, a truncate, or a punch of both.
    #[derive(Clone, Debug)]
    enum Edit {
        Write {
            media: bool,
            at: u64,
            len: u8,
            byte: u8,
        },
        SetLen {
            media: bool,
            len: u64,
        },
        Punch {
            upto: u64,
        },
        /// A crash model's sector image (`copy_sector_image`) from a third file.
        Sector {
            media: bool,
            sector: u64,
            image: u32,
        },
    }

    fn edit() -> impl proptest::strategy::Strategy<Value = Edit> {
        use proptest::prelude::*;
        prop_oneof![
            4 => (any::<bool>(), 0..300u64, 1..40u8, any::<u8>())
                .prop_map(|(media, at, len, byte)| Edit::Write { media, at, len, byte }),
            1 => (any::<bool>(), 0..300u64).prop_map(|(media, len)| Edit::SetLen { media, len }),
            1 => (0..200u64).prop_map(|upto| Edit::Punch { upto }),
            2 => (any::<bool>(), 0..20u64, 0..=16u32)
                .prop_map(|(media, sector, image)| Edit::Sector { media, sector, image }),
        ]
    }

    proptest::proptest! {
        /// Writes and truncates read as on a plain byte vector that zero-fills when it
        /// grows (the model).
        #[test]
        fn writes_and_truncates_read_as_on_a_zero_filled_vector(edits in proptest::collection::vec(edit(), 0..30)) {
            let (mut f, mut model) = (FileBytes::default(), Vec::<u8>::new());
            for e in edits {
                match e {
                    Edit::Write { at, len, byte, .. } => {
                        let data = vec![byte; usize::from(len)];
                        write_at(&mut f, at, &data);
                        let (at, end) = (at as usize, at as usize + data.len());
                        if model.len() < end {
                            model.resize(end, 0);
                        }
                        model[at..end].copy_from_slice(&data);
                    }
                    Edit::SetLen { len, .. } => {
                        set_len(&mut f, len);
                        model.resize(len as usize, 0);
                    }
                    Edit::Punch { .. } | Edit::Sector { .. } => {}
                }
                proptest::prop_assert_eq!(&f.to_vec(), &model);
            }
        }
    }

    proptest::proptest! {
        /// Whatever was edited on either side between two resets, the partial copy leaves
        /// the page cache equal to the media; the whole copy is the oracle.
        #[test]
        fn a_reset_copies_enough_to_equal_the_media(
            rounds in proptest::collection::vec(proptest::collection::vec(edit(), 0..12), 1..6)
        ) {
            let (mut cache, mut media) = (FileBytes::default(), FileBytes::default());
            let source = file((0..400u32).map(|i| (i % 251) as u8 + 1).collect());
            for edits in rounds {
                for e in edits {
                    match e {
                        Edit::Write { media: m, at, len, byte } => {
                            let f = if m { &mut media } else { &mut cache };
                            write_at(f, at, &vec![byte; usize::from(len)]);
                        }
                        Edit::SetLen { media: m, len } => {
                            set_len(if m { &mut media } else { &mut cache }, len);
                        }
                        Edit::Punch { upto } => {
                            media.punch(upto);
                            cache.punch(upto);
                        }
                        Edit::Sector { media: m, sector, image } => {
                            let f = if m { &mut media } else { &mut cache };
                            copy_sector_image(f, &source, sector, 16, image);
                        }
                    }
                }
                let mut whole = cache.clone();
                whole.copy_from(&media);
                cache.reset_to(&mut media);
                proptest::prop_assert_eq!(&cache, &whole);
                proptest::prop_assert_eq!(cache.to_vec(), media.to_vec());
            }
        }
    }

    #[test]
    fn truncate_then_grow_reads_zeros() {
        let mut f = file(vec![7; 8]);
        set_len(&mut f, 3);
        set_len(&mut f, 5);
        assert_eq!(content(&f), vec![7, 7, 7, 0, 0]);
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
        let mut target = file(vec![1; 10]);
        let source = file(vec![2; 6]);
        copy_sector_image(&mut target, &source, 1, 4, 4);
        assert_eq!(content(&target), vec![1, 1, 1, 1, 2, 2, 0, 0, 1, 1]);
    }

    #[test]
    fn a_half_image_keeps_the_old_second_half_and_extends_only_to_its_data() {
        let mut target = file(vec![1; 5]);
        let source = file(vec![2; 8]);
        copy_sector_image(&mut target, &source, 1, 4, 2);
        assert_eq!(content(&target), vec![1, 1, 1, 1, 2, 2]);
        let mut target = file(vec![1; 8]);
        copy_sector_image(&mut target, &source, 1, 4, 2);
        assert_eq!(content(&target), vec![1, 1, 1, 1, 2, 2, 1, 1]);
    }

    /// A punched prefix holds no memory and reads as zeros; the length stays; writes and
    /// images into it land as they would on the whole file.
    #[test]
    fn a_punched_prefix_reads_as_zeros_and_holds_no_memory() {
        let mut f = file((1..=12).collect());
        f.punch(8);
        assert_eq!((f.base_bytes(), f.len_bytes(), f.bytes.len()), (8, 12, 4));
        assert_eq!(content(&f), [vec![0; 8], vec![9, 10, 11, 12]].concat());
        assert_eq!(f.from(10), &[11, 12]);
        f.punch(4);
        assert_eq!(f.base_bytes(), 8, "a punch never grows the held bytes back");
        f.punch(100);
        assert_eq!(
            (f.base_bytes(), f.len_bytes()),
            (12, 12),
            "at most the length"
        );

        let mut g = file((1..=12).collect());
        g.punch(8);
        write_at(&mut g, 6, &[7, 7]);
        assert_eq!(
            content(&g),
            [vec![0; 6], vec![7, 7, 9, 10, 11, 12]].concat()
        );
        set_len(&mut g, 3);
        assert_eq!(content(&g), vec![0; 3]);
        set_len(&mut g, 5);
        assert_eq!(content(&g), vec![0; 5]);

        // An image from a punched source, onto a punched target.
        let mut source = file(vec![5; 12]);
        source.punch(6);
        let mut target = file(vec![1; 12]);
        target.punch(10);
        copy_sector_image(&mut target, &source, 1, 4, 4);
        assert_eq!(
            content(&target),
            [vec![0; 4], vec![0, 0, 5, 5], vec![0; 2], vec![1; 2]].concat()
        );
        assert!(target.same_content(&target.clone()));
        let mut whole = file(content(&target));
        assert!(target.same_content(&whole) && whole.same_content(&target));
        whole.bytes[0] = 3;
        assert!(!target.same_content(&whole));
    }

    #[test]
    #[should_panic(expected = "punched up to byte 8")]
    fn reading_into_the_punched_prefix_is_a_bug() {
        let mut f = file(vec![1; 12]);
        f.punch(8);
        let _ = f.from(4);
    }

    #[test]
    #[should_panic(expected = "FILE_BYTES_MAX")]
    fn absurd_offsets_are_a_bug() {
        write_at(&mut FileBytes::default(), FILE_BYTES_MAX, &[1]);
    }
}
