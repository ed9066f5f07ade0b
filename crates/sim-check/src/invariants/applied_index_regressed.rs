//! `applied-index-regressed`: a node's applied index never moves back, except across a
//! restart of a volatile state machine (rebuilt from the log, it starts again at 0). A node
//! that applies an entry at or below one it applied before applies it a second time — and a
//! state machine that is not idempotent (a list append, a counter) then holds it twice. A
//! persistent state machine that comes back from a crash at an index below the one it had
//! applied lost applied state. Checked on `apply` and `restart` events: a restart whose
//! `applied_index` is 0 is a fresh state machine, any other is the one that survived.

use crate::AppliedIndexCheck;
use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::view::View;
use crate::violation::{Violation, req_text};
use raft_core::LogIndex;
use sim_trace::{Invariant, TraceEvent};

#[derive(Clone, Debug)]
pub(crate) struct AppliedIndexRegressed {
    /// Each node's last applied index, by node position.
    applied: Vec<LogIndex>,
    check: AppliedIndexCheck,
}

impl AppliedIndexRegressed {
    pub fn new(nodes: u8, check: AppliedIndexCheck) -> AppliedIndexRegressed {
        AppliedIndexRegressed {
            applied: vec![LogIndex::ZERO; usize::from(nodes)],
            check,
        }
    }
}

impl InvariantChecker for AppliedIndexRegressed {
    const READS: Reads = Reads::APPLY.and(Reads::RESTART).and(Reads::SNAPSHOT);

    fn invariant(&self) -> Invariant {
        Invariant::AppliedIndexRegressed
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        if self.check == AppliedIndexCheck::Off {
            return;
        }
        match step {
            Step::Event(&TraceEvent::Apply {
                node,
                index,
                term,
                req,
            }) => {
                let last = &mut self.applied[node.index()];
                if index <= *last {
                    let detail = format!(
                        "node {node} applied entry {index} of term {term} ({}) after it had applied up to {last}, with no restart of a volatile state machine in between: it applies entries a second time",
                        req_text(req)
                    );
                    let v = Violation::new(Invariant::AppliedIndexRegressed, view.now, detail)
                        .node(node)
                        .entry(index, term, req);
                    out.violation(v);
                }
                *last = index;
            }
            Step::Event(&TraceEvent::Restart {
                node,
                applied_index,
                snapshot_index,
                ..
            }) => {
                let last = &mut self.applied[node.index()];
                // A state machine restarting from its snapshot is volatile past it: it
                // applies the entries after the snapshot again, once.
                let from_snapshot = applied_index == snapshot_index.0;
                if applied_index != LogIndex::ZERO && applied_index < *last && !from_snapshot {
                    let detail = format!(
                        "node {node} restarted with its state machine at entry {applied_index}, below the {last} it had applied: applied state was lost"
                    );
                    let v = Violation::new(Invariant::AppliedIndexRegressed, view.now, detail)
                        .node(node);
                    out.violation(v);
                }
                *last = applied_index;
            }
            Step::Event(&TraceEvent::Snapshot {
                node,
                index,
                installed: true,
                ..
            }) => {
                // The installed snapshot's state replaced the state machine's.
                self.applied[node.index()] = index;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use raft_core::{NodeId, Term};

    fn script() -> Script<AppliedIndexRegressed> {
        Script::new(3, AppliedIndexRegressed::new(3, AppliedIndexCheck::On))
    }

    /// Turned off (a register workload), it says nothing.
    #[test]
    fn off_it_is_silent() {
        let mut s = Script::new(3, AppliedIndexRegressed::new(3, AppliedIndexCheck::Off));
        s.apply(10, 1, 2, 1, None);
        s.apply(11, 1, 1, 1, None);
        s.assert_clean();
    }

    /// Node 2 applies 1..=3, restarts with a persistent state machine at 3, and applies 2.
    #[test]
    fn applying_below_a_surviving_state_machine_is_a_finding() {
        let mut s = script();
        for i in 1..=3 {
            s.apply(10 + i, 2, i, 1, Some(i));
        }
        s.crash(20, 2);
        s.restart(30, 2, 3);
        s.apply(40, 2, 2, 2, Some(7));
        let v = s.only_violation();
        assert_eq!(v.node, Some(NodeId(2)));
        assert_eq!(v.term, Some(Term(2)));
        assert_eq!(
            v.detail,
            "node 2 applied entry 2 of term 2 (request 7) after it had applied up to 3, with no restart of a volatile state machine in between: it applies entries a second time"
        );
    }

    #[test]
    fn a_persistent_state_machine_that_comes_back_older_is_a_finding() {
        let mut s = script();
        s.apply(10, 1, 1, 1, None);
        s.apply(11, 1, 2, 1, None);
        s.crash(20, 1);
        s.restart(30, 1, 1);
        assert_eq!(s.only_violation().node, Some(NodeId(1)));
    }

    /// Near miss: a volatile state machine restarts at 0 and applies everything again.
    #[test]
    fn a_volatile_state_machine_starting_over_is_no_finding() {
        let mut s = script();
        s.apply(10, 1, 1, 1, None);
        s.apply(11, 1, 2, 1, None);
        s.crash(20, 1);
        s.restart(30, 1, 0);
        s.apply(40, 1, 1, 1, None);
        s.apply(41, 1, 2, 1, None);
        s.apply(42, 3, 1, 1, None);
        s.assert_clean();
    }
}
