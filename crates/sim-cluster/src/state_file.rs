//! The term/vote file (`state_mgr::save_state`): two checksummed slots a sector apart,
//! written alternately and flushed, so a torn write can only damage the slot being written.
//! The catalogue's `state-file-not-atomic` instead truncates the file and rewrites one slot
//! in place (ClickHouse Keeper before PR #113654): a crash that keeps the truncation and
//! loses the write leaves no state at all.

use crate::codec::{self, SavedState};
use raft_core::{NodeId, Term};
use sim_core::SimTime;
use sim_disk::{Disk, FileId, OpId};
use sim_trace::{FileKind, TraceEvent};

pub const STATE_FILE: FileId = FileId(1);

#[derive(Debug)]
pub struct StateFile {
    node: NodeId,
    /// Sequence number of the last slot written.
    seq: u64,
    slot_stride: u64,
    layout: StateLayout,
}

/// How `save_state` replaces the saved term and vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateLayout {
    /// The older of two slots is overwritten: the newer one survives any crash.
    AlternateSlots,
    /// The file is truncated, then its one slot rewritten: the `state-file-not-atomic` bug.
    TruncateThenRewrite,
}

impl StateFile {
    pub fn open(
        node: NodeId,
        recovered: &SavedState,
        sector_bytes: u32,
        layout: StateLayout,
    ) -> StateFile {
        StateFile {
            node,
            seq: recovered.seq,
            slot_stride: u64::from(sector_bytes),
            layout,
        }
    }

    /// Writes term and vote to the next slot and flushes; returns the flush.
    pub fn save(
        &mut self,
        disk: &mut Disk,
        now: SimTime,
        term: Term,
        vote: Option<NodeId>,
        ev: &mut Vec<TraceEvent>,
    ) -> OpId {
        self.seq += 1;
        let slot = codec::encode_state(&SavedState {
            seq: self.seq,
            term,
            vote,
        });
        let offset = match self.layout {
            StateLayout::AlternateSlots => (self.seq % 2) * self.slot_stride,
            StateLayout::TruncateThenRewrite => {
                // The old state is gone first, the new one is not there yet: until the
                // flush, a crash may keep either change without the other.
                disk.truncate(now, STATE_FILE, 0);
                0
            }
        };
        disk.write(now, STATE_FILE, offset, &slot);
        let op = disk.flush(now, STATE_FILE);
        ev.push(TraceEvent::SaveState {
            node: self.node,
            term,
            vote,
        });
        ev.push(TraceEvent::Flush {
            node: self.node,
            op: op.0,
            file: FileKind::State,
        });
        op
    }

    /// Reads the saved state as recovery would (corrupt sectors read as invalid slots).
    pub fn recover(disk: &mut Disk, sector_bytes: u32) -> SavedState {
        let mut bytes = Vec::new();
        let _corrupt = disk.read_for_recovery(STATE_FILE, &mut bytes);
        codec::decode_state_file(&bytes, sector_bytes as usize)
    }
}
