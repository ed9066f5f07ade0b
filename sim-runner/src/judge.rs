//! Judging a trace (`check-trace`): its lines, read by `sim_trace::read`, fed to the same
//! [`Checker`] the simulator runs, in order and at their instants, and its end-of-run
//! checks asked at the trace's last instant.
//!
//! What the trace's writer concluded — its `violation`, `hazard` and `final` lines — is not
//! evidence: the checkers derive their own verdicts, and the writer's `violation` lines are
//! only compared with them afterwards. The end-of-run checks that need a heal phase
//! (liveness, acknowledged writes) apply when the trace has a `heal` line, as in the
//! simulator: a run without one, or one of ours that hit `max_events`, is judged only on
//! what holds at every instant.
//!
//! This file decides nothing about the format (`sim_trace::read`) or about invariants
//! (`sim_check`); it prints nothing (`cmd/check_trace.rs` does).

use crate::trace_config::{self, Source};
use sim_check::{Checker, EndChecks, HazardSummary, Violation};
use sim_core::SimTime;
use sim_trace::read::{EndLine, Item, Record, RunLine, TraceError, TraceReader, WriterViolation};
use sim_trace::{Invariant, TraceEvent};
use std::collections::BTreeMap;
use std::io::BufRead;

/// What judging a trace found.
pub struct Judged {
    pub run: RunLine,
    pub source: Source,
    /// Lines read, and how many of them the checkers read.
    pub lines: u64,
    pub events: u64,
    /// The instant the end-of-run checks were asked at: the `end` line's, else the last
    /// line's.
    pub end_t: SimTime,
    pub end: Option<EndLine>,
    pub checks: EndChecks,
    /// The `heal` line (number, instant), if any.
    pub heal: Option<(u64, SimTime)>,
    /// Whether the run hit its scenario's `max_events` (then nothing needing a heal phase
    /// is judged).
    pub hit_max_events: bool,
    /// The violations reported in full, each with the line whose event revealed it
    /// (`None`: the end-of-run checks).
    pub violations: Vec<(Violation, Option<u64>)>,
    pub counts: BTreeMap<Invariant, u64>,
    pub hazards: HazardSummary,
    pub linearizability_undecided: Option<String>,
    /// The writer's own `violation` lines, with their line numbers.
    pub writer_violations: Vec<(u64, WriterViolation)>,
}

/// Reads and judges the trace in `input`; the first line that breaks the format is the
/// error, and no verdict is given.
pub fn judge(input: impl BufRead) -> Result<Judged, TraceError> {
    let mut reader = TraceReader::new(input);
    let first = match reader.next() {
        Some(r) => r?,
        None => unreachable!("the reader reports an empty trace as an error"),
    };
    let Item::Run(run) = first.item else {
        unreachable!("the reader's first record is the run line")
    };
    let config = trace_config::from_run(&run).map_err(|detail| TraceError {
        line: first.line,
        problem: sim_trace::read::Problem::Inconsistent {
            key: "resolved",
            detail,
        },
    })?;
    if let Some(seed) = run.seed {
        crate::self_test::panic_point(seed);
    }
    let mut j = Judging {
        checker: Checker::new(config.check),
        found: Vec::new(),
        reported: Vec::new(),
        last: (first.line, first.t),
        events: 0,
        heal: None,
        end: None,
        writer_violations: Vec::new(),
    };
    for record in reader {
        j.take(record?);
    }
    Ok(j.finish(run, config.source))
}

/// The state of a judging in progress.
struct Judging {
    checker: Checker,
    /// The checker's findings on the last event (reused; what it would trace).
    found: Vec<TraceEvent>,
    /// The line of each violation reported in full so far.
    reported: Vec<Option<u64>>,
    /// The last line read: number, instant.
    last: (u64, SimTime),
    events: u64,
    heal: Option<(u64, SimTime)>,
    end: Option<EndLine>,
    writer_violations: Vec<(u64, WriterViolation)>,
}

impl Judging {
    fn take(&mut self, r: Record) {
        self.last = (r.line, r.t);
        match r.item {
            Item::Event(ev) => {
                if ev == TraceEvent::Heal {
                    self.heal.get_or_insert((r.line, r.t));
                }
                self.events += 1;
                self.checker.observe(r.t, &ev, &mut self.found);
                self.found.clear();
                self.note_lines(Some(r.line));
            }
            Item::Violation(v) => self.writer_violations.push((r.line, v)),
            Item::End(end) => self.end = Some(end),
            Item::Ignored { .. } => {}
            Item::Run(_) => unreachable!("the reader refuses a second run line"),
        }
    }

    /// Violations reported since the last call were revealed at `line`.
    fn note_lines(&mut self, line: Option<u64>) {
        let n = self.checker.violations().len();
        self.reported.resize(n, line);
    }

    fn finish(mut self, run: RunLine, source: Source) -> Judged {
        let (lines, end_t) = self.last;
        let hit_max_events = match (&source, &self.end) {
            (Source::Scenario { max_events }, Some(end)) => {
                end.events.is_some_and(|e| e >= *max_events)
            }
            _ => false,
        };
        let checks = if self.heal.is_some() && !hit_max_events {
            EndChecks::AfterHeal
        } else {
            EndChecks::NoHeal
        };
        self.checker.finish(end_t, checks, &mut self.found);
        self.note_lines(None);
        let violations = self
            .checker
            .violations()
            .iter()
            .cloned()
            .zip(self.reported)
            .collect();
        Judged {
            run,
            source,
            lines,
            events: self.events,
            end_t,
            end: self.end,
            checks,
            heal: self.heal,
            hit_max_events,
            violations,
            counts: self.checker.counts().clone(),
            hazards: self.checker.hazard_summary(),
            linearizability_undecided: self.checker.linearizability_undecided().map(str::to_string),
            writer_violations: self.writer_violations,
        }
    }
}

impl Judged {
    /// Whether the writer's `violation` lines say what the checkers found: the same
    /// invariants about the same nodes and entries, in any order. `None` when the trace
    /// has no `violation` line (a writer that leaves judging to us).
    pub fn writer_agrees(&self) -> Option<bool> {
        if self.writer_violations.is_empty() {
            return None;
        }
        let key = |inv: String, node, index, term, req| (inv, node, index, term, req);
        let mut theirs: Vec<_> = self
            .writer_violations
            .iter()
            .map(|(_, v)| key(v.invariant.clone(), v.node, v.index, v.term, v.req))
            .collect();
        let mut ours: Vec<_> = self
            .violations
            .iter()
            .map(|(v, _)| key(v.invariant.to_string(), v.node, v.index, v.term, v.req))
            .collect();
        theirs.sort();
        ours.sort();
        Some(theirs == ours)
    }
}

#[cfg(test)]
mod props;
