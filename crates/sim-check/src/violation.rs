//! A violation: which invariant broke, about which entry and nodes, when, and why — in
//! words a person can follow.

use raft_core::{LogIndex, NodeId, ReqId, Term};
use serde::Serialize;
use sim_core::SimTime;
use sim_trace::{Invariant, TraceEvent};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    pub invariant: Invariant,
    pub t: SimTime,
    pub node: Option<NodeId>,
    pub index: Option<LogIndex>,
    pub term: Option<Term>,
    pub req: Option<ReqId>,
    /// One line: what is wrong.
    pub detail: String,
    /// A few lines: how it came to be (commit time and durable copies, crashes, elections).
    pub story: Vec<String>,
}

impl Violation {
    pub fn new(invariant: Invariant, t: SimTime, detail: String) -> Self {
        Violation {
            invariant,
            t,
            node: None,
            index: None,
            term: None,
            req: None,
            detail,
            story: Vec::new(),
        }
    }
    pub fn node(mut self, n: NodeId) -> Self {
        self.node = Some(n);
        self
    }
    pub fn entry(mut self, index: LogIndex, term: Term, req: Option<ReqId>) -> Self {
        self.index = Some(index);
        self.term = Some(term);
        self.req = req;
        self
    }
    /// The term a finding is about, when it names no entry (a lost term or vote).
    pub fn term(mut self, term: Term) -> Self {
        self.term = Some(term);
        self
    }
    pub fn story(mut self, lines: Vec<String>) -> Self {
        self.story = lines;
        self
    }

    /// The `violation` trace line.
    pub fn to_event(&self) -> TraceEvent {
        let mut detail = self.detail.clone();
        for line in &self.story {
            // A heading line ("now:") runs on into the line it heads.
            detail.push_str(if detail.ends_with(':') { " " } else { "; " });
            detail.push_str(line);
        }
        TraceEvent::Violation {
            invariant: self.invariant,
            node: self.node,
            index: self.index,
            term: self.term,
            req: self.req,
            detail,
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}: {}", self.invariant, self.t, self.detail)?;
        for line in &self.story {
            write!(f, "\n    {line}")?;
        }
        Ok(())
    }
}

/// "request 17", or "no request" for an entry no client wrote (a leader's no-op).
pub fn req_text(req: Option<ReqId>) -> String {
    match req {
        Some(r) => format!("request {r}"),
        None => "no request (a no-op)".to_string(),
    }
}
