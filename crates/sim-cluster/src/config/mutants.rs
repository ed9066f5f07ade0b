//! Where a deliberate bug of the catalogue (a mutant, docs/bugs.md) lives in the world, and
//! what it switches on there: in the Raft core, in the log store, or in recovery.

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
}

impl MutantPlacement {
    /// No mutant anywhere.
    pub const NONE: MutantPlacement = MutantPlacement {
        core: CoreMutant::None,
        store: StoreMutant::None,
        recovery_trusts_volatile: false,
    };
}
