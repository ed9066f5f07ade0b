//! `linearizability`: the client history is linearizable, key by key, as a register. Judged
//! once, at the end of every run, by the search in `crate::linearizability` (the module
//! that decides; this file only turns its verdict into a finding). A history the search
//! cannot decide within its step bound is a note, not a violation.

use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Step};
use crate::linearizability::{self, Limits, Verdict};
use crate::view::View;
use crate::violation::Violation;
use raft_core::ReqId;
use sim_trace::Invariant;

#[derive(Clone, Debug)]
pub(crate) struct Linearizability {
    /// Search steps the check may take before it says "undecided".
    steps_max: u64,
    /// Set when the search hit its bound.
    undecided: Option<String>,
}

impl Linearizability {
    pub fn new(steps_max: u64) -> Linearizability {
        Linearizability {
            steps_max,
            undecided: None,
        }
    }

    /// A note when the search hit its bound.
    pub fn undecided(&self) -> Option<&str> {
        self.undecided.as_deref()
    }
}

impl InvariantChecker for Linearizability {
    fn invariant(&self) -> Invariant {
        Invariant::Linearizability
    }

    fn observe(&mut self, _step: Step<'_>, _view: &View, _out: &mut Findings<'_>) {}

    fn finish(&mut self, _checks: EndChecks, view: &View, out: &mut Findings<'_>) {
        let limits = Limits {
            steps_max: self.steps_max,
        };
        match linearizability::check(view.history.ops(), limits) {
            Verdict::Linearizable => {}
            Verdict::NotLinearizable(cx) => {
                let detail = format!(
                    "the history of key {} is not linearizable: {}",
                    cx.key, cx.explanation
                );
                let mut v = Violation::new(Invariant::Linearizability, view.now, detail);
                v.req = cx.ops.first().map(|id| ReqId(*id));
                out.violation(v);
            }
            Verdict::Undecided { key, steps } => {
                self.undecided = Some(format!(
                    "key {key}: undecided after {steps} search steps (the bound)"
                ));
            }
        }
    }
}
