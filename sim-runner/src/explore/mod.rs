//! `explore FILE`: every crash point of a small scenario, in a fixed order. One seed of the
//! scenario runs once to count each node's disk-I/O boundaries (sim-cluster's
//! `crash_point.rs`); then, for every node and every boundary it crosses during the
//! workload, the same seed runs again with that node crashed right there, and — under a
//! crash model that keeps part of what was unflushed — once more per further outcome the
//! crash model allows at that point (every subset of the unflushed sector writes under
//! keep-random-subset, every torn sector under torn-tail), up to `--outcomes-max` per point.
//! Each run goes to the end with the crashed node restarted, and is judged by every checker.
//!
//! A durability hazard is a loss waiting for a second failure: every run whose crash
//! opened a hazard (and lost nothing) is followed up, once per later boundary of every
//! node, with a power loss of the whole cluster there — the crash that turns the hazard
//! into a loss, if one does.
//!
//! CrashMonkey and ACE (OSDI'18) found new file-system bugs by enumerating crash points of
//! small workloads; here the points are those of a Raft cluster on simulated timing.
//! A bound on the number of runs keeps it finite; hitting it is said, and counts as not
//! having explored everything.

pub mod point;

use crate::Exit;
use crate::cli::ExploreArgs;
use crate::load::shown;
use crate::panic;
use crate::pool;
use sim_cluster::{BoundaryReport, CrashPoint, RunOptions, RunOutcome, WorldConfig};
use sim_core::NodeId;
use sim_scenario::Scenario;
use sim_trace::Invariant;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Findings printed in full; the rest are counted.
const FINDINGS_SHOWN_MAX: usize = 5;

/// The crash points of one run, in order: one, or a crash and the power loss after it.
pub type Schedule = Vec<CrashPoint>;

/// The result of one crash-point run.
enum PointRun {
    Ran {
        /// What the run counted: the outcomes its first crash had (`None`: the point was
        /// not reached), and each node's boundaries.
        report: BoundaryReport,
        invariants: Vec<Invariant>,
        first: Option<String>,
    },
    Panicked(String),
}

/// Runs `scenario`'s seed `seed` crashing at `points` (none: only counting boundaries).
fn run_point(config: &WorldConfig, seed: u64, points: &[CrashPoint]) -> Result<RunOutcome, String> {
    let options = RunOptions {
        count_boundaries: true,
        crash_points: points.to_vec(),
        ..RunOptions::default()
    };
    panic::catch(|| sim_scenario::run_world(config.clone(), seed, options, None))
}

fn judged(r: Result<RunOutcome, String>) -> PointRun {
    match r {
        Ok(o) => PointRun::Ran {
            report: o.boundaries.clone().unwrap_or_default(),
            invariants: o.invariants().collect(),
            first: o
                .violations
                .iter()
                .min_by_key(|v| v.invariant.severity_rank())
                .map(|v| v.to_string()),
        },
        Err(m) => PointRun::Panicked(m),
    }
}

/// Runs every schedule of `points` on `jobs` threads; results in the order of `points`.
fn run_all(config: &WorldConfig, seed: u64, points: &[Schedule], jobs: usize) -> Vec<PointRun> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<PointRun>>> =
        Mutex::new((0..points.len()).map(|_| None).collect());
    pool::stream(
        jobs,
        &|| {
            let i = next.fetch_add(1, Ordering::SeqCst);
            (i < points.len()).then_some(i)
        },
        &|i| (i, judged(run_point(config, seed, &points[i]))),
        |(i, r)| {
            results
                .lock()
                .expect("no thread panics holding the results")[i] = Some(r);
        },
    );
    results
        .into_inner()
        .expect("no thread panics holding the results")
        .into_iter()
        .map(|r| r.expect("every point ran"))
        .collect()
}

