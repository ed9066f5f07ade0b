//! Power loss: which landed-but-unflushed changes reach the media, per [`CrashModel`].
//!
//! The unflushed changes of a disk are decomposed into **sector writes**, in landing order:
//! a write touching several sectors is one sector write per sector, in ascending sector
//! order. Each sector write carries the sector's full image right after that write, as the
//! page cache would write the page back: the sector in the *shadow* (the durable media
//! with every unflushed change applied in order, zero-padded past end-of-file). The shadow
//! leaves out what a failed flush dropped, so a crash can never resurrect it. Truncates
//! stay whole units of their own. The surviving units are applied, in landing order, onto
//! the durable media:
//!
//! * [`CrashModel::LoseUnflushed`]: nothing survives.
//! * [`CrashModel::KeepRandomSubset`]: each sector write and each truncate survives with
//!   probability 1/2 (one draw each, in landing order).
//! * [`CrashModel::TornTail`]: with `n > 0` sector writes, `k` is uniform in `0..n`; sector
//!   writes `0..k` survive, sector write `k` is torn (its first `sector_bytes / 2` bytes
//!   are the new image, the rest keeps what the media held), the rest are lost. Truncates
//!   that landed before the torn sector write survive; later ones are lost. With no sector
//!   write at all (`n == 0`) nothing survives and nothing is drawn.
//!
//! A kept sector write extends the file to cover its image's data (never shrinks it), so a
//! file's length after a crash is whatever the surviving truncates and writes made it.
//! This file computes and applies the outcome; cancelling the in-flight operations and
//! resetting the page cache are the disk's job.

use crate::arena::Arena;
use crate::change::{Change, FileChange};
use crate::config::CrashModel;
use crate::media::{self, FileBytes};
use crate::op::{FileId, OpId};
use serde::Serialize;
use sim_core::SimRng;

/// What became of one unflushed unit at a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fate {
    /// Reached the media whole.
    Kept,
    /// Reached the media half-written (first half new, second half old).
    Torn,
    /// Never reached the media.
    Lost,
}

/// One unflushed unit: a sector written by one write, or a truncate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "unit", rename_all = "kebab-case")]
pub enum CrashUnit {
    SectorWrite { sector: u64 },
    Truncate { len_bytes: u64 },
}

/// The fate of one unflushed unit, with the operation it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct UnitFate {
    pub op: OpId,
    pub file: FileId,
    pub unit: CrashUnit,
    pub fate: Fate,
}

/// What a crash did to one disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CrashReport {
    /// Operations in flight at the crash; they never complete.
    pub ops_cancelled: u64,
    pub sector_writes_kept: u64,
    pub sector_writes_torn: u64,
    pub sector_writes_lost: u64,
    pub truncates_kept: u64,
    pub truncates_lost: u64,
    /// Every unflushed unit, in landing order, with its fate: for traces and timelines.
    pub fates: Vec<UnitFate>,
}

/// How the fates are decided for one crash.
enum Decider {
    LoseAll,
    Coin,
    /// KeepRandomSubset, chosen instead of drawn: unit `i` (sector writes and truncates in
    /// landing order) survives when bit `i` is set; units from the 64th on are lost.
    Mask(u64),
    /// TornTail: sector write `k` is torn; `None` when there is no sector write.
    TornAt(Option<u64>),
}

/// Which outcome a crash takes among those its model allows: drawn from the disk's fault
/// stream (every ordinary crash), or chosen (`explore` enumerating them). See
/// [`crash_outcomes`] for how many there are and how a choice numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashChoice {
    Drawn,
    /// Outcome number `n`, `0..crash_outcomes(..)`.
    Chosen(u64),
}

/// How many distinct outcomes a crash of `dirty` has under `model`, as [`CrashChoice`]
/// numbers them: lose-unflushed has one; keep-random-subset one per subset of its units
/// (sector writes and truncates; outcome `n` keeps unit `i` when bit `i` of `n` is set;
/// saturating at `u64::MAX`); torn-tail one per sector write that may be the torn one
/// (outcome `k` tears sector write `k`), or one when there is none.
pub(crate) fn crash_outcomes(model: CrashModel, sector_bytes: u32, dirty: &[FileChange]) -> u64 {
    match model {
        CrashModel::LoseUnflushed => 1,
        CrashModel::KeepRandomSubset => {
            let units: u64 = dirty
                .iter()
                .map(|c| match c.change {
                    Change::Truncate { .. } => 1,
                    _ => c.change.sectors(sector_bytes).count() as u64,
                })
                .sum();
            1u64.checked_shl(units.min(64) as u32).unwrap_or(u64::MAX)
        }
        CrashModel::TornTail => sector_writes(sector_bytes, dirty).max(1),
    }
}

fn sector_writes(sector_bytes: u32, dirty: &[FileChange]) -> u64 {
    dirty
        .iter()
        .map(|c| c.change.sectors(sector_bytes).count() as u64)
        .sum()
}

