//! Running many seeds of one scenario on several threads. Each seed is single-threaded and
//! independent; results are collected by seed, so what is reported never depends on the
//! number of threads.

use crate::panic;
use sim_cluster::RunOutcome;
use sim_scenario::Scenario;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The result of one seed.
#[derive(Clone, Debug)]
pub enum SeedResult {
    Ran(Box<RunOutcome>),
    /// The simulator itself panicked (a bug of ours): the message.
    Panicked {
        seed: u64,
        message: String,
    },
    /// `--check-determinism`: two runs of the seed gave different hashes.
    Nondeterministic {
        seed: u64,
        first: String,
        second: String,
    },
}

impl SeedResult {
    pub fn seed(&self) -> u64 {
        match self {
            SeedResult::Ran(o) => o.seed,
            SeedResult::Panicked { seed, .. } | SeedResult::Nondeterministic { seed, .. } => *seed,
        }
    }
}

/// The threads to run seeds on: as asked, or one per available core.
pub fn jobs(requested: Option<u16>) -> usize {
    requested
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Checks that seeds `first..first+count` fit in a u64 (`--seed` takes any u64); the error
/// says what to change.
pub fn check_range(first: u64, count: u64) -> Result<(), String> {
    match first.checked_add(count.saturating_sub(1)) {
        Some(_) => Ok(()),
        None => Err(format!(
            "seeds {first} and the {} after it do not fit in a u64; pick a lower --seed",
            count.saturating_sub(1)
        )),
    }
}

/// Runs one seed, catching a panic.
pub fn run_one(scenario: &Scenario, seed: u64, twice: bool) -> SeedResult {
    let world = sim_scenario::world_config(scenario);
    let first = match panic::catch(|| {
        crate::self_test::panic_point(seed);
        sim_scenario::run_seed(&world, seed)
    }) {
        Ok(o) => o,
        Err(message) => return SeedResult::Panicked { seed, message },
    };
    if twice {
        let again = crate::self_test::second_run_seed(seed);
        match panic::catch(|| sim_scenario::run_seed(&world, again)) {
            Ok(o) if o.trace_hash != first.trace_hash => {
                return SeedResult::Nondeterministic {
                    seed,
                    first: first.trace_hash,
                    second: o.trace_hash,
                };
            }
            Ok(_) => {}
            Err(message) => return SeedResult::Panicked { seed, message },
        }
    }
    SeedResult::Ran(Box::new(first))
}

/// Runs seeds `first..first+count` on `jobs` threads. `before(seed)` is called on the
/// seed's thread just before it runs (to print its line, `announce.rs`).
/// `stop_after(result)` returning true stops seeds after that one from starting (seeds
/// before it still finish), so the result is the same for any `jobs`. Results are in seed
/// order.
pub fn run_many(
    scenario: &Scenario,
    (first, count): (u64, u64),
    jobs: usize,
    twice: bool,
    before: &(dyn Fn(u64) + Sync),
    stop_after: &(dyn Fn(&SeedResult) -> bool + Sync),
) -> Vec<SeedResult> {
    let next = AtomicU64::new(0);
    let stop_at = AtomicU64::new(u64::MAX);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let stopped = k > stop_at.load(Ordering::SeqCst);
                    if k >= count || stopped || crate::interrupt::interrupted() {
                        return;
                    }
                    let seed = first.wrapping_add(k);
                    before(seed);
                    let r = run_one(scenario, seed, twice);
                    if stop_after(&r) {
                        stop_at.fetch_min(k, Ordering::SeqCst);
                    }
                    results.lock().expect("results lock").push((k, r));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results lock");
    let cut = stop_at.load(Ordering::SeqCst);
    results.retain(|(k, _)| *k <= cut);
    results.sort_by_key(|(k, _)| *k);
    results.into_iter().map(|(_, r)| r).collect()
}