/// What an exploration did and found.
pub struct Exploration {
    pub points_total: usize,
    /// Points run (with their first outcome), and of those the ones the run reached.
    pub points_run: usize,
    pub points_reached: usize,
    pub runs: usize,
    pub outcomes_total: u64,
    /// Runs that followed a hazard up with a power loss at a later boundary.
    pub follow_ups: usize,
    /// The bound on runs left points, outcomes or follow-ups unexplored.
    pub incomplete: bool,
    /// What the run without a crash point violated.
    pub baseline: Vec<Invariant>,
    /// Schedules whose run violated an invariant: what, and the most severe finding.
    pub findings: Vec<(Schedule, Vec<Invariant>, String)>,
    /// Schedules whose run panicked (an empty one: the run without a crash point).
    pub panics: Vec<(Schedule, String)>,
    pub per_node: Vec<u64>,
}

impl Exploration {
    /// Per invariant, the runs whose findings include it.
    pub fn runs_by_invariant(&self) -> BTreeMap<Invariant, u64> {
        let mut counts = BTreeMap::new();
        for i in self.findings.iter().flat_map(|(_, is, _)| is) {
            *counts.entry(*i).or_default() += 1;
        }
        counts
    }
}

/// Explores seed `seed` of `config`: every crash point (one node, or the whole cluster
/// with `power_loss`), every outcome up to `outcomes_max` per point, at most `runs_max`
/// runs, on `jobs` threads. The order of runs and of what is reported is fixed.
pub fn explore_world(
    config: &WorldConfig,
    seed: u64,
    runs_max: u64,
    outcomes_max: u64,
    power_loss: bool,
    jobs: usize,
) -> Exploration {
    let mut e = Exploration {
        points_total: 0,
        points_run: 0,
        points_reached: 0,
        runs: 0,
        outcomes_total: 0,
        follow_ups: 0,
        incomplete: false,
        baseline: Vec::new(),
        findings: Vec::new(),
        panics: Vec::new(),
        per_node: Vec::new(),
    };
    let baseline = match run_point(config, seed, &[]) {
        Ok(o) => o,
        Err(m) => {
            e.panics.push((Vec::new(), m));
            return e;
        }
    };
    e.baseline = baseline.invariants().collect();
    e.per_node = baseline
        .boundaries
        .as_ref()
        .map(|b| b.boundaries.clone())
        .unwrap_or_default();
    let points: Vec<CrashPoint> = e
        .per_node
        .iter()
        .enumerate()
        .flat_map(|(n, &count)| {
            (1..=count).map(move |boundary| CrashPoint {
                node: NodeId::from_index(n),
                boundary,
                outcome: 0,
                whole_cluster: power_loss,
                last_up: None,
                at_commit: false,
            })
        })
        .collect();
    e.points_total = points.len();
    let mut budget = usize::try_from(runs_max).unwrap_or(usize::MAX);
    let first_pass: Vec<Schedule> = points.iter().take(budget).map(|p| vec![*p]).collect();
    budget -= first_pass.len();
    let first = run_all(config, seed, &first_pass, jobs);
    // Further outcomes of the points whose crash had several, in point order.
    let mut more: Vec<Schedule> = Vec::new();
    for (p, r) in first_pass.iter().zip(&first) {
        let PointRun::Ran {
            report: BoundaryReport {
                outcomes: Some(n), ..
            },
            ..
        } = r
        else {
            continue;
        };
        e.points_reached += 1;
        let explored = (*n).min(outcomes_max);
        e.outcomes_total += explored;
        more.extend((1..explored).map(|outcome| vec![CrashPoint { outcome, ..p[0] }]));
    }
    e.points_run = first_pass.len();
    e.incomplete = more.len() > budget || first_pass.len() < points.len();
    more.truncate(budget);
    budget -= more.len();
    let second = run_all(config, seed, &more, jobs);
    let mut runs: Vec<(Schedule, PointRun)> = first_pass
        .into_iter()
        .zip(first)
        .chain(more.into_iter().zip(second))
        .collect();
    // A hazard the run without a crash point does not have is followed up with a power
    // loss at every later boundary of every node.
    let mut follow: Vec<Schedule> = Vec::new();
    if !e.baseline.contains(&Invariant::DurabilityHazard) {
        for (schedule, r) in &runs {
            match r {
                PointRun::Ran {
                    report, invariants, ..
                } if invariants == &[Invariant::DurabilityHazard] => {
                    follow.extend(later_power_losses(schedule[0], report));
                }
                _ => {}
            }
        }
    }
    e.incomplete |= follow.len() > budget;
    follow.truncate(budget);
    e.follow_ups = follow.len();
    let third = run_all(config, seed, &follow, jobs);
    runs.extend(follow.into_iter().zip(third));
    for (schedule, r) in runs {
        e.runs += 1;
        match r {
            PointRun::Ran {
                invariants, first, ..
            } if !invariants.is_empty() => {
                e.findings
                    .push((schedule, invariants, first.unwrap_or_default()));
            }
            PointRun::Panicked(m) => e.panics.push((schedule, m)),
            PointRun::Ran { .. } => {}
        }
    }
    e
}

