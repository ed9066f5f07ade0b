//! What the checker knows of one node, rebuilt from the trace alone: its in-memory log, its
//! durable media, its role and its commit index. The cluster of them is the [`View`]
//! (`view.rs`); this file knows nothing of the other nodes.
//!
//! [`View`]: crate::view::View

use raft_core::{LogIndex, Role, Term};
use sim_core::SimTime;
use sim_trace::DurableEntry;

/// The identity of an entry: its term and the request that wrote it. Two entries with the
/// same index and identity are the same entry.
pub type EntryId = DurableEntry;

#[derive(Clone, Debug)]
pub struct NodeView {
    pub up: bool,
    pub role: Role,
    pub term: Term,
    /// The in-memory log, from index 1.
    pub log: Vec<EntryId>,
    /// The durable media, from index 1. Up to `snapshot_durable` the snapshot stands for
    /// the committed entries; a place compacted away with nothing to stand for it holds
    /// [`EntryId::HOLE`].
    pub durable: Vec<EntryId>,
    /// The last index of the snapshot the media hold (0: none).
    pub snapshot_durable: LogIndex,
    pub commit: LogIndex,
    pub last_crash: Option<SimTime>,
    pub last_restart: Option<SimTime>,
}

impl Default for NodeView {
    fn default() -> Self {
        NodeView {
            up: true,
            role: Role::Follower,
            term: Term(0),
            log: Vec::new(),
            durable: Vec::new(),
            snapshot_durable: LogIndex::ZERO,
            commit: LogIndex::ZERO,
            last_crash: None,
            last_restart: None,
        }
    }
}

impl NodeView {
    pub fn log_at(&self, index: LogIndex) -> Option<&EntryId> {
        at(&self.log, index)
    }
    pub fn durable_at(&self, index: LogIndex) -> Option<&EntryId> {
        at(&self.durable, index)
    }
    /// Whether this node still has `id` at `index` somewhere it can recover or serve it
    /// from: its memory when up, its media when down.
    pub fn holds(&self, index: LogIndex, id: &EntryId) -> bool {
        let copy = if self.up {
            self.log_at(index)
        } else {
            self.durable_at(index)
        };
        copy == Some(id)
    }
}

pub fn at(v: &[EntryId], index: LogIndex) -> Option<&EntryId> {
    let i = usize::try_from(index.0).ok()?.checked_sub(1)?;
    v.get(i)
}
