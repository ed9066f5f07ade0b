//! Shrinking a failing seed to a small, explicit scenario that still fails the same way.
//!
//! 1. The faults the run fired (`RunOutcome::fired_faults`, nodes resolved, on whole
//!    milliseconds) become an explicit `[[faults.schedule]]` and the random rates are
//!    turned off ([`explicit`]). Random faults draw only from the `faults` stream, so the
//!    replay usually is the same run; where it is not (events at one instant can queue in
//!    another order), it is still kept if the target invariant fires. If it does not fire,
//!    shrinking goes on with the random rates on, the fault schedule left alone.
//! 2. Greedy passes, repeated while any step helps and runs remain (`steps.rs`): drop
//!    faults with the fault that undoes them (a crash and its restart), then in halving
//!    chunks, then one at a time; shorten the run and the heal phase,
//!    lower the clients and the write rate, remove nodes no fault names.
//!
//! Every candidate is run and kept only if the target invariant fires on the same seed
//! (and no invariant the original run did not violate), so the result always fails the
//! same way: nothing is claimed that was not run. The number of runs is
//! bounded; when the bound stops it, the best scenario so far is the result.

mod schedule;
mod steps;

pub use schedule::explicit;

use crate::panic;
use sim_cluster::RunOutcome;
use sim_scenario::{Invariant, Scenario};

/// How the fired faults replayed as an explicit schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// The explicit schedule fires the target; `same_hash`: the very same run.
    Explicit { same_hash: bool },
    /// It did not: shrunk with the random rates on.
    RandomRates,
}

/// The result: the smallest failing scenario found and its run.
pub struct Shrunk {
    pub scenario: Scenario,
    pub outcome: RunOutcome,
    pub replay: Replay,
    /// Candidate runs made (the explicit replay included).
    pub runs: u32,
    /// Whether the bound on runs stopped shrinking before it was done.
    pub bound_hit: bool,
}

/// The state of a search: the best scenario so far and the run budget.
pub(crate) struct Shrinker {
    seed: u64,
    target: Invariant,
    /// What the original run violated: a candidate may violate nothing else.
    allowed: Vec<Invariant>,
    max_runs: u32,
    runs: u32,
    bound_hit: bool,
    best: Scenario,
    best_outcome: RunOutcome,
}

impl Shrinker {
    /// Runs `candidate`; keeps it as the best if the target still fires and nothing fires
    /// that the original run did not violate (so the search cannot slip to another
    /// failure, such as a heal phase too short to converge).
    pub(crate) fn attempt(&mut self, candidate: Scenario) -> bool {
        if self.runs >= self.max_runs {
            self.bound_hit = true;
            return false;
        }
        self.runs += 1;
        match panic::catch(|| {
            sim_scenario::run_seed(&sim_scenario::world_config(&candidate), self.seed)
        }) {
            Ok(o)
                if o.violated(self.target) && o.invariants().all(|i| self.allowed.contains(&i)) =>
            {
                self.best = candidate;
                self.best_outcome = o;
                true
            }
            _ => false,
        }
    }

    pub(crate) fn best(&self) -> &Scenario {
        &self.best
    }

    /// Whether the run budget is spent; asked only when there is more to try, so a
    /// `true` means the bound stopped the search.
    pub(crate) fn out_of_runs(&mut self) -> bool {
        if self.runs >= self.max_runs {
            self.bound_hit = true;
        }
        self.bound_hit
    }
}

/// Shrinks seed `seed` of `original`, whose run `first` violated `target`, in at most
/// `max_runs` runs.
pub fn shrink(
    original: &Scenario,
    seed: u64,
    target: Invariant,
    first: &RunOutcome,
    max_runs: u32,
) -> Shrunk {
    assert!(
        first.violated(target),
        "shrink starts from a run that violates {target}"
    );
    let mut sh = Shrinker {
        seed,
        target,
        allowed: first.invariants().collect(),
        max_runs: max_runs.max(1),
        runs: 0,
        bound_hit: false,
        best: original.clone(),
        best_outcome: first.clone(),
    };
    let replay = if sh.attempt(explicit(original, &first.fired_faults)) {
        Replay::Explicit {
            same_hash: sh.best_outcome.trace_hash == first.trace_hash,
        }
    } else {
        Replay::RandomRates
    };
    loop {
        let before = sh.best.clone();
        if replay != Replay::RandomRates {
            steps::drop_pairs(&mut sh);
            steps::drop_faults(&mut sh);
        }
        steps::shorten_run(&mut sh);
        steps::lower_workload(&mut sh);
        steps::fewer_nodes(&mut sh);
        if sh.best == before || sh.out_of_runs() {
            break;
        }
    }
    debug_assert!(sh.best_outcome.violated(target));
    Shrunk {
        scenario: sh.best,
        outcome: sh.best_outcome,
        replay,
        runs: sh.runs,
        bound_hit: sh.bound_hit,
    }
}

/// The invariant to keep firing when the user names none: in the order of
/// `Invariant::BY_SEVERITY` (lost data first, what this simulator is for), except that
/// liveness comes last: a shrink toward "stuck" tends to end in a run too short to
/// converge, while the hazard stays the same risky timing.
pub fn primary(fired: &[Invariant]) -> Option<Invariant> {
    Invariant::BY_SEVERITY
        .into_iter()
        .filter(|i| *i != Invariant::Liveness)
        .chain([Invariant::Liveness])
        .find(|i| fired.contains(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_data_is_kept_before_weaker_signals() {
        use Invariant::*;
        assert_eq!(
            primary(&[Liveness, AckedWriteLost, DurabilityHazard]),
            Some(AckedWriteLost)
        );
        assert_eq!(
            primary(&[LeaderCompleteness, DurabilityLoss]),
            Some(DurabilityLoss)
        );
        assert_eq!(
            primary(&[Liveness, DurabilityHazard]),
            Some(DurabilityHazard)
        );
        assert_eq!(primary(&[]), None);
    }
}