/// After crash point `first`, whose run counted `report`: a power loss of the whole cluster
/// at each later boundary of each node (outcome 0), then at each later commit step of each
/// node (where a hazard opens, and its window may hold no boundary), once per node that
/// comes back last — the others elect a leader without it, which is how the one durable
/// copy of an entry is outvoted. Boundaries before commit steps; within each, by node, then
/// step, then the node last up.
fn later_power_losses(first: CrashPoint, report: &BoundaryReport) -> Vec<Schedule> {
    let (Some(boundaries_before), Some(commits_before)) = (
        &report.boundaries_at_first_point,
        &report.commits_at_first_point,
    ) else {
        return Vec::new();
    };
    let nodes = report.boundaries.len();
    let mut out = Vec::new();
    let kinds = [
        (false, &report.boundaries, boundaries_before),
        (true, &report.commits, commits_before),
    ];
    for (at_commit, totals, befores) in kinds {
        for (n, (&total, &before)) in totals.iter().zip(befores).enumerate() {
            for boundary in before + 1..=total {
                for last in 0..nodes {
                    let then = CrashPoint {
                        node: NodeId::from_index(n),
                        boundary,
                        outcome: 0,
                        whole_cluster: true,
                        last_up: Some(NodeId::from_index(last)),
                        at_commit,
                    };
                    out.push(vec![first, then]);
                }
            }
        }
    }
    out
}

pub fn explore(args: ExploreArgs) -> anyhow::Result<Exit> {
    let scenario = match sim_scenario::load(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(Exit::Usage);
        }
    };
    let seed = args.seed.unwrap_or(scenario.run.seed);
    let config = sim_scenario::world_config(&scenario);
    panic::install_quiet_hook();
    let file = shown(&args.file);
    println!(
        "explore {} (seed {seed}, {} nodes, crash model {}): {} at every disk-I/O boundary of every node during the workload",
        scenario.name,
        scenario.cluster.nodes,
        sim_scenario::Named::name(scenario.disk.crash),
        if args.power_loss {
            "the whole cluster loses power"
        } else {
            "that node crashes"
        },
    );
    let (mut panics, mut failed) = (0u64, false);
    let mut runs_left = args.runs_max;
    for seed in seed..seed.saturating_add(args.seeds) {
        let e = explore_world(
            &config,
            seed,
            runs_left,
            args.outcomes_max,
            args.power_loss,
            args.jobs.threads(),
        );
        runs_left = runs_left.saturating_sub(e.runs as u64);
        println!("seed {seed}:");
        report(&file, seed, &e, &args);
        panics += e.panics.len() as u64;
        failed |= !e.findings.is_empty() || !e.baseline.is_empty() || e.incomplete;
        if runs_left == 0 {
            break;
        }
    }
    Ok(Exit::of(0, panics, failed))
}

