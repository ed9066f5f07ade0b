//! Findings grouped by signature — the scenario, the kind and the invariants that fired —
//! so that a campaign on a scenario where every seed finds the same thing (async-handler's
//! hazard) does not flood: each signature keeps the finding files of its
//! [`FILES_PER_SIGNATURE_MAX`] lowest seeds and prints its first
//! [`PRINTED_PER_SIGNATURE_MAX`] findings; every finding still has its line in
//! `findings.jsonl`, and the summary counts them all. Which files are kept depends only on
//! the seeds, never on `--jobs` or on the order seeds finish in.
//!
//! This file decides; `cmd/fuzz.rs` writes and deletes.

use crate::finding::{Finding, Kind};
use std::collections::BTreeMap;

/// Finding files kept per signature: those of its lowest seeds.
pub const FILES_PER_SIGNATURE_MAX: usize = 5;
/// Findings printed per signature as they come; the rest are counted.
pub const PRINTED_PER_SIGNATURE_MAX: usize = 3;

/// What a finding is "the same" as.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Signature {
    pub scenario: String,
    pub kind: Kind,
    pub invariants: Vec<String>,
}

impl Signature {
    pub fn of(f: &Finding) -> Signature {
        let mut invariants = f.invariants.clone();
        invariants.sort_unstable();
        Signature {
            scenario: f.scenario.clone(),
            kind: f.kind,
            invariants,
        }
    }
}

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.scenario, self.invariants.join(", "))
    }
}

/// What to do with one finding.
#[derive(Debug, PartialEq, Eq)]
pub struct Admission {
    /// Write its finding file.
    pub keep_file: bool,
    /// The kept file of a higher seed it displaces: delete it.
    pub evict: Option<String>,
    pub print: Print,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Print {
    /// Print its line.
    Line,
    /// Print, once, that more of this signature are only counted.
    MoreNote,
    Nothing,
}

#[derive(Debug, Default)]
struct Group {
    count: u64,
    printed: usize,
    /// Kept finding files by seed.
    kept: BTreeMap<u64, String>,
}

/// Every signature seen so far.
#[derive(Debug, Default)]
pub struct Signatures {
    groups: BTreeMap<Signature, Group>,
}

impl Signatures {
    /// Counts `f` and says whether its file is kept (one of the lowest seeds so far).
    pub fn admit(&mut self, f: &Finding) -> Admission {
        let g = self.groups.entry(Signature::of(f)).or_default();
        g.count += 1;
        let print = if g.printed < PRINTED_PER_SIGNATURE_MAX {
            g.printed += 1;
            Print::Line
        } else if g.printed == PRINTED_PER_SIGNATURE_MAX {
            g.printed += 1;
            Print::MoreNote
        } else {
            Print::Nothing
        };
        let highest = g.kept.keys().next_back().copied();
        let (keep_file, evict) = match highest {
            _ if g.kept.len() < FILES_PER_SIGNATURE_MAX => (true, None),
            Some(h) if f.seed < h => (true, g.kept.remove(&h)),
            _ => (false, None),
        };
        if keep_file {
            g.kept.insert(f.seed, f.finding_file.clone());
        }
        debug_assert!(g.kept.len() <= FILES_PER_SIGNATURE_MAX);
        Admission {
            keep_file,
            evict,
            print,
        }
    }

    /// Whether `f`'s file is among those kept at the end.
    pub fn is_kept(&self, f: &Finding) -> bool {
        self.groups
            .get(&Signature::of(f))
            .is_some_and(|g| g.kept.get(&f.seed) == Some(&f.finding_file))
    }

    /// Each signature with its count and the files kept, in signature order.
    pub fn counts(&self) -> impl Iterator<Item = (&Signature, u64, usize)> {
        self.groups.iter().map(|(s, g)| (s, g.count, g.kept.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(seed: u64) -> Finding {
        Finding {
            scenario: "s".into(),
            file: "s.toml".into(),
            seed,
            kind: Kind::Violation,
            invariants: vec!["durability-hazard".into()],
            first: String::new(),
            trace_hash: None,
            finding_file: format!("out/findings/s-seed-{seed}.toml"),
            repro: String::new(),
            fails: false,
            swarm: None,
            version: String::new(),
        }
    }

    /// Feeds `seeds` in that order; the files kept at the end.
    fn kept_after(seeds: &[u64]) -> Vec<u64> {
        let mut s = Signatures::default();
        for &seed in seeds {
            s.admit(&finding(seed));
        }
        let mut kept: Vec<u64> = (0..100).filter(|&k| s.is_kept(&finding(k))).collect();
        kept.sort_unstable();
        kept
    }

    #[test]
    fn the_lowest_seeds_keep_their_files_whatever_the_order_they_finish_in() {
        let in_order: Vec<u64> = (1..=20).collect();
        let shuffled = [
            7, 19, 3, 12, 1, 20, 5, 9, 2, 17, 4, 11, 6, 8, 10, 13, 14, 15, 16, 18,
        ];
        assert_eq!(kept_after(&in_order), vec![1, 2, 3, 4, 5]);
        assert_eq!(kept_after(&shuffled), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_signature_prints_a_few_lines_then_one_note() {
        let mut s = Signatures::default();
        let prints: Vec<Print> = (1..=6).map(|k| s.admit(&finding(k)).print).collect();
        assert_eq!(
            prints,
            [
                Print::Line,
                Print::Line,
                Print::Line,
                Print::MoreNote,
                Print::Nothing,
                Print::Nothing
            ]
        );
        let evicting = s.admit(&finding(0));
        assert_eq!(
            (evicting.keep_file, evicting.evict.as_deref()),
            (true, Some("out/findings/s-seed-5.toml"))
        );
        let (sig, count, files) = s.counts().next().expect("one signature");
        assert_eq!(
            (sig.to_string().as_str(), count, files),
            ("s: durability-hazard", 7, 5)
        );
    }
}
