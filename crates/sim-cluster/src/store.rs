//! The log store: NuRaft's `log_store` over the virtual disk.
//!
//! It keeps two views apart, because the whole tool is about the gap between them:
//!
//! * its **belief** — `last_durable_index()`, what it reports to the Raft core, computed
//!   from the flushes it issued and their completions (and bent by the log-store mutants
//!   of docs/bugs.md);
//! * the **truth** — which entries are really on durable media, tracked op by op from the
//!   disk's own semantics (a flush makes durable the log writes submitted before it) and
//!   re-read from the media after a crash. The truth is what `durable` trace lines report
//!   and what the checkers judge.
//!
//! Layout and recovery rules are in `codec.rs`. This is not the Raft core (it decides
//! nothing about replication) and not the disk (it never decides what survives).

use crate::codec::{self, RECORD_BYTES};
use crate::window::Window;
use raft_core::{Entry, FlushWait, LogIndex, NodeId, Term};
use sim_core::SimTime;
use sim_disk::{Disk, FileId, OpId};
use sim_trace::{DurableEntry, FileKind, TraceEvent};
use std::collections::VecDeque;

pub const LOG_FILE: FileId = FileId(0);

/// The log-store mutants: deliberate mistakes of docs/bugs.md, chosen by `[cluster] bug`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreMutant {
    None,
    /// `last_durable_index()` returns the last appended index.
    DurableIndexReportsAppended,
    /// A completion advances the durable index to the last appended index, past the write
    /// it completes.
    CompletionOvershoots,
    /// `write_at` overwrites records in place and never truncates the file.
    TruncateNotFlushed,
    /// An in-flight write for a truncated range lands after the truncation (and its
    /// completion is believed for the new entries).
    StaleWriteAfterTruncate,
    /// `write_at` leaves `last_durable_index()` above the new end of the log, and
    /// `end_of_append_batch` skips its flush when the durable index already covers the log.
    TruncateKeepsDurableIndex,
    /// The store's `flush()` (NuRaft's flush after a configuration entry) makes the log
    /// durable but never moves `last_durable_index()`: only `end_of_append_batch` does.
    FlushLeavesDurableIndex,
    /// A failed flush of the log is never completed: no `notify_log_append_completion`,
    /// no error to the caller, no retry. Whoever waits on it waits for ever.
    FlushErrorNeverCompletes,
}

/// A flush the store issued, with the highest index it can vouch for.
#[derive(Clone, Copy, Debug)]
struct PendingFlush {
    op: OpId,
    vouch_to: LogIndex,
}

/// A log change submitted to the disk and not yet covered by a completed flush.
#[derive(Clone, Copy, Debug)]
enum PendingChange {
    /// Entries `from..from+count` (their identities queued in `pending_entries`).
    Write {
        op: OpId,
        from: LogIndex,
        count: u32,
    },
    Truncate {
        op: OpId,
        from: LogIndex,
    },
}

impl PendingChange {
    fn op(&self) -> OpId {
        match self {
            PendingChange::Write { op, .. } | PendingChange::Truncate { op, .. } => *op,
        }
    }
}

#[derive(Debug)]
pub struct LogStore {
    node: NodeId,
    mutant: StoreMutant,
    /// Last index appended through this store (its in-memory view).
    appended_last: LogIndex,
    /// Records the store believes the file holds (to truncate before overwriting).
    file_records: u64,
    /// `last_durable_index()`.
    durable_belief: LogIndex,
    flushes: VecDeque<PendingFlush>,
    changes: VecDeque<PendingChange>,
    pending_entries: VecDeque<DurableEntry>,
    /// The entries really on durable media, from index 1; below the floor forgotten
    /// (recovery reads past it, the media's snapshot stands for what lies below).
    truth: Window<DurableEntry>,
    /// The truth as it was before the last re-read, emptied: the next re-read fills it, so
    /// a crash costs no allocation once the store has seen one.
    spare_truth: Window<DurableEntry>,
    /// The media's valid records from `media_read_floor` on, as the last re-read decoded
    /// them. The disk tells what changed since (`Disk::take_durable_changed_from`), and a
    /// re-read decodes from there only: a crash of a long log re-read its every record,
    /// and the checksums were most of a crash's cost. Recovery takes them too
    /// ([`LogStore::media_records`]) when its read found no corrupt sector.
    media_read: Vec<Entry>,
    /// The floor `media_read` starts at; `None` before the first re-read.
    media_read_floor: Option<LogIndex>,
    /// The store's own in-memory view of the log (what its reads return at once); below
    /// the last compaction forgotten (it serves nothing there).
    shadow: Window<Entry>,
    /// The first index recovery would read from the media: 1, or past the snapshot and
    /// the compaction the media hold (`snapshot_store.rs`). The truth below it is what
    /// snapshots and compactions say, not the log file.
    floor: LogIndex,
    /// The background flusher's outstanding flush, if any.
    background: Option<OpId>,
    /// End-of-batch calls arrived while `background` was outstanding.
    flush_again: bool,
    scratch: Vec<u8>,
}

