//! The simulated world: a Raft cluster on virtual disks and a virtual network, with
//! clients and faults, run in virtual time by one event loop.
//!
//! Start with [`World`]: build it from a resolved scenario and a seed, then
//! [`World::run`] it to get a [`RunOutcome`] — how the run ended, its trace hash, what the
//! checker found and what the durability mode cost. [`run_seed`] does both.
//!
//! The parts: `exec.rs` is a node's Raft thread (inbox, blocking actions), `store.rs` the
//! NuRaft-shaped log store over the disk (belief versus truth), `codec.rs` the on-disk
//! format, `lifecycle.rs` crash and restart, `client.rs` the workload, `faults.rs` the
//! fault processes. This crate decides no Raft rule (that is `raft-core`) and no verdict
//! (that is `sim-check`).

mod client;
mod codec;
pub mod config;
mod connections;
mod event;
mod exec;
mod faults;
mod lifecycle;
mod metrics;
mod node;
mod outcome;
mod readable;
mod state_file;
mod store;
mod timers;
mod world;

pub use metrics::MetricsSummary;
pub use outcome::RunOutcome;
pub use world::{ReplicaFactory, RunOptions, World, raft_core_replica};

use sim_scenario::Scenario;

/// Runs one seed of a scenario without a trace file.
pub fn run_seed(scenario: &Scenario, seed: u64) -> RunOutcome {
    World::new(scenario, seed, RunOptions::default()).run()
}
