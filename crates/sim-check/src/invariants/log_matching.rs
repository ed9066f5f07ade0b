//! `log-matching`: one entry per (index, term), always after the same previous term (Raft,
//! Figure 3: if two logs hold an entry with the same index and term, the logs are identical
//! up to it — checked one link at a time). Checked when a node appends an entry.
//!
//! What the first holder of each (index, term) saw is remembered for the whole run, but the
//! committed entries' sightings are not kept one by one: up to a base index, the sighting of
//! each committed entry was the committed entry after the committed entry before it, so the
//! committed prefix (the view's) tells it. Kept one by one: the entries past the base, and
//! below it the entries of other terms (appended, never committed there) and any committed
//! entry first seen otherwise.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::node_view::EntryId as Entry;
use crate::recent::partition_point_recent;
use crate::view::{FORGET_EVERY, View};
use crate::violation::{Violation, req_text};
use raft_core::{LogIndex, ReqId, Term};
use sim_trace::{Invariant, TraceEvent};

/// Every (index, term) seen, with its request and the term of the entry before it, sorted
/// by (index, term). Entries are mostly first seen at the log's end, so an insertion
/// lands at or near the end of one growing `Vec` (a tree would allocate a node every few).
#[derive(Clone, Debug, Default)]
pub(crate) struct LogMatching {
    seen: Vec<(EntryId, Link)>,
    /// Up to this index, the committed entry's sighting is not in `seen`: the committed
    /// prefix tells it ([`committed_link`]).
    base: u64,
    /// Appends since the base last moved up.
    appends: usize,
}

/// What the first holder of committed entry `index` saw, when it saw the committed entry
/// there after the committed entry before it.
fn committed_link(committed: &[Entry], index: LogIndex) -> Link {
    let i = index.0 as usize - 1;
    let prev = i.checked_sub(1).map_or(Term(0), |p| committed[p].term);
    (committed[i].req, prev)
}

impl LogMatching {
    /// What the first holder of (`index`, `term`) saw, if any node held it before.
    fn first(&self, committed: &[Entry], at: usize, index: LogIndex, term: Term) -> Option<Link> {
        match self.seen.get(at).filter(|(k, _)| *k == (index, term)) {
            Some((_, link)) => Some(*link),
            None if index.0 <= self.base && committed[index.0 as usize - 1].term == term => {
                Some(committed_link(committed, index))
            }
            None => None,
        }
    }

    /// Moves the base up over the committed entries first seen as the committed prefix
    /// tells, and drops their sightings. One pass over the sightings past the base.
    fn forget_committed(&mut self, committed: &[Entry]) {
        let lo = self.seen.partition_point(|((i, _), _)| i.0 <= self.base);
        let mut base = self.base;
        while (base as usize) < committed.len() {
            let index = LogIndex(base + 1);
            let key = (index, committed[base as usize].term);
            let at = self.seen.partition_point(|(k, _)| *k < key);
            match self.seen.get(at) {
                Some((k, link)) if *k == key && *link == committed_link(committed, index) => {
                    base += 1
                }
                _ => break,
            }
        }
        let hi = self.seen.partition_point(|((i, _), _)| i.0 <= base);
        let others: Vec<(EntryId, Link)> = self.seen[lo..hi]
            .iter()
            .filter(|((i, t), _)| committed[i.0 as usize - 1].term != *t)
            .copied()
            .collect();
        self.seen.splice(lo..hi, others);
        self.base = base;
    }
}

/// An entry's place: (index, term).
type EntryId = (LogIndex, Term);
/// What the first holder of an entry saw: its request and the term before it.
type Link = (Option<ReqId>, Term);

impl InvariantChecker for LogMatching {
    const READS: Reads = Reads::APPEND;

    fn invariant(&self) -> Invariant {
        Invariant::LogMatching
    }

