//! `leader-completeness` (Raft §5.4): an entry committed in term T is in the log of every
//! leader of a term above T. Checked when a node becomes leader.
//!
//! A leader of a lower term — a late election whose grants were delayed while a newer term
//! committed — is legal: it steps down at the first message of the newer term, and whatever
//! it commits meanwhile is judged by `durability-loss` and `state-machine-safety`. So only
//! entries committed in a term below the new leader's count. The term of an entry's commit
//! is the term of the node that first committed it (the view's committed prefix).

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{LogIndex, Role};
use sim_trace::{Invariant, TraceEvent};

/// Keeps no state: the view's committed prefix is all it compares with.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LeaderCompleteness;

impl InvariantChecker for LeaderCompleteness {
    fn invariant(&self) -> Invariant {
        Invariant::LeaderCompleteness
    }

    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        let Step::Event(&TraceEvent::Role {
            node: n,
            role: Role::Leader,
            term,
        }) = step
        else {
            return;
        };
        let log = &view.node(n).log;
        let missing = view
            .committed
            .iter()
            .enumerate()
            .filter(|(_, c)| c.term < term)
            .find(|(i, c)| log.get(*i) != Some(&c.id));
        let Some((i, c)) = missing else {
            return;
        };
        let index = LogIndex(i as u64 + 1);
        let detail = match view.node(n).log_at(index) {
            Some(other) => format!(
                "node {n} became leader of term {term} with entry {index} of term {} where entry {index} of term {} was committed",
                other.term, c.id.term
            ),
            None => format!(
                "node {n} became leader of term {term} with {} entries, without committed entry {index} (term {})",
                log.len(),
                c.id.term
            ),
        };
        let detail = format!("{detail}, committed in term {} by node {}", c.term, c.by);
        let v = Violation::new(Invariant::LeaderCompleteness, view.now, detail)
            .node(n)
            .entry(index, c.id.term, c.id.req)
            .story(view.entry_story(index));
        out.violation(v);
    }
}
