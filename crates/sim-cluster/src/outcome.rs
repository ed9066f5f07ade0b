//! The result of one run: how it ended, its trace hash, what the checker found, and what
//! it cost.

use crate::config::ScheduledFault;
use crate::crash_point::BoundaryReport;
use crate::metrics::MetricsSummary;
use serde::Serialize;
use sim_check::{HazardSummary, Violation};
use sim_core::{SimTime, StopReason};
use sim_trace::Invariant;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct RunOutcome {
    pub seed: u64,
    pub stop: StopReason,
    /// Simulator events processed.
    pub events: u64,
    /// The virtual instant the run ended at.
    pub end_time: SimTime,
    /// The fingerprint of every event, as 16 hex digits.
    pub trace_hash: String,
    /// Violations reported in full (the first few of each invariant).
    pub violations: Vec<Violation>,
    /// Violations per invariant, reported or only counted.
    pub violation_counts: BTreeMap<Invariant, u64>,
    pub hazards: HazardSummary,
    pub metrics: MetricsSummary,
    /// Set when the linearizability search hit its bound.
    pub linearizability_undecided: Option<String>,
    /// The faults that took effect (crashes, restarts, partitions, heals, stalls), nodes
    /// resolved, in order: an explicit schedule that replays them (for `shrink`).
    pub fired_faults: Vec<ScheduledFault>,
    /// An error writing the trace file, if any.
    pub trace_error: Option<String>,
    /// Each node's disk-I/O boundaries, when counted (`RunOptions::count_boundaries`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundaries: Option<BoundaryReport>,
}

impl RunOutcome {
    /// The invariants violated in this run, in name order.
    pub fn invariants(&self) -> impl Iterator<Item = Invariant> + '_ {
        self.violation_counts.keys().copied()
    }

    pub fn violated(&self, inv: Invariant) -> bool {
        self.violation_counts.contains_key(&inv)
    }
}
