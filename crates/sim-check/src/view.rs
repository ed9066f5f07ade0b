//! The cluster as the checkers see it, rebuilt from the trace alone: each node's
//! [`NodeView`], the cluster's committed prefix (and what became of each committed entry),
//! the client history, and the log of events the stories of lost entries are told from.
//!
//! The [`Checker`](crate::Checker) feeds every event to [`View::apply`] once, before any
//! invariant checker sees it; the checkers read the view and never change it. Besides
//! updating itself, `apply` says what the event did to the committed prefix — entries that
//! joined it, entries a node committed differently, entries no node holds any more — as
//! derived [`Step`]s, in index order, so the checkers that care need not each rebuild it.
//!
//! This file keeps the books; it judges nothing. The invariants are in `invariants/`.

use crate::history::History;
use crate::invariants::Step;
use crate::lists::ListHistory;
use crate::node_view::{Entries, EntryId, NodeView};
use crate::story::{StoryEvent, StoryLog};
use raft_core::{LogIndex, NODES_MAX, NodeId, Role, Term};
use sim_core::SimTime;
use sim_trace::{ClientOp, DurableEntry, MsgSummary, NodeSet, ReadValue, TraceEvent};

/// Every this many entries committed, each node's log and media stop keeping one by one
/// the committed entries they hold ([`Entries::forget_committed`]): the work is one pass
/// over what is forgotten, so a few entries' worth per entry committed. Log matching and
/// state-machine safety forget theirs at the same pace.
pub(crate) const FORGET_EVERY: usize = 1024;

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
}

/// A committed entry's [`Committed`] but its id, which is kept apart: each node's log and
/// media stand on the list of ids for the committed entries they hold.
#[derive(Clone, Copy, Debug)]
struct CommitInfo {
    t: SimTime,
    by: NodeId,
    term: Term,
    held_at_commit: NodeSet,
    durable_at_commit: NodeSet,
    /// Set once no node holds it any more (derived once, as [`Step::Lost`]).
    lost: bool,
}

/// The cluster rebuilt from the trace.
#[derive(Clone, Debug)]
pub(crate) struct View {
    /// The instant of the event the view last took in.
    pub now: SimTime,
    pub nodes: Vec<NodeView>,
    /// The ids of the cluster's committed prefix; index i at position i - 1. Kept for
    /// the whole run (24 bytes an entry): each node's log and media read their committed
    /// prefix here.
    committed_ids: Vec<EntryId>,
    /// The rest of each committed entry's [`Committed`], at the same positions.
    commits: Vec<CommitInfo>,
    pub history: History,
    /// The list-append workload's reads and acknowledged appends.
    pub lists: ListHistory,
    /// Crashes, truncations, elections and votes, for the stories of lost entries.
    pub story: StoryLog,
    /// Every this many entries committed the nodes' logs and media forget the committed
    /// entries they hold ([`FORGET_EVERY`]; a test turns it off to compare).
    pub forget_every: usize,
}

impl View {
    pub fn new(nodes: u8) -> View {
        assert!(
            (1..=NODES_MAX).contains(&nodes),
            "the checker tracks 1..={NODES_MAX} nodes"
        );
        View {
            now: SimTime::ZERO,
            nodes: vec![NodeView::default(); usize::from(nodes)],
            committed_ids: Vec::new(),
            commits: Vec::new(),
            history: History::default(),
            lists: ListHistory::default(),
            story: StoryLog::default(),
            forget_every: FORGET_EVERY,
        }
    }

    /// How many nodes make a majority of the cluster.
    pub fn majority(&self) -> usize {
        self.nodes.len() / 2 + 1
    }

    pub fn node(&self, n: NodeId) -> &NodeView {
        &self.nodes[n.index()]
    }

    fn node_mut(&mut self, n: NodeId) -> &mut NodeView {
        &mut self.nodes[n.index()]
    }

    /// The committed entry at `index`, if the cluster committed one there.
    pub fn committed_at(&self, index: LogIndex) -> Option<Committed> {
        let i = usize::try_from(index.0).ok()?.checked_sub(1)?;
        let id = *self.committed_ids.get(i)?;
        let c = self.commits[i];
        Some(Committed {
            id,
            t: c.t,
            by: c.by,
            term: c.term,
            held_at_commit: c.held_at_commit,
            durable_at_commit: c.durable_at_commit,
        })
    }

