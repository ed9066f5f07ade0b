//! Judging a scenario's `[expect]` against what its seeds found, and the figures a report
//! shows for it.

use crate::load::{Loaded, shown};
use crate::seeds::SeedResult;
use serde::Serialize;
use sim_scenario::{Outcome, Scenario};
use std::collections::BTreeMap;

/// The seeds a scenario runs: its own `run.seed`/`run.seeds` unless overridden, and for
/// an expected violation no more than `within_seeds`.
pub fn seed_range(s: &Scenario, seed: Option<u64>, seeds: Option<u64>) -> (u64, u64) {
    let first = seed.unwrap_or(s.run.seed);
    let count = seeds.unwrap_or(s.run.seeds);
    let count = match (s.expect.outcome, s.expect.within_seeds) {
        (Outcome::Violation, Some(within)) => count.min(within),
        _ => count,
    };
    (first, count.max(1))
}

/// Whether a seed shows what an expected-violation scenario looks for.
pub fn is_expected_hit(s: &Scenario, r: &SeedResult) -> bool {
    match r {
        SeedResult::Ran(o) => s.expect.violation.iter().any(|inv| o.violated(*inv)),
        _ => false,
    }
}

/// A seed that makes a `pass` scenario fail, or the first seed that shows an expected
/// violation.
#[derive(Clone, Debug, Serialize)]
pub struct NotableSeed {
    pub seed: u64,
    pub invariants: Vec<String>,
    /// The first violation (or panic) in full.
    pub first: String,
    pub repro: String,
    pub trace_hash: Option<String>,
}

/// Aggregated figures over the seeds run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Figures {
    pub events: u64,
    pub simulated_s: f64,
    /// Median over seeds of each seed's p50 / p99; max over seeds of the max.
    pub commit_latency_p50_us: f64,
    pub commit_latency_p99_us: f64,
    pub commit_latency_max_us: f64,
    /// Mean over seeds.
    pub acked_writes_per_s: f64,
    pub writes_acked: u64,
    pub flushes: u64,
    pub messages: u64,
    pub hazard_windows: u64,
    pub seeds_hitting_max_events: u64,
    pub linearizability_undecided: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioReport {
    pub name: String,
    pub file: String,
    pub mode: String,
    pub nodes: u8,
    pub bug: String,
    pub expect: String,
    pub first_seed: u64,
    pub seeds_run: u64,
    /// Seeds on which each invariant fired.
    pub seeds_violating: BTreeMap<String, u64>,
    pub panics: u64,
    pub nondeterministic: u64,
    pub notable: Option<NotableSeed>,
    /// Every seed that failed a scenario expecting `pass`, with its repro command.
    pub seeds_failing: Vec<SeedLine>,
    pub figures: Figures,
    pub holds: bool,
    pub verdict: String,
}

/// The median of `v`: its middle value, the upper of the two middle ones for an even
/// count, 0 for none.
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn figures(results: &[SeedResult]) -> Figures {
    let ran: Vec<_> = results
        .iter()
        .filter_map(|r| {
            if let SeedResult::Ran(o) = r {
                Some(o)
            } else {
                None
            }
        })
        .collect();
    let n = ran.len().max(1) as f64;
    Figures {
        events: ran.iter().map(|o| o.events).sum(),
        simulated_s: ran.iter().map(|o| o.end_time.as_secs_f64()).sum(),
        commit_latency_p50_us: median(
            ran.iter()
                .map(|o| o.metrics.commit_latency_p50_us)
                .collect(),
        ),
        commit_latency_p99_us: median(
            ran.iter()
                .map(|o| o.metrics.commit_latency_p99_us)
                .collect(),
        ),
        commit_latency_max_us: ran
            .iter()
            .map(|o| o.metrics.commit_latency_max_us)
            .fold(0.0, f64::max),
        acked_writes_per_s: ran
            .iter()
            .map(|o| o.metrics.acked_writes_per_s)
            .sum::<f64>()
            / n,
        writes_acked: ran.iter().map(|o| o.metrics.writes_acked).sum(),
        flushes: ran.iter().map(|o| o.metrics.flushes).sum(),
        messages: ran.iter().map(|o| o.metrics.messages).sum(),
        hazard_windows: ran.iter().map(|o| o.hazards.windows).sum(),
        seeds_hitting_max_events: ran.iter().filter(|o| !o.stop.completed()).count() as u64,
        linearizability_undecided: ran
            .iter()
            .filter(|o| o.linearizability_undecided.is_some())
            .count() as u64,
    }
}

