//! `term-vote-lost`: a node's term and vote, once durable, survive every crash. Raft keeps
//! `currentTerm` and `votedFor` on stable storage before it answers (Raft §5.1, Figure 2):
//! a node that comes back from a crash in an older term, or in the same term without the
//! vote it gave, can vote twice in one term — two leaders — or lead a term that already
//! had one. Those need a second coincidence (a vote request of the forgotten term, another
//! node that forgot too); this checker reports the loss itself, at the restart.
//!
//! What is durable comes from the trace alone: a `save-state` names the term and vote
//! written; the next `flush` of the state file covers it; its `flush-done` with `ok` makes
//! it durable. What was written but not flushed may or may not survive a crash, as the
//! crash model decides. At a `restart`, a term below the durable one, or
//! the durable term without its vote, is a finding; what the restart recovered is then
//! what the media hold.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{NodeId, Term};
use sim_trace::{FileKind, Invariant, TraceEvent};

/// A term and the vote given in it.
type Saved = (Term, Option<NodeId>);

/// Flushes of one node's state file in flight at once. The Raft thread blocks on each
/// `save_state` until its flush completes, so there is one; a trace that shows more
/// (another implementation's) keeps the newest.
const FLUSHES_IN_FLIGHT_MAX: usize = 4;

#[derive(Clone, Debug, Default)]
struct NodeState {
    /// The last term and vote written, flushed or not.
    written: Option<Saved>,
    /// State-file flushes in flight, oldest first: each op and what it covers.
    flushing: Vec<(u64, Saved)>,
    /// The newest term and vote a completed flush made durable.
    durable: Option<Saved>,
}

#[derive(Clone, Debug)]
pub(crate) struct TermVoteLost {
    /// By node position.
    nodes: Vec<NodeState>,
}

impl TermVoteLost {
    pub fn new(nodes: u8) -> TermVoteLost {
        TermVoteLost {
            nodes: vec![NodeState::default(); usize::from(nodes)],
        }
    }
}

fn vote_text(vote: Option<NodeId>) -> String {
    match vote {
        Some(v) => format!("its vote for node {v}"),
        None => "no vote".to_string(),
    }
}

impl InvariantChecker for TermVoteLost {
    const READS: Reads = Reads::SAVE_STATE
        .and(Reads::FLUSH)
        .and(Reads::FLUSH_DONE)
        .and(Reads::RESTART);

