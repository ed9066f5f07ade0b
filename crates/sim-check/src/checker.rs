//! The oracle: one [`Checker`] watches every event of a run and reports each invariant it
//! sees broken. It knows only the trace ([`TraceEvent`]), never the simulator's internals,
//! so it judges any Raft implementation that emits the same events.
//!
//! The invariants live in their own files: `safety.rs` (election safety, log matching,
//! leader completeness, state-machine safety), `durability.rs` (durability loss and the
//! durability hazard), `liveness.rs` (convergence after healing), `end.rs` (the end of the
//! run: acknowledged writes, liveness, linearizability).

use crate::durability::Hazards;
use crate::history::History;
use crate::liveness::{LivenessBound, LivenessLog};
use crate::story::{StoryEvent, StoryLog};
use crate::view::{EntryId, NodeView};
use crate::violation::Violation;
use raft_core::{LogIndex, NodeId, Role, Term};
use sim_core::SimTime;
use sim_trace::{DurableEntry, Invariant, NodeSet, TraceEvent};
use std::collections::BTreeMap;

/// Bounds of the checker.
#[derive(Clone, Debug)]
pub struct CheckConfig {
    pub nodes: u8,
    /// Violations of one invariant reported in full; more are only counted.
    pub reports_per_invariant_max: u32,
    /// Search steps the linearizability check may take before it says "undecided".
    pub linearizability_steps_max: u64,
    /// The liveness bound and what the finding says of the scenario's timing.
    pub liveness: LivenessBound,
}

impl CheckConfig {
    pub fn new(nodes: u8) -> Self {
        CheckConfig {
            nodes,
            reports_per_invariant_max: 3,
            linearizability_steps_max: 2_000_000,
            liveness: LivenessBound::default(),
        }
    }
}

/// A committed entry, as the cluster first committed it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Committed {
    pub id: EntryId,
    pub t: SimTime,
    pub by: NodeId,
    /// The term of the node that first committed it: every leader of a later term must
    /// hold it (Leader Completeness).
    pub term: Term,
    /// The nodes that held it (in memory) when it was committed: the copies counted.
    pub held_at_commit: NodeSet,
    pub durable_at_commit: NodeSet,
    /// Set once the entry is known lost (reported once).
    pub lost: bool,
}

pub struct Checker {
    pub(crate) cfg: CheckConfig,
    pub(crate) nodes: Vec<NodeView>,
    pub(crate) leaders: BTreeMap<Term, NodeId>,
    /// The cluster's committed prefix; index i at position i - 1.
    pub(crate) committed: Vec<Committed>,
    /// The first entry applied at each index, and by whom.
    pub(crate) applied: Vec<(EntryId, NodeId)>,
    /// Log matching: every (index, term) seen, with its request and the previous term.
    pub(crate) seen: BTreeMap<(LogIndex, Term), (Option<raft_core::ReqId>, Term)>,
    pub(crate) hazards: Hazards,
    pub(crate) history: History,
    pub(crate) heal_at: Option<SimTime>,
    /// Recent elections and the last commit, for the liveness finding.
    pub(crate) liveness: LivenessLog,
    /// Crashes, truncations, elections and votes, for the stories of lost entries.
    pub(crate) story: StoryLog,
    pub(crate) violations: Vec<Violation>,
    pub(crate) counts: BTreeMap<Invariant, u64>,
    pub(crate) linearizability_undecided: Option<String>,
}

impl Checker {
    pub fn new(cfg: CheckConfig) -> Checker {
        assert!(
            (1..=15).contains(&cfg.nodes),
            "the checker tracks 1..=15 nodes"
        );
        Checker {
            nodes: vec![NodeView::default(); cfg.nodes as usize],
            leaders: BTreeMap::new(),
            committed: Vec::new(),
            applied: Vec::new(),
            seen: BTreeMap::new(),
            hazards: Hazards::default(),
            history: History::default(),
            heal_at: None,
            liveness: LivenessLog::default(),
            story: StoryLog::default(),
            violations: Vec::new(),
            counts: BTreeMap::new(),
            linearizability_undecided: None,
            cfg,
        }
    }

    pub(crate) fn majority(&self) -> usize {
        self.cfg.nodes as usize / 2 + 1
    }

    pub(crate) fn node(&mut self, n: NodeId) -> &mut NodeView {
        let i = usize::from(n.0)
            .checked_sub(1)
            .expect("node ids start at 1");
        &mut self.nodes[i]
    }

    /// Watches one event; findings to put in the trace (violations, closed hazard windows)
    /// are appended to `found`.
    pub fn observe(&mut self, t: SimTime, ev: &TraceEvent, found: &mut Vec<TraceEvent>) {
        match ev {
            TraceEvent::Role { node, role, term } => self.on_role(t, *node, *role, *term, found),
            TraceEvent::Append {
                node,
                index,
                term,
                req,
            } => self.on_append(
                t,
                *node,
                *index,
                DurableEntry {
                    term: *term,
                    req: *req,
                },
                found,
            ),
            TraceEvent::Truncate { node, from_index } => {
                self.on_truncate(t, *node, *from_index, found)
            }
            TraceEvent::Durable {
                node,
                from_index,
                index,
                entries,
                ..
            } => self.on_durable(t, *node, *from_index, *index, entries, found),
            TraceEvent::Commit { node, index } => self.on_commit(t, *node, *index, found),
            TraceEvent::Apply {
                node,
                index,
                term,
                req,
            } => self.on_apply(
                t,
                *node,
                *index,
                DurableEntry {
                    term: *term,
                    req: *req,
                },
                found,
            ),
            TraceEvent::Crash { node } => self.on_crash(t, *node, found),
            TraceEvent::Restart {
                node,
                log_last_index,
                term,
                applied_index,
                ..
            } => self.on_restart(t, *node, *log_last_index, *term, *applied_index),
            TraceEvent::ClientInvoke {
                client,
                req,
                op,
                key,
                value,
            } => self.history.invoke(t, *client, *req, *op, *key, *value),
            TraceEvent::ClientOk { client, req, value } => {
                let read = match value {
                    sim_trace::ReadValue::Write => None,
                    sim_trace::ReadValue::Read(v) => Some(*v),
                };
                self.history.ok(t, *client, *req, read)
            }
            TraceEvent::ClientFail { req, outcome, .. } => self.history.fail(*req, *outcome),
            TraceEvent::Heal => self.heal_at = Some(t),
            TraceEvent::Deliver {
                from,
                to,
                msg:
                    sim_trace::MsgSummary::VoteResponse {
                        term,
                        granted: true,
                    },
            } => self.story.push(StoryEvent::Vote {
                t,
                voter: *from,
                candidate: *to,
                term: *term,
            }),
            _ => {}
        }
    }