/// The one command that reproduces `seed` of the scenario at `path`.
pub fn repro_command(path: &std::path::Path, seed: u64) -> String {
    format!("sim-runner repro {} --seed {seed}", shown(path))
}

fn notable(l: &Loaded, r: &SeedResult) -> NotableSeed {
    let repro = repro_command(&l.path, r.seed());
    match r {
        SeedResult::Ran(o) => NotableSeed {
            seed: o.seed,
            invariants: o.invariants().map(|i| i.name().to_string()).collect(),
            // Its most severe violation: a loss before a hazard.
            first: o
                .violations
                .iter()
                .min_by_key(|v| v.invariant.severity_rank())
                .map(|v| v.to_string())
                .unwrap_or_default(),
            repro,
            trace_hash: Some(o.trace_hash.clone()),
        },
        SeedResult::Panicked { seed, message } => NotableSeed {
            seed: *seed,
            invariants: vec!["crash-of-simulator".into()],
            first: format!("the simulator panicked: {message}"),
            repro,
            trace_hash: None,
        },
        SeedResult::Nondeterministic {
            seed,
            first,
            second,
        } => NotableSeed {
            seed: *seed,
            invariants: vec!["nondeterminism".into()],
            first: format!("two runs gave trace hashes {first} and {second}"),
            repro,
            trace_hash: None,
        },
    }
}

/// How severe a seed's worst finding is (lower is worse): a panic or nondeterminism first,
/// then its most severe invariant; a seed with none last.
fn severity(r: &SeedResult) -> usize {
    match r {
        SeedResult::Ran(o) => o
            .invariants()
            .map(|i| i.severity_rank() + 1)
            .min()
            .unwrap_or(usize::MAX),
        _ => 0,
    }
}

/// Of `seeds` (in seed order), the first whose worst finding is the most severe.
fn most_severe<'a>(seeds: impl Iterator<Item = &'a SeedResult>) -> Option<&'a SeedResult> {
    seeds.min_by_key(|r| severity(r))
}

/// Whether a seed fails a scenario that expects `pass`: a violation the scenario does not
/// `allow`, a seed that hit `max_events` before its end (nothing after it was judged), or
/// the simulator failing.
fn failed(s: &Scenario, r: &SeedResult) -> bool {
    match r {
        SeedResult::Ran(o) => {
            o.invariants().any(|i| !s.expect.allow.contains(&i)) || !o.stop.completed()
        }
        _ => true,
    }
}

/// Whether a seed found anything at all (allowed or not): what the report shows first.
fn found_anything(r: &SeedResult) -> bool {
    match r {
        SeedResult::Ran(o) => !o.violation_counts.is_empty() || !o.stop.completed(),
        _ => true,
    }
}

/// One seed that failed (or, for an expected violation, showed it): its repro command.
#[derive(Clone, Debug, Serialize)]
pub struct SeedLine {
    pub seed: u64,
    /// The invariants that fired, or why the seed was not judged.
    pub what: Vec<String>,
    pub repro: String,
}

fn seed_line(l: &Loaded, r: &SeedResult) -> SeedLine {
    let what = match r {
        SeedResult::Ran(o) if o.stop.completed() => {
            o.invariants().map(|i| i.name().to_string()).collect()
        }
        SeedResult::Ran(o) => {
            let mut w: Vec<String> = o.invariants().map(|i| i.name().to_string()).collect();
            w.push(format!("not judged: it {}", o.stop));
            w
        }
        SeedResult::Panicked { .. } => vec!["crash-of-simulator".into()],
        SeedResult::Nondeterministic { .. } => vec!["nondeterminism".into()],
    };
    SeedLine {
        seed: r.seed(),
        what,
        repro: repro_command(&l.path, r.seed()),
    }
}

