//! Where a deliberate bug of the catalogue (a mutant, docs/bugs.md) lives in the world, and
//! what it switches on there: in the Raft core, in the log store, in the state file, or in recovery.

use crate::snapshot_store::SnapshotMutant;
use crate::state_file::StateLayout;
use crate::store::StoreMutant;
use raft_core::CoreMutant;

/// The mutant a world runs, by the part it changes. [`MutantPlacement::NONE`] is the correct
/// implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MutantPlacement {
    pub core: CoreMutant,
    pub store: StoreMutant,
    /// `recovery-trusts-volatile`: restart takes the log end from the pre-crash memory.
    pub recovery_trusts_volatile: bool,
    /// `state-file-not-atomic`: `save_state` truncates the state file and rewrites its one
    /// slot in place, so a crash between the two can leave no valid state at all.
    pub state_file_not_atomic: bool,
    /// A mistake in the adapter of another implementation (not the model).
    pub adapter: AdapterMutant,
    /// A mistake in how snapshots reach the disk (`snapshot_store.rs`).
    pub snapshot: SnapshotMutant,
}

/// The adapter mutants: ways a user wires a Raft library to its storage wrongly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdapterMutant {
    None,
    /// raft-rs: `persisted_messages()` leave before the flush that makes their `Ready`
    /// durable (a follower acknowledges entries it may still lose).
    PersistedMessagesEarly,
    /// openraft: `IOFlushed` completes when the write is handed to the disk, before the
    /// flush that makes it durable (hiqlite #361).
    IoFlushedBeforeFsync,
}

impl MutantPlacement {
    /// No mutant anywhere.
    pub const NONE: MutantPlacement = MutantPlacement {
        core: CoreMutant::None,
        store: StoreMutant::None,
        recovery_trusts_volatile: false,
        state_file_not_atomic: false,
        adapter: AdapterMutant::None,
        snapshot: SnapshotMutant::None,
    };
}

impl MutantPlacement {
    /// How the state file replaces term and vote under this placement.
    pub fn state_layout(&self) -> StateLayout {
        if self.state_file_not_atomic {
            StateLayout::TruncateThenRewrite
        } else {
            StateLayout::AlternateSlots
        }
    }
}