    fn on_role(
        &mut self,
        t: SimTime,
        n: NodeId,
        role: Role,
        term: Term,
        found: &mut Vec<TraceEvent>,
    ) {
        let v = self.node(n);
        v.role = role;
        v.term = term;
        self.liveness.on_role(t, n, role, term);
        if role == Role::Leader {
            let log = &self.nodes[usize::from(n.0) - 1].log;
            let lacks_from = self
                .committed
                .iter()
                .enumerate()
                .find(|(i, c)| log.get(*i) != Some(&c.id))
                .map(|(i, _)| LogIndex(i as u64 + 1));
            let log_len = log.len() as u64;
            self.story.push(StoryEvent::Leader {
                t,
                node: n,
                term,
                log_len,
                lacks_from,
            });
            self.check_election_safety(t, n, term, found);
            self.check_leader_completeness(t, n, term, found);
        }
    }

    fn on_truncate(&mut self, t: SimTime, n: NodeId, from: LogIndex, found: &mut Vec<TraceEvent>) {
        self.story.push(StoryEvent::Truncate { t, node: n, from });
        let v = self.node(n);
        let old_len = v.log.len() as u64;
        assert!(from.0 >= 1, "truncate from index 0");
        v.log.truncate(from.0 as usize - 1);
        // A node that truncates committed entries rolls its commit index back (NuRaft
        // does); what it commits there next is compared with what was committed.
        v.commit = v.commit.min(from.prev());
        self.check_lost_range(t, from, LogIndex(old_len), found);
    }

    fn on_durable(
        &mut self,
        t: SimTime,
        n: NodeId,
        from: LogIndex,
        index: LogIndex,
        entries: &[EntryId],
        found: &mut Vec<TraceEvent>,
    ) {
        let v = self.node(n);
        let start = from.0 as usize - 1;
        let old_len = v.durable.len();
        if entries.is_empty() {
            v.durable.truncate(index.0 as usize);
        } else {
            assert!(
                start <= v.durable.len(),
                "durable write past a gap on node {n}"
            );
            for (k, id) in entries.iter().enumerate() {
                match v.durable.get_mut(start + k) {
                    Some(slot) => *slot = *id,
                    None => v.durable.push(*id),
                }
            }
            v.durable.truncate(index.0 as usize);
        }
        let v = self.node(n);
        assert_eq!(
            v.durable.len() as u64,
            index.0,
            "node {n}: durable line index disagrees with its entries"
        );
        self.hazards_on_durable(t, from, found);
        if !v_up(self, n) {
            // A down node's media changed (a crash kept, tore or lost writes).
            self.check_lost_range(t, from, LogIndex(old_len as u64), found);
        }
    }

    fn on_crash(&mut self, t: SimTime, n: NodeId, found: &mut Vec<TraceEvent>) {
        let durable_len = self.node(n).durable.len() as u64;
        self.story.push(StoryEvent::Crash {
            t,
            node: n,
            durable_len,
        });
        let v = self.node(n);
        v.up = false;
        v.role = Role::Follower;
        v.last_crash = Some(t);
        let len = v.log.len() as u64;
        v.log.clear();
        v.commit = LogIndex::ZERO;
        self.check_lost_range(t, LogIndex(1), LogIndex(len), found);
    }

    fn on_restart(
        &mut self,
        t: SimTime,
        n: NodeId,
        log_last: LogIndex,
        term: Term,
        applied: LogIndex,
    ) {
        let v = self.node(n);
        assert!(
            v.durable.len() as u64 >= log_last.0,
            "node {n} restarted with {log_last} entries but only {} are durable",
            v.durable.len()
        );
        v.up = true;
        v.log = v.durable[..log_last.0 as usize].to_vec();
        v.term = term;
        v.role = Role::Follower;
        v.commit = applied;
        v.last_restart = Some(t);
        self.story.push(StoryEvent::Restart {
            t,
            node: n,
            log_last,
        });
    }

    /// Records a violation; the first few of each invariant also go into the trace.
    pub(crate) fn report(&mut self, v: Violation, found: &mut Vec<TraceEvent>) {
        let count = self.counts.entry(v.invariant).or_insert(0);
        *count += 1;
        if *count <= u64::from(self.cfg.reports_per_invariant_max) {
            found.push(v.to_event());
            self.violations.push(v);
        }
    }

    /// The violations reported in full, in order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many violations of each invariant were seen (reported or only counted).
    pub fn counts(&self) -> &BTreeMap<Invariant, u64> {
        &self.counts
    }

    /// A note when the linearizability search hit its bound.
    pub fn linearizability_undecided(&self) -> Option<&str> {
        self.linearizability_undecided.as_deref()
    }
}

fn v_up(c: &mut Checker, n: NodeId) -> bool {
    c.node(n).up
}
