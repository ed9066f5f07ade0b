//! The state machine's snapshots and the log's directory on a node's disk, as a state
//! machine that persists its snapshots correctly does it (NuRaft leaves this to the user's
//! `create_snapshot` and `save_logical_snp_obj`):
//!
//! 1. the snapshot is written to a fresh data file (of two, alternating: the other holds
//!    the current snapshot) and the file is flushed;
//! 2. the snapshot directory is changed to name that file (a rename) and flushed;
//! 3. only then is the snapshot reported done: NuRaft compacts the log behind it, a
//!    follower answers the leader.
//!
//! The log store's compaction is a change to the log directory (old segments unlinked:
//! here a record of the first index kept), flushed in the background. Recovery reads the
//! snapshot the snapshot directory names and the log from past both the snapshot and the
//! compaction. A log that starts past the snapshot's end has lost what lay between.
//!
//! Like the log store, this keeps belief and truth apart: what it reports done, and what
//! the media hold (`snapshot-durable` and `compact-durable` lines). The catalogue's
//! snapshot mutants (docs/bugs.md) skip a flush or report before one.

use crate::codec;
use crate::dir_file::DirFile;
use raft_core::{LogIndex, NodeId, Snapshot};
use sim_core::SimTime;
use sim_disk::{Completion, Disk, FileId, OpId};
use sim_trace::{FileKind, TraceEvent};
use std::collections::VecDeque;
use std::sync::Arc;

/// The log directory's file.
pub const LOG_DIR_FILE: FileId = FileId(2);
/// The snapshot directory's file.
pub const SNAPSHOT_DIR_FILE: FileId = FileId(3);
/// The two snapshot data files.
pub const SNAPSHOT_FILES: [FileId; 2] = [FileId(4), FileId(5)];
/// Files of a disk with snapshots: log, state, the two directories, two data files.
pub const FILES_WITH_SNAPSHOTS: usize = 6;

/// The snapshot mutants: deliberate mistakes of docs/bugs.md, chosen by `[cluster] bug`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotMutant {
    None,
    /// The snapshot's rename is never made durable: no flush of the snapshot directory
    /// (ClickHouse Keeper #111339).
    DirNotFsynced,
    /// The snapshot is reported done as soon as it is written, before its flushes: the log
    /// is compacted behind a snapshot that is not yet durable.
    CompactBeforeDurable,
    /// A follower's installed snapshot is written and renamed without any flush, and the
    /// follower answers the leader at once.
    InstallAckedBeforeDurable,
}

/// Why a snapshot is being saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The node's own state machine created it (`create_snapshot`).
    Create,
    /// The leader sent it (`save_logical_snp_obj`); the Raft thread waits.
    Install,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// The data file's flush is in flight.
    Data(OpId),
    /// The directory's flush is in flight.
    Dir(OpId),
}

#[derive(Debug)]
struct Saving {
    snapshot: Arc<Snapshot>,
    purpose: Purpose,
    /// Which data file (0 or 1).
    slot: u8,
    stage: Stage,
    /// Already reported done (a mutant reports before its flushes).
    reported: bool,
}

/// What a flush completion did.
#[derive(Debug, Default)]
pub struct Progress {
    /// A snapshot to report done now.
    pub finished: Option<(Purpose, Arc<Snapshot>)>,
    /// The media's first readable log index moved (the log store re-reads from there).
    pub floor_moved: bool,
}

/// What the media hold: the snapshot the directory names (if its data file is intact) and
/// the first index the log directory keeps.
#[derive(Debug, Default)]
pub struct Media {
    pub snapshot: Option<Arc<Snapshot>>,
    /// Which data file the directory names.
    pub slot: u8,
    pub log_first: LogIndex,
    pub dir: Option<codec::DirRecord>,
    pub log_dir: Option<codec::DirRecord>,
}

impl Media {
    /// The media of a new disk: no snapshot, the log from index 1.
    pub fn default_empty() -> Media {
        Media {
            log_first: LogIndex(1),
            ..Media::default()
        }
    }

    /// The snapshot's last index, 0 for none.
    pub fn snapshot_index(&self) -> LogIndex {
        self.snapshot.as_ref().map_or(LogIndex::ZERO, |s| s.index)
    }

    /// The first index recovery reads from the log: past the snapshot and the compaction.
    pub fn floor(&self) -> LogIndex {
        self.log_first.max(self.snapshot_index().next())
    }

