//! `linearizability`: the client history is linearizable, key by key, as a register. Judged
//! once, at the end of every run, by the search in `crate::linearizability` (the module
//! that decides; this file only turns its verdict into a finding). A history the search
//! cannot decide within its step bound is a note, not a violation.

use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Reads, Step};
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
    const READS: Reads = Reads::NOTHING;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use sim_trace::{FailOutcome, ReadValue};

    fn script() -> Script<Linearizability> {
        Script::new(3, Linearizability::new(100_000))
    }

    /// Write 5 completes, then a read that begins later returns nothing.
    #[test]
    fn a_read_missing_a_completed_write_is_a_finding() {
        let mut s = script();
        s.write_invoked(10, 5);
        s.ok(20, 5, ReadValue::Write);
        s.read_invoked(30, 6);
        s.ok(40, 6, ReadValue::Read(None));
        s.finish(100, EndChecks::NoHeal);
        let v = s.only_violation();
        assert!(
            v.detail
                .starts_with("the history of key 0 is not linearizable"),
            "{}",
            v.detail
        );
        assert!(v.req.is_some());
    }

    /// Near misses: the read sees the write; a write that ended `unknown` read by a later
    /// read (it may have happened); a failed write nobody read.
    #[test]
    fn reads_a_register_could_give_are_no_finding() {
        let mut s = script();
        s.write_invoked(10, 5);
        s.ok(20, 5, ReadValue::Write);
        s.read_invoked(30, 6);
        s.ok(40, 6, ReadValue::Read(Some(5)));
        s.write_invoked(50, 7);
        s.failed(60, 7, FailOutcome::Unknown);
        s.read_invoked(70, 8);
        s.ok(80, 8, ReadValue::Read(Some(7)));
        s.write_invoked(90, 9);
        s.failed(95, 9, FailOutcome::Fail);
        s.finish(100, EndChecks::NoHeal);
        s.assert_clean();
        assert_eq!(s.checker.undecided(), None);
    }
}
