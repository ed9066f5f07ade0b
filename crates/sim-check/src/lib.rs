//! The oracle over a whole run.
//!
//! A [`Checker`] is fed every [`sim_trace::TraceEvent`] of a run, in order, and reports
//! the invariants of SCENARIO.md it sees broken as [`Violation`]s — each naming the
//! invariant, the entry, the nodes, the virtual time and the story of how it came to be.
//! It sees only the trace, never the simulator, so it can judge any Raft implementation
//! that emits the same events. [`linearizability`] checks the client history on its own.
//!
//! Start at `checker.rs`, which dispatches. The map:
//!
//! * `view.rs` (with `node_view.rs`, `history.rs`, `lists.rs`): the cluster rebuilt from the trace,
//!   updated once per event and shared read-only by every invariant checker;
//! * `invariants/`: the `InvariantChecker` trait and one file per invariant;
//! * `convergence.rs`: whether the healed cluster converged (liveness, acknowledged writes);
//! * `story.rs`: the story of a lost or replaced entry; `violation.rs`: a finding;
//!   `findings.rs`: where checkers report, counted per invariant;
//! * `linearizability/`: the search that decides whether a client history is linearizable.

mod checker;
mod convergence;
mod findings;
mod history;
mod invariants;
pub mod linearizability;
mod lists;
mod node_view;
mod recent;
mod story;
mod view;
mod violation;

pub use checker::{AppliedIndexCheck, CheckConfig, Checker};
pub use convergence::Converged;
pub use invariants::{EndChecks, HazardSummary, LivenessBound};
pub use violation::Violation;
