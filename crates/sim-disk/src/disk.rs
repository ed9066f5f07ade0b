//! [`Disk`]: one node's virtual disk, several files each with a volatile page cache over
//! durable media, driven by the caller's clock.
//!
//! The caller submits writes, truncates and flushes, asks [`Disk::next_wakeup`] when to
//! come back, and calls [`Disk::advance`] at that instant to collect [`Completion`]s.
//! Timing lives in [`crate::lanes`], byte edits in [`crate::media`], power loss in
//! [`crate::crash`]; this file ties them together and owns the dirty set (landed changes
//! not yet durable, in landing order). It does not know what the bytes mean: the Raft log
//! store on top decides what a record and a checksum are.

use crate::arena::{Arena, Span};
use crate::change::{Change, FileChange};
use crate::config::DiskConfig;
use crate::corruption;
use crate::crash::{self, CrashChoice, CrashReport};
use crate::lanes::{Due, Lanes};
use crate::media::{FILE_BYTES_MAX, FileBytes};
use crate::op::{Completion, FileId, OpId, OpKind};
use crate::stats::DiskStats;
use sim_core::{Sampler, SimRng, SimTime};

/// The most files one disk may hold ([`FileId`] is a `u8`).
pub const FILES_MAX: usize = 256;

/// Files up to this size have their page cache compared byte for byte with the media
/// (debug builds) whenever the two must agree.
const SELF_CHECK_BYTES_MAX: usize = 64 * 1024;

/// One node's disk. See the crate documentation for the semantics.
#[derive(Debug)]
pub struct Disk {
    config: DiskConfig,
    /// The config's latencies, ready to draw from.
    latency: Latencies,
    latency_rng: SimRng,
    fault_rng: SimRng,
    /// The durable media, per file: what survives a crash right now.
    durable: Vec<FileBytes>,
    /// The page cache, per file: durable media plus every landed change.
    cached: Vec<FileBytes>,
    /// Scratch for the crash models, per file.
    shadow: Vec<FileBytes>,
    /// Whether a failed flush dropped changes of the file since the last crash (the page
    /// cache then legitimately differs from the media with nothing dirty).
    dropped_since_crash: Vec<bool>,
    lanes: Lanes,
    /// Landed, not durable, not dropped: in landing order (which is submission order).
    dirty: Vec<FileChange>,
    arena: Arena,
    next_op: u64,
    stalled: bool,
    /// The latest instant the caller has shown us; time never goes back.
    clock_floor: SimTime,
    stats: DiskStats,
}

/// The disk config's latency distributions, ready to draw from.
#[derive(Clone, Copy, Debug)]
struct Latencies {
    write: Sampler,
    flush: Sampler,
    side_files_flush: Option<Sampler>,
}

/// What a recovery read returned ([`Disk::recovery_read_from`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecoveryRead {
    /// Every sector read as the media hold it.
    Clean,
    /// Some sectors read corrupt: the bytes read, and the corrupt sectors' numbers (the
    /// file's), ascending.
    Corrupt { bytes: Vec<u8>, sectors: Vec<u64> },
}

impl Disk {
    /// A disk with `files` empty files. Panics on an invalid config (the scenario layer
    /// validates first) or a file count outside `1..=FILES_MAX`.
    pub fn new(config: DiskConfig, files: usize, latency_rng: SimRng, fault_rng: SimRng) -> Disk {
        if let Err(e) = config.validate() {
            panic!("invalid disk config reached Disk::new: {e}");
        }
        assert!(
            (1..=FILES_MAX).contains(&files),
            "a disk holds 1..={FILES_MAX} files, not {files}"
        );
        Disk {
            latency: Latencies {
                write: config.write_latency.sampler(),
                flush: config.flush_latency.sampler(),
                side_files_flush: config.side_files_flush_latency.map(|d| d.sampler()),
            },
            config,
            latency_rng,
            fault_rng,
            durable: vec![FileBytes::default(); files],
            cached: vec![FileBytes::default(); files],
            shadow: vec![FileBytes::default(); files],
            dropped_since_crash: vec![false; files],
            lanes: Lanes::new(config.flush_order, files),
            dirty: Vec::new(),
            arena: Arena::default(),
            next_op: 0,
            stalled: false,
            clock_floor: SimTime::ZERO,
            stats: DiskStats::default(),
        }
    }

