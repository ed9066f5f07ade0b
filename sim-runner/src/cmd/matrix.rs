//! `matrix FILES...`: the mutation matrix of the bug catalogue. Each mutant scenario runs
//! over the same seeds with its bug, and again with `bug = "none"` (the control); a row
//! says which invariants fired on how many seeds, and the median number of seeds to the
//! first detection — counting every invariant, and without the durability-hazard checker.
//! docs/mutation-matrix.md is this command's output, not typed.

use crate::Exit;
use crate::cli::MatrixArgs;
use crate::load::load_all;
use crate::panic;
use crate::seeds::{self, SeedResult};
use sim_scenario::{Bug, Invariant, Named};
use std::collections::BTreeMap;
use std::fmt::Write as _;

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
        let mutant = run(s);
        let mut control = s.clone();
        control.cluster.bug = Bug::None;
        let control = run(&control);
        panics += [&mutant, &control]
            .iter()
            .flat_map(|rs| rs.iter())
            .filter(|r| matches!(r, SeedResult::Panicked { .. }))
            .count() as u64;
        let (mutant, control) = (detections(&mutant), detections(&control));
        rows.push(Row {
            name: s.name.clone(),
            bug: s.cluster.bug,
            mode: s.cluster.mode.name(),
            seeds: count,
            mutant,
            control,
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
    let _ = writeln!(
        t,
        "| mutant | mode | seeds | invariants fired (seeds) | median seeds to detection | without the hazard checker | control (bug = none) |"
    );
    let _ = writeln!(t, "|---|---|---:|---|---:|---:|---|");
    for r in rows {
        let without = median_seeds_to_detection(&r.mutant, |i| i != Invariant::DurabilityHazard);
        let _ = writeln!(
            t,
            "| `{}`{} | {} | {} | {} | {} | {} | {} |",
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
