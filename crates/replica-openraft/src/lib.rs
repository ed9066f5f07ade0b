//! openraft (0.10.0-alpha.37, default features off, single-threaded) behind the
//! simulator's replica boundary, on a deterministic runtime of our own.
//!
//! Start with `replica.rs` (inputs in, actions out), then `rt/` (the `AsyncRuntime`: the
//! node's executor, simulated time, the node's random stream, channels), `io.rs` (what
//! openraft's storage and network share with the adapter, and when `IOFlushed` completes),
//! `log_store.rs`, `state_machine.rs`, `network.rs` and `wire.rs` (openraft's traits over
//! them), and `types.rs` (the type configuration and the index mapping).
//! docs/implementations.md maps the scenario's modes onto openraft.
//!
//! This crate decides no Raft rule (openraft does) and knows nothing of scenario files;
//! the simulator picks it through [`factory`].

mod io;
mod log_store;
mod network;
mod replica;
pub mod rt;
mod state_machine;
mod types;
mod wire;

pub use io::Persistence;
pub use replica::{OpenRaft, openraft_config};
pub use sim_cluster::config::AdapterMutant;
pub use wire::OpenraftMessage;

use raft_core::{Config, Recovered, Replica};
use sim_core::SimRng;

/// The replica factory the world calls for a correct adapter.
pub fn factory(
    cfg: Config,
    recovered: Recovered,
    rng: SimRng,
) -> Box<dyn Replica<Message = OpenraftMessage>> {
    Box::new(OpenRaft::new(&cfg, recovered, AdapterMutant::None, rng))
}

/// The replica factory for the `io-flushed-before-fsync` mutant.
pub fn factory_io_flushed_before_fsync(
    cfg: Config,
    recovered: Recovered,
    rng: SimRng,
) -> Box<dyn Replica<Message = OpenraftMessage>> {
    Box::new(OpenRaft::new(
        &cfg,
        recovered,
        AdapterMutant::IoFlushedBeforeFsync,
        rng,
    ))
}

#[cfg(test)]
mod tests;