    /// Submits a write of `data` at `offset_bytes`. It lands in the page cache after one
    /// `write_latency` sample, behind every earlier write and truncate; a write past the
    /// end extends the file with zeros. An empty write changes nothing but still completes.
    pub fn write(&mut self, now: SimTime, file: FileId, offset_bytes: u64, data: &[u8]) -> OpId {
        self.observe(now);
        self.check_file(file);
        let end_bytes = offset_bytes.checked_add(data.len() as u64);
        assert!(
            end_bytes.is_some_and(|e| e <= FILE_BYTES_MAX),
            "write to {file} at {offset_bytes} bytes of {} bytes passes FILE_BYTES_MAX",
            data.len()
        );
        let payload = self.alloc_payload(data);
        self.stats.writes_submitted += 1;
        self.stats.bytes_written += data.len() as u64;
        self.submit_change(
            now,
            file,
            Change::Write {
                offset_bytes,
                payload,
            },
        )
    }

    /// Submits a truncate (or extension with zeros) of the file to `len_bytes`. It is a
    /// change like a write: it lands in the page cache and is durable only once flushed.
    pub fn truncate(&mut self, now: SimTime, file: FileId, len_bytes: u64) -> OpId {
        self.observe(now);
        self.check_file(file);
        assert!(
            len_bytes <= FILE_BYTES_MAX,
            "truncate of {file} to {len_bytes} bytes passes FILE_BYTES_MAX"
        );
        self.stats.truncates_submitted += 1;
        self.submit_change(now, file, Change::Truncate { len_bytes })
    }

    /// Submits a flush (fsync) of `file`. It starts once its flush lane is free and every
    /// write and truncate submitted before it has landed — to any file, or under
    /// [`crate::FlushOrder::PerFile`] to `file` only (whose flushes then have a lane of
    /// their own) — and takes one `flush_latency` sample. On success the landed changes of `file` submitted before it
    /// become durable; on an fsync error (`ok == false`) they are dropped for good.
    pub fn flush(&mut self, now: SimTime, file: FileId) -> OpId {
        self.observe(now);
        self.check_file(file);
        let op = self.take_op_id();
        let sampler = match &self.latency.side_files_flush {
            Some(side) if file.0 != 0 => side,
            _ => &self.latency.flush,
        };
        let latency = sampler.sample(&mut self.latency_rng);
        self.lanes.submit_flush(now, op, file, latency);
        self.stats.flushes_submitted += 1;
        op
    }

    /// The earliest instant at which [`Disk::advance`] would complete something: never
    /// before the latest instant the caller has passed in. `None` when idle or stalled.
    pub fn next_wakeup(&self) -> Option<SimTime> {
        if self.stalled {
            return None;
        }
        self.lanes.next_due().map(|due| due.max(self.clock_floor))
    }

    /// Completes every operation due at or before `now`, earliest first (ties in
    /// submission order), appending to `out`. Nothing completes while stalled.
    pub fn advance(&mut self, now: SimTime, out: &mut Vec<Completion>) {
        self.observe(now);
        if self.stalled {
            return;
        }
        while let Some(due) = self.lanes.pop_due(now) {
            let completion = match due {
                Due::Change(fc) => self.land(fc),
                Due::Flush { op, file } => self.complete_flush(op, file),
            };
            self.stats.ops_completed += 1;
            out.push(completion);
        }
    }

    /// The device stops completing anything (operations keep their instants).
    pub fn stall(&mut self, now: SimTime) {
        self.observe(now);
        if !self.stalled {
            self.stats.stalls += 1;
        }
        self.stalled = true;
    }

    /// The device works again: operations whose instant passed during the stall complete
    /// at `now` (at the next `advance`), in their original order; later ones keep their
    /// instants.
    pub fn resume(&mut self, now: SimTime) {
        self.observe(now);
        self.stalled = false;
    }

    pub fn is_stalled(&self) -> bool {
        self.stalled
    }

    /// The machine loses power: operations in flight are cancelled (they never complete),
    /// the unflushed changes survive per the crash model, and the page cache is reset to
    /// the durable media. A stall belongs to the device and survives.
    pub fn crash(&mut self) -> CrashReport {
        self.crash_choosing(CrashChoice::Drawn)
    }

    /// The process using the disk dies and the machine does not: operations in flight are
    /// cancelled (a write whose call had not returned never lands, a flush in progress
    /// makes nothing durable), and everything that landed stays in the page cache, still
    /// not durable: a later flush of its file makes it durable, a power loss decides its
    /// fate under the crash model. No fault draw. Returns how many operations it cancelled.
    pub fn process_crash(&mut self) -> u64 {
        let cancelled = self.cancel_in_flight();
        self.stats.process_crashes += 1;
        self.stats.ops_cancelled += cancelled;
        cancelled
    }

