//! Self-tests of the runner's own detectors: a way to make a seed panic, or to make
//! `--check-determinism` see two different runs, on purpose, so that the tests can check
//! that a simulator panic exits 3 and nondeterminism exits 4 (`exit.rs`).
//!
//! Off unless the environment variable `SIM_RUNNER_SELF_TEST` is set, to a comma-separated
//! list of `panic:SEED` (that seed panics where the simulator runs, or where
//! `check-trace` judges a trace whose run line has that seed, inside the same catch as a
//! real panic) and `nondeterminism:SEED` (the second run of that seed under
//! `--check-determinism` runs seed SEED+1 instead, so the detector compares two real trace
//! hashes that differ). Nothing else reads it; no simulation changes without it. It is not
//! a fault model or a feature: a real simulator never panics or diverges on purpose.

use std::sync::OnceLock;

/// The variable that turns the self-tests on.
pub const VAR: &str = "SIM_RUNNER_SELF_TEST";

#[derive(Debug, Default, PartialEq, Eq)]
struct Plan {
    panic: Vec<u64>,
    nondeterminism: Vec<u64>,
}

static PLAN: OnceLock<Plan> = OnceLock::new();

/// Reads the variable once, at start; a malformed value is a usage error that says the form.
pub fn init() -> Result<(), String> {
    let plan = match std::env::var(VAR) {
        Ok(v) => parse(&v)?,
        Err(_) => Plan::default(),
    };
    let _ = PLAN.set(plan);
    Ok(())
}

fn parse(text: &str) -> Result<Plan, String> {
    let mut plan = Plan::default();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let bad = || {
            format!(
                "{VAR}={text:?}: {item:?} is not `panic:SEED` or `nondeterminism:SEED` \
                 (a comma-separated list; SEED a whole number)"
            )
        };
        let (what, seed) = item.split_once(':').ok_or_else(bad)?;
        let seed: u64 = seed.trim().parse().map_err(|_| bad())?;
        match what.trim() {
            "panic" => plan.panic.push(seed),
            "nondeterminism" => plan.nondeterminism.push(seed),
            _ => return Err(bad()),
        }
    }
    Ok(plan)
}

/// Panics if the self-test asks seed `seed` to; call it inside the simulator's catch.
pub fn panic_point(seed: u64) {
    if PLAN.get().is_some_and(|p| p.panic.contains(&seed)) {
        panic!("self-test: seed {seed} panics on purpose ({VAR})");
    }
}

/// The seed the second run of `seed` under `--check-determinism` runs: `seed` itself,
/// unless the self-test asks for a divergence.
pub fn second_run_seed(seed: u64) -> u64 {
    if PLAN.get().is_some_and(|p| p.nondeterminism.contains(&seed)) {
        seed.wrapping_add(1)
    } else {
        seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_parse_and_bad_ones_say_the_form() {
        let p = parse("panic:3, nondeterminism:5,panic:9").expect("parses");
        assert_eq!(p.panic, [3, 9]);
        assert_eq!(p.nondeterminism, [5]);
        assert_eq!(parse("").expect("empty"), Plan::default());
        for bad in ["panic", "panic:x", "crash:3", "panic:-1"] {
            let e = parse(bad).expect_err(bad);
            assert!(e.contains("`panic:SEED`"), "{bad}: {e}");
        }
    }
}
