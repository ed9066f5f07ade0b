//! Test support: one invariant checker fed a hand-written trace, through a [`View`] as the
//! [`Checker`](crate::Checker) feeds it (the event, then what the view derived from it),
//! so each checker's unit tests need neither the other checkers nor the simulator.
//!
//! Times are whole milliseconds and must increase. Entries carry no request unless a test
//! says so: the checkers tell entries at one index apart by term.

use crate::findings::{Findings, Reports};
use crate::invariants::{EndChecks, InvariantChecker, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{ClientId, LogIndex, NodeId, ReqId, Role, Term};
use sim_core::SimTime;
use sim_trace::{ClientOp, DurableEntry, FailOutcome, Invariant, ReadValue, TraceEvent};

pub(crate) struct Script<C: InvariantChecker> {
    pub view: View,
    pub checker: C,
    reports: Reports,
    /// What the checker put in the trace (violations, closed hazard windows).
    pub found: Vec<TraceEvent>,
    last_ms: Option<u64>,
}

impl<C: InvariantChecker> Script<C> {
    pub fn new(nodes: u8, checker: C) -> Script<C> {
        Script {
            view: View::new(nodes),
            checker,
            reports: Reports::new(3),
            found: Vec::new(),
            last_ms: None,
        }
    }

    /// Feeds one event at `t_ms`, later than the previous one.
    pub fn event(&mut self, t_ms: u64, ev: TraceEvent) {
        assert!(
            self.last_ms.is_none_or(|last| t_ms > last),
            "script time goes back to {t_ms} ms"
        );
        self.last_ms = Some(t_ms);
        let mut derived = Vec::new();
        self.view.apply(SimTime::from_ms(t_ms), &ev, &mut derived);
        self.ask(Step::Event(&ev));
        for step in derived {
            self.ask(step);
        }
    }

    fn ask(&mut self, step: Step<'_>) {
        let mut out = Findings::new(self.checker.invariant(), &mut self.reports, &mut self.found);
        self.checker.observe(step, &self.view, &mut out);
    }

    /// The end of the run at `t_ms`: the end of the trace, then the verdict.
    pub fn finish(&mut self, t_ms: u64, checks: EndChecks) {
        self.view.now = SimTime::from_ms(t_ms);
        self.ask(Step::End);
        let mut out = Findings::new(self.checker.invariant(), &mut self.reports, &mut self.found);
        self.checker.finish(checks, &self.view, &mut out);
    }

    /// The violations reported in full.
    pub fn violations(&self) -> &[Violation] {
        &self.reports.violations
    }

    /// How many violations of the checker's invariant were seen.
    pub fn count(&self) -> u64 {
        let inv: Invariant = self.checker.invariant();
        self.reports.counts.get(&inv).copied().unwrap_or(0)
    }

    /// The one violation found; panics unless there is exactly one.
    pub fn only_violation(&self) -> &Violation {
        match self.violations() {
            [v] => v,
            other => panic!("expected one violation, found {other:?}"),
        }
    }

    pub fn assert_clean(&self) {
        assert_eq!(self.count(), 0, "unexpected: {:?}", self.violations());
        assert!(
            self.found.is_empty(),
            "unexpected trace lines: {:?}",
            self.found
        );
    }

    pub fn role(&mut self, t_ms: u64, node: u8, role: Role, term: u64) {
        let (node, term) = (NodeId(node), Term(term));
        self.event(t_ms, TraceEvent::Role { node, role, term });
    }

    /// A candidacy, then one millisecond later winning it.
    pub fn elected(&mut self, t_ms: u64, node: u8, term: u64) {
        self.role(t_ms, node, Role::Candidate, term);
        self.role(t_ms + 1, node, Role::Leader, term);
    }

    pub fn append_req(&mut self, t_ms: u64, node: u8, index: u64, term: u64, req: Option<u64>) {
        self.event(
            t_ms,
            TraceEvent::Append {
                node: NodeId(node),
                index: LogIndex(index),
                term: Term(term),
                req: req.map(ReqId),
            },
        );
    }

    pub fn append(&mut self, t_ms: u64, node: u8, index: u64, term: u64) {
        self.append_req(t_ms, node, index, term, None);
    }

    /// Entry `index` of `term` (no request) reaches `node`'s media at the log's end.
    pub fn durable(&mut self, t_ms: u64, node: u8, index: u64, term: u64) {
        let entries = vec![DurableEntry {
            term: Term(term),
            req: None,
        }];
        self.event(
            t_ms,
            TraceEvent::Durable {
                node: NodeId(node),
                from_index: LogIndex(index),
                index: LogIndex(index),
                term: Term(term),
                entries,
            },
        );
    }

    /// Entry `index` of `term` appended and made durable on each of `nodes`, a millisecond
    /// apart; returns the next free time.
    pub fn replicate(&mut self, t_ms: u64, index: u64, term: u64, nodes: &[u8]) -> u64 {
        let mut t = t_ms;
        for &n in nodes {
            self.append(t, n, index, term);
            self.durable(t + 1, n, index, term);
            t += 2;
        }
        t
    }

    pub fn commit(&mut self, t_ms: u64, node: u8, index: u64) {
        let (node, index) = (NodeId(node), LogIndex(index));
        self.event(t_ms, TraceEvent::Commit { node, index });
    }

    pub fn apply(&mut self, t_ms: u64, node: u8, index: u64, term: u64, req: Option<u64>) {
        self.event(
            t_ms,
            TraceEvent::Apply {
                node: NodeId(node),
                index: LogIndex(index),
                term: Term(term),
                req: req.map(ReqId),
            },
        );
    }

    pub fn truncate(&mut self, t_ms: u64, node: u8, from_index: u64) {
        let (node, from_index) = (NodeId(node), LogIndex(from_index));
        self.event(t_ms, TraceEvent::Truncate { node, from_index });
    }

    pub fn crash(&mut self, t_ms: u64, node: u8) {
        self.event(
            t_ms,
            TraceEvent::Crash {
                node: NodeId(node),
                crash: sim_trace::CrashKind::Power,
            },
        );
    }

    pub fn heal(&mut self, t_ms: u64) {
        self.event(t_ms, TraceEvent::Heal);
    }

    /// Client 1 writes `value` (its request id) to key 0.
    pub fn write_invoked(&mut self, t_ms: u64, req: u64) {
        self.invoke(t_ms, req, ClientOp::Write, Some(req));
    }

    pub fn read_invoked(&mut self, t_ms: u64, req: u64) {
        self.invoke(t_ms, req, ClientOp::Read, None);
    }

    /// Client 1 appends element `req` (its request id) to key 0's list.
    pub fn append_invoked(&mut self, t_ms: u64, req: u64) {
        self.invoke(t_ms, req, ClientOp::Append, Some(req));
    }

    pub fn read_list_invoked(&mut self, t_ms: u64, req: u64) {
        self.invoke(t_ms, req, ClientOp::ReadList, None);
    }

    /// A list read of key 0 invoked at `t_ms` and answered with `list` a millisecond later.
    pub fn list_read(&mut self, t_ms: u64, req: u64, list: &[u64]) {
        self.read_list_invoked(t_ms, req);
        self.ok(t_ms + 1, req, ReadValue::List(list.to_vec()));
    }

    /// `node` restarts with its state machine at `applied_index` (0: volatile).
    pub fn restart(&mut self, t_ms: u64, node: u8, applied_index: u64) {
        self.event(
            t_ms,
            TraceEvent::Restart {
                node: NodeId(node),
                log_first_index: LogIndex(1),
                log_last_index: LogIndex(0),
                log_last_term: Term(0),
                dropped: 0,
                term: Term(0),
                vote: None,
                applied_index: LogIndex(applied_index),
                snapshot_index: Default::default(),
            },
        );
    }

    fn invoke(&mut self, t_ms: u64, req: u64, op: ClientOp, value: Option<u64>) {
        self.event(
            t_ms,
            TraceEvent::ClientInvoke {
                client: ClientId(1),
                req: ReqId(req),
                op,
                key: 0,
                value,
            },
        );
    }

    /// Request `req` of client 1 answered: `value` is `ReadValue::Write` for a write.
    pub fn ok(&mut self, t_ms: u64, req: u64, value: ReadValue) {
        let (client, req) = (ClientId(1), ReqId(req));
        self.event(t_ms, TraceEvent::ClientOk { client, req, value });
    }

    pub fn failed(&mut self, t_ms: u64, req: u64, outcome: FailOutcome) {
        let (client, req) = (ClientId(1), ReqId(req));
        self.event(
            t_ms,
            TraceEvent::ClientFail {
                client,
                req,
                outcome,
            },
        );
    }
}
