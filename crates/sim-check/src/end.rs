//! The checks at the end of a run: after a heal phase, the cluster converged (`liveness`,
//! judged in `liveness.rs`) and every acknowledged write is in the log the converged leader
//! committed (`acked-write-lost`); always, the client history is linearizable
//! (`linearizability`) and the run's verdict on durability hazards.

use crate::checker::Checker;
use crate::linearizability::{self, Limits, Verdict};
use crate::view::EntryId;
use crate::violation::Violation;
use raft_core::{LogIndex, ReqId};
use sim_core::SimTime;
use sim_trace::{Invariant, TraceEvent};
use std::collections::BTreeSet;

/// What the end of the run checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndChecks {
    /// The run had a heal phase and reached its end: check everything.
    AfterHeal,
    /// No heal phase (`heal_ms = 0`) or the run stopped early: only what holds at any
    /// instant (linearizability, hazards).
    NoHeal,
}

impl Checker {
    /// The end of the run. Violations and the last hazard windows go to `found`.
    pub fn finish(&mut self, t: SimTime, checks: EndChecks, found: &mut Vec<TraceEvent>) {
        self.finish_hazards(found);
        if checks == EndChecks::AfterHeal {
            if let Some(reference) = self.check_liveness(t, found) {
                self.check_acked_writes(t, &reference, found);
            }
        }
        self.check_linearizability(t, found);
        let s = self.hazards.summary;
        if let Some((index, term, opened)) = s.first {
            let detail = format!(
                "{} entries were counted committed while durable on fewer than {} of {} nodes; the first was entry {index} (term {term}) at {opened}; longest window {:.3} ms, {} never closed",
                s.windows,
                self.majority(),
                self.cfg.nodes,
                s.longest_ns as f64 / 1e6,
                s.unclosed
            );
            let v = Violation::new(Invariant::DurabilityHazard, t, detail).entry(index, term, None);
            self.report(v, found);
        }
    }

    /// Every acknowledged write is in the cluster's committed log (`reference`).
    fn check_acked_writes(
        &mut self,
        t: SimTime,
        reference: &[EntryId],
        found: &mut Vec<TraceEvent>,
    ) {
        let present: BTreeSet<ReqId> = reference.iter().filter_map(|e| e.req).collect();
        let missing: Vec<(ReqId, raft_core::ClientId, SimTime)> = self
            .history
            .acked_writes()
            .iter()
            .filter(|(r, _, _)| !present.contains(r))
            .copied()
            .collect();
        for (req, client, acked_at) in missing {
            let mut story = Vec::new();
            if let Some(i) = self.committed.iter().position(|c| c.id.req == Some(req)) {
                story = self.entry_story(LogIndex(i as u64 + 1));
            }
            let detail = format!(
                "write request {req} of client {client}, acknowledged at {acked_at}, is not in the cluster's committed log after healing"
            );
            let mut viol = Violation::new(Invariant::AckedWriteLost, t, detail).story(story);
            viol.req = Some(req);
            self.report(viol, found);
        }
    }

    fn check_linearizability(&mut self, t: SimTime, found: &mut Vec<TraceEvent>) {
        let limits = Limits {
            steps_max: self.cfg.linearizability_steps_max,
        };
        match linearizability::check(self.history.ops(), limits) {
            Verdict::Linearizable => {}
            Verdict::NotLinearizable(cx) => {
                let detail = format!(
                    "the history of key {} is not linearizable: {}",
                    cx.key, cx.explanation
                );
                let mut v = Violation::new(Invariant::Linearizability, t, detail);
                v.req = cx.ops.first().map(|id| ReqId(*id));
                self.report(v, found);
            }
            Verdict::Undecided { key, steps } => {
                self.linearizability_undecided = Some(format!(
                    "key {key}: undecided after {steps} search steps (the bound)"
                ));
            }
        }
    }
}