    /// Reads the media as a restarting process would (read faults are not applied to
    /// these files: docs/durability-model.md).
    pub fn read(disk: &Disk, sector_bytes: u32) -> Media {
        let dir = DirFile::on_media(disk, SNAPSHOT_DIR_FILE, sector_bytes);
        let log_dir = DirFile::on_media(disk, LOG_DIR_FILE, sector_bytes);
        let slot = dir.map_or(0, |d| (d.a & 1) as u8);
        let snapshot = dir.and_then(|d| {
            let s = codec::decode_snapshot(disk.durable(SNAPSHOT_FILES[usize::from(slot)]))?;
            (s.index.0 == d.b).then(|| Arc::new(s))
        });
        Media {
            snapshot,
            slot,
            log_first: LogIndex(log_dir.map_or(1, |d| d.a.max(1))),
            dir,
            log_dir,
        }
    }
}

#[derive(Debug)]
pub struct SnapshotStore {
    node: NodeId,
    mutant: SnapshotMutant,
    dir: DirFile,
    log_dir: DirFile,
    /// The data file the directory names, as the store believes.
    current: u8,
    saving: Option<Saving>,
    /// Log-directory flushes in flight, with the compaction each makes durable.
    compactions: VecDeque<(OpId, LogIndex)>,
    /// The last compaction written to the log directory.
    compacted: LogIndex,
    /// The truth as last reported: the snapshot the media hold, the compaction they hold.
    media_snapshot: LogIndex,
    media_compacted: LogIndex,
    scratch: Vec<u8>,
}

impl SnapshotStore {
    pub fn open(node: NodeId, mutant: SnapshotMutant, media: &Media, sector_bytes: u32) -> Self {
        SnapshotStore {
            node,
            mutant,
            dir: DirFile::open(
                node,
                SNAPSHOT_DIR_FILE,
                FileKind::Snapshot,
                media.dir,
                sector_bytes,
            ),
            log_dir: DirFile::open(
                node,
                LOG_DIR_FILE,
                FileKind::LogDir,
                media.log_dir,
                sector_bytes,
            ),
            current: media.slot,
            saving: None,
            compactions: VecDeque::new(),
            compacted: media.log_first.prev(),
            media_snapshot: media.snapshot_index(),
            media_compacted: media.log_first.prev(),
            scratch: Vec::new(),
        }
    }

    /// The first index recovery would read from the log, as last reported.
    pub fn floor(&self) -> LogIndex {
        self.media_compacted.next().max(self.media_snapshot.next())
    }

    /// Starts saving `snapshot`; returns it if it is to be reported done at once (a
    /// mutant's early report). A save in progress is abandoned (an installed snapshot
    /// replaces one the state machine was creating).
    pub fn save(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        snapshot: Arc<Snapshot>,
        purpose: Purpose,
        ev: &mut Vec<TraceEvent>,
    ) -> Option<Arc<Snapshot>> {
        let slot = 1 - self.current;
        self.write_data(disk, now, slot, &snapshot);
        if purpose == Purpose::Install && self.mutant == SnapshotMutant::InstallAckedBeforeDurable {
            // Written and renamed, never flushed: the page cache holds it until the OS
            // writes it back, or a power loss takes it.
            self.dir.write(disk, now, u64::from(slot), snapshot.index.0);
            self.current = slot;
            self.saving = None;
            return Some(snapshot);
        }
        let op = self.flush_data(disk, now, slot, ev);
        let early =
            purpose == Purpose::Create && self.mutant == SnapshotMutant::CompactBeforeDurable;
        self.saving = Some(Saving {
            snapshot: Arc::clone(&snapshot),
            purpose,
            slot,
            stage: Stage::Data(op),
            reported: early,
        });
        early.then_some(snapshot)
    }

    fn write_data(&mut self, disk: &mut Disk, now: SimTime, slot: u8, s: &Snapshot) {
        codec::encode_snapshot(s, &mut self.scratch);
        let file = SNAPSHOT_FILES[usize::from(slot)];
        disk.truncate(now, file, 0);
        disk.write(now, file, 0, &self.scratch);
    }

    fn flush_data(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        slot: u8,
        ev: &mut Vec<TraceEvent>,
    ) -> OpId {
        let file = SNAPSHOT_FILES[usize::from(slot)];
        crate::traced_flush::flush(disk, now, self.node, file, FileKind::Snapshot, ev)
    }

    /// `log_store::compact(upto)`: the log directory drops the segments up to `upto` (a
    /// record of the first index kept), flushed in the background.
    pub fn compact(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        upto: LogIndex,
        ev: &mut Vec<TraceEvent>,
    ) {
        if upto <= self.compacted {
            return;
        }
        self.compacted = upto;
        self.write_compaction(disk, now, ev);
    }

