//! `lost-append`: an acknowledged append is never lost from its list. An append
//! acknowledged before a read of its key was invoked must be in what that read returns
//! (reads through the log are linearizable); and when no read ever returned it — it is not
//! in the longest list read of the key — the append is gone from the state machines that
//! answer, not merely late. Each read is checked as it completes; the verdict waits for the
//! end of the run, because a later read that returns the element shows the first was only
//! stale (a deposed leader's with `read_path = "leader-state"`) and not a loss.
//!
//! Why not `acked-write-lost`: that one looks for the append's entry in the converged
//! log after healing. This one looks at what the state machines return, at any time, with
//! or without a heal phase — a state machine that lost an applied append while the log
//! kept its entry shows here and not there. Both fire when an acknowledged append is gone
//! from the log and its reads.

use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Reads, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::ReqId;
use sim_core::SimTime;
use sim_trace::Invariant;
use std::collections::BTreeMap;

/// The first read that missed an acknowledged element.
#[derive(Clone, Copy, Debug)]
struct Miss {
    key: u32,
    acked: SimTime,
    read: ReqId,
    read_invoked: SimTime,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct LostAppend {
    /// Elements some read invoked after their acknowledgement did not return, by element.
    missed: BTreeMap<u64, Miss>,
    /// A reused buffer: the read's elements, sorted.
    sorted: Vec<u64>,
}

impl InvariantChecker for LostAppend {
    const READS: Reads = Reads::CLIENT_OK;

    fn invariant(&self) -> Invariant {
        Invariant::LostAppend
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, _out: &mut Findings<'_>) {
        let Some((req, list)) = step.list_read() else {
            return;
        };
        let Some(op) = view.lists.op(req).copied() else {
            return;
        };
        let Some(book) = view.lists.key(op.key) else {
            return;
        };
        self.sorted.clear();
        self.sorted.extend_from_slice(list);
        self.sorted.sort_unstable();
        for &(element, acked) in &book.acked {
            if acked >= op.invoked {
                break; // Acknowledged in order: the rest came later too.
            }
            if self.sorted.binary_search(&element).is_err() {
                self.missed.entry(element).or_insert(Miss {
                    key: op.key,
                    acked,
                    read: req,
                    read_invoked: op.invoked,
                });
            }
        }
    }

    fn finish(&mut self, _checks: EndChecks, view: &View, out: &mut Findings<'_>) {
        for (&element, m) in &self.missed {
            let longest = view.lists.key(m.key).map_or(&[][..], |b| &b.longest[..]);
            if longest.contains(&element) {
                continue; // A later read returned it: the miss was a stale read.
            }
            let detail = format!(
                "append of element {element} to key {}, acknowledged at {}, is missing from read {} invoked at {} and from every read after",
                m.key, m.acked, m.read, m.read_invoked
            );
            let mut v = Violation::new(Invariant::LostAppend, view.now, detail);
            v.req = Some(ReqId(element));
            out.violation(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use sim_trace::ReadValue;

    fn script() -> Script<LostAppend> {
        Script::new(3, LostAppend::default())
    }

    /// Append 4 acknowledged at 20 ms; a read invoked at 30 ms returns only 3.
    #[test]
    fn an_acknowledged_append_no_read_returns_is_a_finding() {
        let mut s = script();
        s.append_invoked(10, 3);
        s.ok(12, 3, ReadValue::Write);
        s.append_invoked(15, 4);
        s.ok(20, 4, ReadValue::Write);
        s.list_read(30, 5, &[3]);
        s.finish(100, EndChecks::NoHeal);
        let v = s.only_violation();
        assert_eq!(v.req, Some(ReqId(4)));
        assert_eq!(
            v.detail,
            "append of element 4 to key 0, acknowledged at 0.020000s, is missing from read 5 invoked at 0.030000s and from every read after"
        );
    }

    /// Near misses: a read invoked before the acknowledgement may miss it; a read that
    /// missed it is followed by one that has it (the first was stale); an append whose
    /// outcome is unknown may be missing.
    #[test]
    fn late_stale_or_unacknowledged_appends_are_no_finding() {
        let mut s = script();
        s.append_invoked(10, 4);
        s.read_list_invoked(15, 5);
        s.ok(20, 4, ReadValue::Write);
        s.ok(25, 5, ReadValue::List(vec![]));
        s.list_read(30, 6, &[]);
        s.list_read(40, 7, &[4]);
        s.append_invoked(50, 8);
        s.failed(60, 8, sim_trace::FailOutcome::Unknown);
        s.list_read(70, 9, &[4]);
        s.finish(100, EndChecks::AfterHeal);
        s.assert_clean();
    }
}
