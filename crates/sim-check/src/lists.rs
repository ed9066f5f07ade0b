//! The list-append workload's books (Jepsen Elle's list-append, as the trace shows it):
//! for each list request, its key, kind and invocation instant; for each key, the longest
//! list a read returned and the acknowledged appends. Fed from `client-invoke` /
//! `client-ok` events by the [`View`](crate::view::View).
//!
//! It keeps books and judges nothing: `invariants/lost_append.rs`,
//! `invariants/duplicate_append.rs` and `invariants/incompatible_reads.rs` do. Register
//! operations never come here (`history.rs`).

use raft_core::ReqId;
use sim_core::SimTime;
use std::collections::BTreeMap;

/// One list request as invoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ListOp {
    pub key: u32,
    /// An append (of its own request id), else a list read.
    pub append: bool,
    pub invoked: SimTime,
}

/// What is known of one key's list.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyBook {
    /// The longest list any read of the key returned, and that read. Every read
    /// compatible with all earlier ones is a prefix of it or extends it (then it becomes
    /// the longest), so one list stands for them all.
    pub longest: Vec<u64>,
    pub longest_req: Option<ReqId>,
    /// Acknowledged appends: the element (its request id) and the acknowledgement's
    /// instant, in the order of acknowledgement.
    pub acked: Vec<(u64, SimTime)>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ListHistory {
    ops: BTreeMap<ReqId, ListOp>,
    keys: BTreeMap<u32, KeyBook>,
}

/// Whether `a` is a prefix of `b`.
pub(crate) fn is_prefix(a: &[u64], b: &[u64]) -> bool {
    a.len() <= b.len() && b[..a.len()] == *a
}

impl ListHistory {
    pub fn invoke(&mut self, t: SimTime, req: ReqId, key: u32, append: bool) {
        let op = ListOp {
            key,
            append,
            invoked: t,
        };
        let prev = self.ops.insert(req, op);
        assert!(prev.is_none(), "list request {req} invoked twice");
    }

    /// Request `req` succeeded at `t`; `list` is what a list read returned.
    pub fn ok(&mut self, t: SimTime, req: ReqId, list: Option<&[u64]>) {
        let Some(op) = self.ops.get(&req).copied() else {
            return;
        };
        let book = self.keys.entry(op.key).or_default();
        match list {
            None if op.append => book.acked.push((req.0, t)),
            None => panic!("list read {req} acknowledged without a list"),
            Some(list) => {
                if list.len() > book.longest.len() && is_prefix(&book.longest, list) {
                    book.longest = list.to_vec();
                    book.longest_req = Some(req);
                }
            }
        }
    }

    /// The list request `req`, if it is one.
    pub fn op(&self, req: ReqId) -> Option<&ListOp> {
        self.ops.get(&req)
    }

    /// The books of `key` (empty if nothing of it is known yet).
    pub fn key(&self, key: u32) -> Option<&KeyBook> {
        self.keys.get(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_read_grows_only_by_extension() {
        let mut h = ListHistory::default();
        let t = SimTime::from_ms(1);
        for (req, list) in [(1, &[5][..]), (2, &[5, 6]), (3, &[5]), (4, &[7, 8, 9])] {
            h.invoke(t, ReqId(req), 0, false);
            h.ok(t, ReqId(req), Some(list));
        }
        let book = h.key(0).expect("key 0 was read");
        assert_eq!(book.longest, vec![5, 6]);
        assert_eq!(book.longest_req, Some(ReqId(2)));
        assert!(is_prefix(&[], &[1]) && is_prefix(&[1], &[1]) && !is_prefix(&[2], &[1, 2]));
    }
}
