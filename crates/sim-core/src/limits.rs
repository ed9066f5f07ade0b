//! The hard bounds of a run and the typed reason it ended. Every run ends: when its events
//! run out, when it reaches its simulated end, or when it hits a bound.

use crate::time::SimTime;
use serde::Serialize;

/// Bounds that end a run with a [`StopReason`] instead of letting it hang.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RunLimits {
    /// The most events one run may process.
    pub events_max: u64,
    /// The simulated instant at which the run ends.
    pub end_time: SimTime,
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// The simulated end time was reached: the normal end.
    EndTime,
    /// No events were left before the end time.
    Quiescent,
    /// `events_max` events were processed before the end time.
    EventLimit,
}

impl StopReason {
    /// Whether the run covered all of its simulated time (so end-of-run checks apply).
    pub fn completed(self) -> bool {
        matches!(self, StopReason::EndTime | StopReason::Quiescent)
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::EndTime => "reached its end time",
            StopReason::Quiescent => "ran out of events",
            StopReason::EventLimit => "hit max_events before its end time",
        })
    }
}