impl Decider {
    /// `unit` counts every unit (sector writes and truncates) before this one.
    fn sector_write(&self, index: u64, unit: u64, rng: &mut SimRng) -> Fate {
        match *self {
            Decider::LoseAll | Decider::TornAt(None) => Fate::Lost,
            Decider::Coin => coin(rng),
            Decider::Mask(m) => masked(m, unit),
            Decider::TornAt(Some(k)) if index < k => Fate::Kept,
            Decider::TornAt(Some(k)) if index == k => Fate::Torn,
            Decider::TornAt(Some(_)) => Fate::Lost,
        }
    }

    /// `sector_writes_before` counts the sector writes that landed before the truncate.
    fn truncate(&self, sector_writes_before: u64, unit: u64, rng: &mut SimRng) -> Fate {
        match *self {
            Decider::LoseAll | Decider::TornAt(None) => Fate::Lost,
            Decider::Coin => coin(rng),
            Decider::Mask(m) => masked(m, unit),
            Decider::TornAt(Some(k)) if sector_writes_before <= k => Fate::Kept,
            Decider::TornAt(Some(_)) => Fate::Lost,
        }
    }
}

fn masked(mask: u64, unit: u64) -> Fate {
    if unit < 64 && mask & (1 << unit) != 0 {
        Fate::Kept
    } else {
        Fate::Lost
    }
}

fn coin(rng: &mut SimRng) -> Fate {
    if rng.chance(0.5) {
        Fate::Kept
    } else {
        Fate::Lost
    }
}

/// Applies the surviving unflushed changes `dirty` (in landing order) onto `durable`,
/// using `shadow` as scratch (one buffer per file, contents overwritten).
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_crash(
    model: CrashModel,
    choice: CrashChoice,
    sector_bytes: u32,
    dirty: &[FileChange],
    arena: &Arena,
    durable: &mut [FileBytes],
    shadow: &mut [FileBytes],
    rng: &mut SimRng,
) -> CrashReport {
    let decider = match (model, choice) {
        (CrashModel::LoseUnflushed, _) => Decider::LoseAll,
        (CrashModel::KeepRandomSubset, CrashChoice::Drawn) => Decider::Coin,
        (CrashModel::KeepRandomSubset, CrashChoice::Chosen(mask)) => Decider::Mask(mask),
        (CrashModel::TornTail, choice) => {
            let n = sector_writes(sector_bytes, dirty);
            Decider::TornAt((n > 0).then(|| match choice {
                CrashChoice::Drawn => rng.below(n),
                CrashChoice::Chosen(k) => k.min(n - 1),
            }))
        }
    };
    let replay = !matches!(decider, Decider::LoseAll | Decider::TornAt(None));
    if replay {
        for (s, d) in shadow.iter_mut().zip(durable.iter()) {
            s.copy_from(d);
        }
    }
    let mut report = CrashReport::default();
    let mut sector_writes_seen = 0u64;
    let mut units_seen = 0u64;
    for fc in dirty {
        let f = usize::from(fc.file.0);
        if replay {
            fc.change.apply(&mut shadow[f], arena);
        }
        if let Change::Truncate { len_bytes } = fc.change {
            let fate = decider.truncate(sector_writes_seen, units_seen, rng);
            units_seen += 1;
            if fate == Fate::Kept {
                media::set_len(&mut durable[f], len_bytes);
            }
            report.record(fc, CrashUnit::Truncate { len_bytes }, fate);
            continue;
        }
        for sector in fc.change.sectors(sector_bytes) {
            let fate = decider.sector_write(sector_writes_seen, units_seen, rng);
            sector_writes_seen += 1;
            units_seen += 1;
            let image_bytes = match fate {
                Fate::Kept => sector_bytes,
                Fate::Torn => sector_bytes / 2,
                Fate::Lost => 0,
            };
            if image_bytes > 0 {
                media::copy_sector_image(
                    &mut durable[f],
                    &shadow[f],
                    sector,
                    sector_bytes,
                    image_bytes,
                );
            }
            report.record(fc, CrashUnit::SectorWrite { sector }, fate);
        }
    }
    report
}

