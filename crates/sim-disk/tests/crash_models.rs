//! Property tests of what survives a crash, per crash model, against a reference model.
//!
//! A random sequence of writes (random offsets and lengths, across sector boundaries,
//! overlapping), truncates, flushes (some failing), clock advances and crashes drives a
//! real [`Disk`] and, in parallel, a deliberately naive model that watches the disk's
//! completions. After every step the page cache and the media must match the model. At
//! every crash the surviving content must be exactly what the model allows given the fates
//! the disk reports, and the fates must be ones the crash model may choose. Every write
//! fills its bytes with its own tag (1, 2, 3, ...), so data that a failed flush dropped can
//! be recognised anywhere.

use proptest::prelude::*;
use sim_core::{Dist, RngStreams, SimTime};
use sim_disk::{
    Completion, CrashModel, CrashReport, CrashUnit, Disk, DiskConfig, Fate, FileId, OpId, OpKind,
};
use std::collections::{BTreeMap, BTreeSet};

const SECTOR_BYTES: u32 = 16;
const FILES: usize = 2;

#[derive(Clone, Debug)]
enum Action {
    Write {
        file: u8,
        offset_bytes: u64,
        len_bytes: usize,
    },
    Truncate {
        file: u8,
        len_bytes: u64,
    },
    Flush {
        file: u8,
    },
    Advance {
        dt_ns: u64,
    },
    Crash,
}

fn actions(truncates: bool) -> BoxedStrategy<Vec<Action>> {
    let file = || 0..FILES as u8;
    let write =
        (file(), 0..160u64, 0..48usize).prop_map(|(file, offset_bytes, len_bytes)| Action::Write {
            file,
            offset_bytes,
            len_bytes,
        });
    let truncate =
        (file(), 0..170u64).prop_map(|(file, len_bytes)| Action::Truncate { file, len_bytes });
    let flush = file().prop_map(|file| Action::Flush { file });
    let advance = (0..40u64).prop_map(|dt_ns| Action::Advance { dt_ns });
    let action = if truncates {
        prop_oneof![6 => write, 1 => truncate, 3 => flush, 4 => advance, 1 => Just(Action::Crash)]
            .boxed()
    } else {
        prop_oneof![6 => write, 3 => flush, 4 => advance, 1 => Just(Action::Crash)].boxed()
    };
    prop::collection::vec(action, 1..100).boxed()
}

/// A change as the model keeps it: the bytes themselves, not a span.
#[derive(Clone, Debug)]
enum Change {
    Write { offset_bytes: u64, data: Vec<u8> },
    Truncate { len_bytes: u64 },
}

impl Change {
    fn apply(&self, file: &mut Vec<u8>) {
        match self {
            Change::Write { offset_bytes, data } if !data.is_empty() => {
                let start = *offset_bytes as usize;
                if file.len() < start + data.len() {
                    file.resize(start + data.len(), 0);
                }
                file[start..start + data.len()].copy_from_slice(data);
            }
            Change::Write { .. } => {}
            Change::Truncate { len_bytes } => file.resize(*len_bytes as usize, 0),
        }
    }

    fn sectors(&self) -> Vec<u64> {
        match self {
            Change::Write { offset_bytes, data } if !data.is_empty() => {
                let sb = u64::from(SECTOR_BYTES);
                (offset_bytes / sb..=(offset_bytes + data.len() as u64 - 1) / sb).collect()
            }
            _ => Vec::new(),
        }
    }
}

enum Pending {
    Change(u8, Change),
    Flush(u8),
}

/// The naive model of one disk, driven by the disk's own completions.
#[derive(Default)]
struct Model {
    durable: [Vec<u8>; FILES],
    cached: [Vec<u8>; FILES],
    pending: BTreeMap<OpId, Pending>,
    /// Landed, unflushed, not dropped, in landing order.
    dirty: Vec<(OpId, u8, Change)>,
    dropped_tags: BTreeSet<u8>,
    cancelled: BTreeSet<OpId>,
}

