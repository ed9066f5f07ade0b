//! The client requests of a trace, kept to hold each `client-ok` and `client-fail` to its
//! `client-invoke`: a request is invoked once, ends at most once, by the client that
//! invoked it, and a success carries what its operation returns (nothing for a write or an
//! append, the value read — `null` for nothing — for a read, the list for a list read). The
//! checkers' client history assumes all of this; a trace that breaks it cannot be judged.
//!
//! This is not the history the checkers judge (`sim-check`'s `history.rs`): it keeps no
//! times and decides nothing about linearizability.

use super::error::Problem;
use crate::{ClientOp, ReadValue, TraceEvent};
use raft_core::{ClientId, ReqId};
use std::collections::BTreeMap;

/// One request as invoked, and the line that ended it.
#[derive(Clone, Copy, Debug)]
struct Request {
    client: ClientId,
    op: ClientOp,
    invoked_at: u64,
    ended_at: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Requests {
    by_req: BTreeMap<ReqId, Request>,
}

impl Requests {
    /// Holds a client event at `line` to the requests before it, and takes it in; a
    /// `client-ok`'s value comes back as its operation returns it.
    pub fn agree(&mut self, ev: TraceEvent, line: u64) -> Result<TraceEvent, Problem> {
        match ev {
            TraceEvent::ClientInvoke {
                client, req, op, ..
            } => self.invoke(client, req, op, line).map(|()| ev),
            TraceEvent::ClientOk { client, req, value } => Ok(TraceEvent::ClientOk {
                client,
                req,
                value: self.ok(client, req, value, line)?,
            }),
            TraceEvent::ClientFail { client, req, .. } => self.fail(client, req, line).map(|()| ev),
            other => Ok(other),
        }
    }

    pub fn invoke(
        &mut self,
        client: ClientId,
        req: ReqId,
        op: ClientOp,
        line: u64,
    ) -> Result<(), Problem> {
        if let Some(first) = self.by_req.get(&req) {
            return Err(Problem::inconsistent(
                "req",
                format!(
                    "request {req} is invoked a second time (first at line {}): a request id is unique in a run, a retry is a new request",
                    first.invoked_at
                ),
            ));
        }
        self.by_req.insert(
            req,
            Request {
                client,
                op,
                invoked_at: line,
                ended_at: None,
            },
        );
        Ok(())
    }

    /// A request ends (`client-ok`, `client-fail`): it was invoked by `client` and has not
    /// ended yet.
    fn end(&mut self, client: ClientId, req: ReqId, line: u64) -> Result<Request, Problem> {
        let Some(r) = self.by_req.get_mut(&req) else {
            return Err(Problem::inconsistent(
                "req",
                format!("request {req} ends but no client-invoke line invoked it before"),
            ));
        };
        if r.client != client {
            return Err(Problem::inconsistent(
                "client",
                format!(
                    "request {req} was invoked by client {} (line {}), not client {client}",
                    r.client, r.invoked_at
                ),
            ));
        }
        if let Some(ended) = r.ended_at {
            return Err(Problem::inconsistent(
                "req",
                format!("request {req} already ended at line {ended}; a request ends once"),
            ));
        }
        r.ended_at = Some(line);
        Ok(*r)
    }

    pub fn fail(&mut self, client: ClientId, req: ReqId, line: u64) -> Result<(), Problem> {
        self.end(client, req, line).map(|_| ())
    }

    /// A success: `value` as written (absent is [`ReadValue::Write`]) becomes what the
    /// request's operation returns.
    pub fn ok(
        &mut self,
        client: ClientId,
        req: ReqId,
        value: ReadValue,
        line: u64,
    ) -> Result<ReadValue, Problem> {
        let r = self.end(client, req, line)?;
        let op = match r.op {
            ClientOp::Write => "a write",
            ClientOp::Append => "an append",
            ClientOp::Read => "a read",
            ClientOp::ReadList => "a list read",
        };
        let wrong = |expected: &str| {
            Err(Problem::inconsistent(
                "value",
                format!(
                    "request {req} is {op} (line {}): its client-ok carries {expected}",
                    r.invoked_at
                ),
            ))
        };
        match (r.op, value) {
            (ClientOp::Write | ClientOp::Append, ReadValue::Write | ReadValue::Read(None)) => {
                Ok(ReadValue::Write)
            }
            (ClientOp::Write | ClientOp::Append, _) => wrong("no value (or null)"),
            (ClientOp::Read, ReadValue::Read(v)) => Ok(ReadValue::Read(v)),
            (ClientOp::Read, _) => wrong("the value read: an integer, or null for nothing"),
            (ClientOp::ReadList, ReadValue::List(list)) => Ok(ReadValue::List(list)),
            (ClientOp::ReadList, _) => wrong("the list read: an array of integers"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: ClientId = ClientId(1);

    #[test]
    fn a_request_is_invoked_once_and_ends_once() {
        let mut r = Requests::default();
        r.invoke(C, ReqId(1), ClientOp::Write, 2).unwrap();
        assert!(r.invoke(C, ReqId(1), ClientOp::Write, 3).is_err());
        assert_eq!(
            r.ok(C, ReqId(1), ReadValue::Read(None), 4),
            Ok(ReadValue::Write)
        );
        let twice = r.fail(C, ReqId(1), 5).unwrap_err().to_string();
        assert!(twice.contains("already ended at line 4"), "{twice}");
        assert!(r.fail(C, ReqId(9), 6).is_err(), "never invoked");
    }

    #[test]
    fn a_success_carries_what_its_operation_returns() {
        let mut r = Requests::default();
        r.invoke(C, ReqId(1), ClientOp::Read, 1).unwrap();
        r.invoke(C, ReqId(2), ClientOp::ReadList, 1).unwrap();
        r.invoke(C, ReqId(3), ClientOp::Write, 1).unwrap();
        r.invoke(ClientId(2), ReqId(4), ClientOp::Read, 1).unwrap();
        assert!(
            r.ok(C, ReqId(1), ReadValue::Write, 2).is_err(),
            "a read without value"
        );
        assert!(r.ok(C, ReqId(2), ReadValue::Read(Some(1)), 2).is_err());
        assert!(r.ok(C, ReqId(3), ReadValue::Read(Some(1)), 2).is_err());
        assert!(
            r.ok(C, ReqId(4), ReadValue::Read(None), 2).is_err(),
            "another client"
        );
    }
}