    /// Makes every landed change durable at once, in landing order: the fsync a process
    /// recovering after a process crash runs on each file before it trusts what it reads
    /// (its latency is not modelled). Changes a failed flush dropped stay dropped. Nothing
    /// may be in flight. Returns how many changes became durable.
    pub fn sync_all(&mut self) -> u64 {
        assert_eq!(self.lanes.len(), 0, "sync_all with operations in flight");
        let synced = self.dirty.len() as u64;
        for c in self.dirty.drain(..) {
            c.change
                .apply(&mut self.durable[usize::from(c.file.0)], &self.arena);
        }
        self.arena.clear();
        self.stats.changes_made_durable += synced;
        for f in 0..self.durable.len() {
            self.check_cache_matches_media(FileId(f as u8));
        }
        synced
    }

    /// How many distinct outcomes a crash right now would have under the disk's crash
    /// model ([`CrashChoice::Chosen`] numbers them `0..`): what `explore` enumerates.
    pub fn crash_outcomes(&self) -> u64 {
        crash::crash_outcomes(
            self.config.crash_model,
            self.config.sector_bytes,
            &self.dirty,
        )
    }

    /// A crash whose outcome is drawn from the fault stream, or chosen (no draw).
    pub fn crash_choosing(&mut self, choice: CrashChoice) -> CrashReport {
        let cancelled = self.cancel_in_flight();
        let mut report = crash::apply_crash(
            self.config.crash_model,
            choice,
            self.config.sector_bytes,
            &self.dirty,
            &self.arena,
            &mut self.durable,
            &mut self.shadow,
            &mut self.fault_rng,
        );
        report.ops_cancelled = cancelled;
        self.dirty.clear();
        self.arena.clear();
        for (cached, durable) in self.cached.iter_mut().zip(&mut self.durable) {
            cached.reset_to(durable);
        }
        self.dropped_since_crash.fill(false);
        self.count_crash(&report);
        report
    }

    /// The durable media of `file`: what would survive a crash right now if nothing
    /// unflushed did. The file must not be punched ([`Disk::durable_from`] reads past it).
    pub fn durable(&self, file: FileId) -> &[u8] {
        self.durable_from(file, 0)
    }

    /// The durable media of `file` from byte `offset_bytes` to its end (empty past it).
    /// Reading into a punched prefix is a bug of the caller ([`Disk::punch`]).
    pub fn durable_from(&self, file: FileId, offset_bytes: u64) -> &[u8] {
        self.check_file(file);
        self.durable[usize::from(file.0)].from(offset_bytes)
    }

    /// The lowest byte offset of `file`'s durable media that may have changed since the
    /// last call (0 at the first): a crash's torn sectors, a flush, a truncate, a punch.
    /// Below it the media read as they did then, so a reader that kept what it decoded
    /// decodes from here only. One reader per file: each call starts a new interval.
    pub fn take_durable_changed_from(&mut self, file: FileId) -> u64 {
        self.check_file(file);
        self.durable[usize::from(file.0)].take_changed_from()
    }

    /// The length of `file` on the durable media, a punched prefix included.
    pub fn durable_len_bytes(&self, file: FileId) -> u64 {
        self.check_file(file);
        self.durable[usize::from(file.0)].len_bytes()
    }

    /// What a read of `file` sees now: the page cache over the durable media. It includes
    /// changes a failed flush dropped, until the next crash. The file must not be punched.
    pub fn cached(&self, file: FileId) -> &[u8] {
        self.check_file(file);
        self.cached[usize::from(file.0)].from(0)
    }

    /// Reads `file`'s durable media into `out` as a recovering node would, each sector
    /// reading corrupt with probability `corruption_rate`. Returns the corrupt sector
    /// numbers; the media itself is unchanged. The file must not be punched.
    pub fn read_for_recovery(&mut self, file: FileId, out: &mut Vec<u8>) -> Vec<u64> {
        self.read_for_recovery_from(file, 0, out)
    }

    /// [`Disk::read_for_recovery`] of the bytes from `offset_bytes` on: `out` holds them,
    /// the corruption draws are made for the sectors they touch only, and the corrupt
    /// sector numbers are the file's. A log store reads only its live segments.
    pub fn read_for_recovery_from(
        &mut self,
        file: FileId,
        offset_bytes: u64,
        out: &mut Vec<u8>,
    ) -> Vec<u64> {
        match self.recovery_read_from(file, offset_bytes) {
            RecoveryRead::Clean => {
                out.clear();
                out.extend_from_slice(self.durable_from(file, offset_bytes));
                Vec::new()
            }
            RecoveryRead::Corrupt { bytes, sectors } => {
                *out = bytes;
                sectors
            }
        }
    }

