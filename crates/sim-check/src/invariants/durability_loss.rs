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
use crate::node_view::EntryId;
use crate::view::View;
use crate::violation::{Violation, req_text};
use sim_trace::Invariant;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DurabilityLoss;

impl InvariantChecker for DurabilityLoss {
    fn invariant(&self) -> Invariant {
        Invariant::DurabilityLoss
    }

    #[inline]
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
                let detail = if id == EntryId::HOLE {
                    format!(
                        "node {n} committed past entry {index}, which its log no longer holds: the log was compacted behind a snapshot the node does not have (entry {index} of term {} ({}) was committed at {} by node {})",
                        c.id.term,
                        req_text(c.id.req),
                        c.t,
                        c.by
                    )
                } else {
                    format!(
                        "node {n} committed entry {index} of term {} ({}), but entry {index} of term {} ({}) was committed at {} by node {}",
                        id.term,
                        req_text(id.req),
                        c.id.term,
                        req_text(c.id.req),
                        c.t,
                        c.by
                    )
                };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use raft_core::{LogIndex, NodeId, Role};

    /// Node 1 leads term 1 and commits entry 1, held by nodes 1 and 2 in memory only.
    fn committed_in_memory_only() -> Script<DurabilityLoss> {
        let mut s = Script::new(3, DurabilityLoss);
        s.elected(10, 1, 1);
        s.append(20, 1, 1, 1);
        s.append(21, 2, 1, 1);
        s.commit(22, 1, 1);
        s
    }

    /// Both copies crash before they are durable: the entry is lost, reported once.
    #[test]
    fn a_committed_entry_no_node_holds_is_a_finding() {
        let mut s = committed_in_memory_only();
        s.crash(30, 1);
        assert_eq!(s.count(), 0, "node 2 still holds it");
        s.crash(31, 2);
        let v = s.only_violation();
        assert_eq!(v.index, Some(LogIndex(1)));
        assert_eq!(
            v.detail,
            "committed entry 1 (term 1, no request (a no-op)) is held by no node any more"
        );
        assert!(v.story.iter().any(|l| l.contains("node 2 crashed at")));
        s.crash(32, 3);
        assert_eq!(s.count(), 1, "a lost entry is reported once");
    }

    /// The last copy is on a node's media past what its recovery keeps (a corrupt or torn
    /// tail it discards): the restart, not a later event, loses it.
    #[test]
    fn a_restart_that_discards_the_last_copy_is_a_finding() {
        let mut s = Script::new(3, DurabilityLoss);
        s.elected(10, 1, 1);
        s.append(20, 1, 1, 1);
        s.durable(21, 1, 1, 1);
        s.commit(22, 1, 1);
        s.crash(30, 1);
        assert_eq!(s.count(), 0, "its media still holds it");
        s.restart(40, 1, 0);
        let v = s.only_violation();
        assert_eq!(v.index, Some(LogIndex(1)));
    }

    /// A truncation drops the last copy.
    #[test]
    fn a_truncation_of_the_last_copy_is_a_finding() {
        let mut s = committed_in_memory_only();
        s.crash(30, 1);
        s.truncate(31, 2, 1);
        assert_eq!(s.only_violation().index, Some(LogIndex(1)));
    }

    /// Node 2 drops entry 1 of term 1, committed by node 1, and commits entry 1 of term 2.
    #[test]
    fn committing_another_entry_at_a_committed_index_is_a_finding() {
        let mut s = committed_in_memory_only();
        s.role(30, 2, Role::Leader, 2);
        s.truncate(31, 2, 1);
        s.append(32, 2, 1, 2);
        s.commit(33, 2, 1);
        let v = s.only_violation();
        assert_eq!(v.node, Some(NodeId(2)));
        assert!(
            v.detail.starts_with(
                "node 2 committed entry 1 of term 2 (no request (a no-op)), but entry 1 of term 1"
            ),
            "{}",
            v.detail
        );
    }

    /// Near misses: a crash of a node whose copy is durable, and a truncation while
    /// another node holds the entry; committing the same entry again after a truncation.
    #[test]
    fn a_copy_that_survives_is_no_finding() {
        let mut s = committed_in_memory_only();
        s.durable(25, 2, 1, 1);
        s.crash(30, 1);
        s.crash(31, 2);
        let mut s = committed_in_memory_only();
        s.truncate(30, 1, 1);
        s.append(31, 1, 1, 1);
        s.commit(32, 1, 1);
        s.assert_clean();
    }
}