/// What the store's own view holds at a compacted index it never wrote (it is never read).
const COMPACTED: Entry = Entry {
    term: Term(0),
    payload: raft_core::Payload::Noop,
};

fn identity(e: &Entry) -> DurableEntry {
    DurableEntry {
        term: e.term,
        req: e.req(),
    }
}

impl LogStore {
    /// A store over a log whose durable media hold `durable` (decoded), with
    /// `file_records` records in the file (the decoded ones plus any discarded tail).
    pub fn open(
        node: NodeId,
        mutant: StoreMutant,
        durable: &[Entry],
        file_records: u64,
    ) -> LogStore {
        let last = LogIndex(durable.len() as u64);
        LogStore {
            node,
            mutant,
            appended_last: last,
            file_records,
            durable_belief: last,
            flushes: VecDeque::new(),
            changes: VecDeque::new(),
            pending_entries: VecDeque::new(),
            truth: Window::from_vec(durable.iter().map(identity).collect()),
            spare_truth: Window::default(),
            media_read: Vec::new(),
            media_read_floor: None,
            shadow: Window::from_vec(durable.to_vec()),
            floor: LogIndex(1),
            background: None,
            flush_again: false,
            scratch: Vec::with_capacity(64 * RECORD_BYTES as usize),
        }
    }

    /// Reopens after a restart: the belief starts from what recovery read (`recovered`),
    /// or, with `recovery-trusts-volatile`, from the pre-crash memory view. The truth is
    /// kept: it is the media, which the crash already re-read.
    /// `recovered` starts at `first` (past a compaction).
    pub fn reopen(&mut self, first: LogIndex, recovered: &[Entry], file_records: u64) {
        let last = first.prev().plus(recovered.len() as u64);
        self.appended_last = last;
        self.durable_belief = last;
        self.file_records = file_records;
        self.shadow.reset((first.0 - 1) as usize, recovered);
        debug_assert!(
            self.flushes.is_empty() && self.changes.is_empty(),
            "reopen after a crash only"
        );
    }

    /// Cuts the log file to the records before `from` (recovery discarding a corrupt
    /// tail); the caller flushes.
    pub fn cut_file(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        from: LogIndex,
        ev: &mut Vec<TraceEvent>,
    ) {
        self.truncate(disk, now, from, ev);
    }

    /// `compact(upto)`: the store serves nothing at or below `upto` any more (its file
    /// keeps the records; the log directory says where the log starts, `snapshot_store.rs`).
    /// Past the end of the log — a snapshot installed beyond it — the log continues after
    /// `upto`, and what the snapshot covers counts as durable.
    pub fn compact(&mut self, upto: LogIndex) {
        if upto > self.appended_last {
            self.shadow.resize(upto.0 as usize, COMPACTED);
            self.appended_last = upto;
            self.durable_belief = self.durable_belief.max(upto);
        }
        self.shadow.forget_below(upto.0 as usize);
    }

    /// The media's first readable index moved (a snapshot or a compaction reached them, or
    /// a crash showed what did): the truth is re-read from there.
    /// The log file's records below the new floor are never read again (the media's
    /// snapshot and compaction stand for them): they are punched out, as a log store
    /// unlinks compacted segments, so the file holds its live tail only.
    pub fn set_floor(&mut self, disk: &mut Disk, floor: LogIndex, ev: &mut Vec<TraceEvent>) {
        if floor == self.floor {
            return;
        }
        self.reread(disk, floor, ev);
        self.truth.forget_below((floor.0 - 1) as usize);
        disk.punch(LOG_FILE, codec::record_offset_bytes(floor));
    }

    /// Takes what the media hold from `floor` on as the truth, with `durable` lines for
    /// what changed.
    fn reread(&mut self, disk: &mut Disk, floor: LogIndex, ev: &mut Vec<TraceEvent>) {
        self.floor = floor;
        self.read_media(disk);
        let mut now = std::mem::take(&mut self.spare_truth);
        let keep = (self.floor.0 - 1) as usize;
        now.copy_prefix(&self.truth, keep);
        now.resize(keep, DurableEntry::HOLE);
        for e in &self.media_read {
            now.push(identity(e));
        }
        self.emit_diff(&now, ev);
        self.spare_truth = std::mem::replace(&mut self.truth, now);
    }

