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
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::node_view::EntryId;
use crate::view::View;
use crate::violation::{Violation, req_text};
use sim_trace::Invariant;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DurabilityLoss;

impl InvariantChecker for DurabilityLoss {
    const READS: Reads = Reads::COMMITTED_OTHER.and(Reads::LOST);

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
    use sim_trace::TraceEvent;

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

    /// Node 1 leads term 1 and commits `entries` entries, each durable on all three nodes
    /// first; every node commits them.
    fn long_run(forget_every: usize, entries: u64) -> Script<DurabilityLoss> {
        let mut s = Script::new(3, DurabilityLoss);
        s.view.forget_every = forget_every;
        s.elected(10, 1, 1);
        let mut t = 20;
        for i in 1..=entries {
            t = s.replicate(t, i, 1, &[1, 2, 3]);
            for n in 1..=3 {
                s.commit(t, n, i);
                t += 1;
            }
        }
        s
    }

    /// The most entries one log or media keeps one by one.
    fn kept(s: &Script<DurabilityLoss>) -> usize {
        let v = &s.view.nodes;
        let most = v.iter().map(|v| v.log.kept().max(v.durable.kept())).max();
        most.expect("nodes")
    }

    /// The committed entries every node holds are forgotten, in chunks: what each node keeps
    /// entry by entry stays below the chunk however long the run.
    #[test]
    fn a_long_run_keeps_a_bounded_tail_per_node() {
        let s = long_run(1024, 20_000);
        assert!(kept(&s) < 1024, "kept {}", kept(&s));
        let all = long_run(usize::MAX, 3_000);
        assert_eq!(kept(&all), 3_000, "the control forgets nothing");
        s.assert_clean();
    }

    /// Every node crashes, and a compaction that outran its snapshot then turns entries
    /// 1..=5 into holes on each node's media: long forgotten, they are lost, reported with
    /// the same texts and stories as by a view that forgot nothing.
    #[test]
    fn a_forgotten_entry_lost_later_is_reported_as_before() {
        let run = |forget_every| {
            let mut s = long_run(forget_every, 3_000);
            let forgot = s.view.nodes.iter().all(|v| v.durable.base() >= 2_048);
            assert_eq!(forgot, forget_every == 1024, "entries 1..=5 were forgotten");
            let t = 100_000;
            for n in 1..=3u8 {
                s.crash(t + u64::from(n), n);
            }
            for n in 1..=3u8 {
                let (node, upto) = (NodeId(n), LogIndex(5));
                s.event(
                    t + 10 + u64::from(n),
                    TraceEvent::CompactDurable { node, upto },
                );
            }
            s
        };
        let forgetting = run(1024);
        let control = run(usize::MAX);
        assert_eq!(forgetting.count(), 5);
        assert_eq!(forgetting.violations(), control.violations());
        let v = &forgetting.violations()[0];
        assert_eq!(v.index, Some(LogIndex(1)));
        assert!(
            v.story
                .iter()
                .any(|l| l.contains("node 3 is down without it"))
        );
    }

    /// A node that comes back with less than the forgotten prefix (its recovery keeps no
    /// entry) is judged as before: it holds nothing, the others still hold every entry.
    #[test]
    fn a_restart_below_the_forgotten_prefix_is_judged_as_before() {
        let run = |forget_every| {
            let mut s = long_run(forget_every, 3_000);
            s.crash(100_000, 2);
            s.restart(100_001, 2, 0);
            s.crash(100_002, 1);
            s.crash(100_003, 3);
            s.restart(100_004, 1, 0);
            s.restart(100_005, 3, 0);
            s
        };
        let forgetting = run(1024);
        let control = run(usize::MAX);
        assert_eq!(forgetting.count(), 3_000);
        assert_eq!(forgetting.violations(), control.violations());
    }
}