impl Model {
    fn complete(&mut self, c: &Completion) {
        assert!(
            !self.cancelled.contains(&c.op),
            "{:?} completed after a crash cancelled it",
            c.op
        );
        let pending = self
            .pending
            .remove(&c.op)
            .expect("completion of an op never submitted");
        match pending {
            Pending::Change(f, change) => {
                assert_eq!((c.file, c.ok), (FileId(f), true));
                assert_ne!(c.kind, OpKind::Flush);
                let earlier_change = self
                    .pending
                    .iter()
                    .any(|(op, p)| *op < c.op && matches!(p, Pending::Change(..)));
                assert!(!earlier_change, "changes land in submission order");
                change.apply(&mut self.cached[usize::from(f)]);
                self.dirty.push((c.op, f, change));
            }
            Pending::Flush(f) => {
                assert_eq!((c.file, c.kind), (FileId(f), OpKind::Flush));
                let earlier_change = self
                    .pending
                    .iter()
                    .any(|(op, p)| *op < c.op && matches!(p, Pending::Change(..)));
                assert!(
                    !earlier_change,
                    "a flush completed before an earlier write landed"
                );
                self.settle_flush(c.op, f, c.ok);
            }
        }
    }

    fn settle_flush(&mut self, flush: OpId, f: u8, ok: bool) {
        let (covered, rest): (Vec<_>, Vec<_>) = self
            .dirty
            .drain(..)
            .partition(|(op, file, _)| *file == f && *op < flush);
        self.dirty = rest;
        for (_, _, change) in covered {
            if ok {
                change.apply(&mut self.durable[usize::from(f)]);
            } else if let Change::Write { data, .. } = change {
                self.dropped_tags.extend(data.first());
            }
        }
    }
}

/// The sector image after a change, from the shadow: `SECTOR_BYTES` long, zero-padded.
fn image(shadow: &[u8], sector: u64) -> Vec<u8> {
    let start = (sector * u64::from(SECTOR_BYTES)) as usize;
    let mut img = vec![0; SECTOR_BYTES as usize];
    let end = shadow.len().min(start + SECTOR_BYTES as usize);
    if end > start {
        img[..end - start].copy_from_slice(&shadow[start..end]);
    }
    img
}

/// Writes the first `image_bytes` of `img` over `sector` of `target`, growing the file only
/// to cover the image's data (whose end is `data_end`).
fn put_image(target: &mut Vec<u8>, img: &[u8], sector: u64, data_end: usize, image_bytes: usize) {
    let start = (sector * u64::from(SECTOR_BYTES)) as usize;
    let grow_to = data_end.min(start + image_bytes);
    if target.len() < grow_to {
        target.resize(grow_to, 0);
    }
    let end = target.len().min(start + image_bytes);
    target[start..end].copy_from_slice(&img[..end - start]);
}

/// What the media must hold after a crash with these fates, per file.
fn expected_after_crash(model: &Model, report: &CrashReport) -> [Vec<u8>; FILES] {
    let mut shadow = model.durable.clone();
    let mut result = model.durable.clone();
    let mut fates = report.fates.iter();
    for (op, f, change) in &model.dirty {
        let fi = usize::from(*f);
        change.apply(&mut shadow[fi]);
        if let Change::Truncate { len_bytes } = change {
            let fate = fates.next().expect("a truncate without a fate");
            assert_eq!(
                (fate.op, fate.file, fate.unit),
                (
                    *op,
                    FileId(*f),
                    CrashUnit::Truncate {
                        len_bytes: *len_bytes
                    }
                )
            );
            if fate.fate == Fate::Kept {
                change.apply(&mut result[fi]);
            }
            continue;
        }
        for sector in change.sectors() {
            let fate = fates.next().expect("a sector write without a fate");
            assert_eq!(
                (fate.op, fate.file, fate.unit),
                (*op, FileId(*f), CrashUnit::SectorWrite { sector })
            );
            let img = image(&shadow[fi], sector);
            let image_bytes = match fate.fate {
                Fate::Kept => SECTOR_BYTES as usize,
                Fate::Torn => SECTOR_BYTES as usize / 2,
                Fate::Lost => continue,
            };
            put_image(&mut result[fi], &img, sector, shadow[fi].len(), image_bytes);
        }
    }
    assert!(
        fates.next().is_none(),
        "fates for units that were never unflushed"
    );
    result
}

