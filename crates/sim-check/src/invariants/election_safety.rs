//! `election-safety`: at most one leader per term (Raft, Figure 3). Checked when a node
//! becomes leader; the first leader of each term is remembered.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Step};
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
    fn invariant(&self) -> Invariant {
        Invariant::ElectionSafety
    }

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
