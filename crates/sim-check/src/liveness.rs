//! Liveness: after the heal phase the cluster **converges within a bound** — some leader
//! has committed an entry of its own term, no up node is in a newer term, and every up node
//! holds the log that leader committed. A cluster that converges late but within the bound
//! is live; one that is still churning at the bound is stuck, and the finding says what it
//! was doing (elections in the last window, the last commit, which node lags and why).
//!
//! The world asks [`Checker::convergence`] at the end of the heal phase and, while the
//! answer is "not yet", again every heartbeat until the bound; the verdict is given once, by
//! [`Checker::finish`]. This file only judges; it does not decide when the run ends.

use crate::checker::Checker;
use crate::view::{EntryId, NodeView};
use crate::violation::Violation;
use raft_core::{LogIndex, NodeId, Role, Term};
use sim_core::{SimDuration, SimTime};
use sim_trace::{Invariant, TraceEvent};
use std::collections::VecDeque;

/// Role changes remembered for the finding's account of recent elections.
pub(crate) const ROLE_CHANGES_MAX: usize = 256;

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

/// A converged cluster: the leader, its term and the log it committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converged {
    pub leader: NodeId,
    pub term: Term,
    pub commit: LogIndex,
}

/// One role change, for the account of recent elections.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RoleChange {
    pub t: SimTime,
    pub node: NodeId,
    pub role: Role,
    pub term: Term,
}

/// What the liveness check remembers of the run.
#[derive(Clone, Debug, Default)]
pub(crate) struct LivenessLog {
    pub role_changes: VecDeque<RoleChange>,
    /// The last commit by a leader: when, by whom, up to where.
    pub last_commit: Option<(SimTime, NodeId, LogIndex)>,
}

impl LivenessLog {
    pub(crate) fn on_role(&mut self, t: SimTime, node: NodeId, role: Role, term: Term) {
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

impl Checker {
    /// Whether the cluster has converged now: a leader up in the highest term of any up
    /// node, with an entry of its own term committed, and every up node holding the log it
    /// committed (a follower's own commit index may trail by a heartbeat: that is how it
    /// learns it, so it is not compared).
    pub fn convergence(&self) -> Option<Converged> {
        let (i, leader) = self.newest_leader()?;
        let prefix = committed_prefix(leader);
        if prefix.last()?.term != leader.term {
            return None;
        }
        let all_hold = self
            .nodes
            .iter()
            .filter(|v| v.up)
            .all(|v| v.log.get(..prefix.len()) == Some(prefix));
        all_hold.then_some(Converged {
            leader: NodeId(i as u8 + 1),
            term: leader.term,
            commit: LogIndex(prefix.len() as u64),
        })
    }

    /// The newest term of any up node.
    fn newest_term(&self) -> Option<Term> {
        self.nodes.iter().filter(|v| v.up).map(|v| v.term).max()
    }

    /// The up leader of the newest term of any up node, with its position, if there is one.
    fn newest_leader(&self) -> Option<(usize, &NodeView)> {
        let top = self.newest_term()?;
        self.nodes
            .iter()
            .enumerate()
            .find(|(_, v)| v.up && v.role == Role::Leader && v.term == top)
    }

    /// The liveness verdict at the end of a run that had a heal phase. Returns the log the
    /// converged leader committed, against which acknowledged writes are judged; without
    /// one nothing can be judged lost, and the finding says why.
    pub(crate) fn check_liveness(
        &mut self,
        t: SimTime,
        found: &mut Vec<TraceEvent>,
    ) -> Option<Vec<EntryId>> {
        if let Some(c) = self.convergence() {
            let leader = &self.nodes[usize::from(c.leader.0) - 1];
            return Some(leader.log[..c.commit.0 as usize].to_vec());
        }
        let heal = self.heal_at.unwrap_or(t);
        let mut detail = format!(
            "the cluster did not converge within {} after healing at {heal}: {}",
            self.cfg.liveness.text,
            self.stall_summary()
        );
        if let Some(note) = &self.cfg.liveness.timing_note {
            detail.push_str(&format!(" ({note})"));
        }
        let story = self.stall_story(t);
        let node = self.lagging_nodes().first().map(|(n, _)| *n);
        let mut v = Violation::new(Invariant::Liveness, t, detail).story(story);
        v.node = node;
        self.report(v, found);
        None
    }

    /// One clause: why the cluster is not converged.
    fn stall_summary(&self) -> String {
        let Some(top) = self.newest_term() else {
            return "no node is up".into();
        };
        let Some((i, v)) = self.newest_leader() else {
            return format!("no leader in term {top}, the newest term of an up node");
        };
        let own = committed_prefix(v).last().is_some_and(|e| e.term == v.term);
        if own {
            let lag: Vec<String> = self
                .lagging_nodes()
                .iter()
                .map(|(n, _)| n.to_string())
                .collect();
            format!(
                "leader {} of term {top} committed {} entries, but node(s) {} do not hold them",
                i + 1,
                v.commit,
                lag.join(", ")
            )
        } else {
            format!(
                "leader {} of term {top} has not committed an entry of its term (commit index {})",
                i + 1,
                v.commit
            )
        }
    }

    /// Up nodes that lack the newest leader's committed log, with the reason.
    fn lagging_nodes(&self) -> Vec<(NodeId, String)> {
        let Some((_, leader)) = self.newest_leader() else {
            return Vec::new();
        };
        let prefix = committed_prefix(leader);
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, v)| v.up && v.log.get(..prefix.len()) != Some(prefix))
            .map(|(i, v)| (NodeId(i as u8 + 1), lag_reason(v, prefix)))
            .collect()
    }

    /// The finding's story: recent elections, the last commit, each node's state.
    fn stall_story(&self, t: SimTime) -> Vec<String> {
        let window = self.cfg.liveness.window;
        let since = SimTime::from_ns(t.as_ns().saturating_sub(window.as_ns()));
        let recent: Vec<_> = self
            .liveness
            .role_changes
            .iter()
            .filter(|c| c.t >= since)
            .collect();
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
        lines.push(match self.liveness.last_commit {
            Some((at, n, index)) => {
                format!("last commit: node {n} committed up to {index} at {at}")
            }
            None => "no leader ever committed".into(),
        });
        let lagging = self.lagging_nodes();
        for (i, v) in self.nodes.iter().enumerate() {
            let n = NodeId(i as u8 + 1);
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

/// The log `v` has committed: up to its commit index, within its log.
fn committed_prefix(v: &NodeView) -> &[EntryId] {
    let commit = usize::try_from(v.commit.0).unwrap_or(usize::MAX);
    &v.log[..commit.min(v.log.len())]
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Follower => "follower",
        Role::Candidate => "candidate",
        Role::Leader => "leader",
    }
}

/// Why `v` does not hold the committed log `prefix`: it is short, or it diverges.
fn lag_reason(v: &NodeView, prefix: &[EntryId]) -> String {
    let diverge = v
        .log
        .iter()
        .zip(prefix)
        .position(|(a, b)| a != b)
        .map(|i| i + 1);
    match diverge {
        Some(i) => format!("it diverges from the leader's committed log at entry {i}"),
        None => format!(
            "it lacks entries {}..={} of the leader's committed log",
            v.log.len() + 1,
            prefix.len()
        ),
    }
}