/// The fates must be ones the model may choose.
fn check_fates_allowed(model: CrashModel, report: &CrashReport) {
    let sector_fates: Vec<Fate> = report
        .fates
        .iter()
        .filter(|f| matches!(f.unit, CrashUnit::SectorWrite { .. }))
        .map(|f| f.fate)
        .collect();
    let n = sector_fates.len() as u64;
    assert_eq!(
        n,
        report.sector_writes_kept + report.sector_writes_torn + report.sector_writes_lost
    );
    match model {
        CrashModel::LoseUnflushed => {
            assert!(
                report.fates.iter().all(|f| f.fate == Fate::Lost),
                "LoseUnflushed kept something"
            );
        }
        CrashModel::KeepRandomSubset => {
            assert!(
                report.fates.iter().all(|f| f.fate != Fate::Torn),
                "KeepRandomSubset tore a sector"
            );
        }
        CrashModel::TornTail => {
            let k = report.sector_writes_kept;
            assert_eq!(
                report.sector_writes_torn,
                u64::from(n > 0),
                "TornTail tears exactly one sector"
            );
            for (i, fate) in sector_fates.iter().enumerate() {
                let want = match (i as u64).cmp(&k) {
                    std::cmp::Ordering::Less => Fate::Kept,
                    std::cmp::Ordering::Equal => Fate::Torn,
                    std::cmp::Ordering::Greater => Fate::Lost,
                };
                assert_eq!(
                    *fate, want,
                    "TornTail keeps a prefix: sector write {i} of {n}, k = {k}"
                );
            }
            let mut seen = 0u64;
            for f in &report.fates {
                match f.unit {
                    CrashUnit::SectorWrite { .. } => seen += 1,
                    CrashUnit::Truncate { .. } => {
                        let want = if n > 0 && seen <= k {
                            Fate::Kept
                        } else {
                            Fate::Lost
                        };
                        assert_eq!(
                            f.fate, want,
                            "TornTail keeps the truncates before the torn sector"
                        );
                    }
                }
            }
        }
    }
}

/// KeepRandomSubset, no unflushed truncate: each sector reads as its durable image or as
/// one of its unflushed images (each zero-padded past end-of-file).
fn check_sectors_are_old_or_new_images(model: &Model, after: &[Vec<u8>; FILES]) {
    let mut candidates: BTreeMap<(usize, u64), Vec<Vec<u8>>> = BTreeMap::new();
    let mut shadow = model.durable.clone();
    for (_, f, change) in &model.dirty {
        let fi = usize::from(*f);
        change.apply(&mut shadow[fi]);
        for sector in change.sectors() {
            candidates
                .entry((fi, sector))
                .or_default()
                .push(image(&shadow[fi], sector));
        }
    }
    for (fi, content) in after.iter().enumerate() {
        for (sector, visible) in content.chunks(SECTOR_BYTES as usize).enumerate() {
            let sector = sector as u64;
            let old = image(&model.durable[fi], sector);
            let ok = std::iter::once(&old)
                .chain(candidates.get(&(fi, sector)).into_iter().flatten())
                .any(|img| img[..visible.len()] == *visible);
            assert!(
                ok,
                "file {fi} sector {sector} reads {visible:?}: neither its old nor a new image"
            );
        }
    }
}

fn check_no_dropped_data(model: &Model, disk: &Disk) {
    for f in 0..FILES {
        let durable = disk.durable(FileId(f as u8));
        for tag in &model.dropped_tags {
            assert!(
                !durable.contains(tag),
                "data of tag {tag}, dropped by a failed flush, is on the media"
            );
        }
    }
}

fn crash(disk: &mut Disk, model: &mut Model, crash_model: CrashModel, truncates: bool) {
    let pre_crash_durable = model.durable.clone();
    let report = disk.crash();
    check_fates_allowed(crash_model, &report);
    let expected = expected_after_crash(model, &report);
    match crash_model {
        CrashModel::LoseUnflushed => assert_eq!(expected, pre_crash_durable),
        CrashModel::KeepRandomSubset if !truncates => {
            check_sectors_are_old_or_new_images(model, &expected)
        }
        _ => {}
    }
    for f in 0..FILES {
        if !model
            .dirty
            .iter()
            .any(|(_, file, _)| usize::from(*file) == f)
        {
            assert_eq!(
                expected[f], pre_crash_durable[f],
                "a file with nothing unflushed changed"
            );
        }
        assert_eq!(
            disk.durable(FileId(f as u8)),
            &expected[f][..],
            "media after crash, file {f}"
        );
        assert_eq!(
            disk.cached(FileId(f as u8)),
            &expected[f][..],
            "page cache after crash, file {f}"
        );
    }
    assert_eq!(report.ops_cancelled, model.pending.len() as u64);
    model.cancelled.extend(model.pending.keys());
    model.pending.clear();
    model.dirty.clear();
    model.durable = expected.clone();
    model.cached = expected;
    check_no_dropped_data(model, disk);
}

