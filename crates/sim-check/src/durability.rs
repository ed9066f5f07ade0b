//! Durability: committed entries are never lost or replaced (`durability-loss`), and the
//! windows in which a committed entry was durable on fewer than a majority of nodes
//! (`durability-hazard`) — found on every seed, even when no crash happens to hit them.

use crate::checker::{Checker, Committed};
use crate::view::{EntryId, at};
use crate::violation::{Violation, req_text};
use raft_core::{LogIndex, NodeId, Role, Term};
use sim_core::SimTime;
use sim_trace::{Invariant, NodeSet, TraceEvent};
use std::collections::BTreeMap;

/// An open hazard window.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpenHazard {
    pub term: Term,
    pub opened: SimTime,
    pub durable_nodes: NodeSet,
}

/// Hazard windows: the open ones and a summary of all.
#[derive(Clone, Debug, Default)]
pub struct Hazards {
    pub(crate) open: BTreeMap<LogIndex, OpenHazard>,
    pub summary: HazardSummary,
}

/// What the run's hazard windows added up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct HazardSummary {
    /// Windows opened (entries counted committed with fewer than a majority durable).
    pub windows: u64,
    /// Windows still open at the end or closed by the entry's loss.
    pub unclosed: u64,
    pub longest_ns: u64,
    pub total_ns: u64,
    /// The first window: (index, term, opened at).
    pub first: Option<(LogIndex, Term, SimTime)>,
}

impl Checker {
    /// The nodes whose durable media hold `id` at `index`.
    fn durable_holders(&self, index: LogIndex, id: &EntryId) -> NodeSet {
        self.holders(|v| at(&v.durable, index) == Some(id))
    }

    /// The up nodes holding `id` at `index` in memory.
    fn memory_holders(&self, index: LogIndex, id: &EntryId) -> NodeSet {
        self.holders(|v| v.up && at(&v.log, index) == Some(id))
    }

    fn holders(&self, holds: impl Fn(&crate::view::NodeView) -> bool) -> NodeSet {
        let mut set = NodeSet::default();
        for (i, v) in self.nodes.iter().enumerate() {
            if holds(v) {
                set.insert(NodeId(i as u8 + 1));
            }
        }
        set
    }

    /// A node's commit index advanced: new entries join the committed prefix (opening a
    /// hazard window if too few nodes hold them durably); entries it commits that the
    /// cluster committed differently were replaced.
    pub(crate) fn on_commit(
        &mut self,
        t: SimTime,
        n: NodeId,
        index: LogIndex,
        found: &mut Vec<TraceEvent>,
    ) {
        let v = self.node(n);
        let from = v.commit.next();
        v.commit = index;
        if self.node(n).role == Role::Leader {
            self.liveness.last_commit = Some((t, n, index));
        }
        for i in from.0..=index.0 {
            let idx = LogIndex(i);
            let Some(id) = self.node(n).log_at(idx).copied() else {
                break;
            };
            if let Some(c) = self.committed.get(i as usize - 1).copied() {
                if c.id != id {
                    let detail = format!(
                        "node {n} committed entry {idx} of term {} ({}), but entry {idx} of term {} ({}) was committed at {} by node {}",
                        id.term,
                        req_text(id.req),
                        c.id.term,
                        req_text(c.id.req),
                        c.t,
                        c.by
                    );
                    let story = self.entry_story(idx);
                    let v = Violation::new(Invariant::DurabilityLoss, t, detail)
                        .node(n)
                        .entry(idx, c.id.term, c.id.req)
                        .story(story);
                    self.report(v, found);
                }
                continue;
            }
            if (i as usize - 1) != self.committed.len() {
                break;
            }
            let durable = self.durable_holders(idx, &id);
            let held = self.memory_holders(idx, &id);
            let term = self.node(n).term;
            self.committed.push(Committed {
                id,
                t,
                by: n,
                term,
                held_at_commit: held,
                durable_at_commit: durable,
                lost: false,
            });
            if durable.len() < self.majority() {
                self.hazards.summary.windows += 1;
                if self.hazards.summary.first.is_none() {
                    self.hazards.summary.first = Some((idx, id.term, t));
                }
                self.hazards.open.insert(
                    idx,
                    OpenHazard {
                        term: id.term,
                        opened: t,
                        durable_nodes: durable,
                    },
                );
            }
        }
    }

