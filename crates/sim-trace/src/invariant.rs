//! The names of the invariants the checker enforces (SCENARIO.md, "Invariant names").

use serde::Serialize;

/// An invariant a run can violate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Invariant {
    ElectionSafety,
    LogMatching,
    LeaderCompleteness,
    StateMachineSafety,
    DurabilityLoss,
    AckedWriteLost,
    DurabilityHazard,
    Linearizability,
    Liveness,
    // The list-append workload's (Elle's) and the state machine's own; after the others
    // so that the order of violation counts (and every pinned trace) stays as it was.
    LostAppend,
    DuplicateAppend,
    IncompatibleReads,
    AppliedIndexRegressed,
    // The term and vote file's; last for the same reason.
    TermVoteLost,
}

impl Invariant {
    pub const ALL: [Invariant; 14] = [
        Invariant::ElectionSafety,
        Invariant::LogMatching,
        Invariant::LeaderCompleteness,
        Invariant::StateMachineSafety,
        Invariant::DurabilityLoss,
        Invariant::AckedWriteLost,
        Invariant::DurabilityHazard,
        Invariant::Linearizability,
        Invariant::Liveness,
        Invariant::LostAppend,
        Invariant::DuplicateAppend,
        Invariant::IncompatibleReads,
        Invariant::AppliedIndexRegressed,
        Invariant::TermVoteLost,
    ];

    /// The name as written in scenario files and traces.
    pub fn name(self) -> &'static str {
        match self {
            Invariant::ElectionSafety => "election-safety",
            Invariant::LogMatching => "log-matching",
            Invariant::LeaderCompleteness => "leader-completeness",
            Invariant::StateMachineSafety => "state-machine-safety",
            Invariant::DurabilityLoss => "durability-loss",
            Invariant::AckedWriteLost => "acked-write-lost",
            Invariant::DurabilityHazard => "durability-hazard",
            Invariant::Linearizability => "linearizability",
            Invariant::Liveness => "liveness",
            Invariant::LostAppend => "lost-append",
            Invariant::DuplicateAppend => "duplicate-append",
            Invariant::IncompatibleReads => "incompatible-reads",
            Invariant::AppliedIndexRegressed => "applied-index-regressed",
            Invariant::TermVoteLost => "term-vote-lost",
        }
    }

    /// Every invariant, the most severe first: data lost or diverged before the protocol's
    /// own properties, those before liveness, and the hazard (a risk, not a loss) last. A
    /// report leads with the most severe finding. An acknowledged append a read no longer
    /// shows is a lost write; an element applied twice, a state machine gone back, or two
    /// reads that disagree on a list's order are state machines diverging. A term or vote
    /// lost is what makes two leaders possible: after election safety, before liveness.
    pub const BY_SEVERITY: [Invariant; 14] = [
        Invariant::DurabilityLoss,
        Invariant::AckedWriteLost,
        Invariant::LostAppend,
        Invariant::StateMachineSafety,
        Invariant::DuplicateAppend,
        Invariant::AppliedIndexRegressed,
        Invariant::IncompatibleReads,
        Invariant::Linearizability,
        Invariant::LeaderCompleteness,
        Invariant::LogMatching,
        Invariant::ElectionSafety,
        Invariant::TermVoteLost,
        Invariant::Liveness,
        Invariant::DurabilityHazard,
    ];

    /// The position in [`Invariant::BY_SEVERITY`]: 0 is the most severe.
    pub fn severity_rank(self) -> usize {
        Invariant::BY_SEVERITY
            .iter()
            .position(|i| *i == self)
            .expect("every invariant is ranked")
    }

    pub fn from_name(name: &str) -> Option<Invariant> {
        Invariant::ALL.into_iter().find(|i| i.name() == name)
    }
}

impl std::fmt::Display for Invariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for i in Invariant::ALL {
            assert_eq!(Invariant::from_name(i.name()), Some(i));
            assert_eq!(
                serde_json::to_value(i).unwrap(),
                serde_json::json!(i.name())
            );
        }
        assert_eq!(Invariant::from_name("Liveness"), None);
    }

    #[test]
    fn every_invariant_is_ranked_once_and_loss_comes_before_the_hazard() {
        let mut ranks: Vec<usize> = Invariant::ALL.iter().map(|i| i.severity_rank()).collect();
        ranks.sort_unstable();
        assert_eq!(ranks, (0..Invariant::ALL.len()).collect::<Vec<_>>());
        assert!(
            Invariant::DurabilityLoss.severity_rank() < Invariant::DurabilityHazard.severity_rank()
        );
    }
}