    /// [`Disk::read_for_recovery_from`] with the same draws, but without copying a read
    /// that comes back as the media are: [`RecoveryRead::Clean`] when no sector read
    /// corrupt (the bytes read are [`Disk::durable_from`]'s), else the bytes read. A
    /// restart reads its whole log this way, and most reads are clean.
    pub fn recovery_read_from(&mut self, file: FileId, offset_bytes: u64) -> RecoveryRead {
        self.check_file(file);
        let durable = self.durable[usize::from(file.0)].from(offset_bytes);
        let flips = corruption::draw_flips(
            durable.len(),
            offset_bytes,
            self.config.sector_bytes,
            self.config.corruption_rate,
            &mut self.fault_rng,
        );
        self.stats.recovery_reads += 1;
        self.stats.sectors_read_corrupt += flips.len() as u64;
        if flips.is_empty() {
            return RecoveryRead::Clean;
        }
        let mut bytes = durable.to_vec();
        let sectors = corruption::apply_flips(&mut bytes, &flips);
        RecoveryRead::Corrupt { bytes, sectors }
    }

    /// Drops `file`'s bytes below `upto_bytes` from the page cache and the media: they
    /// read as zeros from now on and hold no memory. What a log store does when it
    /// unlinks the segments a durable compaction left behind, so a long run's log costs
    /// memory for its live tail only. Not an I/O: no latency, no trace, nothing to crash;
    /// the caller must never read there again. A change still unflushed below it lands as
    /// it would on the whole file.
    pub fn punch(&mut self, file: FileId, upto_bytes: u64) {
        self.check_file(file);
        let f = usize::from(file.0);
        self.durable[f].punch(upto_bytes);
        self.cached[f].punch(upto_bytes);
    }

    pub fn stats(&self) -> DiskStats {
        self.stats
    }

    /// Operations submitted and not yet completed (nor cancelled by a crash).
    pub fn in_flight(&self) -> usize {
        self.lanes.len()
    }

    /// Landed writes and truncates not yet durable (and not dropped).
    pub fn unflushed_changes(&self) -> usize {
        self.dirty.len()
    }

    /// Turns the disk's faults off (fsync errors and read corruption) from now on: the
    /// world's heal phase, in which the cluster must converge.
    pub fn stop_faults(&mut self) {
        self.config.fsync_error_rate = 0.0;
        self.config.corruption_rate = 0.0;
    }

    pub fn config(&self) -> &DiskConfig {
        &self.config
    }

    pub fn files(&self) -> usize {
        self.durable.len()
    }

    fn submit_change(&mut self, now: SimTime, file: FileId, change: Change) -> OpId {
        let op = self.take_op_id();
        let latency = self.latency.write.sample(&mut self.latency_rng);
        self.lanes
            .submit_change(now, FileChange { op, file, change }, latency);
        op
    }

    /// A write or truncate lands: the page cache shows it, the dirty set holds it.
    fn land(&mut self, fc: FileChange) -> Completion {
        fc.change
            .apply(&mut self.cached[usize::from(fc.file.0)], &self.arena);
        if let Some(last) = self.dirty.last() {
            assert!(last.op < fc.op, "changes must land in submission order");
        }
        self.dirty.push(fc);
        Completion {
            op: fc.op,
            file: fc.file,
            kind: fc.change.kind(),
            ok: true,
        }
    }

    /// A flush ends: the landed changes of `file` submitted before it become durable, or,
    /// on an fsync error, leave the dirty set without becoming durable.
    fn complete_flush(&mut self, op: OpId, file: FileId) -> Completion {
        let ok = !self.fault_rng.chance(self.config.fsync_error_rate);
        let f = usize::from(file.0);
        let (durable, arena, stats) = (&mut self.durable[f], &mut self.arena, &mut self.stats);
        self.dirty.retain(|c| {
            if c.file != file || c.op > op {
                return true;
            }
            if ok {
                c.change.apply(durable, arena);
                stats.changes_made_durable += 1;
            } else {
                stats.changes_dropped += 1;
            }
            if let Some(payload) = c.change.payload() {
                arena.free(payload);
            }
            false
        });
        if !ok {
            self.stats.flushes_failed += 1;
            self.dropped_since_crash[f] = true;
        }
        self.check_cache_matches_media(file);
        Completion {
            op,
            file,
            kind: OpKind::Flush,
            ok,
        }
    }