    /// The valid records of the durable media from `first` on, decoded: what recovery
    /// reads from the log file when no sector reads corrupt. `None` when the store's floor
    /// is elsewhere (the caller decodes the bytes itself).
    pub fn media_records(&mut self, disk: &mut Disk, first: LogIndex) -> Option<&[Entry]> {
        if first != self.floor {
            return None;
        }
        self.read_media(disk);
        Some(&self.media_read)
    }

    /// Brings `media_read` up to the media: the valid records from the floor, which
    /// recovery would read. Records wholly below the first byte changed since the last
    /// read are kept as decoded then; the valid prefix ends where it did if its first
    /// invalid record is among them.
    fn read_media(&mut self, disk: &mut Disk) {
        let from_bytes = codec::record_offset_bytes(self.floor);
        let changed_from = disk.take_durable_changed_from(LOG_FILE);
        let unchanged = if self.media_read_floor == Some(self.floor) {
            (changed_from.saturating_sub(from_bytes) / codec::RECORD_BYTES)
                .min(self.media_read.len() as u64 + 1)
        } else {
            0
        };
        self.media_read_floor = Some(self.floor);
        if unchanged <= self.media_read.len() as u64 {
            self.media_read.truncate(unchanged as usize);
            let first = self.floor.plus(unchanged);
            let bytes = disk.durable_from(LOG_FILE, codec::record_offset_bytes(first));
            self.media_read.extend(codec::valid_records(bytes, first));
        }
        debug_assert_eq!(
            self.media_read,
            codec::valid_records(disk.durable_from(LOG_FILE, from_bytes), self.floor)
                .collect::<Vec<_>>(),
            "node {}: the media re-read from the first changed byte differs from a whole one",
            self.node
        );
    }

    /// `last_durable_index()`.
    pub fn durable_index(&self) -> LogIndex {
        self.durable_belief
    }

    /// `append` of `entries` at `from..`; returns the new durable belief if it changed.
    pub fn append(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        from: LogIndex,
        entries: &[Entry],
        ev: &mut Vec<TraceEvent>,
    ) -> Option<LogIndex> {
        assert_eq!(
            from,
            self.appended_last.next(),
            "node {}: append must continue the log",
            self.node
        );
        if from.0 <= self.file_records && self.mutant != StoreMutant::TruncateNotFlushed {
            // The file still holds records here (a tail recovery discarded): cut it first.
            self.truncate(disk, now, from, ev);
        }
        self.write(disk, now, from, entries, ev);
        self.shadow.extend_from_slice(entries);
        self.appended_last = from.plus(entries.len() as u64 - 1);
        self.report_appended()
    }

    /// `write_at(from)`: truncate from `from`, then write `entries` there.
    pub fn write_at(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        from: LogIndex,
        entries: &[Entry],
        ev: &mut Vec<TraceEvent>,
    ) -> Option<LogIndex> {
        assert!(
            from.0 >= 1 && from <= self.appended_last.next(),
            "node {}: write_at past the log end",
            self.node
        );
        // The old entries still in flight (not yet vouched durable) at the truncated range.
        let stale_from = from.max(self.durable_belief.next());
        let stale: Vec<Entry> = match self.mutant {
            StoreMutant::StaleWriteAfterTruncate if stale_from <= self.appended_last => {
                self.shadow.from((stale_from.0 - 1) as usize).to_vec()
            }
            _ => Vec::new(),
        };
        self.shadow.truncate((from.0 - 1) as usize);
        self.shadow.extend_from_slice(entries);
        if self.mutant != StoreMutant::TruncateKeepsDurableIndex {
            self.durable_belief = self.durable_belief.min(from.prev());
        }
        if self.mutant != StoreMutant::StaleWriteAfterTruncate {
            for f in &mut self.flushes {
                f.vouch_to = f.vouch_to.min(from.prev());
            }
        }
        if self.mutant != StoreMutant::TruncateNotFlushed {
            self.truncate(disk, now, from, ev);
        }
        // An empty write is a bare truncation (openraft's `truncate_after`).
        if !entries.is_empty() {
            self.write(disk, now, from, entries, ev);
        }
        self.appended_last = from.prev().plus(entries.len() as u64);
        if !stale.is_empty() {
            // The old, still in-flight write of the truncated range lands now, after the
            // new one, over it.
            self.write(disk, now, stale_from, &stale, ev);
        }
        self.report_appended()
    }

    fn report_appended(&mut self) -> Option<LogIndex> {
        if self.mutant == StoreMutant::DurableIndexReportsAppended
            && self.durable_belief != self.appended_last
        {
            self.durable_belief = self.appended_last;
            return Some(self.durable_belief);
        }
        None
    }

