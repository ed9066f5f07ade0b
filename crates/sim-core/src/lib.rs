//! The deterministic simulation kernel.
//!
//! Everything the simulator needs to be reproducible and nothing about Raft, disks or
//! networks: virtual time ([`SimTime`], [`SimDuration`]), a discrete-event queue ordered by
//! (time, insertion sequence) ([`EventQueue`]), seeded random streams derived from one root
//! seed and a stream name ([`RngStreams`], [`SimRng`]), latency distributions
//! ([`Dist`]), a stable running hash ([`TraceHasher`]), the hard bounds every run obeys
//! ([`RunLimits`], [`StopReason`]) and the identity of a node ([`NodeId`], [`NODES_MAX`]).
//!
//! Start with [`EventQueue`]: the world built on top pops one event at a time, advances the
//! clock to its instant, and pushes the events it causes. Ties break by insertion order, so
//! the same pushes always pop in the same order.
//!
//! This crate is not the world: `sim-cluster` owns nodes, disks and the network and runs
//! the loop. It has no wall clock, no threads and no hash-map iteration.

mod dist;
mod hash;
mod limits;
mod node;
mod queue;
mod rng;
mod time;

pub use dist::{Dist, DistError, Sampler};
pub use hash::TraceHasher;
pub use limits::{RunLimits, StopReason};
pub use node::{NODES_MAX, NodeId};
pub use queue::EventQueue;
pub use rng::{RngStreams, SimRng};
pub use time::{SimDuration, SimTime};
