//! Liveness: after the heal phase the cluster **converges within a bound** — some leader
//! has committed an entry of its own term, no up node is in a newer term, and every up node
//! holds the log that leader committed. A cluster that converges late but within the bound
//! is live; one that is still churning at the bound is stuck, and the finding says what it
//! was doing (elections in the last window, the last commit, which node lags and why).
//!
//! The world asks [`Checker::convergence`](crate::Checker::convergence) (`convergence.rs`)
//! at the end of the heal phase and, while the answer is "not yet", again every heartbeat
//! until the bound; the verdict is given once, at the end of a run that had a heal phase.
//! This file only judges; it does not decide when the run ends.

use crate::convergence::{
    committed_len, convergence, holds_committed_log, last_committed, newest_leader, newest_term,
};
use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Reads, Step};
use crate::node_view::NodeView;
use crate::view::View;
use crate::violation::Violation;
use raft_core::{LogIndex, NodeId, Role, Term};
use sim_core::{SimDuration, SimTime};
use sim_trace::{Invariant, TraceEvent};
use std::collections::VecDeque;

/// Role changes remembered for the finding's account of recent elections.
const ROLE_CHANGES_MAX: usize = 256;

/// How the liveness verdict is bounded, set by the world from the scenario.
#[derive(Clone, Debug)]
pub struct LivenessBound {
    /// How long after the heal the cluster may take to converge.
    pub within: SimDuration,
    /// The bound in words, e.g. `6000 ms (20.0 election timeouts of 300 ms)`.
    pub text: String,
    /// The window of recent elections the finding describes.
    pub window: SimDuration,
    /// Set when the scenario breaks Raft's timing assumption (broadcast time well below the
    /// election timeout): said in every liveness finding.
    pub timing_note: Option<String>,
}

impl Default for LivenessBound {
    fn default() -> Self {
        LivenessBound {
            within: SimDuration::from_ms(6000),
            text: "6000 ms".into(),
            window: SimDuration::from_ms(3000),
            timing_note: None,
        }
    }
}

/// One role change, for the account of recent elections.
#[derive(Clone, Copy, Debug)]
struct RoleChange {
    t: SimTime,
    node: NodeId,
    role: Role,
    term: Term,
}

/// What the liveness check remembers of the run: recent candidacies and elections, the
/// last commit by a leader, and when the heal began.
#[derive(Clone, Debug)]
pub(crate) struct Liveness {
    bound: LivenessBound,
    role_changes: VecDeque<RoleChange>,
    /// The last commit by a leader: when, by whom, up to where.
    last_commit: Option<(SimTime, NodeId, LogIndex)>,
    heal_at: Option<SimTime>,
}

impl Liveness {
    pub fn new(bound: LivenessBound) -> Liveness {
        Liveness {
            bound,
            role_changes: VecDeque::new(),
            last_commit: None,
            heal_at: None,
        }
    }

    fn on_role(&mut self, t: SimTime, node: NodeId, role: Role, term: Term) {
        if role == Role::Follower {
            return;
        }
        if self.role_changes.len() == ROLE_CHANGES_MAX {
            self.role_changes.pop_front();
        }
        self.role_changes.push_back(RoleChange {
            t,
            node,
            role,
            term,
        });
    }
}

impl InvariantChecker for Liveness {
    const READS: Reads = Reads::ROLE.and(Reads::COMMIT).and(Reads::HEAL);

    fn invariant(&self) -> Invariant {
        Invariant::Liveness
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, _out: &mut Findings<'_>) {
        match step {
            Step::Event(&TraceEvent::Role { node, role, term }) => {
                self.on_role(view.now, node, role, term)
            }
            Step::Event(&TraceEvent::Commit { node, index })
                if view.node(node).role == Role::Leader =>
            {
                self.last_commit = Some((view.now, node, index));
            }
            Step::Event(TraceEvent::Heal) => self.heal_at = Some(view.now),
            _ => {}
        }
    }

    /// The verdict at the end of a run that had a heal phase: without a converged cluster
    /// nothing can be judged lost either, and the finding says why.
    fn finish(&mut self, checks: EndChecks, view: &View, out: &mut Findings<'_>) {
        if checks != EndChecks::AfterHeal || convergence(view).is_some() {
            return;
        }
        let t = view.now;
        let heal = self.heal_at.unwrap_or(t);
        let mut detail = format!(
            "the cluster did not converge within {} after healing at {heal}: {}",
            self.bound.text,
            stall_summary(view)
        );
        if let Some(note) = &self.bound.timing_note {
            detail.push_str(&format!(" ({note})"));
        }
        let story = self.stall_story(view);
        let node = lagging_nodes(view).first().map(|(n, _)| *n);
        let mut v = Violation::new(Invariant::Liveness, t, detail).story(story);
        v.node = node;
        out.violation(v);
    }
}

