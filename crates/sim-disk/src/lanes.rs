//! The disk's timing: lanes of in-flight operations and the instants they complete.
//!
//! * The **write lane** serves writes and truncates one at a time in submission order. Each
//!   takes one `write_latency` sample and starts when it is submitted or when the previous
//!   one landed, whichever is later.
//! * The **flush lanes** serve flushes one at a time in submission order, each taking one
//!   `flush_latency` sample. Under [`FlushOrder::Submission`] there is one flush lane for
//!   the whole disk, and a flush starts when it is free *and* every write or truncate
//!   submitted before it (to any file) has landed. Under [`FlushOrder::PerFile`] every file
//!   has a flush lane of its own, and a flush starts when its file's lane is free and every
//!   write or truncate submitted before it *to that file* has landed: fsyncs of different
//!   files (a log and a state file) run side by side and complete in either order, as they
//!   do on a file system that syncs files independently. Writes submitted after a flush
//!   do not wait for it.
//!
//! Every start depends only on operations submitted earlier, so the completion instant of
//! an operation is fixed when it is submitted; a stall does not move it (the disk holds the
//! completions back instead). Each lane is therefore sorted by instant, and the next
//! completion is the earliest of the fronts, ties broken by submission order. This file
//! knows nothing of bytes, flush outcomes or crashes.

use crate::change::FileChange;
use crate::config::FlushOrder;
use crate::op::{FileId, OpId};
use sim_core::{SimDuration, SimTime};
use std::collections::VecDeque;

/// The most operations one disk may have in flight (submitted, not completed). More is a
/// runaway caller: a bug, so it panics.
pub const IN_FLIGHT_OPS_MAX: usize = 1 << 16;

#[derive(Clone, Copy, Debug)]
struct PendingChange {
    due: SimTime,
    change: FileChange,
}

#[derive(Clone, Copy, Debug)]
struct PendingFlush {
    due: SimTime,
    op: OpId,
    file: FileId,
}

/// One flush lane: its flushes in submission order, and when the last of them completes.
#[derive(Debug, Default)]
struct FlushLane {
    flushes: VecDeque<PendingFlush>,
    free_at: SimTime,
}

/// An operation whose instant has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Due {
    Change(FileChange),
    Flush { op: OpId, file: FileId },
}

#[derive(Debug)]
pub(crate) struct Lanes {
    order: FlushOrder,
    changes: VecDeque<PendingChange>,
    /// One lane under [`FlushOrder::Submission`]; one per file under
    /// [`FlushOrder::PerFile`] (index = file).
    flush_lanes: Vec<FlushLane>,
    /// When the last submitted write or truncate lands.
    write_lane_free_at: SimTime,
    /// When the last submitted write or truncate to each file lands (index = file; used
    /// under [`FlushOrder::PerFile`]).
    file_writes_land_at: Vec<SimTime>,
    in_flight: usize,
}

impl Lanes {
    /// Empty lanes for a disk of `files` files.
    pub(crate) fn new(order: FlushOrder, files: usize) -> Lanes {
        let flush_lanes = match order {
            FlushOrder::Submission => 1,
            FlushOrder::PerFile => files,
        };
        Lanes {
            order,
            changes: VecDeque::new(),
            flush_lanes: (0..flush_lanes).map(|_| FlushLane::default()).collect(),
            write_lane_free_at: SimTime::ZERO,
            file_writes_land_at: vec![SimTime::ZERO; files],
            in_flight: 0,
        }
    }

    /// Queues a write or truncate; returns the instant it lands.
    pub(crate) fn submit_change(
        &mut self,
        now: SimTime,
        change: FileChange,
        latency: SimDuration,
    ) -> SimTime {
        self.assert_room();
        let due = now.max(self.write_lane_free_at).after(latency);
        self.write_lane_free_at = due;
        self.file_writes_land_at[usize::from(change.file.0)] = due;
        if let Some(last) = self.changes.back() {
            assert!(
                last.change.op < change.op && last.due <= due,
                "write lane out of order"
            );
        }
        self.changes.push_back(PendingChange { due, change });
        self.in_flight += 1;
        due
    }

    /// Queues a flush; returns the instant it completes.
    pub(crate) fn submit_flush(
        &mut self,
        now: SimTime,
        op: OpId,
        file: FileId,
        latency: SimDuration,
    ) -> SimTime {
        self.assert_room();
        let (lane, writes_land_at) = match self.order {
            FlushOrder::Submission => (0, self.write_lane_free_at),
            FlushOrder::PerFile => {
                let f = usize::from(file.0);
                (f, self.file_writes_land_at[f])
            }
        };
        let lane = &mut self.flush_lanes[lane];
        let due = now.max(lane.free_at).max(writes_land_at).after(latency);
        lane.free_at = due;
        if let Some(last) = lane.flushes.back() {
            assert!(last.op < op && last.due <= due, "flush lane out of order");
        }
        lane.flushes.push_back(PendingFlush { due, op, file });
        self.in_flight += 1;
        due
    }