    fn invariant(&self) -> Invariant {
        Invariant::TermVoteLost
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        let Step::Event(ev) = step else { return };
        match *ev {
            TraceEvent::SaveState { node, term, vote } => {
                self.nodes[node.index()].written = Some((term, vote));
            }
            TraceEvent::Flush {
                node,
                op,
                file: FileKind::State,
            } => {
                let n = &mut self.nodes[node.index()];
                if let Some(saved) = n.written {
                    if n.flushing.len() == FLUSHES_IN_FLIGHT_MAX {
                        n.flushing.remove(0);
                    }
                    n.flushing.push((op, saved));
                }
            }
            TraceEvent::FlushDone {
                node,
                op,
                file: FileKind::State,
                ok,
            } => {
                let n = &mut self.nodes[node.index()];
                if let Some(at) = n.flushing.iter().position(|(o, _)| *o == op) {
                    let (_, saved) = n.flushing.remove(at);
                    if ok {
                        n.durable = Some(saved);
                    }
                }
            }
            TraceEvent::Restart {
                node, term, vote, ..
            } => {
                let n = &mut self.nodes[node.index()];
                if let Some((durable_term, durable_vote)) = n.durable {
                    let lost = if term < durable_term {
                        Some(format!(
                            "node {node} restarted in term {term}, below the term {durable_term} it had made durable (with {}): it can vote again in a term it voted in, or lead a term that had a leader",
                            vote_text(durable_vote)
                        ))
                    } else if term == durable_term && durable_vote.is_some() && vote != durable_vote
                    {
                        Some(format!(
                            "node {node} restarted in term {term} with {}, but {} in that term was durable: it can vote twice in one term",
                            vote_text(vote),
                            vote_text(durable_vote)
                        ))
                    } else {
                        None
                    };
                    if let Some(detail) = lost {
                        let v = Violation::new(Invariant::TermVoteLost, view.now, detail)
                            .node(node)
                            .term(durable_term);
                        out.violation(v);
                    }
                }
                // What recovery read is on the media now; what was in flight died with the
                // crash.
                n.durable = Some((term, vote));
                n.written = None;
                n.flushing.clear();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;

    fn script() -> Script<TermVoteLost> {
        Script::new(3, TermVoteLost::new(3))
    }

    fn save(s: &mut Script<TermVoteLost>, t_ms: u64, node: u8, term: u64, vote: Option<u8>) {
        let node = NodeId(node);
        s.event(
            t_ms,
            TraceEvent::SaveState {
                node,
                term: Term(term),
                vote: vote.map(NodeId),
            },
        );
        s.event(
            t_ms + 1,
            TraceEvent::Flush {
                node,
                op: t_ms,
                file: FileKind::State,
            },
        );
    }

    fn flushed(s: &mut Script<TermVoteLost>, t_ms: u64, node: u8, op: u64, ok: bool) {
        s.event(
            t_ms,
            TraceEvent::FlushDone {
                node: NodeId(node),
                op,
                file: FileKind::State,
                ok,
            },
        );
    }

    fn crash_restart(
        s: &mut Script<TermVoteLost>,
        t_ms: u64,
        node: u8,
        term: u64,
        vote: Option<u8>,
    ) {
        s.event(
            t_ms,
            TraceEvent::Crash {
                node: NodeId(node),
                crash: sim_trace::CrashKind::Power,
            },
        );
        s.event(
            t_ms + 1,
            TraceEvent::Restart {
                node: NodeId(node),
                log_first_index: raft_core::LogIndex(1),
                log_last_index: raft_core::LogIndex::ZERO,
                log_last_term: Term(0),
                dropped: 0,
                term: Term(term),
                vote: vote.map(NodeId),
                applied_index: raft_core::LogIndex::ZERO,
                snapshot_index: Default::default(),
            },
        );
    }

    /// The state-file-not-atomic shape: term 3 durable, the save of term 4 truncates the
    /// file, the crash keeps the truncation: the node comes back in term 0.
    #[test]
    fn a_durable_term_that_comes_back_older_is_a_finding() {
        let mut s = script();
        save(&mut s, 10, 2, 3, Some(1));
        flushed(&mut s, 20, 2, 10, true);
        save(&mut s, 30, 2, 4, None);
        crash_restart(&mut s, 40, 2, 0, None);
        let v = s.only_violation();
        assert_eq!(v.node, Some(NodeId(2)));
        assert_eq!(v.term, Some(Term(3)));
        assert_eq!(
            v.detail,
            "node 2 restarted in term 0, below the term 3 it had made durable (with its vote for node 1): it can vote again in a term it voted in, or lead a term that had a leader"
        );
    }

    #[test]
    fn a_durable_vote_that_comes_back_without_it_is_a_finding() {
        let mut s = script();
        save(&mut s, 10, 1, 5, Some(3));
        flushed(&mut s, 20, 1, 10, true);
        crash_restart(&mut s, 40, 1, 5, None);
        assert_eq!(
            s.only_violation().detail,
            "node 1 restarted in term 5 with no vote, but its vote for node 3 in that term was durable: it can vote twice in one term"
        );
    }

    /// Near misses: a save whose flush never completed (or failed) may be lost; a save
    /// that survived unflushed is newer, not older; a restart in a newer term is fine.
    #[test]
    fn what_was_never_durable_may_be_lost() {
        let mut s = script();
        save(&mut s, 10, 1, 2, Some(1));
        flushed(&mut s, 20, 1, 10, true);
        save(&mut s, 30, 1, 3, Some(1));
        crash_restart(&mut s, 40, 1, 2, Some(1));
        save(&mut s, 50, 1, 4, None);
        flushed(&mut s, 60, 1, 50, false);
        crash_restart(&mut s, 70, 1, 2, Some(1));
        save(&mut s, 80, 1, 5, Some(2));
        crash_restart(&mut s, 90, 1, 5, Some(2));
        s.assert_clean();
    }

    /// After a finding, what recovery read is the new baseline: one loss, one report.
    #[test]
    fn one_loss_is_reported_once() {
        let mut s = script();
        save(&mut s, 10, 3, 7, Some(3));
        flushed(&mut s, 20, 3, 10, true);
        crash_restart(&mut s, 30, 3, 0, None);
        crash_restart(&mut s, 40, 3, 0, None);
        assert_eq!(s.count(), 1);
    }
}