    fn write(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        from: LogIndex,
        entries: &[Entry],
        ev: &mut Vec<TraceEvent>,
    ) {
        assert!(!entries.is_empty(), "empty write");
        self.scratch.clear();
        for (k, e) in entries.iter().enumerate() {
            codec::encode_record(from.plus(k as u64), e, &mut self.scratch);
            self.pending_entries.push_back(identity(e));
        }
        let op = disk.write(now, LOG_FILE, codec::record_offset(from), &self.scratch);
        let count = u32::try_from(entries.len()).expect("batch fits u32");
        self.changes
            .push_back(PendingChange::Write { op, from, count });
        self.file_records = self.file_records.max(from.0 + entries.len() as u64 - 1);
        let to = from.plus(entries.len() as u64 - 1);
        ev.push(TraceEvent::LogWrite {
            node: self.node,
            op: op.0,
            from_index: from,
            to_index: to,
        });
    }

    fn truncate(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        from: LogIndex,
        ev: &mut Vec<TraceEvent>,
    ) {
        let op = disk.truncate(now, LOG_FILE, codec::record_offset(from));
        self.changes.push_back(PendingChange::Truncate { op, from });
        self.file_records = from.0 - 1;
        ev.push(TraceEvent::LogTruncate {
            node: self.node,
            op: op.0,
            from_index: from,
        });
    }

    /// `end_of_append_batch`. Blocking: issues a flush and returns it, for the Raft thread
    /// to wait on. Background: hands the flush to the store's one flusher, which coalesces
    /// (group commit) — if a flush is already outstanding, the next one is issued when it
    /// completes and covers everything written meanwhile.
    pub fn end_batch(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        wait: FlushWait,
        ev: &mut Vec<TraceEvent>,
    ) -> Option<OpId> {
        if self.mutant == StoreMutant::TruncateKeepsDurableIndex
            && self.durable_belief >= self.appended_last
        {
            // d-engine #351: "already durable up to the log end", so no flush — but the
            // belief is stale after a truncation and the new entries are in the page cache.
            return None;
        }
        match wait {
            FlushWait::Blocking | FlushWait::BlockingClient => {
                Some(self.issue_flush(disk, now, ev))
            }
            FlushWait::Background if self.background.is_some() => {
                self.flush_again = true;
                None
            }
            FlushWait::Background => {
                let op = self.issue_flush(disk, now, ev);
                self.background = Some(op);
                None
            }
        }
    }

    /// `flush()`: flushes everything written, for the Raft thread to wait on (NuRaft's
    /// `store_log_entry` after a configuration entry).
    pub fn flush_all(&mut self, disk: &mut Disk, now: SimTime, ev: &mut Vec<TraceEvent>) -> OpId {
        let op = self.issue_flush(disk, now, ev);
        if self.mutant == StoreMutant::FlushLeavesDurableIndex {
            // HomeStore before PR #631: the durable index moves only in
            // end_of_append_batch, so this flush vouches for nothing new.
            let f = self.flushes.back_mut().expect("just issued");
            f.vouch_to = f.vouch_to.min(self.durable_belief);
        }
        op
    }

    /// Whether a failed log flush is dropped without a completion (the catalogue's
    /// `flush-error-never-completes`).
    pub fn swallows_flush_errors(&self) -> bool {
        self.mutant == StoreMutant::FlushErrorNeverCompletes
    }

    /// A flush of everything appended so far.
    fn issue_flush(&mut self, disk: &mut Disk, now: SimTime, ev: &mut Vec<TraceEvent>) -> OpId {
        self.flush_vouching(disk, now, self.appended_last, ev)
    }

    /// Submits a flush of the log that, once done, vouches for the entries up to `vouch_to`.
    /// The `retry` fsync-error policy re-issues a failed flush with what it vouched for,
    /// though the disk dropped those pages.
    pub fn flush_vouching(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        vouch_to: LogIndex,
        ev: &mut Vec<TraceEvent>,
    ) -> OpId {
        let op = crate::traced_flush::flush(disk, now, self.node, LOG_FILE, FileKind::Log, ev);
        self.flushes.push_back(PendingFlush { op, vouch_to });
        op
    }