    /// The instant of the next completion, if anything is in flight.
    pub(crate) fn next_due(&self) -> Option<SimTime> {
        let flush = self.next_flush().map(|(_, f)| f.due);
        let change = self.changes.front().map(|c| c.due);
        match (change, flush) {
            (None, None) => None,
            (Some(c), None) => Some(c),
            (None, Some(f)) => Some(f),
            (Some(c), Some(f)) => Some(c.min(f)),
        }
    }

    /// Removes and returns the next operation to complete if its instant is at or before
    /// `now`: the earliest instant first, ties in submission order.
    pub(crate) fn pop_due(&mut self, now: SimTime) -> Option<Due> {
        let flush = self.next_flush();
        let change_first = match (self.changes.front(), flush) {
            (None, None) => return None,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(c), Some((_, f))) => (c.due, c.change.op) < (f.due, f.op),
        };
        if change_first {
            let c = self.changes.front().expect("checked above");
            if c.due > now {
                return None;
            }
            let c = self.changes.pop_front().expect("checked above");
            self.in_flight -= 1;
            return Some(Due::Change(c.change));
        }
        let (lane, f) = flush.expect("checked above");
        if f.due > now {
            return None;
        }
        self.flush_lanes[lane].flushes.pop_front();
        self.in_flight -= 1;
        let order = self.order;
        let earlier_change_pending = self
            .changes
            .iter()
            .take_while(|c| c.change.op < f.op)
            .any(|c| order == FlushOrder::Submission || c.change.file == f.file);
        assert!(
            !earlier_change_pending,
            "flush {} completes before an earlier write",
            f.op
        );
        Some(Due::Flush {
            op: f.op,
            file: f.file,
        })
    }

    /// The front flush that completes first (earliest instant, then submission order), and
    /// its lane.
    fn next_flush(&self) -> Option<(usize, PendingFlush)> {
        self.flush_lanes
            .iter()
            .enumerate()
            .filter_map(|(i, lane)| lane.flushes.front().map(|f| (i, *f)))
            .min_by_key(|(_, f)| (f.due, f.op))
    }

    /// Operations submitted and not completed.
    pub(crate) fn len(&self) -> usize {
        self.in_flight
    }

    /// Forgets every operation in flight (the power went out) and frees every lane.
    /// Returns how many were cancelled.
    pub(crate) fn cancel_all(&mut self) -> usize {
        let cancelled = self.len();
        self.changes.clear();
        for lane in &mut self.flush_lanes {
            lane.flushes.clear();
            lane.free_at = SimTime::ZERO;
        }
        self.write_lane_free_at = SimTime::ZERO;
        self.file_writes_land_at.fill(SimTime::ZERO);
        self.in_flight = 0;
        cancelled
    }

    /// The in-flight changes, in submission order (for arena compaction).
    pub(crate) fn changes_mut(&mut self) -> impl Iterator<Item = &mut FileChange> {
        self.changes.iter_mut().map(|c| &mut c.change)
    }

    fn assert_room(&self) {
        assert!(
            self.len() < IN_FLIGHT_OPS_MAX,
            "disk: more than IN_FLIGHT_OPS_MAX ({IN_FLIGHT_OPS_MAX}) operations in flight"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Change;

    fn trunc(op: u64) -> FileChange {
        FileChange {
            op: OpId(op),
            file: FileId(0),
            change: Change::Truncate { len_bytes: 0 },
        }
    }

    fn t(ns: u64) -> SimTime {
        SimTime::from_ns(ns)
    }

    fn d(ns: u64) -> SimDuration {
        SimDuration::from_ns(ns)
    }

    #[test]
    fn writes_queue_behind_each_other() {
        let mut l = Lanes::new(FlushOrder::Submission, 1);
        assert_eq!(l.submit_change(t(0), trunc(0), d(10)), t(10));
        assert_eq!(l.submit_change(t(2), trunc(1), d(10)), t(20));
        assert_eq!(l.submit_change(t(50), trunc(2), d(10)), t(60));
    }

    #[test]
    fn a_flush_waits_for_earlier_writes_but_later_writes_do_not_wait_for_it() {
        let mut l = Lanes::new(FlushOrder::Submission, 1);
        l.submit_change(t(0), trunc(0), d(10));
        assert_eq!(l.submit_flush(t(1), OpId(1), FileId(0), d(100)), t(110));
        assert_eq!(l.submit_change(t(2), trunc(2), d(10)), t(20));
        assert_eq!(l.submit_flush(t(3), OpId(3), FileId(0), d(100)), t(210));
        let order: Vec<Due> = std::iter::from_fn(|| l.pop_due(t(1000))).collect();
        let ops: Vec<u64> = order
            .iter()
            .map(|d| match d {
                Due::Change(c) => c.op.0,
                Due::Flush { op, .. } => op.0,
            })
            .collect();
        assert_eq!(ops, vec![0, 2, 1, 3]);
    }

    #[test]
    fn ties_complete_in_submission_order_and_nothing_early() {
        let mut l = Lanes::new(FlushOrder::Submission, 1);
        l.submit_change(t(0), trunc(0), d(5));
        l.submit_flush(t(0), OpId(1), FileId(0), d(0));
        assert_eq!(l.next_due(), Some(t(5)));
        assert_eq!(l.pop_due(t(4)), None);
        assert!(matches!(l.pop_due(t(5)), Some(Due::Change(_))));
        assert!(matches!(l.pop_due(t(5)), Some(Due::Flush { .. })));
        assert_eq!(l.next_due(), None);
    }

    #[test]
    fn cancel_frees_the_lanes() {
        let mut l = Lanes::new(FlushOrder::Submission, 1);
        l.submit_change(t(0), trunc(0), d(1_000));
        l.submit_flush(t(0), OpId(1), FileId(0), d(1_000));
        assert_eq!(l.cancel_all(), 2);
        assert_eq!(l.len(), 0);
        assert_eq!(l.submit_change(t(5), trunc(2), d(1)), t(6));
    }

    fn change(op: u64, file: u8) -> FileChange {
        FileChange {
            op: OpId(op),
            file: FileId(file),
            change: Change::Truncate { len_bytes: 0 },
        }
    }

    fn ops(l: &mut Lanes, now: SimTime) -> Vec<u64> {
        std::iter::from_fn(|| l.pop_due(now))
            .map(|d| match d {
                Due::Change(c) => c.op.0,
                Due::Flush { op, .. } => op.0,
            })
            .collect()
    }

    #[test]
    fn in_submission_order_a_state_file_flush_waits_behind_a_log_flush() {
        let mut l = Lanes::new(FlushOrder::Submission, 2);
        l.submit_change(t(0), change(0, 0), d(10));
        assert_eq!(l.submit_flush(t(0), OpId(1), FileId(0), d(100)), t(110));
        l.submit_change(t(0), change(2, 1), d(10));
        // Waits for the log's flush lane and for the write to the log.
        assert_eq!(l.submit_flush(t(0), OpId(3), FileId(1), d(5)), t(115));
        assert_eq!(ops(&mut l, t(1000)), vec![0, 2, 1, 3]);
    }

    #[test]
    fn per_file_flushes_of_different_files_complete_in_either_order() {
        let mut l = Lanes::new(FlushOrder::PerFile, 2);
        l.submit_change(t(0), change(0, 0), d(10));
        assert_eq!(l.submit_flush(t(0), OpId(1), FileId(0), d(100)), t(110));
        l.submit_change(t(0), change(2, 1), d(10));
        // Waits only for its own file's write (landing at 20), not for the log's flush.
        assert_eq!(l.submit_flush(t(0), OpId(3), FileId(1), d(5)), t(25));
        // A second log flush queues behind the first one of its file.
        assert_eq!(l.submit_flush(t(0), OpId(4), FileId(0), d(1)), t(111));
        assert_eq!(l.next_due(), Some(t(10)));
        assert_eq!(ops(&mut l, t(1000)), vec![0, 2, 3, 1, 4]);
        assert_eq!(l.len(), 0);
    }

    #[test]
    fn per_file_flush_waits_for_earlier_writes_to_its_own_file() {
        let mut l = Lanes::new(FlushOrder::PerFile, 2);
        l.submit_change(t(0), change(0, 1), d(50));
        l.submit_change(t(0), change(1, 0), d(50));
        // File 1's write lands at 50; the write to file 0 (landing at 100) does not hold it.
        assert_eq!(l.submit_flush(t(0), OpId(2), FileId(1), d(1)), t(51));
        assert_eq!(ops(&mut l, t(1000)), vec![0, 2, 1]);
    }

    #[test]
    fn cancel_frees_every_per_file_lane() {
        let mut l = Lanes::new(FlushOrder::PerFile, 3);
        l.submit_flush(t(0), OpId(0), FileId(2), d(1_000));
        l.submit_flush(t(0), OpId(1), FileId(1), d(1_000));
        assert_eq!(l.cancel_all(), 2);
        assert_eq!(l.next_due(), None);
        assert_eq!(l.submit_flush(t(5), OpId(2), FileId(2), d(1)), t(6));
    }
}