    /// The ids of the committed entries, index i at position i - 1.
    pub fn committed_ids(&self) -> &[EntryId] {
        &self.committed_ids
    }

    /// Node `n`'s in-memory entry at `index`.
    pub fn log_at(&self, n: NodeId, index: LogIndex) -> Option<&EntryId> {
        self.node(n).log.at(&self.committed_ids, index)
    }

    /// Node `n`'s durable entry at `index`.
    pub fn durable_at(&self, n: NodeId, index: LogIndex) -> Option<&EntryId> {
        self.node(n).durable.at(&self.committed_ids, index)
    }

    /// The nodes whose durable media hold `id` at `index`.
    pub fn durable_holders(&self, index: LogIndex, id: &EntryId) -> NodeSet {
        let ids = &self.committed_ids;
        self.holders(|v| v.durable.at(ids, index) == Some(id))
    }

    /// The up nodes holding `id` at `index` in memory.
    pub fn memory_holders(&self, index: LogIndex, id: &EntryId) -> NodeSet {
        let ids = &self.committed_ids;
        self.holders(|v| v.up && v.log.at(ids, index) == Some(id))
    }

    /// The first position (index - 1) from which `log` lacks the committed prefix, among
    /// the committed entries first committed in a term `below` (all of them if `None`).
    /// The entries it tells by length are the committed ones, so it looks past them only.
    pub fn lacks_committed_from(&self, log: &Entries, below: Option<Term>) -> Option<usize> {
        (log.base()..self.committed_ids.len())
            .filter(|&i| below.is_none_or(|t| self.commits[i].term < t))
            .find(|&i| log.get(&self.committed_ids, i) != Some(&self.committed_ids[i]))
    }

    fn holders(&self, holds: impl Fn(&NodeView) -> bool) -> NodeSet {
        let mut set = NodeSet::default();
        for (i, v) in self.nodes.iter().enumerate() {
            if holds(v) {
                set.insert(NodeId::from_index(i));
            }
        }
        set
    }

