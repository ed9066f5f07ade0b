//! `durability-hazard`: the windows in which a committed entry was durable on fewer than a
//! majority of nodes — found on every seed, even when no crash happens to hit them.
//!
//! A window opens when an entry joins the committed prefix with too few durable copies,
//! closes when a majority holds it durably, and closes never if the entry is lost first (or
//! the run ends). Each closed window is traced as a `hazard` line; the verdict, at the end,
//! is one violation for the run with the count, the first window and the longest.

use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{LogIndex, Term};
use sim_core::SimTime;
use sim_trace::{Invariant, NodeSet, TraceEvent};
use std::collections::BTreeMap;

/// An open hazard window.
#[derive(Clone, Copy, Debug)]
struct OpenHazard {
    term: Term,
    opened: SimTime,
    durable_nodes: NodeSet,
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

/// The open windows, by index, and the summary of all.
#[derive(Clone, Debug, Default)]
pub(crate) struct DurabilityHazard {
    open: BTreeMap<LogIndex, OpenHazard>,
    summary: HazardSummary,
}

impl DurabilityHazard {
    pub fn summary(&self) -> HazardSummary {
        self.summary
    }

    /// Entry `index` joined the committed prefix: a window opens if too few hold it durably.
    fn on_committed(&mut self, index: LogIndex, view: &View) {
        let c = view.committed_at(index).expect("a committed entry");
        if c.durable_at_commit.len() >= view.majority() {
            return;
        }
        self.summary.windows += 1;
        if self.summary.first.is_none() {
            self.summary.first = Some((index, c.id.term, c.t));
        }
        self.open.insert(
            index,
            OpenHazard {
                term: c.id.term,
                opened: c.t,
                durable_nodes: c.durable_at_commit,
            },
        );
    }

    /// Durable media changed on some node from `from` on: close the windows that now have
    /// a majority.
    fn on_durable(&mut self, from: LogIndex, view: &View, out: &mut Findings<'_>) {
        let candidates: Vec<LogIndex> = self.open.range(from..).map(|(i, _)| *i).collect();
        for index in candidates {
            let id = view.committed_at(index).expect("a window's entry").id;
            if view.durable_holders(index, &id).len() >= view.majority() {
                let h = self.open.remove(&index).expect("open window");
                self.close(index, h, Some(view.now), out);
            }
        }
    }

    fn close(
        &mut self,
        index: LogIndex,
        h: OpenHazard,
        closed: Option<SimTime>,
        out: &mut Findings<'_>,
    ) {
        let s = &mut self.summary;
        match closed {
            Some(c) => {
                let len = c.since(h.opened).as_ns();
                s.longest_ns = s.longest_ns.max(len);
                s.total_ns += len;
            }
            None => s.unclosed += 1,
        }
        out.trace(TraceEvent::Hazard {
            index,
            term: h.term,
            opened_t_ns: h.opened.as_ns(),
            closed_t_ns: closed.map(|c| c.as_ns()),
            durable_nodes: h.durable_nodes,
        });
    }
}

impl InvariantChecker for DurabilityHazard {
    fn invariant(&self) -> Invariant {
        Invariant::DurabilityHazard
    }

    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        match step {
            Step::Event(TraceEvent::Durable { from_index, .. }) => {
                self.on_durable(*from_index, view, out)
            }
            Step::Committed { index } => self.on_committed(index, view),
            Step::Lost { index } => {
                if let Some(h) = self.open.remove(&index) {
                    self.close(index, h, None, out);
                }
            }
            Step::End => {
                for (index, h) in std::mem::take(&mut self.open) {
                    self.close(index, h, None, out);
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, _checks: EndChecks, view: &View, out: &mut Findings<'_>) {
        let s = self.summary;
        let Some((index, term, opened)) = s.first else {
            return;
        };
        let detail = format!(
            "{} entries were counted committed while durable on fewer than {} of {} nodes; the first was entry {index} (term {term}) at {opened}; longest window {:.3} ms, {} never closed",
            s.windows,
            view.majority(),
            view.nodes.len(),
            s.longest_ns as f64 / 1e6,
            s.unclosed
        );
        let v =
            Violation::new(Invariant::DurabilityHazard, view.now, detail).entry(index, term, None);
        out.violation(v);
    }
}