impl CrashReport {
    fn record(&mut self, fc: &FileChange, unit: CrashUnit, fate: Fate) {
        let counter = match (unit, fate) {
            (CrashUnit::SectorWrite { .. }, Fate::Kept) => &mut self.sector_writes_kept,
            (CrashUnit::SectorWrite { .. }, Fate::Torn) => &mut self.sector_writes_torn,
            (CrashUnit::SectorWrite { .. }, Fate::Lost) => &mut self.sector_writes_lost,
            (CrashUnit::Truncate { .. }, Fate::Kept) => &mut self.truncates_kept,
            (CrashUnit::Truncate { .. }, Fate::Lost) => &mut self.truncates_lost,
            (CrashUnit::Truncate { .. }, Fate::Torn) => unreachable!("a truncate cannot tear"),
        };
        *counter += 1;
        self.fates.push(UnitFate {
            op: fc.op,
            file: fc.file,
            unit,
            fate,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::RngStreams;

    fn write(arena: &mut Arena, op: u64, offset_bytes: u64, data: &[u8]) -> FileChange {
        let payload = arena.alloc(data);
        FileChange {
            op: OpId(op),
            file: FileId(0),
            change: Change::Write {
                offset_bytes,
                payload,
            },
        }
    }

    fn run(model: CrashModel, seed: u64) -> (Vec<u8>, CrashReport) {
        run_choosing(model, CrashChoice::Drawn, seed)
    }

    fn run_choosing(model: CrashModel, choice: CrashChoice, seed: u64) -> (Vec<u8>, CrashReport) {
        let mut arena = Arena::default();
        // Durable: 8 bytes of 1s. Unflushed: 8 bytes of 2s over both sectors, then a
        // 2-byte write of 3s into sector 1.
        let dirty = [
            write(&mut arena, 0, 0, &[2; 8]),
            write(&mut arena, 1, 4, &[3; 2]),
        ];
        let mut durable = vec![FileBytes::from_vec(vec![1u8; 8])];
        let mut shadow = vec![FileBytes::default()];
        let mut rng = RngStreams::new(seed).stream("crash");
        let r = apply_crash(
            model,
            choice,
            4,
            &dirty,
            &arena,
            &mut durable,
            &mut shadow,
            &mut rng,
        );
        (durable.remove(0).to_vec(), r)
    }

    /// Chosen outcomes: keep-random-subset has one per subset of its three sector writes,
    /// numbered by bit; torn-tail one per sector write; every one of them is reachable, and
    /// the chosen one is the one that happens.
    #[test]
    fn every_outcome_can_be_chosen_and_is_numbered_as_documented() {
        let mut arena = Arena::default();
        let dirty = [
            write(&mut arena, 0, 0, &[2; 8]),
            write(&mut arena, 1, 4, &[3; 2]),
        ];
        assert_eq!(crash_outcomes(CrashModel::KeepRandomSubset, 4, &dirty), 8);
        assert_eq!(crash_outcomes(CrashModel::TornTail, 4, &dirty), 3);
        assert_eq!(crash_outcomes(CrashModel::LoseUnflushed, 4, &dirty), 1);
        let mut seen = std::collections::BTreeSet::new();
        for mask in 0..8u64 {
            let (d, r) = run_choosing(CrashModel::KeepRandomSubset, CrashChoice::Chosen(mask), 0);
            let kept: Vec<bool> = r.fates.iter().map(|f| f.fate == Fate::Kept).collect();
            assert_eq!(kept, [mask & 1 != 0, mask & 2 != 0, mask & 4 != 0]);
            seen.insert(d);
        }
        assert!(seen.len() > 4, "the subsets give different media: {seen:?}");
        for k in 0..3u64 {
            let (_, r) = run_choosing(CrashModel::TornTail, CrashChoice::Chosen(k), 0);
            assert_eq!((r.sector_writes_kept, r.sector_writes_torn), (k, 1));
        }
    }

    #[test]
    fn lose_unflushed_keeps_the_durable_state() {
        let (d, r) = run(CrashModel::LoseUnflushed, 1);
        assert_eq!(d, vec![1; 8]);
        assert_eq!((r.sector_writes_lost, r.fates.len()), (3, 3));
    }

    #[test]
    fn torn_tail_keeps_a_prefix_and_tears_one_sector() {
        for seed in 0..20 {
            let (d, r) = run(CrashModel::TornTail, seed);
            assert_eq!(r.sector_writes_torn, 1);
            let expected = match r.sector_writes_kept {
                0 => vec![2, 2, 1, 1, 1, 1, 1, 1],
                1 => vec![2, 2, 2, 2, 2, 2, 1, 1],
                2 => vec![2, 2, 2, 2, 3, 3, 2, 2], // torn over the kept 2s
                k => panic!("kept {k} of 3"),
            };
            assert_eq!(d, expected, "seed {seed}");
        }
    }

    #[test]
    fn a_sector_image_includes_earlier_unflushed_bytes() {
        // Sector write 2 (op 1, sector 1) carries the image 3 3 2 2: if it survives alone,
        // the 2s of op 0 in that sector come with it.
        let mut seen_alone = false;
        for seed in 0..64 {
            let (d, r) = run(CrashModel::KeepRandomSubset, seed);
            let fates: Vec<Fate> = r.fates.iter().map(|f| f.fate).collect();
            if fates == [Fate::Lost, Fate::Lost, Fate::Kept] {
                assert_eq!(d, vec![1, 1, 1, 1, 3, 3, 2, 2]);
                seen_alone = true;
            }
        }
        assert!(seen_alone);
    }
}
