//! `state-machine-safety`: no two nodes apply different entries at one index (Raft,
//! Figure 3), at any time. Checked when a node applies an entry; the first entry applied at
//! each index, and by whom, is remembered for the whole run: who as one byte an index, what
//! as [`Entries`], which tell the first entries that are the committed ones by length only.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::node_view::{Entries, EntryId};
use crate::view::FORGET_EVERY;
use crate::view::View;
use crate::violation::{Violation, req_text};
use raft_core::{LogIndex, NodeId};
use sim_trace::{DurableEntry, Invariant, TraceEvent};

/// The cluster's applied prefix: the first entry applied at each index, and by whom.
#[derive(Clone, Debug, Default)]
pub(crate) struct StateMachineSafety {
    /// The first entry applied at each index, index i at position i - 1. Every
    /// [`FORGET_EVERY`] entries, the leading ones that are the committed entries there are
    /// told by length only.
    applied: Entries,
    /// Who applied each first, index i at position i - 1.
    by: Vec<NodeId>,
}

impl StateMachineSafety {
    fn push(&mut self, id: EntryId, n: NodeId, committed: &[EntryId]) {
        self.applied.push(id);
        self.by.push(n);
        if self.by.len() % FORGET_EVERY == 0 {
            self.applied.forget_committed(committed);
        }
    }
}

impl InvariantChecker for StateMachineSafety {
    const READS: Reads = Reads::APPLY;

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
        let committed = view.committed_ids();
        if i < self.applied.len() {
            let first = *self.applied.get(committed, i).expect("an applied entry");
            let by = self.by[i];
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
            self.push(id, n, committed);
        } else {
            // Applied past the cluster's applied prefix: only a node whose state machine
            // outlived its log (persistent, with a mutant) gets here; record the gap
            // as unknown entries would lose information, so extend with this node's view.
            while self.applied.len() < i {
                let next = LogIndex(self.applied.len() as u64 + 1);
                match view.log_at(n, next).copied() {
                    Some(e) => self.push(e, n, committed),
                    None => return,
                }
            }
            self.push(id, n, committed);
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

    /// Node 1 commits and applies 5,000 entries: the applied prefix keeps under a chunk
    /// of them one by one; node 2 then applies another entry at a forgotten index, and the
    /// finding names the first entry and who applied it, as before.
    #[test]
    fn a_long_applied_prefix_is_forgotten_and_still_compared() {
        let mut s = script();
        s.elected(1, 1, 1);
        let mut t = 10;
        for i in 1..=5_000 {
            s.append(t, 1, i, 1);
            s.commit(t + 1, 1, i);
            s.apply(t + 2, 1, i, 1, None);
            t += 3;
        }
        assert!(s.checker.applied.kept() < FORGET_EVERY);
        assert_eq!(s.checker.by.len(), 5_000);
        s.apply(t, 2, 5, 2, None);
        assert_eq!(
            s.only_violation().detail,
            "node 2 applied entry 5 of term 2 (no request (a no-op)); node 1 applied term 1 (no request (a no-op)) there"
        );
    }
}
