//! The observer: every event of the run is announced here once, and goes to the trace hash,
//! the trace file (when one was asked for) and the checker, whose findings are announced
//! in turn (hashed and written, not checked again).

use crate::readable::Readable;
use sim_check::{CheckConfig, Checker, EndChecks};
use sim_core::{SimTime, TraceHasher};
use sim_trace::TraceEvent;
use sim_trace::jsonl::{self, JsonlWriter};
use std::io::Write;

pub struct Observer {
    seed: u64,
    hasher: TraceHasher,
    writer: Option<JsonlWriter<Box<dyn Write>>>,
    trace_error: Option<String>,
    pub checker: Checker,
    /// The checker's findings on the event being announced (a reused buffer).
    found: Vec<TraceEvent>,
}

impl Observer {
    pub fn new(seed: u64, trace: Option<Box<dyn Write>>, check: CheckConfig) -> Observer {
        Observer {
            seed,
            hasher: TraceHasher::new(),
            writer: trace.map(JsonlWriter::new),
            trace_error: None,
            checker: Checker::new(check),
            found: Vec::new(),
        }
    }

    /// Writes the trace's first line (when a trace file was asked for).
    pub fn write_header(&mut self, header: &jsonl::RunHeader) {
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.header(header) {
                self.trace_error.get_or_insert(e.to_string());
            }
        }
    }

    /// Announces one event at `t`.
    pub fn emit(&mut self, t: SimTime, ev: &TraceEvent) {
        self.record(t, ev);
        self.checker.observe(t, ev, &mut self.found);
        if !self.found.is_empty() {
            self.record_found(t);
        }
    }

    /// The checks at the end of the run; their findings are announced at `end`.
    pub fn finish_checks(&mut self, end: SimTime, checks: EndChecks) {
        self.checker.finish(end, checks, &mut self.found);
        self.record_found(end);
    }

    /// The trace's last line; returns the trace hash.
    pub fn end(&mut self, end: SimTime, events: u64) -> String {
        let trace_hash = self.hasher.hex();
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.end(end, events, &trace_hash) {
                self.trace_error.get_or_insert(e.to_string());
            }
        }
        trace_hash
    }

    /// The first error writing the trace file, if any.
    pub fn trace_error(&mut self) -> Option<String> {
        self.trace_error.take()
    }

    /// Announces the checker's findings (rare: most events find nothing, and the caller
    /// looks before it calls).
    #[cold]
    #[inline(never)]
    fn record_found(&mut self, t: SimTime) {
        if self.found.is_empty() {
            return;
        }
        let found = std::mem::take(&mut self.found);
        for f in &found {
            self.record(t, f);
        }
        self.found = found;
        self.found.clear();
    }

    /// Hashes the event, and writes it out when a trace file or a log was asked for.
    #[inline]
    fn record(&mut self, t: SimTime, ev: &TraceEvent) {
        jsonl::hash_event(&mut self.hasher, t, ev);
        if self.writer.is_some() || tracing::enabled!(target: "sim", tracing::Level::DEBUG) {
            self.write_out(t, ev);
        }
    }

    /// The trace file's line and the log's (`-v`): kept out of line, so that a run that
    /// asked for neither (a benchmark, a fuzz campaign) pays for the hash only.
    #[cold]
    #[inline(never)]
    fn write_out(&mut self, t: SimTime, ev: &TraceEvent) {
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.event(t, ev) {
                self.trace_error.get_or_insert(e.to_string());
                self.writer = None;
            }
        }
        tracing::debug!(target: "sim", "seed {}  {t}  {}", self.seed, Readable(ev));
    }
}
