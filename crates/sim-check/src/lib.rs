//! The oracle over a whole run.
//!
//! A [`Checker`] is fed every [`sim_trace::TraceEvent`] of a run, in order, and reports
//! the invariants of SCENARIO.md it sees broken as [`Violation`]s — each naming the
//! invariant, the entry, the nodes, the virtual time and the story of how it came to be.
//! It sees only the trace, never the simulator, so it can judge any Raft implementation
//! that emits the same events. [`linearizability`] checks the client history on its own.
//!
//! Start at `checker.rs`; one file per family of invariants.

mod checker;
mod durability;
mod end;
mod history;
pub mod linearizability;
mod liveness;
mod safety;
mod story;
mod view;
mod violation;

pub use checker::{CheckConfig, Checker};
pub use durability::HazardSummary;
pub use end::EndChecks;
pub use liveness::{Converged, LivenessBound};
pub use violation::Violation;
