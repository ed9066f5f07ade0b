//! `bench`: the performance figures, measured in one process so their ratios hold on a
//! noisy machine — the kernel's physical limit (a bare event queue with one ChaCha8 draw
//! per event), then whole-cluster simulation of the crash scenario, one seed at a time on
//! one core: events per second, simulated seconds per wall second, seeds per second —
//! and the same seeds on one thread and on `--jobs` threads, for the speed-up of running
//! seeds in parallel (each seed still on one thread, as `run --jobs` does). `--rounds N`
//! measures the kernel and the cluster N times in turns and reports the medians, the
//! figure to quote from a shared machine. `--scale` measures how cost grows with a run's
//! length instead (`scale.rs`).

use crate::Exit;
use crate::cli::BenchArgs;
use crate::expect::median;
use sim_core::{EventQueue, RngStreams, SimDuration};
use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The crash scenario the figures are quoted for.
const CRASH_SCENARIO: &str = include_str!("../../../scenarios/sync-crashes.toml");

pub fn bench(args: BenchArgs) -> anyhow::Result<Exit> {
    if let Some(seconds) = args.scale_one {
        return super::scale::one(&args, seconds);
    }
    if args.scale {
        return super::scale::scale(&args);
    }
    let kernel = kernel_events_per_s(args.kernel_events);
    println!(
        "kernel: event queue pop+push with one ChaCha8 draw, 256 pending: {:.1} M events/s",
        kernel / 1e6
    );
    let mut scenarios = Vec::new();
    for p in &args.scenario {
        match sim_scenario::load(p) {
            Ok(s) => scenarios.push((p.display().to_string(), s)),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(Exit::Usage);
            }
        }
    }
    if scenarios.is_empty() {
        scenarios.push((
            "scenarios/sync-crashes.toml (built in)".to_string(),
            sim_scenario::parse_str(CRASH_SCENARIO, "sync-crashes.toml")?,
        ));
    }
    for (i, (name, scenario)) in scenarios.iter().enumerate() {
        let mut rounds = Vec::with_capacity(usize::from(args.rounds));
        for r in 0..args.rounds {
            // With rounds, each round measures the kernel again just before its cluster
            // run, so that the two share the machine's mood of the moment; the first
            // round of the first scenario reuses the line printed above, and a single
            // round of any scenario is taken against it.
            let kernel = if r == 0 && (i == 0 || args.rounds == 1) {
                kernel
            } else {
                kernel_events_per_s(args.kernel_events)
            };
            rounds.push((kernel, cluster_run(scenario, args.seeds)));
        }
        print_cluster(name, scenario, args.seeds, &rounds);
        if args.jobs > 1 {
            parallel(scenario, args.seeds, usize::from(args.jobs));
        }
    }
    Ok(Exit::Ok)
}

/// The same seeds on one thread, then on `jobs` threads taking seeds one at a time: the
/// wall time of each and their ratio, and a check that every seed's trace hash is the
/// same in both (the threads share nothing but the seed counter).
fn parallel(scenario: &sim_scenario::Scenario, seeds: u64, jobs: usize) {
    let config = sim_scenario::world_config(scenario);
    let first = scenario.run.seed;
    let (one_s, one) = timed_seeds(&config, first, seeds, 1);
    let (many_s, many) = timed_seeds(&config, first, seeds, jobs);
    assert_eq!(
        one, many,
        "the trace hashes of a seed differ between one thread and {jobs}"
    );
    println!(
        "  --jobs {jobs} vs --jobs 1, the same {seeds} seeds: {many_s:.2} s vs {one_s:.2} s wall, {:.2}x (same trace hashes; {} cores available)",
        one_s / many_s,
        crate::seeds::jobs(None)
    );
}

/// Runs seeds `first..first+count` on `jobs` threads; the wall seconds, and every seed's
/// trace hash in seed order.
fn timed_seeds(
    config: &sim_cluster::WorldConfig,
    first: u64,
    count: u64,
    jobs: usize,
) -> (f64, Vec<String>) {
    let next = AtomicU64::new(0);
    let hashes = Mutex::new(vec![String::new(); count as usize]);
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= count {
                        return;
                    }
                    let o = sim_scenario::run_seed(config, first + k);
                    hashes.lock().expect("hashes lock")[k as usize] = o.trace_hash;
                }
            });
        }
    });
    let wall = t0.elapsed().as_secs_f64();
    (wall, hashes.into_inner().expect("hashes lock"))
}