    /// With nothing dirty and nothing dropped, the page cache and the media must agree.
    fn check_cache_matches_media(&self, file: FileId) {
        let f = usize::from(file.0);
        if self.dropped_since_crash[f] || self.dirty.iter().any(|c| c.file == file) {
            return;
        }
        let (cached, durable) = (&self.cached[f], &self.durable[f]);
        assert_eq!(
            cached.len_bytes(),
            durable.len_bytes(),
            "{file}: page cache and media lengths differ with nothing dirty"
        );
        if cached.len_bytes() - cached.base_bytes() <= SELF_CHECK_BYTES_MAX as u64 {
            debug_assert!(
                cached.same_content(durable),
                "{file}: page cache and media differ with nothing dirty"
            );
        }
    }

    fn alloc_payload(&mut self, data: &[u8]) -> Span {
        if self.arena.wants_compaction() {
            let live = self.dirty.iter_mut().chain(self.lanes.changes_mut());
            self.arena
                .compact(live.filter_map(|c| c.change.payload_mut()));
        }
        self.arena.alloc(data)
    }

    /// Cancels every operation in flight (none of them completes) and frees the payloads
    /// of the writes among them; returns how many it cancelled. A process crash keeps the
    /// arena's other payloads (the landed changes), so the cancelled ones must leave it.
    fn cancel_in_flight(&mut self) -> u64 {
        for c in self.lanes.changes_mut() {
            if let Some(payload) = c.change.payload() {
                self.arena.free(payload);
            }
        }
        self.lanes.cancel_all() as u64
    }

    fn take_op_id(&mut self) -> OpId {
        let op = OpId(self.next_op);
        self.next_op += 1;
        op
    }

    fn observe(&mut self, now: SimTime) {
        assert!(
            now >= self.clock_floor,
            "disk: time went backwards ({now} < {})",
            self.clock_floor
        );
        self.clock_floor = now;
    }

    fn check_file(&self, file: FileId) {
        assert!(
            usize::from(file.0) < self.durable.len(),
            "disk has {} files, no {file}",
            self.durable.len()
        );
    }