fn run(
    crash_model: CrashModel,
    fsync_error_rate: f64,
    seed: u64,
    script: &[Action],
    truncates: bool,
) {
    let config = DiskConfig {
        write_latency: Dist::Uniform {
            min_ns: 1.0,
            max_ns: 20.0,
        },
        flush_latency: Dist::Uniform {
            min_ns: 5.0,
            max_ns: 60.0,
        },
        crash_model,
        sector_bytes: SECTOR_BYTES,
        fsync_error_rate,
        corruption_rate: 0.0,
        flush_order: sim_disk::FlushOrder::Submission,
        side_files_flush_latency: None,
    };
    let streams = RngStreams::new(seed);
    let mut disk = Disk::new(
        config,
        FILES,
        streams.stream("lat"),
        streams.stream("fault"),
    );
    let mut model = Model::default();
    let (mut now, mut tag, mut out) = (SimTime::ZERO, 0u8, Vec::new());
    for action in script.iter().chain([&Action::Crash]) {
        match *action {
            Action::Write {
                file,
                offset_bytes,
                len_bytes,
            } => {
                tag += 1;
                let data = vec![tag; len_bytes];
                let op = disk.write(now, FileId(file), offset_bytes, &data);
                model.pending.insert(
                    op,
                    Pending::Change(file, Change::Write { offset_bytes, data }),
                );
            }
            Action::Truncate { file, len_bytes } => {
                let op = disk.truncate(now, FileId(file), len_bytes);
                model
                    .pending
                    .insert(op, Pending::Change(file, Change::Truncate { len_bytes }));
            }
            Action::Flush { file } => {
                let op = disk.flush(now, FileId(file));
                model.pending.insert(op, Pending::Flush(file));
            }
            Action::Advance { dt_ns } => {
                now = SimTime::from_ns(now.as_ns() + dt_ns);
                out.clear();
                disk.advance(now, &mut out);
                out.iter().for_each(|c| model.complete(c));
            }
            Action::Crash => crash(&mut disk, &mut model, crash_model, truncates),
        }
        for f in 0..FILES {
            assert_eq!(
                disk.cached(FileId(f as u8)),
                &model.cached[f][..],
                "page cache, file {f}"
            );
            assert_eq!(
                disk.durable(FileId(f as u8)),
                &model.durable[f][..],
                "media, file {f}"
            );
        }
        assert_eq!(disk.in_flight(), model.pending.len());
        check_no_dropped_data(&model, &disk);
    }
}

fn any_model() -> impl Strategy<Value = CrashModel> {
    prop_oneof![
        Just(CrashModel::LoseUnflushed),
        Just(CrashModel::KeepRandomSubset),
        Just(CrashModel::TornTail),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn lose_unflushed_leaves_exactly_the_last_flushed_state(seed: u64, script in actions(true)) {
        run(CrashModel::LoseUnflushed, 0.2, seed, &script, true);
    }

    #[test]
    fn torn_tail_leaves_a_prefix_and_at_most_one_torn_sector(seed: u64, script in actions(true)) {
        run(CrashModel::TornTail, 0.2, seed, &script, true);
    }

    #[test]
    fn keep_random_subset_leaves_each_sector_old_or_one_of_its_new_images(
        seed: u64,
        script in actions(false),
    ) {
        run(CrashModel::KeepRandomSubset, 0.2, seed, &script, false);
    }

    #[test]
    fn keep_random_subset_with_truncates_applies_exactly_the_survivors(seed: u64, script in actions(true)) {
        run(CrashModel::KeepRandomSubset, 0.2, seed, &script, true);
    }

    #[test]
    fn data_covered_only_by_a_failed_flush_never_survives(
        model in any_model(),
        seed: u64,
        script in actions(true),
    ) {
        run(model, 0.6, seed, &script, true);
    }
}
