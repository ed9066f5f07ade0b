//! Raft's safety properties (Figure 3 of the Raft paper), checked as events happen:
//! election safety, log matching, leader completeness and state-machine safety.

use crate::checker::Checker;
use crate::view::EntryId;
use crate::violation::{Violation, req_text};
use raft_core::{LogIndex, NodeId, Term};
use sim_core::SimTime;
use sim_trace::{Invariant, TraceEvent};

impl Checker {
    /// At most one leader per term.
    pub(crate) fn check_election_safety(
        &mut self,
        t: SimTime,
        n: NodeId,
        term: Term,
        found: &mut Vec<TraceEvent>,
    ) {
        match self.leaders.get(&term) {
            Some(&other) if other != n => {
                let v = Violation::new(
                    Invariant::ElectionSafety,
                    t,
                    format!(
                        "node {n} became leader of term {term}, which node {other} already leads"
                    ),
                )
                .node(n);
                self.report(v, found);
            }
            Some(_) => {}
            None => {
                self.leaders.insert(term, n);
            }
        }
    }

    /// Leader Completeness (Raft §5.4): an entry committed in term T is in the log of
    /// every leader of a term above T. A leader of a lower term — a late election whose
    /// grants were delayed — is legal: it steps down at the first message of the newer term,
    /// and whatever it commits meanwhile is judged by `durability-loss` and
    /// `state-machine-safety`. So only entries committed in a term below `term` count.
    pub(crate) fn check_leader_completeness(
        &mut self,
        t: SimTime,
        n: NodeId,
        term: Term,
        found: &mut Vec<TraceEvent>,
    ) {
        let missing = {
            let log = &self.nodes[usize::from(n.0) - 1].log;
            self.committed
                .iter()
                .enumerate()
                .filter(|(_, c)| c.term < term)
                .find(|(i, c)| log.get(*i) != Some(&c.id))
                .map(|(i, c)| (i, *c))
        };
        if let Some((i, c)) = missing {
            let index = LogIndex(i as u64 + 1);
            let has = self.node(n).log_at(index).copied();
            let detail = match has {
                Some(other) => format!(
                    "node {n} became leader of term {term} with entry {index} of term {} where entry {index} of term {} was committed",
                    other.term, c.id.term
                ),
                None => format!(
                    "node {n} became leader of term {term} with {} entries, without committed entry {index} (term {})",
                    self.node(n).log.len(),
                    c.id.term
                ),
            };
            let detail = format!("{detail}, committed in term {} by node {}", c.term, c.by);
            let story = self.entry_story(index);
            let v = Violation::new(Invariant::LeaderCompleteness, t, detail)
                .node(n)
                .entry(index, c.id.term, c.id.req)
                .story(story);
            self.report(v, found);
        }
    }

    /// An entry enters a node's log. Log matching: one entry per (index, term), always
    /// after the same previous term.
    pub(crate) fn on_append(
        &mut self,
        t: SimTime,
        n: NodeId,
        index: LogIndex,
        id: EntryId,
        found: &mut Vec<TraceEvent>,
    ) {
        let v = self.node(n);
        assert_eq!(
            v.log.len() as u64 + 1,
            index.0,
            "node {n} appended entry {index} to a log of {} entries (an index already in the log is truncated first)",
            v.log.len()
        );
        let prev_term = v.log.last().map_or(Term(0), |e| e.term);
        v.log.push(id);
        match self.seen.get(&(index, id.term)) {
            None => {
                self.seen.insert((index, id.term), (id.req, prev_term));
            }
            Some(&(req, prev)) if req != id.req || prev != prev_term => {
                let detail = if req != id.req {
                    format!(
                        "node {n} holds entry {index} of term {} for {}, another node holds it for {}",
                        id.term,
                        req_text(id.req),
                        req_text(req)
                    )
                } else {
                    format!(
                        "node {n} holds entry {index} of term {} after an entry of term {prev_term}, another node after term {prev}",
                        id.term
                    )
                };
                let v = Violation::new(Invariant::LogMatching, t, detail)
                    .node(n)
                    .entry(index, id.term, id.req);
                self.report(v, found);
            }
            Some(_) => {}
        }
    }

    /// No two nodes apply different entries at one index.
    pub(crate) fn on_apply(
        &mut self,
        t: SimTime,
        n: NodeId,
        index: LogIndex,
        id: EntryId,
        found: &mut Vec<TraceEvent>,
    ) {
        let i = index.0 as usize - 1;
        if i < self.applied.len() {
            let (first, by) = self.applied[i];
            if first != id {
                let detail = format!(
                    "node {n} applied entry {index} of term {} ({}); node {by} applied term {} ({}) there",
                    id.term,
                    req_text(id.req),
                    first.term,
                    req_text(first.req)
                );
                let story = self.entry_story(index);
                let v = Violation::new(Invariant::StateMachineSafety, t, detail)
                    .node(n)
                    .entry(index, id.term, id.req)
                    .story(story);
                self.report(v, found);
            }
        } else if i == self.applied.len() {
            self.applied.push((id, n));
        } else {
            // Applied past the cluster's applied prefix: only a node whose state machine
            // outlived its log (persistent, with a catalogue bug) gets here; record the gap
            // as unknown entries would lose information, so extend with this node's view.
            while self.applied.len() < i {
                let next = LogIndex(self.applied.len() as u64 + 1);
                let fill = self.node(n).log_at(next).copied();
                match fill {
                    Some(e) => self.applied.push((e, n)),
                    None => return,
                }
            }
            self.applied.push((id, n));
        }
    }
}
