//! `log-matching`: one entry per (index, term), always after the same previous term (Raft,
//! Figure 3: if two logs hold an entry with the same index and term, the logs are identical
//! up to it — checked one link at a time). Checked when a node appends an entry.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Step};
use crate::view::View;
use crate::violation::{Violation, req_text};
use raft_core::{LogIndex, ReqId, Term};
use sim_trace::{Invariant, TraceEvent};
use std::collections::BTreeMap;

/// Every (index, term) seen, with its request and the term of the entry before it.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogMatching {
    seen: BTreeMap<(LogIndex, Term), (Option<ReqId>, Term)>,
}

impl InvariantChecker for LogMatching {
    fn invariant(&self) -> Invariant {
        Invariant::LogMatching
    }

    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        let Step::Event(&TraceEvent::Append {
            node: n,
            index,
            term,
            req,
        }) = step
        else {
            return;
        };
        // The view already holds the entry; the one before it is its predecessor.
        let prev_term = view
            .node(n)
            .log_at(index.prev())
            .map_or(Term(0), |e| e.term);
        match self.seen.get(&(index, term)) {
            None => {
                self.seen.insert((index, term), (req, prev_term));
            }
            Some(&(first_req, prev)) if first_req != req || prev != prev_term => {
                let detail = if first_req != req {
                    format!(
                        "node {n} holds entry {index} of term {term} for {}, another node holds it for {}",
                        req_text(req),
                        req_text(first_req)
                    )
                } else {
                    format!(
                        "node {n} holds entry {index} of term {term} after an entry of term {prev_term}, another node after term {prev}"
                    )
                };
                let v = Violation::new(Invariant::LogMatching, view.now, detail)
                    .node(n)
                    .entry(index, term, req);
                out.violation(v);
            }
            Some(_) => {}
        }
    }
}
