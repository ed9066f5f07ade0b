//! Where a deliberate bug of the catalogue (a mutant, docs/bugs.md) lives in the world, and
//! what it switches on there: in the Raft core, in the log store, or in recovery.

use crate::store::StoreBug;
use raft_core::CoreBug;

/// The mutant a world runs, by the part it changes. [`BugPlacement::NONE`] is the correct
/// implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BugPlacement {
    pub core: CoreBug,
    pub store: StoreBug,
    /// `recovery-trusts-volatile`: restart takes the log end from the pre-crash memory.
    pub recovery_trusts_volatile: bool,
}

impl BugPlacement {
    /// No mutant anywhere.
    pub const NONE: BugPlacement = BugPlacement {
        core: CoreBug::None,
        store: StoreBug::None,
        recovery_trusts_volatile: false,
    };
}
