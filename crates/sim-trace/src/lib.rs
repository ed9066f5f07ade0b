//! The trace: every event the simulator processes, as a value.
//!
//! [`TraceEvent`] is the vocabulary shared by the world that produces events
//! (`sim-cluster`), the checkers that judge them (`sim-check`), and users' own analyses of
//! `repro --trace` files. Its JSON-lines form ([`jsonl`]) is a contract documented in
//! SCENARIO.md ("The trace") and docs/trace.md; [`read`] reads it back — from this
//! simulator or from another implementation's harness — line by line, refusing the first
//! line that breaks it; [`Invariant`] names what a violation broke.
//!
//! This crate decides nothing: it describes. Each event is hashed into the run's trace
//! hash through its derived `Hash` with the fixed [`sim_core::TraceHasher`].

mod event;
mod invariant;
pub mod jsonl;
pub mod read;

pub use event::{
    BlockReason, ClientOp, CrashKind, DurableEntry, FailOutcome, FileKind, LostReason, MsgSummary,
    NodeSet, ReadValue, SnapshotIndex, TimerKind, TraceEvent,
};
pub use invariant::Invariant;
pub use raft_core::Role;