/// One measurement of a scenario's seeds, one after another on one core.
struct ClusterRun {
    events: u64,
    sim_s: f64,
    wall_s: f64,
    allocs: u64,
}

impl ClusterRun {
    fn events_per_s(&self) -> f64 {
        self.events as f64 / self.wall_s
    }
}

fn cluster_run(scenario: &sim_scenario::Scenario, seeds: u64) -> ClusterRun {
    let first = scenario.run.seed;
    let config = sim_scenario::world_config(scenario);
    let allocs0 = crate::alloc_count::allocations();
    let t0 = Instant::now();
    let (mut events, mut sim_s) = (0u64, 0.0f64);
    for seed in first..first + seeds {
        let o = sim_scenario::run_seed(&config, seed);
        events += o.events;
        sim_s += o.end_time.as_secs_f64();
    }
    let wall_s = t0.elapsed().as_secs_f64();
    ClusterRun {
        events,
        sim_s,
        wall_s,
        allocs: crate::alloc_count::allocations() - allocs0,
    }
}

/// The figures of one scenario: of its one round, or of each round and their medians
/// (`--rounds`), each round's share of the kernel's limit taken against the kernel
/// measured just before it.
fn print_cluster(
    name: &str,
    scenario: &sim_scenario::Scenario,
    seeds: u64,
    rounds: &[(f64, ClusterRun)],
) {
    let (_, first) = &rounds[0];
    println!(
        "cluster: {name}, {} nodes, {} mode, implementation {}",
        scenario.cluster.nodes,
        sim_scenario::Named::name(scenario.cluster.mode),
        sim_scenario::Named::name(scenario.cluster.implementation)
    );
    // Every round runs the same seeds, so the same events: the rates follow from the
    // median wall time, and agree with each other for any count of rounds.
    let (events, sim_s) = (first.events, first.sim_s);
    let shares: Vec<f64> = rounds
        .iter()
        .map(|(kernel, r)| 100.0 * r.events_per_s() / kernel)
        .collect();
    let wall_s = median(rounds.iter().map(|(_, r)| r.wall_s).collect());
    let eps = events as f64 / wall_s;
    if rounds.len() == 1 {
        println!(
            "  {seeds} seeds, {events} events, {sim_s:.0} simulated s in {wall_s:.2} wall s (one core)"
        );
        println!(
            "  {:.2} M events/s   {:.0}x real time   {:.1} seeds/s",
            eps / 1e6,
            sim_s / wall_s,
            seeds as f64 / wall_s
        );
        println!("  {:.1}% of the kernel's limit", shares[0]);
    } else {
        println!(
            "  {seeds} seeds, {events} events, {sim_s:.0} simulated s a round (one core), {} rounds:",
            rounds.len()
        );
        for (k, ((kernel, r), share)) in rounds.iter().zip(&shares).enumerate() {
            println!(
                "  round {}: {:.2} M events/s in {:.2} wall s, kernel {:.1} M events/s, {share:.1}% of it",
                k + 1,
                r.events_per_s() / 1e6,
                r.wall_s,
                kernel / 1e6
            );
        }
        let fastest_s = rounds
            .iter()
            .map(|(_, r)| r.wall_s)
            .fold(f64::MAX, f64::min);
        println!(
            "  median {:.2} M events/s (best {:.2})   {:.0}x real time   {:.1} seeds/s",
            eps / 1e6,
            events as f64 / fastest_s / 1e6,
            sim_s / wall_s,
            seeds as f64 / wall_s
        );
        println!(
            "  median {:.1}% of the kernel's limit (each round against its own kernel)",
            median(shares)
        );
    }
    println!(
        "  {:.2} heap allocations per event ({} in all: message bodies, trace lines of faults, set-up)",
        first.allocs as f64 / events.max(1) as f64,
        first.allocs
    );
}

/// Events per second of a bare queue holding 256 events: pop one, draw one ChaCha8 value,
/// push one. What no simulation built on this kernel can beat.
fn kernel_events_per_s(n: u64) -> f64 {
    let mut rng = RngStreams::new(1).stream("bench");
    let mut q: EventQueue<u64> = EventQueue::new(1024);
    for i in 0..256 {
        q.push(q.now().after(SimDuration::from_ns(rng.below(1_000_000))), i);
    }
    let t0 = Instant::now();
    for _ in 0..n {
        let (now, ev) = q.pop().expect("never empty");
        let d = SimDuration::from_ns(rng.below(1_000_000));
        q.push(now.after(d), black_box(ev));
    }
    n as f64 / t0.elapsed().as_secs_f64()
}
