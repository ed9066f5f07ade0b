//! A sans-IO Raft core with NuRaft's log-store contract.
//!
//! A [`Raft`] node is a pure state machine: the caller feeds it [`Input`]s (timer fired,
//! message arrived, client request, log store reports durability) through [`Raft::step`]
//! and executes the [`Action`]s it returns, in order. It owns no clock, no randomness,
//! no disk and no socket, so the simulator can drive it in virtual time and a real
//! program could drive it with real I/O.
//!
//! The storage boundary mirrors NuRaft's `log_store` (see NURAFT.md): [`Action::Append`],
//! [`Action::WriteAt`] (truncate and write), [`Action::EndOfAppendBatch`], and
//! [`Input::LogDurable`] for `notify_log_append_completion` / `last_durable_index()`.
//! Which mode a node runs in is [`Durability`]: three knobs, as in NuRaft.
//!
//! ```
//! use raft_core::*;
//! let cfg = Config {
//!     id: NodeId(1),
//!     voters: vec![NodeId(1)],
//!     heartbeat_interval_ns: 50_000_000,
//!     election_timeout_min_ns: 150_000_000,
//!     election_timeout_max_ns: 300_000_000,
//!     max_append_batch: 64,
//!     durability: Durability::sync(),
//!     commit_rule: CommitRule::Nuraft,
//!     read_path: ReadPath::Log,
//!     mutant: CoreMutant::None,
//!     snapshot_distance: 0,
//!     reserved_log_items: 0,
//! };
//! let mut node = Raft::new(cfg, Recovered::default());
//! let mut out = Vec::new();
//! node.start(&mut out);
//! out.clear();
//! // The election timer fires: a one-node cluster elects itself at once.
//! node.step(Input::Timer(Timer::Election), &mut out);
//! assert_eq!(node.role(), Role::Leader);
//! // Its term and vote are saved, blocking, before anything else it does.
//! assert!(matches!(out[1], Action::SaveState { wait: FlushWait::Blocking, .. }));
//! // Its first entry (NuRaft's configuration entry) is flushed, blocking, in every mode;
//! // it commits once that returns.
//! let flush = out.iter().position(|a| matches!(a, Action::FlushLog)).unwrap();
//! let commit = out.iter().position(|a| matches!(a, Action::Notice(Notice::Commit { .. }))).unwrap();
//! assert!(out[flush].blocks() && flush < commit);
//! ```

mod apply;
mod buffers;
mod config;
mod election;
mod follower;
mod io;
mod kv;
mod leader;
mod log;
mod message;
mod node;
mod pipeline;
mod replica;
mod snapshot;
mod types;

pub use buffers::SPARE_ENTRY_BUFFERS_MAX;
pub use config::{
    AckRule, CommitRule, Config, CoreMutant, Durability, FlushWait, FollowerAppend, ParallelAppend,
    ReadPath,
};
pub use io::{Action, ClientResult, Input, Notice, Timer};
pub use kv::{Kv, LIST_ELEMENTS_MAX, ReadResult};
pub use log::{entries_between, entry_at};
pub use message::Message;
pub use node::{Raft, Recovered};
pub use replica::Replica;
pub use snapshot::Snapshot;
pub use types::*;
