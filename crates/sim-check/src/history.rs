//! The client history: every request's invocation and ending, for the acknowledged-write
//! and linearizability checks. The register operations go to the linearizability check;
//! list-append operations do not (a list is not a register: `lists.rs` keeps their books),
//! but an acknowledged append is an acknowledged write like any other.

use crate::linearizability::{OpKind, OpOutcome, Operation};
use crate::recent::find_recent;
use raft_core::{ClientId, ReqId};
use sim_core::SimTime;
use sim_trace::{ClientOp, FailOutcome};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct History {
    ops: Vec<Operation>,
    /// Requests are invoked in ascending order (clients number them so), and while they
    /// are, `ops` is sorted by request and searched directly (16 bytes an op less than
    /// an index). The first request invoked below the last starts this index of every
    /// op's position, sorted by request, so any order stays correct.
    by_req: Option<Vec<(ReqId, usize)>>,
    /// Acknowledged writes, with the instant of the acknowledgement.
    acked_writes: Vec<(ReqId, ClientId, SimTime)>,
    /// The list-append requests: whether each is an append (else a list read).
    list_ops: BTreeMap<ReqId, bool>,
}

impl History {
    pub fn invoke(
        &mut self,
        t: SimTime,
        client: ClientId,
        req: ReqId,
        op: ClientOp,
        key: u32,
        value: Option<u64>,
    ) {
        let kind = match op {
            ClientOp::Write => OpKind::Write {
                value: value.expect("a write carries its value"),
            },
            ClientOp::Read => OpKind::Read,
            ClientOp::Append | ClientOp::ReadList => {
                let prev = self.list_ops.insert(req, op == ClientOp::Append);
                assert!(prev.is_none(), "request {req} invoked twice");
                return;
            }
        };
        let ascending = self.ops.last().is_none_or(|op| op.id < req.0);
        if !ascending && self.by_req.is_none() {
            let index = self.ops.iter().enumerate();
            self.by_req = Some(index.map(|(i, op)| (ReqId(op.id), i)).collect());
        }
        if let Some(by_req) = &mut self.by_req {
            let at = by_req.partition_point(|&(r, _)| r < req);
            assert!(
                by_req.get(at).is_none_or(|&(r, _)| r != req),
                "request {req} invoked twice"
            );
            by_req.insert(at, (req, self.ops.len()));
        }
        self.ops.push(Operation {
            client: client.0,
            key,
            kind,
            invoke_ns: t.as_ns(),
            outcome: OpOutcome::Unknown,
            id: req.0,
        });
    }

    /// Where register request `req` is in `ops`.
    fn position(&self, req: ReqId) -> Option<usize> {
        match &self.by_req {
            None => find_recent(&self.ops, req.0, |op| op.id),
            Some(by_req) => {
                let at = find_recent(by_req, req.0, |&(r, _)| r.0)?;
                Some(by_req[at].1)
            }
        }
    }

    pub fn ok(&mut self, t: SimTime, client: ClientId, req: ReqId, read: Option<Option<u64>>) {
        let Some(i) = self.position(req) else {
            if self.list_ops.get(&req) == Some(&true) {
                self.acked_writes.push((req, client, t));
            }
            return;
        };
        let op = &mut self.ops[i];
        op.outcome = OpOutcome::Ok {
            complete_ns: t.as_ns(),
            read_value: read.flatten(),
        };
        if matches!(op.kind, OpKind::Write { .. }) {
            self.acked_writes.push((req, client, t));
        }
    }

    pub fn fail(&mut self, req: ReqId, outcome: FailOutcome) {
        let Some(i) = self.position(req) else {
            return;
        };
        self.ops[i].outcome = match outcome {
            FailOutcome::Fail => OpOutcome::Fail,
            FailOutcome::Unknown => OpOutcome::Unknown,
        };
    }

    pub fn acked_writes(&self) -> &[(ReqId, ClientId, SimTime)] {
        &self.acked_writes
    }

    pub fn ops(&self) -> &[Operation] {
        &self.ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes per register operation and per acknowledged write docs/architecture.md
    /// states the history keeps for the whole run.
    #[test]
    fn an_operation_costs_the_documented_bytes() {
        assert_eq!(size_of::<Operation>(), 64);
        assert_eq!(size_of::<(ReqId, ClientId, SimTime)>(), 24);
    }

    /// A request invoked below the last one is found, as are those before and after it.
    #[test]
    fn requests_invoked_out_of_order_are_found() {
        let mut h = History::default();
        let (t, c) = (SimTime::ZERO, ClientId(1));
        for req in [3, 5, 4, 9, 1] {
            h.invoke(t, c, ReqId(req), ClientOp::Write, 0, Some(req));
        }
        assert!(h.by_req.is_some());
        for (req, i) in [(3, 0), (5, 1), (4, 2), (9, 3), (1, 4)] {
            assert_eq!(h.position(ReqId(req)), Some(i));
        }
        let mut h = History::default();
        for req in [1, 2, 7] {
            h.invoke(t, c, ReqId(req), ClientOp::Read, 0, None);
        }
        assert!(h.by_req.is_none());
        assert_eq!(h.position(ReqId(7)), Some(2));
        assert_eq!(h.position(ReqId(6)), None);
    }
}