    /// A flush of the log completed. Updates the truth (emitting `durable` lines, their
    /// entry lists taken from `spare` when it has one) and the belief; returns (the
    /// flush's vouch, the new belief if it changed).
    pub fn flush_done(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        op: OpId,
        ok: bool,
        ev: &mut Vec<TraceEvent>,
        spare: &mut Vec<Vec<DurableEntry>>,
    ) -> (LogIndex, Option<LogIndex>) {
        self.settle_changes(op, ok, ev, spare);
        if self.background == Some(op) {
            self.background = None;
            if std::mem::take(&mut self.flush_again) {
                let next = self.issue_flush(disk, now, ev);
                self.background = Some(next);
            }
        }
        let f = self
            .flushes
            .pop_front()
            .expect("a completed flush was issued");
        assert_eq!(
            f.op, op,
            "node {}: log flushes complete in submission order",
            self.node
        );
        if !ok {
            return (f.vouch_to, None);
        }
        let believed = match self.mutant {
            StoreMutant::CompletionOvershoots => self.appended_last,
            _ => f.vouch_to,
        };
        if believed > self.durable_belief || self.mutant == StoreMutant::CompletionOvershoots {
            let changed = believed != self.durable_belief;
            self.durable_belief = believed;
            return (f.vouch_to, changed.then_some(believed));
        }
        (f.vouch_to, None)
    }

    /// Applies (or, for a failed flush, discards) every change submitted before `flush`.
    fn settle_changes(
        &mut self,
        flush: OpId,
        ok: bool,
        ev: &mut Vec<TraceEvent>,
        spare: &mut Vec<Vec<DurableEntry>>,
    ) {
        while let Some(c) = self.changes.front().copied() {
            if c.op() > flush {
                break;
            }
            self.changes.pop_front();
            match c {
                PendingChange::Truncate { from, .. } => {
                    if ok && (from.0 as usize) <= self.truth.len() {
                        self.truth.truncate(from.0 as usize - 1);
                        ev.push(self.durable_line(from, Vec::new()));
                    }
                }
                PendingChange::Write { from, count, .. } => {
                    let mut ids = spare.pop().unwrap_or_default();
                    debug_assert!(ids.is_empty(), "a spare entry list comes back empty");
                    ids.extend(self.pending_entries.drain(..count as usize));
                    if let Some(line_from) = ok.then(|| self.apply_write(from, &mut ids)).flatten()
                    {
                        ev.push(self.durable_line(line_from, ids));
                    } else {
                        ids.clear();
                        spare.push(ids);
                    }
                }
            }
        }
    }

    /// Applies a durable write to the truth; `None` if it changed nothing recovery would
    /// read, else where its `durable` line starts (`ids` then holds the line's entries).
    fn apply_write(&mut self, from: LogIndex, ids: &mut Vec<DurableEntry>) -> Option<LogIndex> {
        let mut start = from.0 as usize - 1;
        if start > self.truth.len() {
            if from > self.floor {
                // A write past a gap: the records between read as invalid, so recovery (and
                // the truth) stops at the gap. The crash re-read catches up if the gap fills.
                return None;
            }
            // The gap lies below the floor: recovery starts past it (a snapshot installed
            // beyond the old end of the log). The line says the gap holds no entries.
            let gap = start - self.truth.len();
            ids.splice(0..0, std::iter::repeat_n(DurableEntry::HOLE, gap));
            start = self.truth.len();
        }
        for (k, id) in ids.iter().enumerate() {
            self.truth.set(start + k, *id);
        }
        Some(LogIndex(start as u64 + 1))
    }

    fn durable_line(&self, from: LogIndex, entries: Vec<DurableEntry>) -> TraceEvent {
        let index = LogIndex(self.truth.len() as u64);
        let term = self.truth.last().map_or(Term(0), |e| e.term);
        TraceEvent::Durable {
            node: self.node,
            from_index: from,
            index,
            term,
            entries,
        }
    }

    /// After a crash: re-reads the media, emits `durable` lines for whatever the crash
    /// model kept or tore, and forgets everything in flight.
    /// `floor` is the first index recovery reads (1 without snapshots).
    pub fn crash(&mut self, disk: &mut Disk, floor: LogIndex, ev: &mut Vec<TraceEvent>) {
        self.reread(disk, floor, ev);
        self.flushes.clear();
        self.changes.clear();
        self.pending_entries.clear();
        self.background = None;
        self.flush_again = false;
    }

    /// Recovery discarded the records from `from` on (a corrupt record and all after it).
    pub fn recovery_dropped(&mut self, from: LogIndex, ev: &mut Vec<TraceEvent>) {
        if (from.0 as usize) <= self.truth.len() {
            self.truth.truncate(from.0 as usize - 1);
            ev.push(self.durable_line(from, Vec::new()));
        }
    }