    fn count_crash(&mut self, r: &CrashReport) {
        let s = &mut self.stats;
        s.crashes += 1;
        s.ops_cancelled += r.ops_cancelled;
        s.sector_writes_kept += r.sector_writes_kept;
        s.sector_writes_torn += r.sector_writes_torn;
        s.sector_writes_lost += r.sector_writes_lost;
        s.truncates_kept += r.truncates_kept;
        s.truncates_lost += r.truncates_lost;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CrashModel;
    use sim_core::RngStreams;

    const LOG: FileId = FileId(0);
    const VOTE: FileId = FileId(1);

    fn disk(write_ns: f64, flush_ns: f64) -> Disk {
        let s = RngStreams::new(5);
        Disk::new(
            DiskConfig::simple(write_ns, flush_ns),
            2,
            s.stream("lat"),
            s.stream("fault"),
        )
    }

    fn t(ns: u64) -> SimTime {
        SimTime::from_ns(ns)
    }

    fn run_to_idle(d: &mut Disk) -> Vec<Completion> {
        let mut out = Vec::new();
        while let Some(at) = d.next_wakeup() {
            d.advance(at, &mut out);
        }
        out
    }

    /// The change mark of the durable media: lowered by a flush to the first byte it made
    /// durable, by a truncate to the new length, by a crash's replay to what it wrote,
    /// never by writes still in the page cache; reset by each call.
    #[test]
    fn the_durable_media_tell_the_first_byte_changed_since_the_last_look() {
        let mut d = disk(10.0, 100.0);
        assert_eq!(
            d.take_durable_changed_from(LOG),
            0,
            "a new file: read it all"
        );
        assert_eq!(d.take_durable_changed_from(LOG), u64::MAX, "nothing since");
        d.write(t(0), LOG, 0, &[1; 1024]);
        run_to_idle(&mut d);
        assert_eq!(d.take_durable_changed_from(LOG), u64::MAX, "cached only");
        d.flush(t(1_000), LOG);
        run_to_idle(&mut d);
        assert_eq!(d.take_durable_changed_from(LOG), 0);
        d.write(t(2_000), LOG, 1024, &[2; 512]);
        d.flush(t(2_000), LOG);
        run_to_idle(&mut d);
        assert_eq!(d.take_durable_changed_from(LOG), 1024, "an append");
        assert_eq!(
            d.take_durable_changed_from(VOTE),
            0,
            "each file its own mark"
        );
        d.truncate(t(3_000), LOG, 700);
        d.flush(t(3_000), LOG);
        run_to_idle(&mut d);
        assert_eq!(d.take_durable_changed_from(LOG), 700, "a truncate");
        d.write(t(4_000), LOG, 600, &[3; 10]);
        run_to_idle(&mut d);
        d.crash();
        assert!(
            d.take_durable_changed_from(LOG) >= 512,
            "a power loss keeps or tears the sector it wrote, nothing below"
        );
        d.punch(LOG, 512);
        assert_eq!(
            d.take_durable_changed_from(LOG),
            0,
            "a punch from the old base"
        );
    }

    /// A punched prefix leaves the rest readable where it was, survives a power loss, and a
    /// recovery read from past it draws corruption for the sectors it reads only, naming
    /// them by their place in the file.
    #[test]
    fn a_punched_prefix_is_gone_and_the_tail_reads_where_it_was() {
        let mut d = disk(10.0, 100.0);
        let data: Vec<u8> = (0..1536u32).map(|i| (i % 251) as u8).collect();
        d.write(t(0), LOG, 0, &data);
        d.flush(t(0), LOG);
        run_to_idle(&mut d);
        d.punch(LOG, 700);
        assert_eq!(d.durable_len_bytes(LOG), 1536);
        assert_eq!(d.durable_from(LOG, 700), &data[700..]);
        // An unflushed write into the punched prefix lands as on the whole file.
        d.write(t(1_000), LOG, 600, &[9; 10]);
        run_to_idle(&mut d);
        d.crash();
        assert_eq!(d.durable_from(LOG, 700), &data[700..], "the tail survives");
        d.config.corruption_rate = 1.0;
        let mut out = Vec::new();
        let corrupt = d.read_for_recovery_from(LOG, 700, &mut out);
        assert_eq!(
            corrupt,
            vec![1, 2],
            "sectors 1 and 2 of the file, not 0 and 1"
        );
        assert_eq!(out.len(), 1536 - 700);
    }

    /// The read without the copy and the copying read built on it agree, sector for
    /// sector and draw for draw: a clean read is the media's bytes, a corrupt one differs
    /// from them, and both count the same.
    #[test]
    fn a_recovery_read_without_the_copy_reads_and_draws_as_the_copying_one() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
        let mut corrupt_reads = 0;
        for (rate, offset) in [(0.0, 0), (0.3, 0), (0.3, 700), (0.05, 513), (1.0, 100)] {
            let mut a = disk(10.0, 100.0);
            let mut b = disk(10.0, 100.0);
            for d in [&mut a, &mut b] {
                d.write(t(0), LOG, 0, &data);
                d.flush(t(0), LOG);
                run_to_idle(d);
                d.config.corruption_rate = rate;
            }
            for _ in 0..20 {
                let mut out = Vec::new();
                let sectors = a.read_for_recovery_from(LOG, offset, &mut out);
                match b.recovery_read_from(LOG, offset) {
                    RecoveryRead::Clean => {
                        assert!(sectors.is_empty(), "rate {rate}: {sectors:?}");
                        assert_eq!(out, b.durable_from(LOG, offset));
                    }
                    RecoveryRead::Corrupt { bytes, sectors: s } => {
                        assert_eq!((&bytes, &s), (&out, &sectors), "rate {rate}");
                        assert_ne!(bytes, b.durable_from(LOG, offset));
                        corrupt_reads += 1;
                    }
                }
            }
            assert_eq!(a.stats(), b.stats());
        }
        assert!(corrupt_reads > 40, "{corrupt_reads} corrupt reads");
    }

    #[test]
    fn a_write_lands_in_the_cache_and_a_flush_makes_it_durable() {
        let mut d = disk(10.0, 100.0);
        let w = d.write(t(0), LOG, 0, b"abc");
        assert_eq!(d.next_wakeup(), Some(t(10)));
        let mut out = Vec::new();
        d.advance(t(10), &mut out);
        assert_eq!(
            out,
            vec![Completion {
                op: w,
                file: LOG,
                kind: OpKind::Write,
                ok: true
            }]
        );
        assert_eq!((d.cached(LOG), d.durable(LOG)), (&b"abc"[..], &b""[..]));
        let f = d.flush(t(10), LOG);
        d.advance(t(110), &mut out);
        assert_eq!(
            out[1],
            Completion {
                op: f,
                file: LOG,
                kind: OpKind::Flush,
                ok: true
            }
        );
        assert_eq!(d.durable(LOG), b"abc");
        assert_eq!((d.in_flight(), d.unflushed_changes()), (0, 0));
    }

