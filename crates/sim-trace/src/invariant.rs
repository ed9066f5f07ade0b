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
}

impl Invariant {
    pub const ALL: [Invariant; 9] = [
        Invariant::ElectionSafety,
        Invariant::LogMatching,
        Invariant::LeaderCompleteness,
        Invariant::StateMachineSafety,
        Invariant::DurabilityLoss,
        Invariant::AckedWriteLost,
        Invariant::DurabilityHazard,
        Invariant::Linearizability,
        Invariant::Liveness,
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
        }
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
}
