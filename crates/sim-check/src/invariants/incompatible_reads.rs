//! `incompatible-reads`: every two reads of one list are prefixes of one another (Elle's
//! list-append: appends only ever add at the end, so every state the list was ever in is a
//! prefix of every later one). Two reads that disagree saw two orders of the same key's
//! appends: state machines that diverged. Checked on each list read against the longest
//! list read so far (`lists.rs`), which stands for all earlier reads: a read compatible
//! with it is compatible with every read it extends or that extends it. Order in time
//! plays no part, so a stale read (a prefix) is never one.

use crate::findings::Findings;
use crate::invariants::{InvariantChecker, Reads, Step};
use crate::lists::is_prefix;
use crate::view::View;
use crate::violation::Violation;
use sim_trace::Invariant;

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IncompatibleReads;

impl InvariantChecker for IncompatibleReads {
    const READS: Reads = Reads::CLIENT_OK;

    fn invariant(&self) -> Invariant {
        Invariant::IncompatibleReads
    }

    #[inline]
    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>) {
        let Some((req, list)) = step.list_read() else {
            return;
        };
        let Some(op) = view.lists.op(req) else {
            return;
        };
        let Some(book) = view.lists.key(op.key) else {
            return;
        };
        let longest = &book.longest;
        if is_prefix(list, longest) || is_prefix(longest, list) {
            return;
        }
        let at = list
            .iter()
            .zip(longest)
            .position(|(a, b)| a != b)
            .unwrap_or(list.len().min(longest.len()));
        let other = book
            .longest_req
            .map_or("an earlier read".to_string(), |r| format!("read {r}"));
        let detail = format!(
            "list read {req} of key {} is not a prefix of {other} nor extends it: they differ at position {at} ({} of {} elements vs {} of {})",
            op.key,
            element_text(list.get(at)),
            list.len(),
            element_text(longest.get(at)),
            longest.len()
        );
        let mut v = Violation::new(Invariant::IncompatibleReads, view.now, detail);
        v.req = Some(req);
        out.violation(v);
    }
}

fn element_text(e: Option<&u64>) -> String {
    e.map_or("nothing".to_string(), |e| format!("element {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use raft_core::ReqId;

    fn script() -> Script<IncompatibleReads> {
        Script::new(3, IncompatibleReads)
    }

    #[test]
    fn two_orders_of_one_list_are_a_finding() {
        let mut s = script();
        s.list_read(10, 5, &[1, 2, 3]);
        s.list_read(20, 6, &[1, 3]);
        let v = s.only_violation();
        assert_eq!(v.req, Some(ReqId(6)));
        assert_eq!(
            v.detail,
            "list read 6 of key 0 is not a prefix of read 5 nor extends it: they differ at position 1 (element 3 of 2 elements vs element 2 of 3)"
        );
    }

    /// Near miss: a stale read (a prefix) after a longer one, and a longer one after.
    #[test]
    fn prefixes_in_any_order_are_no_finding() {
        let mut s = script();
        s.list_read(10, 5, &[1, 2, 3]);
        s.list_read(20, 6, &[1]);
        s.list_read(30, 7, &[]);
        s.list_read(40, 8, &[1, 2, 3, 4]);
        s.assert_clean();
    }
}