    #[test]
    fn a_flush_covers_only_its_file_and_only_earlier_changes() {
        let mut d = disk(10.0, 100.0);
        d.write(t(0), LOG, 0, b"a");
        d.write(t(0), VOTE, 0, b"v");
        d.flush(t(0), LOG);
        d.write(t(0), LOG, 1, b"b"); // lands at 30, before the flush ends at 120
        run_to_idle(&mut d);
        assert_eq!(d.durable(LOG), b"a");
        assert_eq!(d.cached(LOG), b"ab");
        assert_eq!(d.durable(VOTE), b"");
        assert_eq!(d.unflushed_changes(), 2);
    }

    #[test]
    fn truncate_and_extension_are_metadata_made_durable_by_flush() {
        let mut d = disk(1.0, 1.0);
        d.write(t(0), LOG, 0, b"hello");
        d.flush(t(0), LOG);
        run_to_idle(&mut d);
        d.truncate(t(10), LOG, 2);
        d.write(t(10), LOG, 4, b"!");
        run_to_idle(&mut d);
        assert_eq!(d.cached(LOG), b"he\0\0!");
        assert_eq!(d.durable(LOG), b"hello");
        d.flush(t(20), LOG);
        run_to_idle(&mut d);
        assert_eq!(d.durable(LOG), b"he\0\0!");
    }

    #[test]
    fn a_failed_flush_drops_its_changes_for_good() {
        let mut d = disk(1.0, 1.0);
        d.config.fsync_error_rate = 1.0;
        d.write(t(0), LOG, 0, b"lost");
        d.flush(t(0), LOG);
        let out = run_to_idle(&mut d);
        assert!(!out[1].ok);
        assert_eq!((d.cached(LOG), d.durable(LOG)), (&b"lost"[..], &b""[..]));
        d.config.fsync_error_rate = 0.0;
        d.write(t(10), LOG, 4, b"kept");
        d.flush(t(10), LOG);
        assert!(run_to_idle(&mut d).iter().all(|c| c.ok));
        assert_eq!(d.cached(LOG), b"lostkept");
        assert_eq!(d.durable(LOG), b"\0\0\0\0kept");
        d.crash();
        assert_eq!(d.cached(LOG), b"\0\0\0\0kept");
        assert_eq!(d.stats().changes_dropped, 1);
    }

    #[test]
    fn a_crash_cancels_in_flight_ops_and_ids_stay_unique() {
        let mut d = disk(10.0, 100.0);
        let a = d.write(t(0), LOG, 0, b"x");
        d.flush(t(0), LOG);
        let report = d.crash();
        assert_eq!(report.ops_cancelled, 2);
        assert_eq!((d.in_flight(), d.next_wakeup()), (0, None));
        let b = d.write(t(5), LOG, 0, b"y");
        assert!(b > a);
        let out = run_to_idle(&mut d);
        assert_eq!(out.iter().map(|c| c.op).collect::<Vec<_>>(), vec![b]);
        assert_eq!(out.len(), 1);
        assert_eq!(d.next_wakeup(), None);
    }

