//! Where the invariant checkers put what they find: violations, counted per invariant with
//! the first few of each kept in full and traced, and other lines for the trace (closed
//! hazard windows). It decides nothing about what is a violation; the checkers do.

use crate::violation::Violation;
use sim_trace::{Invariant, TraceEvent};
use std::collections::BTreeMap;

/// The violations of a run so far.
#[derive(Clone, Debug)]
pub(crate) struct Reports {
    /// Violations of one invariant reported in full; more are only counted.
    reports_per_invariant_max: u32,
    /// The violations reported in full, in order.
    pub violations: Vec<Violation>,
    /// How many violations of each invariant were seen (reported or only counted).
    pub counts: BTreeMap<Invariant, u64>,
}

impl Reports {
    pub fn new(reports_per_invariant_max: u32) -> Reports {
        Reports {
            reports_per_invariant_max,
            violations: Vec::new(),
            counts: BTreeMap::new(),
        }
    }
}

/// What one checker may write to while it is asked about one step.
pub(crate) struct Findings<'a> {
    /// The invariant of the checker being asked.
    invariant: Invariant,
    reports: &'a mut Reports,
    /// Lines for the trace, in the order found.
    trace: &'a mut Vec<TraceEvent>,
}

impl<'a> Findings<'a> {
    pub fn new(
        invariant: Invariant,
        reports: &'a mut Reports,
        trace: &'a mut Vec<TraceEvent>,
    ) -> Findings<'a> {
        Findings {
            invariant,
            reports,
            trace,
        }
    }

    /// Records a violation; the first few of each invariant also go into the trace.
    pub fn violation(&mut self, v: Violation) {
        assert_eq!(
            v.invariant, self.invariant,
            "the {} checker reported a violation of {}",
            self.invariant, v.invariant
        );
        let count = self.reports.counts.entry(v.invariant).or_insert(0);
        *count += 1;
        if *count <= u64::from(self.reports.reports_per_invariant_max) {
            self.trace.push(v.to_event());
            self.reports.violations.push(v);
        }
    }

    /// A trace line that is not a violation (a closed hazard window).
    pub fn trace(&mut self, ev: TraceEvent) {
        debug_assert!(
            !matches!(ev, TraceEvent::Violation { .. }),
            "violations go through Findings::violation"
        );
        self.trace.push(ev);
    }
}
