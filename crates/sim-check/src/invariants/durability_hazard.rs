//! `durability-hazard`: the windows in which a committed entry was durable on fewer than a
//! majority of nodes — found on every seed, even when no crash happens to hit them.
//!
//! A window opens when an entry joins the committed prefix with too few durable copies,
//! closes when a majority holds it durably, and closes never if the entry is lost first (or
//! the run ends). Each closed window is traced as a `hazard` line; the verdict, at the end,
//! is one violation for the run with the count, the first window and the longest.

use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Reads, Step};
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
    const READS: Reads = Reads::DURABLE
        .and(Reads::COMMITTED)
        .and(Reads::LOST)
        .and(Reads::END);

    fn invariant(&self) -> Invariant {
        Invariant::DurabilityHazard
    }

    #[inline]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use raft_core::Role;

    /// Node 1 leads term 1; entry 1 is in the memory of nodes 1 and 2, durable on node 1
    /// only, and node 1 commits it at 30 ms: a window opens.
    fn committed_durable_on_one() -> Script<DurabilityHazard> {
        let mut s = Script::new(3, DurabilityHazard::default());
        s.elected(10, 1, 1);
        s.replicate(20, 1, 1, &[1]);
        s.append(25, 2, 1, 1);
        s.commit(30, 1, 1);
        assert_eq!(s.checker.summary().windows, 1);
        s
    }

    fn hazard_lines(s: &Script<DurabilityHazard>) -> Vec<(LogIndex, Option<u64>)> {
        s.found
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Hazard {
                    index, closed_t_ns, ..
                } => Some((*index, *closed_t_ns)),
                _ => None,
            })
            .collect()
    }

    /// The window never closes: traced at the end as unclosed, and one finding.
    #[test]
    fn a_commit_durable_on_too_few_is_a_finding() {
        let mut s = committed_durable_on_one();
        s.finish(100, EndChecks::NoHeal);
        assert_eq!(hazard_lines(&s), vec![(LogIndex(1), None)]);
        let v = s.only_violation();
        assert_eq!(
            v.detail,
            "1 entries were counted committed while durable on fewer than 2 of 3 nodes; the first was entry 1 (term 1) at 0.030000s; longest window 0.000 ms, 1 never closed"
        );
    }

    /// Node 2's copy becomes durable 10 ms later: the window closes then, and the verdict
    /// gives its length.
    #[test]
    fn a_window_closes_when_a_majority_is_durable() {
        let mut s = committed_durable_on_one();
        s.durable(40, 2, 1, 1);
        assert_eq!(hazard_lines(&s), vec![(LogIndex(1), Some(40_000_000))]);
        s.finish(100, EndChecks::NoHeal);
        assert!(
            s.only_violation()
                .detail
                .ends_with("longest window 10.000 ms, 0 never closed")
        );
    }

    /// A lost entry's window closes never, when it is lost.
    #[test]
    fn a_lost_entry_closes_its_window_unclosed() {
        let mut s = committed_durable_on_one();
        s.truncate(40, 2, 1);
        s.event(
            41,
            TraceEvent::Durable {
                node: raft_core::NodeId(1),
                from_index: LogIndex(1),
                index: LogIndex(0),
                term: Term(0),
                entries: Vec::new(),
            },
        );
        s.crash(42, 1);
        assert_eq!(hazard_lines(&s), vec![(LogIndex(1), None)]);
        assert_eq!(s.checker.summary().unclosed, 1);
    }

    /// Near miss: a majority is durable before the commit, so no window opens.
    #[test]
    fn a_commit_durable_on_a_majority_is_no_finding() {
        let mut s = Script::new(3, DurabilityHazard::default());
        s.elected(10, 1, 1);
        s.role(12, 2, Role::Follower, 1);
        let t = s.replicate(20, 1, 1, &[1, 2]);
        s.commit(t, 1, 1);
        s.finish(100, EndChecks::AfterHeal);
        s.assert_clean();
        assert_eq!(s.checker.summary(), HazardSummary::default());
    }
}