/// Prints coverage and findings.
fn report(file: &str, seed: u64, e: &Exploration, args: &ExploreArgs) {
    let per_node: Vec<String> = e
        .per_node
        .iter()
        .enumerate()
        .map(|(n, c)| format!("node {} {c}", NodeId::from_index(n)))
        .collect();
    println!(
        "  {} crash points ({}); at most {} runs, {} outcomes per point",
        e.points_total,
        per_node.join(", "),
        args.runs_max,
        args.outcomes_max
    );
    println!(
        "  explored {} of {} crash points ({} reached), {} runs, {} crash outcomes{}{}",
        e.points_run,
        e.points_total,
        e.points_reached,
        e.runs,
        e.outcomes_total,
        if e.follow_ups > 0 {
            format!(
                ", {} of them power losses following up a hazard",
                e.follow_ups
            )
        } else {
            String::new()
        },
        if e.incomplete {
            " — the bound on runs was hit: raise --runs-max to explore the rest"
        } else {
            ""
        }
    );
    if !e.baseline.is_empty() {
        let names: Vec<&str> = e.baseline.iter().map(|i| i.name()).collect();
        println!(
            "  the run without a crash point already violates: {}",
            names.join(", ")
        );
        println!("  reproduce: sim-runner repro {file} --seed {seed}");
    }
    if e.findings.is_empty() {
        println!("  no crash point violates an invariant");
    } else {
        let by_invariant = e.runs_by_invariant();
        let kinds: Vec<String> = by_invariant
            .iter()
            .map(|(i, n)| format!("{} on {}", i.name(), crate::report::count(*n, "run")))
            .collect();
        println!("  found: {}", kinds.join(", "));
        // The most severe first (a loss before a hazard), then in point order.
        let mut shown: Vec<&(Schedule, Vec<Invariant>, String)> = e.findings.iter().collect();
        shown.sort_by_key(|(_, is, _)| is.iter().map(|i| i.severity_rank()).min());
        for (p, _, first) in shown.into_iter().take(FINDINGS_SHOWN_MAX) {
            let points = if p.len() == 1 { "point" } else { "points" };
            println!("  crash {points} {}: {first}", point::schedule_text(p));
            println!(
                "    reproduce: sim-runner repro {file} --seed {seed}{}",
                point::flags(p)
            );
        }
        if e.findings.len() > FINDINGS_SHOWN_MAX {
            println!("  ... and {} more", e.findings.len() - FINDINGS_SHOWN_MAX);
        }
    }
    for (p, m) in &e.panics {
        let at = if p.is_empty() {
            String::new()
        } else {
            format!(" at crash point {}", point::schedule_text(p))
        };
        println!(
            "  the simulator panicked{at}: {m}\n    reproduce: sim-runner repro {file} --seed {seed}{}",
            point::flags(p)
        );
    }
}

/// A small variant of a scenario for exploration: the same cluster, mode, mutant, disk and
/// network, without random crashes or partitions (the crash points are the faults), about
/// `writes` client operations spread over one second after a first election, and the
/// scenario's heal phase (at least 3 s) to converge in.
pub fn small_variant(s: &Scenario, writes: u64) -> Scenario {
    let mut small = s.clone();
    small.faults.crash_rate_per_s = 0.0;
    small.faults.partition_rate_per_s = 0.0;
    small.faults.schedule.clear();
    // The first election takes up to an election timeout or two; then one second of load.
    let election_ms = 2 * small.raft.election_timeout_ms.max;
    small.run.duration_ms = election_ms + 1_000;
    small.workload.write_rate_per_s = writes as f64 * small.run.duration_ms as f64 / 1_000.0;
    small.workload.clients = small.workload.clients.clamp(1, 4);
    small.run.heal_ms = small.run.heal_ms.max(3_000);
    small
}
