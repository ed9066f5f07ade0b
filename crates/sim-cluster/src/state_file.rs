//! The term/vote file (`state_mgr::save_state`): two checksummed slots a sector apart,
//! written alternately and flushed, so a torn write can only damage the slot being written.

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
}

impl StateFile {
    pub fn open(node: NodeId, recovered: &SavedState, sector_bytes: u32) -> StateFile {
        StateFile {
            node,
            seq: recovered.seq,
            slot_stride: u64::from(sector_bytes),
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
        let offset = (self.seq % 2) * self.slot_stride;
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
