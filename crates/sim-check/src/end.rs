//! The checks at the end of a run, after the heal phase: every acknowledged write is in
//! the cluster's committed log (`acked-write-lost`), a leader leads and every node caught
//! up (`liveness`), and the client history is linearizable (`linearizability`). Also the
//! run's verdict on durability hazards.

use crate::checker::Checker;
use crate::linearizability::{self, Limits, Verdict};
use crate::violation::Violation;
use raft_core::{LogIndex, NodeId, ReqId, Role};
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
            if let Some(leader) = self.check_liveness(t, found) {
                self.check_acked_writes(t, leader, found);
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

    /// A leader leads, has committed an entry of its term, and every up node has caught up
    /// with it. Returns that leader when the first two hold: its committed log is then the
    /// cluster's, against which acknowledged writes are judged. Without one, nothing can
    /// be judged lost — the liveness finding says why.
    fn check_liveness(&mut self, t: SimTime, found: &mut Vec<TraceEvent>) -> Option<NodeId> {
        let up: Vec<usize> = (0..self.nodes.len())
            .filter(|i| self.nodes[*i].up)
            .collect();
        if up.is_empty() {
            let v = Violation::new(Invariant::Liveness, t, "no node is up after healing".into());
            self.report(v, found);
            return None;
        }
        let leader = up
            .iter()
            .copied()
            .filter(|i| self.nodes[*i].role == Role::Leader)
            .max_by_key(|i| self.nodes[*i].term);
        let Some(l) = leader else {
            let v = Violation::new(Invariant::Liveness, t, "no leader after healing".into());
            self.report(v, found);
            return None;
        };
        let lv = self.nodes[l].clone();
        let (lid, commit, term) = (NodeId(l as u8 + 1), lv.commit, lv.term);
        let settled = lv.log_at(commit).map(|e| e.term) == Some(term);
        if !settled {
            let detail = format!(
                "leader {lid} of term {term} has not committed an entry of its term (commit index {commit})"
            );
            self.report(
                Violation::new(Invariant::Liveness, t, detail).node(lid),
                found,
            );
        }
        for &i in &up {
            let v = self.nodes[i].clone();
            // Caught up: it holds the leader's committed log. Its own commit index may trail
            // by one heartbeat (that is how followers learn it), so it is not compared.
            let caught_up = v.log.get(..commit.0 as usize) == lv.log.get(..commit.0 as usize);
            if !caught_up {
                let n = NodeId(i as u8 + 1);
                let detail = format!(
                    "node {n} has not caught up with leader {lid}: it holds {} log entries, the leader has committed {commit}",
                    v.log.len()
                );
                self.report(
                    Violation::new(Invariant::Liveness, t, detail).node(n),
                    found,
                );
            }
        }
        settled.then_some(lid)
    }

    /// Every acknowledged write is in the committed log of `reference`.
    fn check_acked_writes(&mut self, t: SimTime, reference: NodeId, found: &mut Vec<TraceEvent>) {
        let v = &self.nodes[reference.0 as usize - 1];
        let upto = (v.commit.0 as usize).min(v.log.len());
        let present: BTreeSet<ReqId> = v.log[..upto].iter().filter_map(|e| e.req).collect();
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
                "write request {req} of client {client}, acknowledged at {acked_at}, is not in the committed log of node {reference} after healing"
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
