//! The exact strings a scenario file uses for each enum of the model.
//!
//! One table per enum, used both to read a file (`reader.rs` matches exactly and suggests
//! the closest name on a miss) and to write one (`render.rs`), so the two cannot drift.
//! The spelling is the serde (kebab-case) spelling of `model.rs`; a unit test checks that.

use crate::model::{
    Bug, ClientAck, CommitRule, CrashKind, CrashModel, FlushOrder, FollowerAppend, FollowerFlush,
    FsyncErrorPolicy, HealNetwork, Implementation, Invariant, Mode, Outcome, ReadPath,
    StateMachine, WorkloadKind,
};

/// An enum whose values are written as fixed lowercase strings in a scenario file.
pub trait Named: Copy + PartialEq + std::fmt::Debug + 'static {
    /// Every value, in the order the documentation lists them.
    const ALL: &'static [Self];
    /// The name as written in a scenario file.
    fn name(self) -> &'static str;

    /// Every name, in [`Named::ALL`] order.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.name()).collect()
    }

    /// The value with exactly this name (case and spelling included).
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Implements [`Named`] from a list of `Variant => "name"` pairs.
macro_rules! named {
    ($ty:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl Named for $ty {
            const ALL: &'static [Self] = &[$(<$ty>::$variant),+];
            fn name(self) -> &'static str {
                match self {
                    $(<$ty>::$variant => $name),+
                }
            }
        }
    };
}
pub(crate) use named;

named!(Mode {
    Sync => "sync",
    AsyncHandler => "async-handler",
    ParallelAppend => "parallel-append",
});

named!(ClientAck { Commit => "commit", CommitAndFlush => "commit-and-flush" });

named!(FollowerFlush { Background => "background", BeforeAnswer => "before-answer" });

named!(FollowerAppend { Blocking => "blocking", Pipelined => "pipelined" });

named!(Implementation { Model => "model", RaftRs => "raft-rs", Openraft => "openraft" });

named!(StateMachine { Volatile => "volatile", Persistent => "persistent" });

named!(CrashModel {
    LoseUnflushed => "lose-unflushed",
    KeepRandomSubset => "keep-random-subset",
    TornTail => "torn-tail",
});

named!(FsyncErrorPolicy { Crash => "crash", Retry => "retry" });

named!(FlushOrder { Submission => "submission", PerFile => "per-file" });

named!(CrashKind { Power => "power", Process => "process" });

named!(ReadPath { Log => "log", LeaderState => "leader-state" });

named!(WorkloadKind { Register => "register", ListAppend => "list-append" });

named!(CommitRule { Nuraft => "nuraft", CurrentTerm => "current-term" });

named!(HealNetwork { Reliable => "reliable", KeepFaults => "keep-faults" });

named!(Outcome { Pass => "pass", Violation => "violation" });

impl Named for Bug {
    const ALL: &'static [Self] = &Bug::ALL;
    fn name(self) -> &'static str {
        Bug::name(self)
    }
}

impl Named for Invariant {
    const ALL: &'static [Self] = &Invariant::ALL;
    fn name(self) -> &'static str {
        Invariant::name(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// The file spelling is the serde spelling, so `to_json` and `to_toml` agree.
    fn agrees_with_serde<T: Named + Serialize>() {
        for v in T::ALL {
            let json = serde_json::to_value(v).expect("enums serialize");
            assert_eq!(json, serde_json::Value::String(v.name().to_string()));
            assert_eq!(T::from_name(v.name()), Some(*v));
        }
    }

    #[test]
    fn names_match_serde_for_every_enum() {
        agrees_with_serde::<Mode>();
        agrees_with_serde::<ClientAck>();
        agrees_with_serde::<FollowerFlush>();
        agrees_with_serde::<FollowerAppend>();
        agrees_with_serde::<StateMachine>();
        agrees_with_serde::<CrashModel>();
        agrees_with_serde::<FsyncErrorPolicy>();
        agrees_with_serde::<FlushOrder>();
        agrees_with_serde::<CrashKind>();
        agrees_with_serde::<ReadPath>();
        agrees_with_serde::<WorkloadKind>();
        agrees_with_serde::<Outcome>();
        agrees_with_serde::<Bug>();
        agrees_with_serde::<Invariant>();
    }

    #[test]
    fn names_are_exact() {
        assert_eq!(Mode::from_name("SYNC"), None);
        assert_eq!(Mode::from_name("parallel_append"), None);
        assert_eq!(
            Mode::from_name("parallel-append"),
            Some(Mode::ParallelAppend)
        );
    }
}
