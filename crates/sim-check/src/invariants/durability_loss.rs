//! `durability-loss`: a committed entry is never lost nor replaced. Two findings:
//!
//! * a committed entry is held by no node any more — in memory if the node is up, on its
//!   media if it is down — after a crash, a truncation or a change of a down node's media
//!   (the view derives it, once per entry, as [`Step::Lost`]);
//! * a node commits a different entry at an index the cluster already committed (derived
//!   as [`Step::CommittedOther`]; the first node to commit an index fixes its entry).
//!
//! Each finding tells the entry's story (`story.rs`). Keeps no state of its own.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Step};
use crate::view::View;
use crate::violation::{Violation, req_text};
use sim_trace::Invariant;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DurabilityLoss;

impl InvariantChecker for DurabilityLoss {
    fn invariant(&self) -> Invariant {
        Invariant::DurabilityLoss
    }

    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        match step {
            Step::Lost { index } => {
                let c = view
                    .committed_at(index)
                    .expect("a lost entry was committed");
                let detail = format!(
                    "committed entry {index} (term {}, {}) is held by no node any more",
                    c.id.term,
                    req_text(c.id.req)
                );
                let v = Violation::new(Invariant::DurabilityLoss, view.now, detail)
                    .entry(index, c.id.term, c.id.req)
                    .story(view.entry_story(index));
                out.violation(v);
            }
            Step::CommittedOther { node: n, index, id } => {
                let c = view
                    .committed_at(index)
                    .expect("an entry committed otherwise was committed");
                let detail = format!(
                    "node {n} committed entry {index} of term {} ({}), but entry {index} of term {} ({}) was committed at {} by node {}",
                    id.term,
                    req_text(id.req),
                    c.id.term,
                    req_text(c.id.req),
                    c.t,
                    c.by
                );
                let v = Violation::new(Invariant::DurabilityLoss, view.now, detail)
                    .node(n)
                    .entry(index, c.id.term, c.id.req)
                    .story(view.entry_story(index));
                out.violation(v);
            }
            _ => {}
        }
    }
}
