//! The running trace hash: a fixed, seedless 64-bit hasher. Every processed event is fed
//! into it, so two runs with the same hash processed the same events in the same order.
//!
//! Not cryptographic and not for hash tables: it is a fingerprint that must never depend
//! on the process (std's `RandomState` does), only on the bytes fed to it.

use std::hash::Hasher;

/// A deterministic 64-bit hasher (a multiply-rotate mix over 64-bit words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceHasher {
    state: u64,
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher {
            state: 0x243f_6a88_85a3_08d3,
        }
    }
}

impl TraceHasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one 64-bit word.
    #[inline]
    pub fn word(&mut self, w: u64) {
        self.state = (self.state ^ w).wrapping_mul(K).rotate_left(29) ^ (self.state >> 17);
    }

    /// The fingerprint so far, as 16 lowercase hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.finish())
    }
}

impl Hasher for TraceHasher {
    fn finish(&self) -> u64 {
        let mut z = self.state;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z = (z ^ (z >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        z ^ (z >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.word(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        self.word(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.word(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.word(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.word(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn order_matters_and_values_matter() {
        let mut a = TraceHasher::new();
        a.word(1);
        a.word(2);
        let mut b = TraceHasher::new();
        b.word(2);
        b.word(1);
        assert_ne!(a.finish(), b.finish());
        let mut c = TraceHasher::new();
        c.word(1);
        c.word(2);
        assert_eq!(a.finish(), c.finish());
    }

    #[test]
    fn the_fingerprint_is_pinned() {
        // Stable across processes and releases: no random state.
        let mut h = TraceHasher::new();
        (1u64, "x").hash(&mut h);
        let again = {
            let mut h2 = TraceHasher::new();
            (1u64, "x").hash(&mut h2);
            h2.finish()
        };
        assert_eq!(h.finish(), again);
        assert_eq!(h.hex().len(), 16);
    }
}
