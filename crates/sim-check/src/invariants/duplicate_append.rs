//! `duplicate-append`: no list read returns an element twice. The workload appends each
//! element once (its request id, unique in the run), so an element present twice was
//! applied twice by the state machine that answered — what a register workload cannot
//! see, since a put applied twice leaves the same value. Checked on each list read;
//! each duplicated element is reported once.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{LogIndex, ReqId};
use sim_trace::Invariant;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default)]
pub(crate) struct DuplicateAppend {
    /// Elements already reported.
    reported: BTreeSet<u64>,
    /// A reused buffer: the read's elements, sorted.
    sorted: Vec<u64>,
}

impl InvariantChecker for DuplicateAppend {
    const READS: Reads = Reads::CLIENT_OK;

    fn invariant(&self) -> Invariant {
        Invariant::DuplicateAppend
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        let Some((req, list)) = step.list_read() else {
            return;
        };
        self.sorted.clear();
        self.sorted.extend_from_slice(list);
        self.sorted.sort_unstable();
        let mut dups: Vec<u64> = self
            .sorted
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        dups.dedup();
        let key = view.lists.op(req).map_or(0, |op| op.key);
        for element in dups {
            if !self.reported.insert(element) {
                continue;
            }
            let times = list.iter().filter(|e| **e == element).count();
            let detail = format!(
                "list read {req} of key {key} returned element {element} {times} times: the append of request {element} was applied more than once"
            );
            let mut v = Violation::new(Invariant::DuplicateAppend, view.now, detail);
            v.req = Some(ReqId(element));
            let committed = view
                .committed_ids()
                .iter()
                .position(|id| id.req == Some(ReqId(element)));
            if let Some(i) = committed {
                let index = LogIndex(i as u64 + 1);
                v = v.entry(index, view.committed_ids()[i].term, Some(ReqId(element)));
            }
            out.violation(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use sim_trace::ReadValue;

    fn script() -> Script<DuplicateAppend> {
        Script::new(3, DuplicateAppend::default())
    }

    #[test]
    fn an_element_read_twice_is_a_finding_reported_once() {
        let mut s = script();
        s.append_invoked(10, 4);
        s.ok(20, 4, ReadValue::Write);
        s.list_read(30, 5, &[4, 4]);
        s.list_read(40, 6, &[4, 4, 7]);
        let v = s.only_violation();
        assert_eq!(v.req, Some(ReqId(4)));
        assert_eq!(
            v.detail,
            "list read 5 of key 0 returned element 4 2 times: the append of request 4 was applied more than once"
        );
    }

    /// Near miss: the same element in two reads, once each.
    #[test]
    fn one_element_in_many_reads_is_no_finding() {
        let mut s = script();
        s.list_read(30, 5, &[4, 9]);
        s.list_read(40, 6, &[4, 9, 7]);
        s.assert_clean();
    }
}
