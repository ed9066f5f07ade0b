//! Lowe's cache for the search: the key of a position (the completed ops placed and the
//! register value), the unknown writes it spent, the dominance order on spendings (spending
//! fewer is never worse), and a fixed-key hasher so the cache behaves the same on every run.
//!
//! It is not the search's bookkeeping: [`super::search`] decides when to probe and insert.
//! The cache is only probed, never iterated, so its hash-map order cannot leak into a
//! verdict.

// The one `HashMap` of the workspace (clippy.toml disallows it elsewhere): its hasher has a
// fixed key, so even its order is the same on every run, and the search only probes it.
#[allow(clippy::disallowed_types)]
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The search's cache: per [`CacheKey`], the spendings of the positions seen there.
/// Allowed as a `HashMap` (clippy.toml): fixed-key hasher, probed only, never iterated.
#[allow(clippy::disallowed_types)]
pub(super) type Cache = HashMap<CacheKey, Seen, BuildHasherDefault<FxHasher>>;

/// The spendings seen at one position, none spending no more than another. Spending
/// nothing (no unknown write some unplaced read may draw on) dominates every spending, and
/// is by far the most common: it is a flag, so recording it allocates nothing.
#[derive(Debug, Default)]
pub(super) struct Seen {
    nothing_spent: bool,
    others: Vec<Spent>,
}

impl Seen {
    /// Records `spent` unless a spending seen here spends no more of any group (then the
    /// position is explored already and the search prunes it): whether it was recorded.
    pub(super) fn record(&mut self, spent: Spent) -> bool {
        if self.nothing_spent || self.others.iter().any(|old| spends_no_more(old, &spent)) {
            return false;
        }
        if spent.is_empty() {
            self.nothing_spent = true;
            self.others.clear();
        } else {
            self.others.retain(|old| !spends_no_more(&spent, old));
            self.others.push(spent);
        }
        true
    }
}

/// A set of completed ops placed and a register value. The set is exactly `0..high`
/// minus `holes` (unknown writes never count as holes); `holes` stays small because a
/// completed op below `high` can be left out only while it overlaps the op at `high - 1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct CacheKey {
    pub(super) high: u32,
    pub(super) holes: Vec<u32>,
    pub(super) state: Option<u64>,
}

/// For each unknown-write group that some unplaced read may still draw on, how many of
/// its writes are spent, ascending by group (spent writes that no unplaced read can use
/// change nothing). Spending fewer is never worse: whatever order completes the search
/// after spending more also completes it after spending fewer, drawing earlier writes.
pub(super) type Spent = Vec<(u32, u32)>;

/// Whether `a` spends no more of any group than `b`.
pub(super) fn spends_no_more(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    let mut b = b.iter().peekable();
    a.iter().all(|&(group, used)| {
        while b.next_if(|&&(other, _)| other < group).is_some() {}
        b.peek()
            .is_some_and(|&&(other, spent)| other == group && spent >= used)
    })
}

/// A fixed-key multiply-rotate hash (rustc's FxHash), so the cache behaves the same on
/// every run. The cache is only probed, never iterated.
#[derive(Default)]
pub(super) struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_is_recorded_once_per_spending_that_no_other_dominates() {
        let mut seen = Seen::default();
        assert!(seen.record(vec![(1, 2)]));
        assert!(!seen.record(vec![(1, 2)]), "the same spending again");
        assert!(!seen.record(vec![(1, 3)]), "more of the same group");
        assert!(seen.record(vec![(2, 1)]), "another group");
        assert!(seen.record(vec![(1, 1)]), "fewer: it replaces (1, 2)");
        assert_eq!(seen.others, vec![vec![(2, 1)], vec![(1, 1)]]);
        assert!(seen.record(Vec::new()), "nothing spent dominates them all");
        assert!(seen.nothing_spent && seen.others.is_empty());
        assert!(!seen.record(Vec::new()));
        assert!(!seen.record(vec![(0, 1)]));
    }

    #[test]
    fn spending_fewer_unknown_writes_dominates() {
        assert!(spends_no_more(&[], &[]));
        assert!(spends_no_more(&[], &[(3, 1)]));
        assert!(!spends_no_more(&[(3, 1)], &[]));
        assert!(spends_no_more(&[(1, 2), (5, 1)], &[(0, 4), (1, 2), (5, 3)]));
        assert!(!spends_no_more(&[(1, 2), (5, 1)], &[(1, 1), (5, 3)]));
        assert!(!spends_no_more(&[(1, 2), (5, 1)], &[(1, 2), (6, 1)]));
    }
}
