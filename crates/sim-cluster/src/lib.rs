//! The simulated world: a Raft cluster on virtual disks and a virtual network, with
//! clients and faults, run in virtual time by one event loop.
//!
//! Start with [`World`]: build it from a [`WorldConfig`] (in code with
//! [`WorldConfig::builder`], or from a scenario file with `sim_scenario::world_config`) and
//! a seed, then [`World::run`] it to get a [`RunOutcome`] — how the run ended, its trace
//! hash, what the checker found and what the durability mode cost. [`run_seed`] does both.
//!
//! The parts, each its own type: the nodes (`node.rs`) with their Raft threads
//! (`thread.rs`: inbox, blocking actions) and NuRaft-shaped log stores (`store.rs`, belief
//! versus truth, over `codec.rs`'s on-disk format), the clients (`client.rs`), the fault
//! injector (`faults.rs`), and the kernel they share (`kernel.rs`, `observer.rs`). What
//! happens between them: `exec.rs`, `disk_io.rs`, `messages.rs`, `connections.rs`,
//! `lifecycle.rs` (crash and restart, with `recovery.rs`), `inject.rs` (faults). This crate
//! decides no Raft rule (that is `raft-core`) and no verdict (that is `sim-check`), and
//! knows nothing of the scenario file format (that is `sim-scenario`).

mod client;
mod codec;
pub mod config;
mod connections;
mod crash_point;
mod dir_file;
mod disk_io;
mod event;
mod exec;
mod faults;
mod inject;
mod kernel;
mod lifecycle;
mod messages;
mod metrics;
mod node;
mod observer;
mod outcome;
mod readable;
mod recovery;
mod snapshot_store;
mod state_file;
mod store;
mod thread;
mod timers;
mod traced_flush;
mod window;
mod wire;
mod world;

pub use config::{ConfigError, WorldConfig, WorldConfigBuilder};
pub use crash_point::{BoundaryReport, CRASH_POINTS_MAX, CrashPoint};
pub use metrics::MetricsSummary;
pub use outcome::RunOutcome;
pub use snapshot_store::SnapshotMutant;
pub use state_file::StateLayout;
pub use store::StoreMutant;
pub use wire::Wire;
pub use world::{ReplicaFactory, RunOptions, World, check_config, raft_core_replica};

/// Runs one seed of a world of the model without a trace file (`sim_scenario::run_seed`
/// runs any implementation).
pub fn run_seed(config: &WorldConfig, seed: u64) -> RunOutcome {
    assert_eq!(
        config.implementation,
        config::Implementation::Model,
        "this runs the model; run another implementation through sim_scenario::run_seed"
    );
    World::new(config.clone(), seed, RunOptions::default()).run()
}