    /// Durable media changed on some node from `from` on: close the hazard windows that now
    /// have a majority.
    pub(crate) fn hazards_on_durable(
        &mut self,
        t: SimTime,
        from: LogIndex,
        found: &mut Vec<TraceEvent>,
    ) {
        let candidates: Vec<LogIndex> = self.hazards.open.range(from..).map(|(i, _)| *i).collect();
        for idx in candidates {
            let id = self.committed[idx.0 as usize - 1].id;
            if self.durable_holders(idx, &id).len() >= self.majority() {
                let h = self.hazards.open.remove(&idx).expect("open window");
                self.close_hazard(idx, h, Some(t), found);
            }
        }
    }

    fn close_hazard(
        &mut self,
        index: LogIndex,
        h: OpenHazard,
        closed: Option<SimTime>,
        found: &mut Vec<TraceEvent>,
    ) {
        let s = &mut self.hazards.summary;
        match closed {
            Some(c) => {
                let len = c.since(h.opened).as_ns();
                s.longest_ns = s.longest_ns.max(len);
                s.total_ns += len;
            }
            None => s.unclosed += 1,
        }
        found.push(TraceEvent::Hazard {
            index,
            term: h.term,
            opened_t_ns: h.opened.as_ns(),
            closed_t_ns: closed.map(|c| c.as_ns()),
            durable_nodes: h.durable_nodes,
        });
    }

    /// Committed entries in `from..=to` that some node may just have lost: each must still
    /// be held by some node (in memory when up, on media when down).
    pub(crate) fn check_lost_range(
        &mut self,
        t: SimTime,
        from: LogIndex,
        to: LogIndex,
        found: &mut Vec<TraceEvent>,
    ) {
        let hi = to.0.min(self.committed.len() as u64);
        for i in from.0.max(1)..=hi {
            let idx = LogIndex(i);
            let c = self.committed[i as usize - 1];
            if c.lost || self.nodes.iter().any(|v| v.holds(idx, &c.id)) {
                continue;
            }
            self.committed[i as usize - 1].lost = true;
            if let Some(h) = self.hazards.open.remove(&idx) {
                self.close_hazard(idx, h, None, found);
            }
            let detail = format!(
                "committed entry {idx} (term {}, {}) is held by no node any more",
                c.id.term,
                req_text(c.id.req)
            );
            let story = self.entry_story(idx);
            let v = Violation::new(Invariant::DurabilityLoss, t, detail)
                .entry(idx, c.id.term, c.id.req)
                .story(story);
            self.report(v, found);
        }
    }

    /// How a committed entry came to be where it is: when it was committed and where it was
    /// durable, and what has happened to each node since.
    pub(crate) fn entry_story(&self, index: LogIndex) -> Vec<String> {
        let Some(c) = self.committed.get(index.0 as usize - 1) else {
            return Vec::new();
        };
        let mut lines = vec![format!(
            "entry {index} (term {}) was committed at {} by node {}, held by {} (in memory), durable on {} of {} nodes{}",
            c.id.term,
            c.t,
            c.by,
            c.held_at_commit,
            c.durable_at_commit.len(),
            self.cfg.nodes,
            if c.durable_at_commit.is_empty() {
                String::new()
            } else {
                format!(" {}", c.durable_at_commit)
            }
        )];
        lines.extend(self.causes(index, c));
        lines.push("now:".into());
        for (i, v) in self.nodes.iter().enumerate() {
            let n = i + 1;
            let has_mem = v.up && v.log_at(index) == Some(&c.id);
            let has_disk = v.durable_at(index) == Some(&c.id);
            let state = match (v.up, has_mem, has_disk) {
                (true, true, true) | (false, _, true) => "holds it durably".to_string(),
                (true, false, true) => {
                    "dropped it from its log; only its disk still has it, until the truncation is flushed"
                        .to_string()
                }
                (true, true, false) => "holds it in memory only".to_string(),
                (true, false, false) => format!("is up (term {}) without it", v.term),
                (false, _, false) => format!(
                    "is down without it (crashed at {})",
                    v.last_crash.map_or("-".into(), |t| t.to_string())
                ),
            };
            lines.push(format!("node {n} {state}"));
        }
        lines
    }

    /// Closes the windows still open at the end of the run.
    pub(crate) fn finish_hazards(&mut self, found: &mut Vec<TraceEvent>) {
        let open = std::mem::take(&mut self.hazards.open);
        for (idx, h) in open {
            self.close_hazard(idx, h, None, found);
        }
    }

    pub fn hazard_summary(&self) -> HazardSummary {
        self.hazards.summary
    }
}