    /// Takes in one event at `t`. What it did to the committed prefix is appended to
    /// `derived`, in index order.
    pub fn apply(&mut self, t: SimTime, ev: &TraceEvent, derived: &mut Vec<Step<'static>>) {
        self.now = t;
        match ev {
            TraceEvent::Role { node, role, term } => self.on_role(*node, *role, *term),
            TraceEvent::Append {
                node,
                index,
                term,
                req,
            } => self.on_append(
                *node,
                *index,
                DurableEntry {
                    term: *term,
                    req: *req,
                },
            ),
            TraceEvent::Truncate { node, from_index } => {
                self.on_truncate(*node, *from_index, derived)
            }
            TraceEvent::Durable {
                node,
                from_index,
                index,
                entries,
                ..
            } => self.on_durable(*node, *from_index, *index, entries, derived),
            TraceEvent::Commit { node, index } => self.on_commit(*node, *index, derived),
            TraceEvent::Snapshot {
                node,
                index,
                installed: true,
                ..
            } => self.on_snapshot_installed(*node, *index),
            TraceEvent::SnapshotDurable { node, index } => self.on_snapshot_durable(*node, *index),
            TraceEvent::CompactDurable { node, upto } => {
                self.on_compact_durable(*node, *upto, derived)
            }
            TraceEvent::Crash { node, .. } => self.on_crash(*node, derived),
            TraceEvent::Restart {
                node,
                log_last_index,
                term,
                applied_index,
                ..
            } => self.on_restart(*node, *log_last_index, *term, *applied_index, derived),
            TraceEvent::ClientInvoke {
                client,
                req,
                op,
                key,
                value,
            } => {
                self.history.invoke(t, *client, *req, *op, *key, *value);
                if matches!(op, ClientOp::Append | ClientOp::ReadList) {
                    self.lists.invoke(t, *req, *key, *op == ClientOp::Append);
                }
            }
            TraceEvent::ClientOk { client, req, value } => {
                let read = match value {
                    ReadValue::Write => None,
                    ReadValue::Read(v) => Some(*v),
                    ReadValue::List(list) => {
                        self.lists.ok(t, *req, Some(list));
                        None
                    }
                };
                if *value == ReadValue::Write {
                    self.lists.ok(t, *req, None);
                }
                self.history.ok(t, *client, *req, read)
            }
            TraceEvent::ClientFail { req, outcome, .. } => self.history.fail(*req, *outcome),
            TraceEvent::Deliver {
                from,
                to,
                msg:
                    MsgSummary::VoteResponse {
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

    fn on_role(&mut self, n: NodeId, role: Role, term: Term) {
        let v = self.node_mut(n);
        v.role = role;
        v.term = term;
        if role == Role::Leader {
            let log = &self.node(n).log;
            let lacks_from = self
                .lacks_committed_from(log, None)
                .map(|i| LogIndex(i as u64 + 1));
            let log_len = log.len() as u64;
            self.story.push(StoryEvent::Leader {
                t: self.now,
                node: n,
                term,
                log_len,
                lacks_from,
            });
        }
    }

    fn on_append(&mut self, n: NodeId, index: LogIndex, id: EntryId) {
        let v = self.node_mut(n);
        assert_eq!(
            v.log.len() as u64 + 1,
            index.0,
            "node {n} appended entry {index} to a log of {} entries (an index already in the log is truncated first)",
            v.log.len()
        );
        v.log.push(id);
    }

    fn on_truncate(&mut self, n: NodeId, from: LogIndex, derived: &mut Vec<Step<'static>>) {
        self.story.push(StoryEvent::Truncate {
            t: self.now,
            node: n,
            from,
        });
        let v = self.node_mut(n);
        let old_len = v.log.len() as u64;
        assert!(from.0 >= 1, "truncate from index 0");
        v.log.truncate(from.0 as usize - 1);
        // A node that truncates committed entries rolls its commit index back (NuRaft
        // does); what it commits there next is compared with what was committed.
        v.commit = v.commit.min(from.prev());
        self.find_lost(from, LogIndex(old_len), derived);
    }

    fn on_durable(
        &mut self,
        n: NodeId,
        from: LogIndex,
        index: LogIndex,
        entries: &[EntryId],
        derived: &mut Vec<Step<'static>>,
    ) {
        let ids = &self.committed_ids;
        let v = &mut self.nodes[n.index()];
        let start = from.0 as usize - 1;
        let old_len = v.durable.len();
        if entries.is_empty() {
            v.durable.truncate(index.0 as usize);
        } else {
            assert!(
                start <= v.durable.len(),
                "durable write past a gap on node {n}"
            );
            let covered = v.snapshot_durable.0 as usize;
            for (k, id) in entries.iter().enumerate() {
                // The media's snapshot stands for what a write says nothing of there.
                if *id == EntryId::HOLE && start + k < covered {
                    continue;
                }
                v.durable.set(ids, start + k, *id);
            }
            v.durable.truncate(index.0 as usize);
        }
        assert_eq!(
            v.durable.len() as u64,
            index.0,
            "node {n}: durable line index disagrees with its entries"
        );
        if !v.up {
            // A down node's media changed (a crash kept, tore or lost writes).
            self.find_lost(from, LogIndex(old_len as u64), derived);
        }
    }

    /// A follower installed the leader's snapshot up to `index`: its log holds the
    /// committed entries up to there (what the snapshot stands for).
    fn on_snapshot_installed(&mut self, n: NodeId, index: LogIndex) {
        let upto = (index.0 as usize).min(self.committed_ids.len());
        self.nodes[n.index()].log.cover(&self.committed_ids, upto);
    }

    /// The media now hold a snapshot up to `index`: they hold the committed entries up to
    /// there, whatever the log file says.
    fn on_snapshot_durable(&mut self, n: NodeId, index: LogIndex) {
        let upto = (index.0 as usize).min(self.committed_ids.len());
        let v = &mut self.nodes[n.index()];
        v.snapshot_durable = index;
        v.durable.cover(&self.committed_ids, upto);
    }

    /// A compaction up to `upto` reached the media: what their snapshot does not stand for
    /// is gone from them.
    fn on_compact_durable(&mut self, n: NodeId, upto: LogIndex, derived: &mut Vec<Step<'static>>) {
        let ids = &self.committed_ids;
        let v = &mut self.nodes[n.index()];
        let from = v.snapshot_durable.next();
        while v.durable.len() < upto.0 as usize {
            v.durable.push(EntryId::HOLE);
        }
        for i in from.0..=upto.0 {
            v.durable.set(ids, i as usize - 1, EntryId::HOLE);
        }
        if !v.up {
            self.find_lost(from, upto, derived);
        }
    }

    /// A node's commit index advanced: new entries join the committed prefix; entries it
    /// commits where the cluster committed others are derived as
    /// [`Step::CommittedOther`].
    fn on_commit(&mut self, n: NodeId, index: LogIndex, derived: &mut Vec<Step<'static>>) {
        let v = self.node_mut(n);
        let from = v.commit.next();
        v.commit = index;
        for i in from.0..=index.0 {
            let idx = LogIndex(i);
            let Some(id) = self.log_at(n, idx).copied() else {
                break;
            };
            if let Some(c) = self.committed_at(idx) {
                if c.id != id {
                    derived.push(Step::CommittedOther {
                        node: n,
                        index: idx,
                        id,
                    });
                }
                continue;
            }
            if (i as usize - 1) != self.committed_ids.len() {
                break;
            }
            let info = CommitInfo {
                t: self.now,
                by: n,
                term: self.node(n).term,
                held_at_commit: self.memory_holders(idx, &id),
                durable_at_commit: self.durable_holders(idx, &id),
                lost: false,
            };
            self.committed_ids.push(id);
            self.commits.push(info);
            derived.push(Step::Committed { index: idx });
            if self.committed_ids.len() % self.forget_every == 0 {
                self.forget_committed();
            }
        }
    }

    /// Each node's log and media stop keeping one by one the leading entries that are the
    /// committed ones: they read them from the committed prefix from now on. It changes
    /// nothing any reader sees (`node_view.rs`).
    fn forget_committed(&mut self) {
        let ids = &self.committed_ids;
        for v in &mut self.nodes {
            v.log.forget_committed(ids);
            v.durable.forget_committed(ids);
        }
    }

    fn on_crash(&mut self, n: NodeId, derived: &mut Vec<Step<'static>>) {
        let durable_len = self.node(n).durable.len() as u64;
        self.story.push(StoryEvent::Crash {
            t: self.now,
            node: n,
            durable_len,
        });
        let now = self.now;
        let v = self.node_mut(n);
        v.up = false;
        v.role = Role::Follower;
        v.last_crash = Some(now);
        let len = v.log.len() as u64;
        v.log.clear();
        v.commit = LogIndex::ZERO;
        // The media's committed prefix told by length holds its entries still: none of
        // them can be lost by this crash, so the search starts past it.
        let kept = LogIndex(v.durable.base() as u64);
        self.find_lost(kept.next(), LogIndex(len), derived);
    }

    /// A node restarted with the first `log_last` entries of its media: what it recovered
    /// past them (a corrupt or torn tail it discarded) it holds no more, so a committed
    /// entry only that tail held is lost now.
    fn on_restart(
        &mut self,
        n: NodeId,
        log_last: LogIndex,
        term: Term,
        applied: LogIndex,
        derived: &mut Vec<Step<'static>>,
    ) {
        let now = self.now;
        let v = self.node_mut(n);
        assert!(
            v.durable.len() as u64 >= log_last.0,
            "node {n} restarted with {log_last} entries but only {} are durable",
            v.durable.len()
        );
        v.up = true;
        v.log = v.durable.prefix(log_last.0 as usize);
        v.term = term;
        v.role = Role::Follower;
        v.commit = applied;
        v.last_restart = Some(now);
        self.story.push(StoryEvent::Restart {
            t: now,
            node: n,
            log_last,
        });
        let committed = LogIndex(self.committed_ids.len() as u64);
        self.find_lost(log_last.next(), committed, derived);
    }

    /// Committed entries in `from..=to` that some node may just have lost: each one no node
    /// holds any more (in memory when up, on media when down) is marked lost and derived as
    /// [`Step::Lost`], once.
    fn find_lost(&mut self, from: LogIndex, to: LogIndex, derived: &mut Vec<Step<'static>>) {
        let hi = to.0.min(self.committed_ids.len() as u64);
        let ids = &self.committed_ids;
        for i in from.0.max(1)..=hi {
            let idx = LogIndex(i);
            let id = ids[i as usize - 1];
            if self.commits[i as usize - 1].lost
                || self.nodes.iter().any(|v| v.holds(ids, idx, &id))
            {
                continue;
            }
            self.commits[i as usize - 1].lost = true;
            derived.push(Step::Lost { index: idx });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes per committed entry docs/architecture.md states the checker keeps for the
    /// whole run.
    #[test]
    fn a_committed_entry_costs_the_documented_bytes() {
        assert_eq!(size_of::<EntryId>(), 24);
        assert_eq!(size_of::<CommitInfo>(), 24);
    }
}