    #[test]
    fn stall_holds_completions_and_resume_releases_them_at_once() {
        let mut d = disk(10.0, 100.0);
        d.write(t(0), LOG, 0, b"a"); // due 10
        d.write(t(0), LOG, 1, b"b"); // due 20
        d.write(t(0), LOG, 2, b"c"); // due 30
        d.stall(t(5));
        assert_eq!(d.next_wakeup(), None);
        let mut out = Vec::new();
        d.advance(t(25), &mut out);
        assert!(out.is_empty());
        d.resume(t(25));
        assert_eq!(d.next_wakeup(), Some(t(25)));
        d.advance(t(25), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(d.next_wakeup(), Some(t(30)));
    }

    #[test]
    fn a_stall_survives_a_crash() {
        let mut d = disk(10.0, 100.0);
        d.stall(t(0));
        d.crash();
        assert!(d.is_stalled());
        d.write(t(1), LOG, 0, b"a");
        assert_eq!(d.next_wakeup(), None);
        d.resume(t(50));
        assert_eq!(d.next_wakeup(), Some(t(50)));
    }

    #[test]
    fn crash_models_apply_to_the_unflushed_changes() {
        let mut d = disk(1.0, 1.0);
        d.config.crash_model = CrashModel::TornTail;
        d.write(t(0), LOG, 0, &[7; 512]);
        run_to_idle(&mut d);
        let r = d.crash();
        assert_eq!((r.sector_writes_kept, r.sector_writes_torn), (0, 1));
        assert_eq!(d.durable(LOG), &[7u8; 256][..]);
        assert_eq!(d.stats().sector_writes_torn, 1);
    }

    #[test]
    fn the_payload_arena_stops_growing_in_the_steady_state() {
        let mut d = disk(10.0, 50.0);
        let mut out = Vec::new();
        let mut capacity_at_warmup = 0;
        for i in 0..20_000u64 {
            let now = t(i * 20);
            d.write(now, LOG, (i % 64) * 100, &[i as u8; 100]);
            if i % 4 == 3 {
                d.flush(now, LOG);
            }
            d.advance(now, &mut out);
            out.clear();
            if i == 10_000 {
                capacity_at_warmup = d.arena.capacity_bytes();
            }
        }
        assert_eq!(d.arena.capacity_bytes(), capacity_at_warmup);
    }

    #[test]
    #[should_panic(expected = "time went backwards")]
    fn time_going_backwards_is_a_bug() {
        let mut d = disk(1.0, 1.0);
        d.write(t(10), LOG, 0, b"a");
        d.flush(t(9), LOG);
    }

    #[test]
    #[should_panic(expected = "no file2")]
    fn an_unknown_file_is_a_bug() {
        disk(1.0, 1.0).write(t(0), FileId(2), 0, b"a");
    }

    #[test]
    fn a_process_crash_keeps_what_landed_and_cancels_what_was_in_flight() {
        let mut d = disk(10.0, 100.0);
        d.write(t(0), LOG, 0, b"abc");
        let mut out = Vec::new();
        d.advance(t(10), &mut out);
        d.flush(t(10), LOG);
        d.write(t(10), VOTE, 0, b"v");
        // The flush and the second write are in flight.
        assert_eq!(d.process_crash(), 2);
        assert_eq!(d.next_wakeup(), None);
        assert_eq!((d.cached(LOG), d.durable(LOG)), (&b"abc"[..], &b""[..]));
        assert_eq!(d.cached(VOTE), b"");
        assert_eq!(d.unflushed_changes(), 1);
        assert_eq!((d.stats().process_crashes, d.stats().crashes), (1, 0));
        // A power loss before anything synced it loses it under lose-unflushed.
        d.crash();
        assert_eq!(d.cached(LOG), b"");
    }

    /// A write cancelled by a process crash frees its payload: the arena's next compaction
    /// finds every byte it counts as live (it once counted the cancelled write's too, and
    /// the simulator stopped on "compaction missed live payloads", found by swarm fuzz).
    #[test]
    fn a_process_crash_frees_the_payloads_of_the_writes_it_cancels() {
        let mut d = disk(10.0, 100.0);
        d.write(t(0), LOG, 0, &[7; 64]);
        assert_eq!(d.process_crash(), 1);
        // Enough writes, landed and made durable, for the arena to compact.
        let chunk = [1u8; 4096];
        for i in 0..64u64 {
            let now = t(1_000 * (i + 1));
            d.write(now, LOG, i * 4096, &chunk);
            d.flush(now, LOG);
            run_to_idle(&mut d);
        }
        assert_eq!(d.durable(LOG).len(), 64 * 4096);
    }

    #[test]
    fn a_recovering_process_syncs_what_the_dead_one_left_in_the_page_cache() {
        let mut d = disk(10.0, 100.0);
        d.write(t(0), LOG, 0, b"abc");
        d.write(t(0), VOTE, 0, b"v");
        let mut out = Vec::new();
        d.advance(t(20), &mut out);
        d.process_crash();
        assert_eq!(d.sync_all(), 2);
        assert_eq!((d.durable(LOG), d.durable(VOTE)), (&b"abc"[..], &b"v"[..]));
        assert_eq!(d.unflushed_changes(), 0);
        // Nothing is left for a power loss to take.
        d.crash();
        assert_eq!(d.cached(LOG), b"abc");
        // The disk goes on as before.
        d.write(t(30), LOG, 3, b"d");
        d.flush(t(30), LOG);
        run_to_idle(&mut d);
        assert_eq!(d.durable(LOG), b"abcd");
    }
}
