//! A directory, as far as the log store and the snapshot store need one: the one entry
//! they change (which data file is the current snapshot; where the log starts), kept as a
//! checksummed record in two alternating slots a sector apart, like the state file. A
//! rename or an unlink is a record written to the page cache; it is durable once the
//! directory is flushed (`fsync` of the directory), and a crash before that may keep the
//! old entry (ClickHouse Keeper #111339, #116316).

use crate::codec::{self, DirRecord};
use raft_core::NodeId;
use sim_core::SimTime;
use sim_disk::{Disk, FileId, OpId};
use sim_trace::{FileKind, TraceEvent};

#[derive(Debug)]
pub struct DirFile {
    node: NodeId,
    file: FileId,
    kind: FileKind,
    /// Sequence number of the last record written.
    seq: u64,
    slot_stride: u64,
}

impl DirFile {
    /// The directory in `file` of a node's disk, as recovery read it (`recovered`).
    pub fn open(
        node: NodeId,
        file: FileId,
        kind: FileKind,
        recovered: Option<DirRecord>,
        sector_bytes: u32,
    ) -> DirFile {
        DirFile {
            node,
            file,
            kind,
            seq: recovered.map_or(0, |r| r.seq),
            slot_stride: u64::from(sector_bytes),
        }
    }

    /// The entry on the durable media (no read faults): what recovery would find.
    pub fn on_media(disk: &Disk, file: FileId, sector_bytes: u32) -> Option<DirRecord> {
        codec::decode_dir_file(disk.durable(file), sector_bytes as usize)
    }

    /// Changes the entry to (`a`, `b`): a write to the page cache.
    pub fn write(&mut self, disk: &mut Disk, now: SimTime, a: u64, b: u64) -> OpId {
        self.seq += 1;
        let record = codec::encode_dir_record(&DirRecord {
            seq: self.seq,
            a,
            b,
        });
        disk.write(now, self.file, (self.seq % 2) * self.slot_stride, &record)
    }

    /// `fsync` of the directory.
    pub fn flush(&mut self, disk: &mut Disk, now: SimTime, ev: &mut Vec<TraceEvent>) -> OpId {
        crate::traced_flush::flush(disk, now, self.node, self.file, self.kind, ev)
    }
}
