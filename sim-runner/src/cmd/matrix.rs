//! `matrix FILES...`: the mutation matrix of the bug catalogue. Each mutant scenario runs
//! over the same seeds with its bug, and again with `bug = "none"` (the control); a row
//! says which invariants fired on how many seeds, and the median number of seeds to the
//! first detection — counting every invariant, and without the durability-hazard checker.
//! With `--explore`, a small variant of each mutant's scenario is also explored
//! (`explore/`: every crash point of one node, then a power loss of the whole cluster at
//! each), and the row says what that found and in how much wall time; the seed columns
//! give the wall time until the first detecting seed, run in order. The small variant is
//! `scenarios/explore/NAME-small.toml` beside the bug scenario `scenarios/bugs/NAME.toml`
//! when that file exists and names the same bug (a small scenario made for the mutant);
//! otherwise it is derived from the bug scenario (`explore::small_variant`).
//! docs/mutation-matrix.md is this command's output, not typed.

use crate::Exit;
use crate::cli::MatrixArgs;
use crate::load::load_all;
use crate::panic;
use crate::seeds::{self, SeedResult};
use sim_scenario::{Bug, Invariant, Named};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

pub fn matrix(args: MatrixArgs) -> anyhow::Result<Exit> {
    let Some(loaded) = load_all(&args.files) else {
        return Ok(Exit::Usage);
    };
    let jobs = args.jobs.threads();
    panic::install_quiet_hook();
    let mut rows = Vec::new();
    let mut panics = 0;
    for (k, l) in loaded.iter().enumerate() {
        let s = &l.scenario;
        // The table comes at the end: say on stderr what is running meanwhile.
        eprintln!("matrix: {} ({} of {})", s.name, k + 1, loaded.len());
        let count = args.seeds.unwrap_or(s.run.seeds);
        let first = s.run.seed;
        let run = |s| seeds::run_many(s, (first, count), jobs, false, &|_| {}, &|_| false);
        let started = Instant::now();
        let mutant = run(s);
        let seeds_wall = started.elapsed();
        let mut control = s.clone();
        control.cluster.bug = Bug::None;
        let control = run(&control);
        panics += [&mutant, &control]
            .iter()
            .flat_map(|rs| rs.iter())
            .filter(|r| matches!(r, SeedResult::Panicked { .. }))
            .count() as u64;
        let (mutant, control) = (detections(&mutant), detections(&control));
        // Seeds run in parallel: the time to the first detection, as if run in order, is
        // the time per seed times the seeds up to the first that detects.
        let per_seed = seeds_wall.as_secs_f64() * jobs as f64 / count.max(1) as f64;
        let first_detection = mutant
            .iter()
            .position(|inv| !inv.is_empty())
            .map(|k| per_seed * (k + 1) as f64);
        let explored = args
            .explore
            .then(|| explored(&small_scenario(&l.path, s), jobs));
        rows.push(Row {
            name: s.name.clone(),
            bug: s.cluster.bug,
            mode: s.cluster.mode.name(),
            seeds: count,
            mutant,
            control,
            first_detection_s: first_detection,
            explored,
        });
    }
    print!("{}", table(&rows));
    let escaped = rows.iter().filter(|r| r.caught().is_none()).count();
    let noisy = rows.iter().filter(|r| !clean(&r.control)).count();
    eprintln!(
        "{} mutants, {} caught, {escaped} not caught; {noisy} controls with a violation",
        rows.len(),
        rows.len() - escaped
    );
    if panics > 0 {
        eprintln!(
            "the simulator panicked on {} (a bug of the simulator: please report it)",
            crate::report::count(panics, "seed")
        );
    }
    Ok(Exit::of(0, panics, noisy > 0))
}

/// Per seed (in order), the invariants that fired; a panic counts as no detection.
type Detections = Vec<Vec<Invariant>>;

fn detections(results: &[SeedResult]) -> Detections {
    results
        .iter()
        .map(|r| match r {
            SeedResult::Ran(o) => o.invariants().collect(),
            _ => Vec::new(),
        })
        .collect()
}

