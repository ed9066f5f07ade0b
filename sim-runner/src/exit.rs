//! The exit codes, one per kind of outcome, and which wins when a command meets several.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | every expectation holds (`repro`, `check-trace`: no violation) |
//! | 1 | an expectation failed (`repro`: a violation, or `--expect-hash` differs; `check-trace`: a violation) |
//! | 2 | bad usage, a bad scenario or a trace that cannot be judged (nothing was judged) |
//! | 3 | the simulator panicked on a seed (a bug of the simulator, not of the scenario) |
//! | 4 | nondeterminism: `--check-determinism` ran a seed twice and got two trace hashes |
//! | 130 | interrupted by Ctrl-C (the reports of what finished were written) |
//!
//! When one run meets several, the one that says most about the simulator's own
//! trustworthiness wins: nondeterminism (4) over a panic (3) over a failed expectation (1)
//! over success (0). A nondeterministic simulator makes every other verdict of the run
//! unreproducible, and a panicking one leaves seeds unjudged. Usage errors (2) stop a command
//! before it judges anything, and Ctrl-C (130) overrides everything found so far, since
//! the run is incomplete; the printed report still lists what was found.
//!
//! This file decides no outcome: each command says what it found, `main` exits with it.

/// The exit codes of SCENARIO.md and STYLE.md, plus the simulator's own failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    ExpectationFailed = 1,
    Usage = 2,
    /// A seed panicked inside the simulator.
    SimulatorPanic = 3,
    /// `--check-determinism`: a seed's two runs gave different trace hashes.
    Nondeterminism = 4,
    /// Ctrl-C: the reports of what finished were written.
    Interrupted = 130,
}

/// The table above, as `sim-runner --help` ends.
pub const HELP: &str = "\
Exit codes:
  0    every expectation holds (repro, check-trace: no violation)
  1    an expectation failed (repro, check-trace: a violation; or --expect-hash differs)
  2    bad usage, a bad scenario or a trace check-trace cannot judge
  3    the simulator panicked on a seed (a bug of the simulator: please report it)
  4    nondeterminism: --check-determinism got two trace hashes for one seed
  130  interrupted by Ctrl-C
When several apply, the first in this order wins: 130, 4, 3, 1, 0.";

impl Exit {
    /// What a judged run found: any nondeterministic seed, else any panic, else whether an
    /// expectation failed.
    pub fn of(nondeterministic: u64, panics: u64, failed: bool) -> Exit {
        if nondeterministic > 0 {
            Exit::Nondeterminism
        } else if panics > 0 {
            Exit::SimulatorPanic
        } else if failed {
            Exit::ExpectationFailed
        } else {
            Exit::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nondeterminism_beats_a_panic_beats_a_failed_expectation() {
        assert_eq!(Exit::of(0, 0, false), Exit::Ok);
        assert_eq!(Exit::of(0, 0, true), Exit::ExpectationFailed);
        assert_eq!(Exit::of(0, 2, true), Exit::SimulatorPanic);
        assert_eq!(Exit::of(1, 2, true), Exit::Nondeterminism);
        assert_eq!(Exit::of(1, 0, false), Exit::Nondeterminism);
    }

    #[test]
    fn the_codes_do_not_collide() {
        let codes = [
            Exit::Ok,
            Exit::ExpectationFailed,
            Exit::Usage,
            Exit::SimulatorPanic,
            Exit::Nondeterminism,
            Exit::Interrupted,
        ]
        .map(|e| e as u8);
        assert_eq!(codes, [0, 1, 2, 3, 4, 130]);
    }
}
