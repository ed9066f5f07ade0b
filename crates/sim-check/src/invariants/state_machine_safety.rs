//! `state-machine-safety`: no two nodes apply different entries at one index (Raft,
//! Figure 3), at any time. Checked when a node applies an entry; the first entry applied at
//! each index, and by whom, is remembered.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Step};
use crate::node_view::EntryId;
use crate::view::View;
use crate::violation::{Violation, req_text};
use raft_core::{LogIndex, NodeId};
use sim_trace::{DurableEntry, Invariant, TraceEvent};

/// The cluster's applied prefix: the first entry applied at each index, and by whom.
#[derive(Clone, Debug, Default)]
pub(crate) struct StateMachineSafety {
    /// Index i at position i - 1.
    applied: Vec<(EntryId, NodeId)>,
}

impl InvariantChecker for StateMachineSafety {
    fn invariant(&self) -> Invariant {
        Invariant::StateMachineSafety
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        let Step::Event(&TraceEvent::Apply {
            node: n,
            index,
            term,
            req,
        }) = step
        else {
            return;
        };
        let id = DurableEntry { term, req };
        let i = index.0 as usize - 1;
        if i < self.applied.len() {
            let (first, by) = self.applied[i];
            if first != id {
                let detail = format!(
                    "node {n} applied entry {index} of term {term} ({}); node {by} applied term {} ({}) there",
                    req_text(req),
                    first.term,
                    req_text(first.req)
                );
                let v = Violation::new(Invariant::StateMachineSafety, view.now, detail)
                    .node(n)
                    .entry(index, term, req)
                    .story(view.entry_story(index));
                out.violation(v);
            }
        } else if i == self.applied.len() {
            self.applied.push((id, n));
        } else {
            // Applied past the cluster's applied prefix: only a node whose state machine
            // outlived its log (persistent, with a mutant) gets here; record the gap
            // as unknown entries would lose information, so extend with this node's view.
            while self.applied.len() < i {
                let next = LogIndex(self.applied.len() as u64 + 1);
                match view.log_at(n, next).copied() {
                    Some(e) => self.applied.push((e, n)),
                    None => return,
                }
            }
            self.applied.push((id, n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use raft_core::ReqId;

    fn script() -> Script<StateMachineSafety> {
        Script::new(3, StateMachineSafety::default())
    }

    /// Node 1 applies request 7 at index 1, node 2 request 8 there, much later.
    #[test]
    fn two_entries_applied_at_one_index_are_a_finding() {
        let mut s = script();
        s.apply(10, 1, 1, 1, Some(7));
        s.apply(500, 2, 1, 2, Some(8));
        let v = s.only_violation();
        assert_eq!(v.node, Some(NodeId(2)));
        assert_eq!(v.req, Some(ReqId(8)));
        assert_eq!(
            v.detail,
            "node 2 applied entry 1 of term 2 (request 8); node 1 applied term 1 (request 7) there"
        );
    }

    /// A node that applies past the applied prefix fills the gap from its own log; another
    /// node then applies something else in the gap.
    #[test]
    fn a_gap_filled_from_the_log_is_compared_too() {
        let mut s = script();
        s.append_req(10, 1, 1, 1, Some(7));
        s.append_req(11, 1, 2, 1, Some(8));
        s.apply(12, 1, 2, 1, Some(8));
        s.apply(13, 2, 1, 1, Some(9));
        assert_eq!(s.only_violation().index, Some(LogIndex(1)));
    }

    /// Near miss: every node applies the same entries, in its own time.
    #[test]
    fn the_same_entries_applied_everywhere_are_no_finding() {
        let mut s = script();
        for (t, n) in [(10, 1), (20, 3), (30, 2)] {
            s.apply(t, n, 1, 1, Some(7));
            s.apply(t + 1, n, 2, 1, None);
        }
        s.assert_clean();
    }
}
