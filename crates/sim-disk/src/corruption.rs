//! Reading a file back at recovery, where a sector may come back corrupt.
//!
//! Each sector independently reads corrupt with the configured probability. A corrupt
//! sector has one byte XORed with a non-zero mask, both drawn from the fault stream, so the
//! content certainly differs and any checksum (CRC or better) catches it. The media itself
//! is not changed: this models a bad read, not a bad write.

use sim_core::SimRng;

/// One corrupt sector of a read: the byte at `at` (in the read, not the file) is XORed
/// with `mask`, which is not zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Flip {
    pub sector: u64,
    pub at: usize,
    pub mask: u8,
}

/// Decides which sectors of a read of `len` bytes from `offset_bytes` come back corrupt,
/// and how, without the bytes. Draws per sector touched, in sector order: one draw to
/// decide (none when `rate` is 0 or 1), then the byte and the mask if corrupt. The flips
/// are in ascending order.
pub(crate) fn draw_flips(
    len: usize,
    offset_bytes: u64,
    sector_bytes: u32,
    rate: f64,
    rng: &mut SimRng,
) -> Vec<Flip> {
    let mut flips = Vec::new();
    if rate <= 0.0 {
        return flips;
    }
    let sb = u64::from(sector_bytes);
    let mut sector = offset_bytes / sb;
    let mut at = 0usize;
    while at < len {
        // The first sector may be entered part way.
        let in_sector = (sb - (offset_bytes + at as u64) % sb) as usize;
        let sector_len = in_sector.min(len - at);
        if rng.chance(rate) {
            let i = rng.below(sector_len as u64) as usize;
            let mask = 1 + rng.below(255) as u8;
            flips.push(Flip {
                sector,
                at: at + i,
                mask,
            });
        }
        at += in_sector;
        sector += 1;
    }
    flips
}

/// Applies `flips` to the bytes read; returns their sector numbers.
pub(crate) fn apply_flips(read: &mut [u8], flips: &[Flip]) -> Vec<u64> {
    flips
        .iter()
        .map(|f| {
            read[f.at] ^= f.mask;
            f.sector
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::RngStreams;

    /// Copies `durable` — the file's bytes from `offset_bytes` on — into `out` (replacing its
    /// content) and corrupts sectors at `rate`. Returns the corrupt sector numbers (the file's),
    /// ascending. Draws as [`draw_flips`] does.
    fn read_sectors(
        durable: &[u8],
        offset_bytes: u64,
        sector_bytes: u32,
        rate: f64,
        rng: &mut SimRng,
        out: &mut Vec<u8>,
    ) -> Vec<u64> {
        let flips = draw_flips(durable.len(), offset_bytes, sector_bytes, rate, rng);
        out.clear();
        out.extend_from_slice(durable);
        apply_flips(out, &flips)
    }

    #[test]
    fn no_rate_no_corruption_and_no_draws() {
        let mut rng = RngStreams::new(1).stream("f");
        let mut out = vec![9; 3];
        assert!(read_sectors(&[1; 100], 0, 16, 0.0, &mut rng, &mut out).is_empty());
        assert_eq!(out, vec![1; 100]);
        assert_eq!(rng.next_u64(), RngStreams::new(1).stream("f").next_u64());
    }

    #[test]
    fn corrupt_sectors_differ_and_the_others_do_not() {
        let durable: Vec<u8> = (0..200u32).map(|i| i as u8).collect();
        let mut rng = RngStreams::new(2).stream("f");
        let mut out = Vec::new();
        let bad = read_sectors(&durable, 0, 16, 0.5, &mut rng, &mut out);
        assert!(!bad.is_empty() && bad.len() < 13);
        for (s, (a, b)) in out.chunks(16).zip(durable.chunks(16)).enumerate() {
            assert_eq!(a != b, bad.contains(&(s as u64)), "sector {s}");
        }
    }

    #[test]
    fn every_sector_corrupt_at_rate_one() {
        let mut rng = RngStreams::new(3).stream("f");
        let mut out = Vec::new();
        assert_eq!(
            read_sectors(&[0; 40], 0, 16, 1.0, &mut rng, &mut out),
            vec![0, 1, 2]
        );
    }
}
