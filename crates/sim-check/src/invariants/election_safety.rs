//! `election-safety`: at most one leader per term (Raft, Figure 3). Checked when a node
//! becomes leader; the first leader of each term is remembered.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{NodeId, Role, Term};
use sim_trace::{Invariant, TraceEvent};
use std::collections::BTreeMap;

/// The leader of each term seen so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct ElectionSafety {
    leaders: BTreeMap<Term, NodeId>,
}

impl InvariantChecker for ElectionSafety {
    const READS: Reads = Reads::ROLE;

    fn invariant(&self) -> Invariant {
        Invariant::ElectionSafety
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        let Step::Event(TraceEvent::Role {
            node: n,
            role: Role::Leader,
            term,
        }) = step
        else {
            return;
        };
        match self.leaders.get(term) {
            Some(&other) if other != *n => {
                let v = Violation::new(
                    Invariant::ElectionSafety,
                    view.now,
                    format!(
                        "node {n} became leader of term {term}, which node {other} already leads"
                    ),
                )
                .node(*n);
                out.violation(v);
            }
            Some(_) => {}
            None => {
                self.leaders.insert(*term, *n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;

    fn script() -> Script<ElectionSafety> {
        Script::new(3, ElectionSafety::default())
    }

    /// Node 1 and then node 2 win term 2: one finding, naming node 2 and node 1.
    #[test]
    fn two_leaders_of_one_term_are_a_finding() {
        let mut s = script();
        s.elected(10, 1, 2);
        s.elected(20, 2, 2);
        let v = s.only_violation();
        assert_eq!(v.node, Some(NodeId(2)));
        assert_eq!(
            v.detail,
            "node 2 became leader of term 2, which node 1 already leads"
        );
        assert_eq!(s.found.len(), 1, "the violation is traced");
    }

    /// Near misses: node 1 announced leader of term 2 twice, node 2 leading term 3, and a
    /// candidate of term 3 that does not win.
    #[test]
    fn one_leader_per_term_is_no_finding() {
        let mut s = script();
        s.elected(10, 1, 2);
        s.role(12, 1, Role::Leader, 2);
        s.role(20, 3, Role::Candidate, 3);
        s.elected(30, 2, 3);
        s.assert_clean();
    }

    /// Only the first few findings are traced; all are counted.
    #[test]
    fn findings_beyond_the_report_bound_are_only_counted() {
        let mut s = script();
        s.elected(10, 1, 2);
        for t in 0..4 {
            s.role(20 + t, 2, Role::Leader, 2);
        }
        assert_eq!(s.count(), 4);
        assert_eq!(s.violations().len(), 3);
        assert_eq!(s.found.len(), 3);
    }
}
