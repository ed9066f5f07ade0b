//! raft-rs (the `raft` crate, 0.7) behind the simulator's replica boundary.
//!
//! [`RaftRs`] wraps one `RawNode` and speaks [`raft_core::Replica`] with its own wire
//! message, [`RaftRsMessage`]. Start with `replica.rs` (inputs in), then `ready.rs` (a
//! `Ready` out as the world's actions, sync or async persistence), `timing.rs` (ticks and
//! the seeded election timeout), `payload.rs` (a client's request inside an entry) and
//! `wire.rs` (what the trace says of a message). docs/implementations.md maps the
//! scenario's modes onto raft-rs's persistence paths.
//!
//! This crate decides no Raft rule (raft-rs does) and knows nothing of scenario files;
//! the simulator picks it through [`factory`].
//!
//! ```
//! use raft_core::{Input, Replica, Role, Timer};
//! use replica_raft_rs::{AdapterMutant, Persistence, RaftRs};
//! let cfg = raft_core::Config {
//!     id: raft_core::NodeId(1),
//!     voters: vec![raft_core::NodeId(1)],
//!     heartbeat_interval_ns: 50_000_000,
//!     election_timeout_min_ns: 150_000_000,
//!     election_timeout_max_ns: 300_000_000,
//!     max_append_batch: 64,
//!     durability: raft_core::Durability::sync(),
//!     commit_rule: raft_core::CommitRule::CurrentTerm,
//!     read_path: raft_core::ReadPath::Log,
//!     mutant: raft_core::CoreMutant::None,
//!     snapshot_distance: 0,
//!     reserved_log_items: 0,
//! };
//! let mut node = RaftRs::new(&cfg, Default::default(), Persistence::Sync, AdapterMutant::None, 7);
//! let mut out = Vec::new();
//! node.start(&mut out);
//! // The world owns time: each tick timer firing is one raft-rs tick; a one-node cluster
//! // elects itself once its election timeout (at most 12 ticks here) has passed.
//! for _ in 0..13 {
//!     node.step(Input::Timer(Timer::Heartbeat), &mut out);
//! }
//! assert_eq!(node.role(), Role::Leader);
//! // Its empty first entry is written, flushed blocking, then committed and applied.
//! assert_eq!(node.applied_index().0, 1);
//! ```

mod payload;
mod ready;
mod replica;
mod timing;
mod wire;

pub use replica::{Persistence, RaftRs};
pub use sim_cluster::config::AdapterMutant;
pub use wire::RaftRsMessage;

use raft_core::{Config, Recovered, Replica};
use sim_core::SimRng;

/// How a scenario's durability mode runs on raft-rs: parallel-append is the async path.
pub fn persistence(cfg: &Config) -> Persistence {
    if cfg.durability.parallel_append == raft_core::ParallelAppend::Off {
        Persistence::Sync
    } else {
        Persistence::Async
    }
}

/// The replica factory the world calls for a correct adapter.
pub fn factory(
    cfg: Config,
    recovered: Recovered,
    rng: SimRng,
) -> Box<dyn Replica<Message = RaftRsMessage>> {
    build(cfg, recovered, rng, AdapterMutant::None)
}

/// The replica factory for the `persisted-messages-early` mutant.
pub fn factory_persisted_messages_early(
    cfg: Config,
    recovered: Recovered,
    rng: SimRng,
) -> Box<dyn Replica<Message = RaftRsMessage>> {
    build(cfg, recovered, rng, AdapterMutant::PersistedMessagesEarly)
}

/// What both factories build (the world takes a plain function, so each mutant has one).
fn build(
    cfg: Config,
    recovered: Recovered,
    mut rng: SimRng,
    mutant: AdapterMutant,
) -> Box<dyn Replica<Message = RaftRsMessage>> {
    let p = persistence(&cfg);
    Box::new(RaftRs::new(&cfg, recovered, p, mutant, rng.next_u64()))
}

#[cfg(test)]
mod tests;
