//! The checks at the end of a run, after the heal phase: every acknowledged write is in
//! the cluster's committed log (`acked-write-lost`), a leader leads and every node caught
//! up (`liveness`), and the client history is linearizable (`linearizability`). Also the
//! run's verdict on durability hazards.

use crate::checker::Checker;
use crate::linearizability::{self, Limits, Verdict};
use crate::view::EntryId;
use crate::violation::Violation;
use raft_core::{LogIndex, NodeId, ReqId};
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

    /// A leader has committed an entry of its own term and still led within the grace
    /// before the end (an election may start in the last instants), and every up node
    /// holds the log it committed. Returns that committed log, against which acknowledged
    /// writes are judged; without one nothing can be judged lost, and the liveness finding
    /// says why.
    fn check_liveness(&mut self, t: SimTime, found: &mut Vec<TraceEvent>) -> Option<Vec<EntryId>> {
        let settled = match self.settled {
            None => {
                let v = Violation::new(
                    Invariant::Liveness,
                    t,
                    "no leader ever committed an entry of its term".into(),
                );
                self.report(v, found);
                return None;
            }
            Some(s) if s.until.is_some_and(|u| u.after(self.cfg.settle_grace) < t) => {
                let detail = format!(
                    "no leader after healing: the last settled leader, node {} of term {}, stopped leading at {}",
                    s.node,
                    s.term,
                    s.until.expect("checked")
                );
                self.report(Violation::new(Invariant::Liveness, t, detail), found);
                return None;
            }
            Some(s) => s,
        };
        let upto = settled.commit.0 as usize;
        let leader = &self.nodes[settled.node.0 as usize - 1];
        let reference: Vec<EntryId> = if leader.up && leader.log.len() >= upto {
            leader.log[..upto].to_vec()
        } else {
            self.committed.iter().take(upto).map(|c| c.id).collect()
        };
        // Caught up: a node holds every entry committed a grace before the end (what was
        // committed in the last instants may still be on its way). Its own commit index may
        // trail by a heartbeat (that is how followers learn it), so it is not compared.
        let horizon = SimTime::from_ns(t.as_ns().saturating_sub(self.cfg.settle_grace.as_ns()));
        let settled_by = self
            .committed
            .iter()
            .take(upto)
            .take_while(|c| c.t <= horizon)
            .count();
        for i in 0..self.nodes.len() {
            let v = &self.nodes[i];
            if v.up && v.log.get(..settled_by) != Some(&reference[..settled_by]) {
                let detail = format!(
                    "node {} has not caught up with leader {} of term {}: it holds {} log entries, {settled_by} were committed by {horizon}",
                    i + 1,
                    settled.node,
                    settled.term,
                    v.log.len()
                );
                let viol = Violation::new(Invariant::Liveness, t, detail).node(NodeId(i as u8 + 1));
                self.report(viol, found);
            }
        }
        Some(reference)
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
