//! The client history: every request's invocation and ending, for the acknowledged-write
//! and linearizability checks. The register operations go to the linearizability check;
//! list-append operations do not (a list is not a register: `lists.rs` keeps their books),
//! but an acknowledged append is an acknowledged write like any other.

use crate::linearizability::{OpKind, OpOutcome, Operation};
use raft_core::{ClientId, ReqId};
use sim_core::SimTime;
use sim_trace::{ClientOp, FailOutcome};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct History {
    ops: Vec<Operation>,
    /// Position in `ops` of each register request, sorted by request: requests are
    /// invoked in ascending order, so each lands at the end (one growing `Vec`, not a
    /// tree node per few requests); any order stays correct.
    by_req: Vec<(ReqId, usize)>,
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
        let at = self.by_req.partition_point(|&(r, _)| r < req);
        assert!(
            self.by_req.get(at).is_none_or(|&(r, _)| r != req),
            "request {req} invoked twice"
        );
        self.by_req.insert(at, (req, self.ops.len()));
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
        let at = self.by_req.binary_search_by_key(&req, |&(r, _)| r).ok()?;
        Some(self.by_req[at].1)
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
        assert_eq!(size_of::<Operation>() + size_of::<(ReqId, usize)>(), 80);
        assert_eq!(size_of::<(ReqId, ClientId, SimTime)>(), 24);
    }
}
