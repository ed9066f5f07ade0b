//! `leader-completeness` (Raft §5.4): an entry committed in term T is in the log of every
//! leader of a term above T. Checked when a node becomes leader.
//!
//! A leader of a lower term — a late election whose grants were delayed while a newer term
//! committed — is legal: it steps down at the first message of the newer term, and whatever
//! it commits meanwhile is judged by `durability-loss` and `state-machine-safety`. So only
//! entries committed in a term below the new leader's count. The term of an entry's commit
//! is the term of the node that first committed it (the view's committed prefix).

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{LogIndex, Role};
use sim_trace::{Invariant, TraceEvent};

/// Keeps no state: the view's committed prefix is all it compares with.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LeaderCompleteness;

impl InvariantChecker for LeaderCompleteness {
    const READS: Reads = Reads::ROLE;

    fn invariant(&self) -> Invariant {
        Invariant::LeaderCompleteness
    }

    #[inline]
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
        // The entries the log tells by length are the committed ones: only the rest is
        // compared.
        let Some(i) = view.lacks_committed_from(log, Some(term)) else {
            return;
        };
        let index = LogIndex(i as u64 + 1);
        let c = view.committed_at(index).expect("a committed entry");
        let detail = match view.log_at(n, index) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use raft_core::{NodeId, Term};

    /// Node 3 wins term 19 and commits entry 1 of term 19, held by nodes 3 and 2; node 1
    /// stood as candidate of term 18 before. Returns the next free time.
    fn committed_in_term_19() -> (Script<LeaderCompleteness>, u64) {
        let mut s = Script::new(3, LeaderCompleteness);
        s.role(10, 1, Role::Candidate, 18);
        s.elected(20, 3, 19);
        let t = s.replicate(30, 1, 19, &[3, 2]);
        s.commit(t, 3, 1);
        s.assert_clean();
        (s, t + 10)
    }

    #[test]
    fn a_higher_term_leader_without_a_committed_entry_is_a_finding() {
        let (mut s, t) = committed_in_term_19();
        s.elected(t, 1, 20);
        let v = s.only_violation();
        assert_eq!(v.node, Some(NodeId(1)));
        assert_eq!((v.index, v.term), (Some(LogIndex(1)), Some(Term(19))));
        assert!(
            v.detail.starts_with(
                "node 1 became leader of term 20 with 0 entries, without committed entry 1"
            ),
            "{}",
            v.detail
        );
        assert!(v.detail.ends_with("committed in term 19 by node 3"));
        assert!(!v.story.is_empty(), "the entry's story is told");
    }

    /// Another entry at the committed index is as bad as none.
    #[test]
    fn a_higher_term_leader_with_another_entry_there_is_a_finding() {
        let (mut s, t) = committed_in_term_19();
        s.append(t, 1, 1, 18);
        s.elected(t + 1, 1, 20);
        assert!(
            s.only_violation()
                .detail
                .contains("with entry 1 of term 18 where entry 1 of term 19 was committed")
        );
    }

    /// Near miss: a late leader of a lower term (18) without the entry is legal.
    #[test]
    fn a_late_lower_term_leader_is_no_finding() {
        let (mut s, t) = committed_in_term_19();
        s.role(t, 1, Role::Leader, 18);
        s.assert_clean();
    }

    /// Near miss: the leader of term 20 holds the committed entry.
    #[test]
    fn a_higher_term_leader_holding_the_entry_is_no_finding() {
        let (mut s, t) = committed_in_term_19();
        let t = s.replicate(t, 1, 19, &[1]);
        s.elected(t, 1, 20);
        s.assert_clean();
    }
}
