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
        ev.push(TraceEvent::SaveState {
            node: self.node,
            term,
            vote,
        });
        crate::traced_flush::flush(disk, now, self.node, STATE_FILE, FileKind::State, ev)
    }

    /// Reads the saved state as recovery would (corrupt sectors read as invalid slots).
    pub fn recover(disk: &mut Disk, sector_bytes: u32) -> SavedState {
        let mut bytes = Vec::new();
        let _corrupt = disk.read_for_recovery(STATE_FILE, &mut bytes);
        codec::decode_state_file(&bytes, sector_bytes as usize)
    }
}

#[cfg(test)]
mod tests {
    //! A save that a crash interrupts, under a crash model that keeps a random subset of the
    //! unflushed changes: the correct layout always recovers a state at least as new as the
    //! last completed save; `TruncateThenRewrite` can recover none at all.

    use super::*;
    use sim_core::RngStreams;
    use sim_disk::{CrashModel, DiskConfig};

    /// Saves (3, vote 2) and completes it, then submits (4, no vote) and crashes once the
    /// write has landed, before its flush. Returns what recovery reads.
    fn interrupted_save(layout: StateLayout, seed: u64) -> SavedState {
        let mut cfg = DiskConfig::simple(1_000.0, 1_000_000.0);
        cfg.crash_model = CrashModel::KeepRandomSubset;
        let streams = RngStreams::new(seed);
        let mut disk = Disk::new(cfg, 2, streams.stream("latency"), streams.stream("fault"));
        let sector = disk.config().sector_bytes;
        let mut f = StateFile::open(NodeId(1), &SavedState::default(), sector, layout);
        let mut ev = Vec::new();
        let mut now = SimTime::ZERO;
        f.save(&mut disk, now, Term(3), Some(NodeId(2)), &mut ev);
        let mut done = Vec::new();
        while disk.next_wakeup().is_some() {
            now = disk.next_wakeup().expect("work");
            disk.advance(now, &mut done);
        }
        f.save(&mut disk, now, Term(4), None, &mut ev);
        disk.advance(now.after(sim_core::SimDuration::from_ns(10_000)), &mut done);
        disk.crash();
        StateFile::recover(&mut disk, sector)
    }

    #[test]
    fn only_the_non_atomic_save_can_lose_a_completed_vote() {
        let mut lost = 0;
        for seed in 0..64 {
            let ok = interrupted_save(StateLayout::AlternateSlots, seed);
            assert!(ok.term >= Term(3), "seed {seed}: {ok:?}");
            let bad = interrupted_save(StateLayout::TruncateThenRewrite, seed);
            if bad.term == Term(0) {
                assert_eq!(bad.vote, None);
                lost += 1;
            }
        }
        assert!(lost > 0, "no crash kept the truncation without the write");
    }
}