    /// Lines for a change of the durable media from `self.truth` to `now`: a truncation
    /// line where entries left or changed, then a line for what is there now.
    fn emit_diff(&self, now: &Window<DurableEntry>, ev: &mut Vec<TraceEvent>) {
        let old = &self.truth;
        assert_eq!(
            old.base(),
            now.base(),
            "a re-read keeps the forgotten prefix"
        );
        let same = old.held().iter().zip(now.held());
        let common = old.base() + same.take_while(|(a, b)| a == b).count();
        let from = LogIndex(common as u64 + 1);
        if old.len() > common {
            let term = match common {
                0 => Term(0),
                _ => now
                    .get_or_last_forgotten(common - 1)
                    .map_or(Term(0), |e| e.term),
            };
            ev.push(TraceEvent::Durable {
                node: self.node,
                from_index: from,
                index: LogIndex(common as u64),
                term,
                entries: Vec::new(),
            });
        }
        if now.len() > common {
            let term = now.last().map_or(Term(0), |e| e.term);
            ev.push(TraceEvent::Durable {
                node: self.node,
                from_index: from,
                index: LogIndex(now.len() as u64),
                term,
                entries: now.from(common).to_vec(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    //! The store over a real virtual disk with constant latencies (writes land in 1 µs,
    //! flushes take 2 µs): its belief (`durable_index`) against the truth (the `durable`
    //! lines and the media), and each log-store mutant of docs/bugs.md doing its wrong thing
    //! next to the correct behaviour.

    use super::*;
    use raft_core::Payload;
    use sim_core::RngStreams;
    use sim_disk::{Completion, DiskConfig, OpKind};

    /// A store, its disk and the trace lines it emitted.
    struct Rig {
        disk: Disk,
        store: LogStore,
        now: SimTime,
        ev: Vec<TraceEvent>,
    }

    fn entries(terms: &[u64]) -> Vec<Entry> {
        terms
            .iter()
            .map(|&t| Entry {
                term: Term(t),
                payload: Payload::Noop,
            })
            .collect()
    }

    impl Rig {
        fn new(mutant: StoreMutant) -> Rig {
            Rig::with_disk(mutant, DiskConfig::simple(1_000.0, 2_000.0))
        }

        fn with_disk(mutant: StoreMutant, cfg: DiskConfig) -> Rig {
            let streams = RngStreams::new(1);
            let disk = Disk::new(cfg, 1, streams.stream("latency"), streams.stream("fault"));
            Rig {
                disk,
                store: LogStore::open(NodeId(1), mutant, &[], 0),
                now: SimTime::ZERO,
                ev: Vec::new(),
            }
        }

        /// Appends entries of `terms` at the log's end; returns the belief if it changed.
        fn append(&mut self, terms: &[u64]) -> Option<LogIndex> {
            let from = self.store.appended_last.next();
            let es = entries(terms);
            self.store
                .append(&mut self.disk, self.now, from, &es, &mut self.ev)
        }

        fn write_at(&mut self, from: u64, terms: &[u64]) -> Option<LogIndex> {
            let es = entries(terms);
            self.store
                .write_at(&mut self.disk, self.now, LogIndex(from), &es, &mut self.ev)
        }

        /// `end_of_append_batch` with a blocking flush.
        fn flush(&mut self) -> OpId {
            let op =
                self.store
                    .end_batch(&mut self.disk, self.now, FlushWait::Blocking, &mut self.ev);
            op.expect("a blocking flush is returned")
        }

        /// Runs the disk until `op` completes, handing every log flush to the store.
        fn complete(&mut self, op: OpId) {
            let mut done = Vec::<Completion>::new();
            while !done.iter().any(|c| c.op == op) {
                self.now = self.disk.next_wakeup().expect("the disk has work");
                let first = done.len();
                self.disk.advance(self.now, &mut done);
                for c in done[first..].iter().copied() {
                    if c.kind == OpKind::Flush {
                        self.store.flush_done(
                            &mut self.disk,
                            self.now,
                            c.op,
                            c.ok,
                            &mut self.ev,
                            &mut Vec::new(),
                        );
                    }
                }
            }
        }

        /// The terms of the entries on the media, as recovery reads them.
        fn media_terms(&self) -> Vec<u64> {
            codec::decode_log(self.disk.durable(LOG_FILE))
                .entries
                .iter()
                .map(|e| e.term.0)
                .collect()
        }

        /// The terms of the truth, as the `durable` lines say.
        fn truth_terms(&self) -> Vec<u64> {
            self.store.truth.held().iter().map(|e| e.term.0).collect()
        }
    }

    #[test]
    fn appended_entries_are_believed_durable_once_their_flush_completes() {
        let mut r = Rig::new(StoreMutant::None);
        assert_eq!(r.append(&[1, 1]), None);
        assert_eq!(r.store.durable_index(), LogIndex(0));
        let op = r.flush();
        r.complete(op);
        assert_eq!(r.store.durable_index(), LogIndex(2));
        assert_eq!(r.truth_terms(), [1, 1]);
        assert_eq!(r.media_terms(), [1, 1]);
        let durable =
            r.ev.iter()
                .find(|e| matches!(e, TraceEvent::Durable { .. }));
        assert!(
            matches!(durable, Some(TraceEvent::Durable { index: LogIndex(2), entries, .. }) if entries.len() == 2),
            "{durable:?}"
        );
    }

    /// A flush vouches only for the writes submitted before it.
    #[test]
    fn a_flush_does_not_vouch_for_a_later_write() {
        let mut r = Rig::new(StoreMutant::None);
        r.append(&[1]);
        let first = r.flush();
        r.append(&[1]);
        r.complete(first);
        assert_eq!(r.store.durable_index(), LogIndex(1));
        assert_eq!(r.truth_terms(), [1]);
        let second = r.flush();
        r.complete(second);
        assert_eq!(r.store.durable_index(), LogIndex(2));
    }

    /// `write_at` rolls the belief back before the truncation, and the truth follows the
    /// media once the truncation and the new entry are flushed.
    /// A floor past a durable compaction: the store forgets the truth and its own view
    /// below it, the file holds only the records from it on, and what the truth and the
    /// media say from the floor on is unchanged, with no `durable` line for the move.
    #[test]
    fn a_moved_floor_forgets_the_prefix_in_memory_and_on_the_disk() {
        let mut r = Rig::new(StoreMutant::None);
        r.append(&[1; 40]);
        let op = r.flush();
        r.complete(op);
        let lines = r.ev.len();
        r.store.compact(LogIndex(30));
        r.store.set_floor(&mut r.disk, LogIndex(31), &mut r.ev);
        assert_eq!(r.ev.len(), lines, "the media did not change: no line");
        assert_eq!((r.store.truth.base(), r.store.truth.len()), (30, 40));
        assert_eq!(r.store.shadow.base(), 30);
        assert_eq!(r.truth_terms(), [1; 10]);
        assert_eq!(r.disk.durable_len_bytes(LOG_FILE), 40 * RECORD_BYTES);
        let tail = r.disk.durable_from(LOG_FILE, 30 * RECORD_BYTES);
        assert_eq!(codec::decode_log_from(tail, LogIndex(31)).entries.len(), 10);
        // The log goes on past the floor as before.
        r.append(&[2, 2]);
        let op = r.flush();
        r.complete(op);
        assert_eq!(r.truth_terms(), [[1; 10].as_slice(), &[2, 2]].concat());
        assert_eq!(r.store.durable_index(), LogIndex(42));
    }

    #[test]
    fn write_at_rolls_the_belief_back_and_the_truth_follows_the_media() {
        let mut r = Rig::new(StoreMutant::None);
        r.append(&[1, 1, 1]);
        let op = r.flush();
        r.complete(op);
        r.write_at(2, &[2]);
        assert_eq!(r.store.durable_index(), LogIndex(1));
        assert_eq!(r.truth_terms(), [1, 1, 1], "nothing flushed yet");
        let op = r.flush();
        r.complete(op);
        assert_eq!(r.store.durable_index(), LogIndex(2));
        assert_eq!(r.truth_terms(), [1, 2]);
        assert_eq!(r.media_terms(), [1, 2]);
    }

    /// A failed fsync vouches for nothing, and the crash re-reads the media.
    #[test]
    fn a_failed_flush_is_not_believed_and_a_crash_re_reads_the_media() {
        let mut cfg = DiskConfig::simple(1_000.0, 2_000.0);
        cfg.fsync_error_rate = 1.0;
        let mut r = Rig::with_disk(StoreMutant::None, cfg);
        r.append(&[1]);
        let op = r.flush();
        r.complete(op);
        assert_eq!(r.store.durable_index(), LogIndex(0));
        assert!(r.truth_terms().is_empty());
        r.disk.crash();
        r.store.crash(&mut r.disk, LogIndex(1), &mut r.ev);
        assert!(r.truth_terms().is_empty());
        assert!(r.media_terms().is_empty());
    }

    /// `durable-index-reports-appended`: the belief is the appended index at once, while
    /// the truth is still empty.
    #[test]
    fn durable_index_reports_appended_believes_unflushed_entries() {
        let mut r = Rig::new(StoreMutant::None);
        assert_eq!(r.append(&[1, 1]), None);
        assert_eq!(r.store.durable_index(), LogIndex(0));

        let mut r = Rig::new(StoreMutant::DurableIndexReportsAppended);
        assert_eq!(r.append(&[1, 1]), Some(LogIndex(2)));
        assert_eq!(r.store.durable_index(), LogIndex(2));
        assert!(r.truth_terms().is_empty(), "nothing is durable");
    }

    /// `completion-overshoots`: a flush issued after entry 1 completes and the belief jumps
    /// to entry 2, written after the flush.
    #[test]
    fn completion_overshoots_believes_a_write_after_the_flush() {
        for (mutant, believed) in [
            (StoreMutant::None, 1),
            (StoreMutant::CompletionOvershoots, 2),
        ] {
            let mut r = Rig::new(mutant);
            r.append(&[1]);
            let op = r.flush();
            r.append(&[1]);
            r.complete(op);
            assert_eq!(r.store.durable_index(), LogIndex(believed), "{mutant:?}");
            assert_eq!(r.truth_terms(), [1], "{mutant:?}: only entry 1 is durable");
        }
    }

    /// `truncate-not-flushed`: entries 1..=3 of term 1 are durable; `write_at(2)` writes
    /// entry 2 of term 2 and is flushed. The media should end at entry 2; with the mutant
    /// the old entry 3 of term 1 is still there, after an entry of term 2.
    #[test]
    fn truncate_not_flushed_leaves_an_old_tail_on_the_media() {
        for (mutant, media) in [
            (StoreMutant::None, vec![1, 2]),
            (StoreMutant::TruncateNotFlushed, vec![1, 2, 1]),
        ] {
            let mut r = Rig::new(mutant);
            r.append(&[1, 1, 1]);
            let op = r.flush();
            r.complete(op);
            r.write_at(2, &[2]);
            let op = r.flush();
            r.complete(op);
            assert_eq!(r.store.durable_index(), LogIndex(2), "{mutant:?}");
            assert_eq!(r.media_terms(), media, "{mutant:?}");
        }
    }

    /// `stale-write-after-truncate`: entries 2..=3 of term 1 are still in flight when
    /// `write_at(2)` replaces them with entry 2 of term 2. With the mutant the old write lands
    /// after the new one, and the next flush is believed for entry 2 though the media hold
    /// the old entry there.
    #[test]
    fn stale_write_after_truncate_lands_over_the_new_entry() {
        for (mutant, media) in [
            (StoreMutant::None, vec![1, 2]),
            (StoreMutant::StaleWriteAfterTruncate, vec![1, 1, 1]),
        ] {
            let mut r = Rig::new(mutant);
            r.append(&[1]);
            let op = r.flush();
            r.complete(op);
            r.append(&[1, 1]);
            r.write_at(2, &[2]);
            let op = r.flush();
            r.complete(op);
            assert_eq!(r.store.durable_index(), LogIndex(2), "{mutant:?}: believed");
            assert_eq!(r.media_terms(), media, "{mutant:?}: the media");
            assert_eq!(
                r.truth_terms(),
                media,
                "{mutant:?}: the truth follows the media"
            );
        }
    }

    /// `truncate-keeps-durable-index`: entries 1..=3 are durable; `write_at(2)` replaces
    /// 2..=3 with one entry of term 2. The belief should drop to 1 and the next batch flush;
    /// with the mutant it stays at 3 and the flush is skipped, so the media keep term 1.
    #[test]
    fn truncate_keeps_durable_index_skips_the_next_flush() {
        let mut r = Rig::new(StoreMutant::None);
        r.append(&[1, 1, 1]);
        let op = r.flush();
        r.complete(op);
        r.write_at(2, &[2]);
        assert_eq!(r.store.durable_index(), LogIndex(1));
        let op = r.flush();
        r.complete(op);
        assert_eq!(r.media_terms(), [1, 2]);

        let mut r = Rig::new(StoreMutant::TruncateKeepsDurableIndex);
        r.append(&[1, 1, 1]);
        let op = r.flush();
        r.complete(op);
        r.write_at(2, &[2]);
        assert_eq!(r.store.durable_index(), LogIndex(3), "the stale belief");
        let skipped = r
            .store
            .end_batch(&mut r.disk, r.now, FlushWait::Blocking, &mut r.ev);
        assert_eq!(skipped, None, "no flush issued");
        assert_eq!(r.media_terms(), [1, 1, 1], "the truncation is not durable");
    }

    /// `end-of-batch-skipped-for-config`, the store's half: `flush()` makes the entry
    /// durable, but only with the mutant does the durable index stay behind it.
    #[test]
    fn flush_leaves_durable_index_makes_durable_but_reports_nothing() {
        for (mutant, believed) in [
            (StoreMutant::None, 1),
            (StoreMutant::FlushLeavesDurableIndex, 0),
        ] {
            let mut r = Rig::new(mutant);
            r.append(&[1]);
            let op = r.store.flush_all(&mut r.disk, r.now, &mut r.ev);
            r.complete(op);
            assert_eq!(r.truth_terms(), [1], "{mutant:?}: durable");
            assert_eq!(r.store.durable_index(), LogIndex(believed), "{mutant:?}");
        }
    }
}