/// The allowed invariants as written: `durability-hazard|liveness`.
fn allowed_names(s: &Scenario) -> String {
    let names: Vec<&str> = s.expect.allow.iter().map(|i| i.name()).collect();
    names.join("|")
}

/// Whether the expectation holds, the verdict's words, and the seed to show.
fn verdict(
    l: &Loaded,
    results: &[SeedResult],
    names: &[&str],
) -> (bool, String, Option<NotableSeed>) {
    let s = &l.scenario;
    match s.expect.outcome {
        Outcome::Pass => match most_severe(results.iter().filter(|r| failed(s, r))) {
            None if s.expect.allow.is_empty() => (true, "PASS".to_string(), None),
            None => (
                true,
                format!("PASS (allowed: {})", allowed_names(s)),
                most_severe(results.iter().filter(|r| found_anything(r))).map(|r| notable(l, r)),
            ),
            Some(r @ SeedResult::Ran(o)) if o.violation_counts.is_empty() => (
                false,
                format!(
                    "FAIL: seed {} {} (raise run.max_events or shorten the run)",
                    o.seed, o.stop
                ),
                Some(notable(l, r)),
            ),
            Some(r) => (
                false,
                "FAIL: expected no violation".to_string(),
                Some(notable(l, r)),
            ),
        },
        Outcome::Violation => {
            // The report leads with the most severe seed, which need not be the first hit:
            // a seed that lost data before one that only showed the expected hazard.
            let hit = results
                .iter()
                .any(|r| is_expected_hit(s, r))
                .then(|| most_severe(results.iter().filter(|r| found_anything(r))))
                .flatten();
            let broken = results.iter().find(|r| !matches!(r, SeedResult::Ran(_)));
            match (hit, broken) {
                (_, Some(b)) => (
                    false,
                    "FAIL: the simulator itself failed".to_string(),
                    Some(notable(l, b)),
                ),
                (Some(h), None) => (
                    true,
                    format!("PASS: {} found", names.join(" or ")),
                    Some(notable(l, h)),
                ),
                (None, None) => (
                    false,
                    format!(
                        "FAIL: expected {} within {}, none found",
                        names.join(" or "),
                        crate::report::count(results.len() as u64, "seed")
                    ),
                    None,
                ),
            }
        }
    }
}

/// Judges the scenario's expectation over `results` (in seed order).
pub fn judge(l: &Loaded, first_seed: u64, results: &[SeedResult]) -> ScenarioReport {
    let s = &l.scenario;
    let mut seeds_violating = BTreeMap::new();
    for r in results {
        if let SeedResult::Ran(o) = r {
            for inv in o.invariants() {
                *seeds_violating.entry(inv.name().to_string()).or_insert(0) += 1;
            }
        }
    }
    let panics = results
        .iter()
        .filter(|r| matches!(r, SeedResult::Panicked { .. }))
        .count() as u64;
    let nondeterministic = results
        .iter()
        .filter(|r| matches!(r, SeedResult::Nondeterministic { .. }))
        .count() as u64;
    let names: Vec<&str> = s.expect.violation.iter().map(|i| i.name()).collect();
    let (holds, verdict, notable_seed) = verdict(l, results, &names);
    let seeds_failing: Vec<SeedLine> = match s.expect.outcome {
        Outcome::Pass => results
            .iter()
            .filter(|r| failed(s, r))
            .map(|r| seed_line(l, r))
            .collect(),
        Outcome::Violation => Vec::new(),
    };
    let expect = match s.expect.outcome {
        Outcome::Pass if !s.expect.allow.is_empty() => {
            format!("pass, allow {}", allowed_names(s))
        }
        Outcome::Pass => "pass".to_string(),
        Outcome::Violation => format!("violation {}", names.join("|")),
    };
    ScenarioReport {
        name: s.name.clone(),
        file: l.path.display().to_string(),
        mode: sim_scenario::Named::name(s.cluster.mode).to_string(),
        nodes: s.cluster.nodes,
        bug: sim_scenario::Named::name(s.cluster.bug).to_string(),
        expect,
        first_seed,
        seeds_run: results.len() as u64,
        seeds_violating,
        panics,
        nondeterministic,
        notable: notable_seed,
        seeds_failing,
        figures: figures(results),
        holds,
        verdict,
    }
}
