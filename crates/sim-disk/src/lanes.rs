//! The disk's timing: two lanes of in-flight operations and the instants they complete.
//!
//! * The **write lane** serves writes and truncates one at a time in submission order. Each
//!   takes one `write_latency` sample and starts when it is submitted or when the previous
//!   one landed, whichever is later.
//! * The **flush lane** serves flushes one at a time in submission order. A flush starts
//!   when the flush lane is free *and* every write or truncate submitted before it (to any
//!   file) has landed, and takes one `flush_latency` sample. Writes submitted after a flush
//!   do not wait for it.
//!
//! Every start depends only on operations submitted earlier, so the completion instant of
//! an operation is fixed when it is submitted; a stall does not move it (the disk holds the
//! completions back instead). Both lanes are therefore sorted by instant, and the next
//! completion is the earlier of the two fronts, ties broken by submission order. This file
//! knows nothing of bytes, flush outcomes or crashes.

use crate::change::FileChange;
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

/// An operation whose instant has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Due {
    Change(FileChange),
    Flush { op: OpId, file: FileId },
}

#[derive(Debug, Default)]
pub(crate) struct Lanes {
    changes: VecDeque<PendingChange>,
    flushes: VecDeque<PendingFlush>,
    /// When the last submitted write or truncate lands.
    write_lane_free_at: SimTime,
    /// When the last submitted flush completes.
    flush_lane_free_at: SimTime,
}

impl Lanes {
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
        if let Some(last) = self.changes.back() {
            assert!(
                last.change.op < change.op && last.due <= due,
                "write lane out of order"
            );
        }
        self.changes.push_back(PendingChange { due, change });
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
        let start = now
            .max(self.flush_lane_free_at)
            .max(self.write_lane_free_at);
        let due = start.after(latency);
        self.flush_lane_free_at = due;
        if let Some(last) = self.flushes.back() {
            assert!(last.op < op && last.due <= due, "flush lane out of order");
        }
        self.flushes.push_back(PendingFlush { due, op, file });
        due
    }

    /// The instant of the next completion, if anything is in flight.
    pub(crate) fn next_due(&self) -> Option<SimTime> {
        match (self.changes.front(), self.flushes.front()) {
            (None, None) => None,
            (Some(c), None) => Some(c.due),
            (None, Some(f)) => Some(f.due),
            (Some(c), Some(f)) => Some(c.due.min(f.due)),
        }
    }

    /// Removes and returns the next operation to complete if its instant is at or before
    /// `now`: the earliest instant first, ties in submission order.
    pub(crate) fn pop_due(&mut self, now: SimTime) -> Option<Due> {
        let change_first = match (self.changes.front(), self.flushes.front()) {
            (None, None) => return None,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(c), Some(f)) => (c.due, c.change.op) < (f.due, f.op),
        };
        if change_first {
            let c = self.changes.front().expect("checked above");
            if c.due > now {
                return None;
            }
            let c = self.changes.pop_front().expect("checked above");
            return Some(Due::Change(c.change));
        }
        let f = *self.flushes.front().expect("checked above");
        if f.due > now {
            return None;
        }
        self.flushes.pop_front();
        let earlier_change_pending = self.changes.front().is_some_and(|c| c.change.op < f.op);
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

    /// Operations submitted and not completed.
    pub(crate) fn len(&self) -> usize {
        self.changes.len() + self.flushes.len()
    }

    /// Forgets every operation in flight (the power went out) and frees both lanes.
    /// Returns how many were cancelled.
    pub(crate) fn cancel_all(&mut self) -> usize {
        let cancelled = self.len();
        self.changes.clear();
        self.flushes.clear();
        self.write_lane_free_at = SimTime::ZERO;
        self.flush_lane_free_at = SimTime::ZERO;
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
        let mut l = Lanes::default();
        assert_eq!(l.submit_change(t(0), trunc(0), d(10)), t(10));
        assert_eq!(l.submit_change(t(2), trunc(1), d(10)), t(20));
        assert_eq!(l.submit_change(t(50), trunc(2), d(10)), t(60));
    }

    #[test]
    fn a_flush_waits_for_earlier_writes_but_later_writes_do_not_wait_for_it() {
        let mut l = Lanes::default();
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
        let mut l = Lanes::default();
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
        let mut l = Lanes::default();
        l.submit_change(t(0), trunc(0), d(1_000));
        l.submit_flush(t(0), OpId(1), FileId(0), d(1_000));
        assert_eq!(l.cancel_all(), 2);
        assert_eq!(l.len(), 0);
        assert_eq!(l.submit_change(t(5), trunc(2), d(1)), t(6));
    }
}
