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
            // outlived its log (persistent, with a deliberate bug) gets here; record the gap
            // as unknown entries would lose information, so extend with this node's view.
            while self.applied.len() < i {
                let next = LogIndex(self.applied.len() as u64 + 1);
                match view.node(n).log_at(next).copied() {
                    Some(e) => self.applied.push((e, n)),
                    None => return,
                }
            }
            self.applied.push((id, n));
        }
    }
}