struct Row {
    name: String,
    bug: Bug,
    mode: &'static str,
    seeds: u64,
    mutant: Detections,
    /// The same seeds with `bug = "none"`: must find nothing.
    control: Detections,
    /// Wall seconds until the first detecting seed, seeds run in order.
    first_detection_s: Option<f64>,
    /// What exploring the small variant found (with `--explore`).
    explored: Option<String>,
}

/// Writes in the small variant `explore` runs on.
const EXPLORE_WRITES: u64 = 20;
/// Seeds of the small variant explored, one after another, until one finds a violation.
const EXPLORE_SEEDS: u64 = 5;
/// The bound on runs of one exploration in the matrix.
const EXPLORE_RUNS_MAX: u64 = 5_000;

/// The small scenario the matrix explores for the bug scenario `s` read from `path`: the
/// bundled `../explore/NAME-small.toml` when it exists and names the same bug, else the
/// variant derived from `s`.
fn small_scenario(path: &Path, s: &sim_scenario::Scenario) -> sim_scenario::Scenario {
    let made = path
        .file_stem()
        .and_then(|stem| {
            let dir = path.parent()?.parent()?.join("explore");
            Some(dir.join(format!("{}-small.toml", stem.to_string_lossy())))
        })
        .filter(|p| p.is_file())
        .and_then(|p| sim_scenario::load(&p).ok())
        .filter(|small| small.cluster.bug == s.cluster.bug);
    made.unwrap_or_else(|| crate::explore::small_variant(s, EXPLORE_WRITES))
}

/// Explores `small`, a mutant's small scenario: one node at every crash point, then a power
/// loss of the whole cluster at every point; the first that finds a violation other than a
/// durability hazard (else the first that finds a hazard) says what, where, and how long the
/// exploration took until then.
fn explored(small: &sim_scenario::Scenario, jobs: usize) -> String {
    let config = sim_scenario::world_config(small);
    let started = Instant::now();
    let mut scopes = Vec::new();
    let mut hazard_only = None;
    let mut runs = BTreeMap::new();
    let scopes_seeds = (0..EXPLORE_SEEDS).flat_map(|k| [(k, false), (k, true)]);
    for (k, power_loss) in scopes_seeds {
        let seed = small.run.seed + k;
        let e =
            crate::explore::explore_world(&config, seed, EXPLORE_RUNS_MAX, 16, power_loss, jobs);
        let scope = format!(
            "{}, seed {seed}",
            if power_loss { "power loss" } else { "one node" }
        );
        let mut found = e.runs_by_invariant();
        let text = |found: &BTreeMap<Invariant, u64>| {
            let what: Vec<&str> = found.keys().map(|i| i.name()).collect();
            let runs = e
                .findings
                .iter()
                .filter(|(_, is, _)| is.iter().any(|i| found.contains_key(i)))
                .count();
            format!(
                "{} ({scope}, {runs} of {} runs, {:.2} s)",
                what.join(", "),
                e.runs,
                started.elapsed().as_secs_f64()
            )
        };
        let hazard = found.remove(&Invariant::DurabilityHazard);
        if !found.is_empty() {
            return text(&found);
        }
        if let Some(n) = hazard {
            hazard_only
                .get_or_insert_with(|| text(&BTreeMap::from([(Invariant::DurabilityHazard, n)])));
        }
        *runs.entry(power_loss).or_insert(0) += e.runs;
    }
    for (power_loss, n) in runs {
        let scope = if power_loss { "power loss" } else { "one node" };
        scopes.push(format!("{scope}: {n} runs"));
    }
    hazard_only.unwrap_or_else(|| {
        format!(
            "nothing ({} over {EXPLORE_SEEDS} seeds, {:.2} s)",
            scopes.join(", "),
            started.elapsed().as_secs_f64()
        )
    })
}

impl Row {
    fn caught(&self) -> Option<f64> {
        median_seeds_to_detection(&self.mutant, |_| true)
    }
}

/// Whether no seed detected anything.
fn clean(d: &Detections) -> bool {
    d.iter().all(|inv| inv.is_empty())
}