impl Liveness {
    /// The finding's story: recent elections, the last commit, each node's state.
    fn stall_story(&self, view: &View) -> Vec<String> {
        let window = self.bound.window;
        let since = SimTime::from_ns(view.now.as_ns().saturating_sub(window.as_ns()));
        let recent: Vec<_> = self.role_changes.iter().filter(|c| c.t >= since).collect();
        let candidacies = recent.iter().filter(|c| c.role == Role::Candidate).count();
        let leaders: Vec<String> = recent
            .iter()
            .filter(|c| c.role == Role::Leader)
            .map(|c| format!("node {} of term {} at {}", c.node, c.term, c.t))
            .collect();
        let mut lines = vec![format!(
            "in the last {:.0} ms: {candidacies} candidacies, {} leaders elected{}",
            window.as_ns() as f64 / 1e6,
            leaders.len(),
            if leaders.is_empty() {
                String::new()
            } else {
                format!(" ({})", leaders.join(", "))
            }
        )];
        lines.push(match self.last_commit {
            Some((at, n, index)) => {
                format!("last commit: node {n} committed up to {index} at {at}")
            }
            None => "no leader ever committed".into(),
        });
        let lagging = lagging_nodes(view);
        for (i, v) in view.nodes.iter().enumerate() {
            let n = NodeId::from_index(i);
            let state = if !v.up {
                "is down".to_string()
            } else {
                let lag = lagging
                    .iter()
                    .find(|(m, _)| *m == n)
                    .map_or(String::new(), |(_, why)| format!(", {why}"));
                format!(
                    "is {} of term {} with {} log entries, commit {}{lag}",
                    role_name(v.role),
                    v.term,
                    v.log.len(),
                    v.commit
                )
            };
            lines.push(format!("node {n} {state}"));
        }
        lines
    }
}

/// One clause: why the cluster is not converged.
fn stall_summary(view: &View) -> String {
    let Some(top) = newest_term(view) else {
        return "no node is up".into();
    };
    let Some((i, v)) = newest_leader(view) else {
        return format!("no leader in term {top}, the newest term of an up node");
    };
    let own = last_committed(view, v).is_some_and(|e| e.term == v.term);
    if own {
        let lag: Vec<String> = lagging_nodes(view)
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        format!(
            "leader {} of term {top} committed {} entries, but node(s) {} do not hold them",
            NodeId::from_index(i),
            v.commit,
            lag.join(", ")
        )
    } else {
        format!(
            "leader {} of term {top} has not committed an entry of its term (commit index {})",
            NodeId::from_index(i),
            v.commit
        )
    }
}

/// Up nodes that lack the newest leader's committed log, with the reason.
fn lagging_nodes(view: &View) -> Vec<(NodeId, String)> {
    let Some((_, leader)) = newest_leader(view) else {
        return Vec::new();
    };
    let len = committed_len(leader);
    view.nodes
        .iter()
        .enumerate()
        .filter(|(_, v)| v.up && !holds_committed_log(view, v, leader, len))
        .map(|(i, v)| (NodeId::from_index(i), lag_reason(view, v, leader, len)))
        .collect()
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Follower => "follower",
        Role::Candidate => "candidate",
        Role::Leader => "leader",
    }
}

/// Why `v` does not hold the first `len` entries of `leader`'s log (what it committed):
/// it is short, or it diverges.
fn lag_reason(view: &View, v: &NodeView, leader: &NodeView, len: usize) -> String {
    let diverge = v
        .log
        .first_difference(&leader.log, view.committed_ids(), len)
        .filter(|&i| i < v.log.len())
        .map(|i| i + 1);
    match diverge {
        Some(i) => format!("it diverges from the leader's committed log at entry {i}"),
        None => format!(
            "it lacks entries {}..={} of the leader's committed log",
            v.log.len() + 1,
            len
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;

    /// Node 1 leads term 1 and commits entry 1 on every node; the heal is at 100 ms.
    fn committed_then_healed() -> Script<Liveness> {
        let mut s = Script::new(3, Liveness::new(LivenessBound::default()));
        s.elected(10, 1, 1);
        let t = s.replicate(20, 1, 1, &[1, 2, 3]);
        s.commit(t, 1, 1);
        s.heal(100);
        s
    }

    /// Node 3 stands as candidate of term 2 and nobody wins by the end.
    #[test]
    fn no_leader_of_the_newest_term_after_healing_is_a_finding() {
        let mut s = committed_then_healed();
        s.role(200, 3, Role::Candidate, 2);
        s.finish(7000, EndChecks::AfterHeal);
        let v = s.only_violation();
        assert_eq!(
            v.detail,
            "the cluster did not converge within 6000 ms after healing at 0.100000s: no leader in term 2, the newest term of an up node"
        );
        assert_eq!(
            v.story[1],
            "last commit: node 1 committed up to 1 at 0.026000s"
        );
    }

    /// A bound that breaks Raft's timing assumption is said in the finding.
    #[test]
    fn the_timing_note_is_in_the_finding() {
        let bound = LivenessBound {
            timing_note: Some("timing assumption broken".into()),
            ..LivenessBound::default()
        };
        let mut s = Script::new(3, Liveness::new(bound));
        s.finish(7000, EndChecks::AfterHeal);
        assert!(
            s.only_violation()
                .detail
                .ends_with("(timing assumption broken)")
        );
    }

    /// Near misses: the converged cluster; and a stuck one in a run without a heal phase.
    #[test]
    fn a_converged_cluster_or_a_run_without_heal_is_no_finding() {
        let mut s = committed_then_healed();
        s.finish(7000, EndChecks::AfterHeal);
        s.assert_clean();

        let mut s = committed_then_healed();
        s.role(200, 3, Role::Candidate, 2);
        s.finish(7000, EndChecks::NoHeal);
        s.assert_clean();
    }
}
