//! One node of the world: its Raft core (absent while down), its disk and log store, its
//! Raft thread's state (blocked or not, the actions it will run when unblocked, the inputs
//! waiting for it), its timers and what survives its crashes.

use crate::state_file::StateFile;
use crate::store::LogStore;
use crate::timers::TimerSlot;
use raft_core::{Action, Entry, Input, Kv, LogIndex, NodeId, Replica};
use sim_core::{SimRng, SimTime};
use sim_disk::{Disk, OpId};
use sim_trace::BlockReason;
use std::collections::VecDeque;

/// Inputs waiting for a busy Raft thread; more is a bug (a node that never unblocks).
pub const INBOX_MAX: usize = 100_000;

/// What a blocked Raft thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// A flush (of the log in `end_of_append_batch`, or of `save_state`).
    Flush { op: OpId, reason: BlockReason },
    /// `last_durable_index() >= index` (parallel-append follower).
    Durable { index: LogIndex },
}

pub struct NodeSlot {
    pub id: NodeId,
    /// The replica behind the boundary of `raft_core::Replica`; `None` while down.
    pub core: Option<Box<dyn Replica>>,
    pub disk: Disk,
    pub store: LogStore,
    pub state_file: StateFile,
    /// Bumped at every crash.
    pub incarnation: u32,
    pub blocked: Option<Blocked>,
    /// The rest of the action list, to run once unblocked.
    pub suspended: Vec<Action>,
    pub inbox: VecDeque<Input>,
    /// A sync leader's client-path flush (`end_of_append_batch` under NuRaft's
    /// `cli_lock_`): while it runs, client requests wait in `client_queue` and every other
    /// input goes on.
    pub client_flush: Option<OpId>,
    pub client_queue: VecDeque<Input>,
    /// Election, heartbeat.
    pub timers: [TimerSlot; 2],
    pub disk_armed: Option<SimTime>,
    pub timer_rng: SimRng,
    /// The state machine's draws (its negative batch-size hints).
    pub sm_rng: SimRng,
    /// When this node last heard from each peer (an answer, or a failed request), by
    /// peer id - 1 (`connections.rs`).
    pub peer_active_at: Vec<SimTime>,
    /// A persistent state machine's state and last applied index, kept as applies run
    /// (`exec.rs`) and across crashes.
    pub persisted_sm: Option<(Kv, LogIndex)>,
    /// The log the node held in memory when it crashed (for `recovery-trusts-volatile`).
    pub pre_crash_log: Vec<Entry>,
}

impl NodeSlot {
    pub fn is_up(&self) -> bool {
        self.core.is_some()
    }

    pub fn timer_index(timer: raft_core::Timer) -> usize {
        match timer {
            raft_core::Timer::Election => 0,
            raft_core::Timer::Heartbeat => 1,
        }
    }
}