    /// Records the last compaction in the log directory and flushes it.
    fn write_compaction(&mut self, disk: &mut Disk, now: SimTime, ev: &mut Vec<TraceEvent>) {
        self.log_dir.write(disk, now, self.compacted.next().0, 0);
        let op = self.log_dir.flush(disk, now, ev);
        self.compactions.push_back((op, self.compacted));
    }

    /// Whether a completion is for one of this store's files.
    pub fn owns(file: FileId) -> bool {
        file == LOG_DIR_FILE || file == SNAPSHOT_DIR_FILE || SNAPSHOT_FILES.contains(&file)
    }

    /// A flush of one of its files completed.
    pub fn flush_done(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        c: &Completion,
        ev: &mut Vec<TraceEvent>,
    ) -> Progress {
        let mut progress = Progress::default();
        if c.file == LOG_DIR_FILE {
            let Some(pos) = self.compactions.iter().position(|(op, _)| *op == c.op) else {
                return progress;
            };
            let (_, upto) = self
                .compactions
                .remove(pos)
                .expect("the position was found");
            if !c.ok {
                // The directory change is gone with the failed flush: write it again.
                self.write_compaction(disk, now, ev);
                return progress;
            }
            if upto > self.media_compacted {
                self.media_compacted_now(upto, ev);
                progress.floor_moved = true;
            }
            return progress;
        }
        let Some(saving) = &mut self.saving else {
            return progress;
        };
        match saving.stage {
            Stage::Data(op) if op == c.op => {
                let slot = saving.slot;
                let snapshot = Arc::clone(&saving.snapshot);
                if !c.ok {
                    self.write_data(disk, now, slot, &snapshot);
                    let op = self.flush_data(disk, now, slot, ev);
                    self.stage(Stage::Data(op));
                    return progress;
                }
                self.dir.write(disk, now, u64::from(slot), snapshot.index.0);
                if self.mutant == SnapshotMutant::DirNotFsynced {
                    // The rename returned: the snapshot is taken as saved.
                    self.current = slot;
                    return self.finish(progress);
                }
                let op = self.dir.flush(disk, now, ev);
                self.stage(Stage::Dir(op));
            }
            Stage::Dir(op) if op == c.op => {
                let slot = saving.slot;
                let index = saving.snapshot.index;
                if !c.ok {
                    self.dir.write(disk, now, u64::from(slot), index.0);
                    let op = self.dir.flush(disk, now, ev);
                    self.stage(Stage::Dir(op));
                    return progress;
                }
                self.current = slot;
                if index != self.media_snapshot {
                    self.media_snapshot_now(index, ev);
                    progress.floor_moved = true;
                }
                return self.finish(progress);
            }
            _ => {}
        }
        progress
    }

    fn stage(&mut self, stage: Stage) {
        if let Some(s) = &mut self.saving {
            s.stage = stage;
        }
    }

    fn finish(&mut self, mut progress: Progress) -> Progress {
        let s = self.saving.take().expect("finishing a save in progress");
        if !s.reported {
            progress.finished = Some((s.purpose, s.snapshot));
        }
        progress
    }

    /// After a crash: whatever was in flight is gone; the truth is what the media hold now
    /// (a crash model may have kept a write never flushed). Returns the media's floor.
    pub fn crash(&mut self, disk: &Disk, sector_bytes: u32, ev: &mut Vec<TraceEvent>) -> LogIndex {
        self.saving = None;
        self.compactions.clear();
        let media = Media::read(disk, sector_bytes);
        self.report_media(&media, ev);
        media.floor()
    }

    /// The media as recovery read them: the truth, reported if it moved.
    fn report_media(&mut self, media: &Media, ev: &mut Vec<TraceEvent>) {
        let index = media.snapshot_index();
        if index != self.media_snapshot {
            self.media_snapshot_now(index, ev);
        }
        let upto = media.log_first.prev();
        if upto != self.media_compacted {
            self.media_compacted_now(upto, ev);
        }
    }

    /// The media now hold the snapshot up to `index`: the truth, and its line.
    fn media_snapshot_now(&mut self, index: LogIndex, ev: &mut Vec<TraceEvent>) {
        self.media_snapshot = index;
        ev.push(TraceEvent::SnapshotDurable {
            node: self.node,
            index,
        });
    }

    /// The media now hold the log compacted up to `upto`: the truth, and its line.
    fn media_compacted_now(&mut self, upto: LogIndex, ev: &mut Vec<TraceEvent>) {
        self.media_compacted = upto;
        ev.push(TraceEvent::CompactDurable {
            node: self.node,
            upto,
        });
    }

    /// Reopens after a restart from what recovery read.
    pub fn reopen(&mut self, media: &Media, sector_bytes: u32) {
        *self = SnapshotStore::open(self.node, self.mutant, media, sector_bytes);
    }
}
