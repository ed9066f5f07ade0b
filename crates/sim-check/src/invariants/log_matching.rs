//! `log-matching`: one entry per (index, term), always after the same previous term (Raft,
//! Figure 3: if two logs hold an entry with the same index and term, the logs are identical
//! up to it — checked one link at a time). Checked when a node appends an entry.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Step};
use crate::view::View;
use crate::violation::{Violation, req_text};
use raft_core::{LogIndex, ReqId, Term};
use sim_trace::{Invariant, TraceEvent};

/// Every (index, term) seen, with its request and the term of the entry before it, sorted
/// by (index, term). Entries are mostly first seen at the log's end, so an insertion
/// lands at or near the end of one growing `Vec` (a tree would allocate a node every few).
#[derive(Clone, Debug, Default)]
pub(crate) struct LogMatching {
    seen: Vec<(EntryId, Link)>,
}

/// An entry's place: (index, term).
type EntryId = (LogIndex, Term);
/// What the first holder of an entry saw: its request and the term before it.
type Link = (Option<ReqId>, Term);

impl InvariantChecker for LogMatching {
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
        let at = self.seen.partition_point(|(k, _)| *k < (index, term));
        match self
            .seen
            .get(at)
            .filter(|(k, _)| *k == (index, term))
            .map(|(_, v)| v)
        {
            None => {
                self.seen.insert(at, ((index, term), (req, prev_term)));
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
}
