//! One node of the world: its Raft core (absent while down), its disk and log store, its
//! Raft thread (`thread.rs`), its timers, its random streams and what survives its
//! crashes.

use crate::snapshot_store::SnapshotStore;
use crate::state_file::StateFile;
use crate::store::LogStore;
use crate::thread::Thread;
use crate::timers::TimerSlot;
use raft_core::{Entry, Kv, LogIndex, NodeId, Replica};
use sim_core::{SimRng, SimTime};
use sim_disk::Disk;
use sim_trace::TraceEvent;

pub struct NodeSlot<M> {
    pub id: NodeId,
    /// The replica behind the boundary of `raft_core::Replica`; `None` while down.
    pub core: Option<Box<dyn Replica<Message = M>>>,
    pub disk: Disk,
    pub store: LogStore,
    pub state_file: StateFile,
    /// Snapshots and the log directory; `None` when snapshots are off.
    pub snapshots: Option<SnapshotStore>,
    /// Bumped at every crash.
    pub incarnation: u32,
    pub thread: Thread<M>,
    /// Election, heartbeat.
    pub timers: [TimerSlot; 2],
    pub disk_armed: Option<SimTime>,
    pub timer_rng: SimRng,
    /// The state machine's draws (its negative batch-size hints).
    pub sm_rng: SimRng,
    /// When this node last heard from each peer (an answer, or a failed request), by the
    /// peer's position (`connections.rs`).
    pub peer_active_at: Vec<SimTime>,
    /// A persistent state machine's state and last applied index, kept as applies run
    /// (`exec.rs`) and across crashes.
    pub persisted_sm: Option<(Kv, LogIndex)>,
    /// The log the node held in memory when it crashed (for `recovery-trusts-volatile`).
    pub pre_crash_log: Vec<Entry>,
}

impl<M> NodeSlot<M> {
    pub fn is_up(&self) -> bool {
        self.core.is_some()
    }

    /// After a crash, or the sync that follows a process crash: what was in flight is
    /// gone, and the snapshot store, then the log store from the media's floor, take what
    /// the media hold now as their truth (its trace lines appended to `ev`).
    pub fn crash_stores(&mut self, sector_bytes: u32, ev: &mut Vec<TraceEvent>) {
        let floor = match self.snapshots.as_mut() {
            Some(s) => s.crash(&self.disk, sector_bytes, ev),
            None => LogIndex(1),
        };
        self.store.crash(&mut self.disk, floor, ev);
    }
}