    #[inline]
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
        let prev_term = view.log_at(n, index.prev()).map_or(Term(0), |e| e.term);
        let committed = view.committed_ids();
        // An entry is appended at or near the log's end, where its first sighting is.
        let at = partition_point_recent(&self.seen, |(k, _)| *k < (index, term));
        match self.first(committed, at, index, term) {
            None => {
                self.seen.insert(at, ((index, term), (req, prev_term)));
                self.appends += 1;
                if self.appends == FORGET_EVERY {
                    self.appends = 0;
                    self.forget_committed(committed);
                }
            }
            Some((first_req, prev)) if first_req != req || prev != prev_term => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use raft_core::NodeId;

    fn script() -> Script<LogMatching> {
        Script::new(3, LogMatching::default())
    }

    /// Entry 1 of term 1 is request 7 on node 1 and request 8 on node 2.
    #[test]
    fn one_index_and_term_with_two_requests_is_a_finding() {
        let mut s = script();
        s.append_req(10, 1, 1, 1, Some(7));
        s.append_req(11, 2, 1, 1, Some(8));
        let v = s.only_violation();
        assert_eq!(v.node, Some(NodeId(2)));
        assert_eq!(v.index, Some(LogIndex(1)));
        assert_eq!(v.req, Some(ReqId(8)));
        assert!(
            v.detail
                .contains("for request 8, another node holds it for request 7")
        );
    }

    /// Entry 2 of term 3 follows an entry of term 1 on node 1 and of term 2 on node 2.
    #[test]
    fn one_index_and_term_after_two_previous_terms_is_a_finding() {
        let mut s = script();
        s.append(10, 1, 1, 1);
        s.append(11, 1, 2, 3);
        s.append(12, 2, 1, 2);
        s.append(13, 2, 2, 3);
        let v = s.only_violation();
        assert!(
            v.detail
                .contains("after an entry of term 2, another node after term 1"),
            "{}",
            v.detail
        );
    }

    /// Near misses: the same entry on every node; another term at the same index; a node
    /// that truncates and appends the same entry again.
    #[test]
    fn same_entries_or_other_terms_are_no_finding() {
        let mut s = script();
        for n in 1..=3 {
            s.append_req(10 + n, n as u8, 1, 1, Some(7));
        }
        s.append_req(20, 1, 2, 1, Some(9));
        s.append_req(21, 2, 2, 2, Some(10));
        s.truncate(22, 1, 2);
        s.append_req(23, 1, 2, 1, Some(9));
        s.assert_clean();
    }

    /// The bytes per sighting docs/architecture.md states.
    #[test]
    fn a_sighting_costs_the_documented_bytes() {
        assert_eq!(size_of::<(EntryId, Link)>(), 40);
    }

    /// Nodes 1 and 2 hold 5,000 committed entries: their sightings are forgotten but for
    /// under a chunk, and a later append that breaks either link at a forgotten index is
    /// the same finding as before.
    #[test]
    fn committed_sightings_are_forgotten_and_still_compared() {
        let mut s = script();
        s.elected(1, 1, 1);
        let mut t = 10;
        for i in 1..=5_000 {
            s.append_req(t, 1, i, 1, Some(i));
            s.append_req(t + 1, 2, i, 1, Some(i));
            s.commit(t + 2, 1, i);
            t += 3;
        }
        s.assert_clean();
        assert!(
            s.checker.seen.len() < FORGET_EVERY,
            "{}",
            s.checker.seen.len()
        );
        assert!(s.checker.base > 4_000);
        for i in 1..=4 {
            s.append_req(t, 3, i, 1, Some(i));
            t += 1;
        }
        s.append_req(t, 3, 5, 1, Some(99));
        assert_eq!(
            s.only_violation().detail,
            "node 3 holds entry 5 of term 1 for request 99, another node holds it for request 5"
        );
        s.truncate(t + 1, 3, 4);
        s.append_req(t + 2, 3, 4, 2, Some(4));
        s.append_req(t + 3, 3, 5, 1, Some(5));
        assert_eq!(
            s.violations()[1].detail,
            "node 3 holds entry 5 of term 1 after an entry of term 2, another node after term 1"
        );
    }
}