/// Over every starting seed of the range, the number of seeds run until one detects (that
/// seed included), the range taken as a circle so that every start reaches a detection
/// and late starts are not dropped; the median of those. `None` when no seed detects.
pub fn median_seeds_to_detection(
    d: &Detections,
    counts: impl Fn(Invariant) -> bool,
) -> Option<f64> {
    let hit: Vec<usize> = d
        .iter()
        .enumerate()
        .filter(|(_, inv)| inv.iter().any(|i| counts(*i)))
        .map(|(k, _)| k)
        .collect();
    let n = d.len();
    let first = *hit.first()?;
    let mut distances: Vec<usize> = (0..n)
        .map(|start| match hit.iter().find(|h| **h >= start) {
            Some(h) => h - start + 1,
            None => n - start + first + 1,
        })
        .collect();
    distances.sort_unstable();
    let m = distances.len();
    Some(if m % 2 == 1 {
        distances[m / 2] as f64
    } else {
        (distances[m / 2 - 1] + distances[m / 2]) as f64 / 2.0
    })
}

fn fired(d: &Detections) -> String {
    let mut counts: BTreeMap<Invariant, u64> = BTreeMap::new();
    for inv in d.iter().flatten() {
        *counts.entry(*inv).or_default() += 1;
    }
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(i, n)| format!("{} {n}", i.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn median_text(m: Option<f64>) -> String {
    m.map_or("not caught".into(), |v| format!("{v}"))
}

fn table(rows: &[Row]) -> String {
    let mut t = String::new();
    let explore = rows.iter().any(|r| r.explored.is_some());
    let _ = writeln!(
        t,
        "| mutant | mode | seeds | invariants fired (seeds) | median seeds to detection | without the hazard checker |{} control (bug = none) |",
        if explore {
            " wall time to the first finding | explore (small variant) |"
        } else {
            ""
        }
    );
    let _ = writeln!(
        t,
        "|---|---|---:|---|---:|---:|{}---|",
        if explore { "---:|---|" } else { "" }
    );
    for r in rows {
        let without = median_seeds_to_detection(&r.mutant, |i| i != Invariant::DurabilityHazard);
        let explore_cells = match &r.explored {
            Some(e) => format!(
                " {} | {e} |",
                r.first_detection_s
                    .map_or("—".to_string(), |s| format!("{:.3} s", s))
            ),
            None => String::new(),
        };
        let _ = writeln!(
            t,
            "| `{}`{} | {} | {} | {} | {} | {} |{} {} |",
            r.bug.name(),
            if r.name == r.bug.name() {
                String::new()
            } else {
                format!(" ({})", r.name)
            },
            r.mode,
            r.seeds,
            fired(&r.mutant),
            median_text(r.caught()),
            median_text(without),
            explore_cells,
            fired(&r.control)
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_counts_the_seeds_run_until_a_detection() {
        let d = |hits: &[bool]| -> Detections {
            hits.iter()
                .map(|h| {
                    if *h {
                        vec![Invariant::DurabilityLoss]
                    } else {
                        vec![]
                    }
                })
                .collect()
        };
        // Detections at seeds 2 and 4 (1-based): from starts 1..=4 the distances are 2,1,2,1.
        assert_eq!(
            median_seeds_to_detection(&d(&[false, true, false, true]), |_| true),
            Some(1.5)
        );
        // One detection at seed 2 of 4, on a circle: 2, 1, 4, 3.
        assert_eq!(
            median_seeds_to_detection(&d(&[false, true, false, false]), |_| true),
            Some(2.5)
        );
        assert_eq!(
            median_seeds_to_detection(&d(&[true, true, true]), |_| true),
            Some(1.0)
        );
        assert_eq!(
            median_seeds_to_detection(&d(&[false, false]), |_| true),
            None
        );
        let hazard_only = vec![vec![Invariant::DurabilityHazard]];
        assert_eq!(
            median_seeds_to_detection(&hazard_only, |i| i != Invariant::DurabilityHazard),
            None
        );
    }
}
