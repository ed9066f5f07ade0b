//! The report of a fuzz campaign, from its seed records and findings: per scenario how many
//! seeds ran and what fired, and every failing finding in (scenario, seed) order. `fuzz` builds it
//! from one run, `merge` from several shards' folders; both write it as `summary.json`,
//! print it as text and turn it into JUnit. Sorted by name and seed throughout, so the
//! same seeds give the same report whatever the shards, threads or completion order.
//!
//! Wall-clock figures are kept apart ([`Timing`]) so everything else can be compared.

use crate::finding::{Finding, Kind, SeedRecord};
use crate::report::{JunitCase, count};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub version: String,
    /// Seeds completed, over all scenarios.
    pub seeds_run: u64,
    pub findings: u64,
    /// Findings that fail the run (exit 1, 3 or 4: [`Summary::exit`]): see finding.rs.
    pub failing: u64,
    pub scenarios: Vec<ScenarioSummary>,
    /// Every failing finding, by scenario then seed (all findings are in findings.jsonl).
    pub failing_findings: Vec<Finding>,
    /// How it was run, keys in snake_case and values typed (`jobs: 2`, `swarm: true`,
    /// `first_seed: null` for each scenario's own): set by the command.
    pub run: BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
}

impl Summary {
    /// The exit code of `fuzz` and `merge`: nondeterminism, else a simulator panic, else
    /// whether a finding fails (`exit.rs`).
    pub fn exit(&self) -> crate::Exit {
        let total = |f: fn(&ScenarioSummary) -> u64| self.scenarios.iter().map(f).sum();
        crate::Exit::of(
            total(|s| s.nondeterminism),
            total(|s| s.crash_of_simulator),
            self.failing > 0,
        )
    }
}

/// Wall-clock figures of a fuzz run (absent from a merge).
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub wall_s: f64,
    pub seeds_per_s: f64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ScenarioSummary {
    pub name: String,
    pub file: String,
    pub seeds_run: u64,
    /// Lowest and highest seed run, if any.
    pub seed_min: Option<u64>,
    pub seed_max: Option<u64>,
    /// Seeds on which each invariant fired.
    pub seeds_violating: BTreeMap<String, u64>,
    pub crash_of_simulator: u64,
    pub nondeterminism: u64,
    /// Seeds that hit `run.max_events` before their end (not judged after it).
    pub event_limit: u64,
    pub findings: u64,
    pub failing: u64,
}

/// The report, built one seed at a time (a long fuzz run keeps counts, not every record).
/// Callers add each (scenario, seed) once: `merge` deduplicates before adding.
#[derive(Debug, Default)]
pub struct Tally {
    by_name: BTreeMap<String, ScenarioSummary>,
    failing: Vec<Finding>,
    seeds: u64,
    findings: u64,
}

impl Tally {
    /// `scenarios`: (name, file) of the scenarios to show even if no seed of theirs ran.
    pub fn new(scenarios: &[(String, String)]) -> Tally {
        let mut t = Tally::default();
        for (name, file) in scenarios {
            t.scenario(name, file);
        }
        t
    }

    fn scenario(&mut self, name: &str, file: &str) -> &mut ScenarioSummary {
        self.by_name
            .entry(name.to_string())
            .or_insert_with(|| ScenarioSummary {
                name: name.to_string(),
                file: file.to_string(),
                ..Default::default()
            })
    }

    pub fn record(&mut self, r: &SeedRecord) {
        self.seeds += 1;
        let s = self.scenario(&r.scenario, &r.file);
        s.seeds_run += 1;
        s.seed_min = Some(s.seed_min.map_or(r.seed, |m| m.min(r.seed)));
        s.seed_max = Some(s.seed_max.map_or(r.seed, |m| m.max(r.seed)));
        match r.outcome {
            Kind::Ok => {}
            Kind::Violation => {
                for inv in &r.invariants {
                    *s.seeds_violating.entry(inv.clone()).or_insert(0) += 1;
                }
            }
            Kind::CrashOfSimulator => s.crash_of_simulator += 1,
            Kind::Nondeterminism => s.nondeterminism += 1,
            Kind::EventLimit => s.event_limit += 1,
        }
    }

    pub fn finding(&mut self, f: &Finding) {
        self.findings += 1;
        let s = self.scenario(&f.scenario, &f.file);
        s.findings += 1;
        if f.fails {
            s.failing += 1;
            self.failing.push(f.clone());
        }
    }

    pub fn finish(mut self) -> Summary {
        self.failing
            .sort_by(|a, b| (&a.scenario, a.seed).cmp(&(&b.scenario, b.seed)));
        Summary {
            version: crate::version::VERSION.to_string(),
            seeds_run: self.seeds,
            findings: self.findings,
            failing: self.failing.len() as u64,
            scenarios: self.by_name.into_values().collect(),
            failing_findings: self.failing,
            run: BTreeMap::new(),
            timing: None,
        }
    }
}

/// At most this many findings are listed in the text report (all are in the files).
const LISTED_MAX: usize = 20;

/// The text report: a line per scenario, then the findings with their repro commands.
pub fn text(s: &Summary) -> String {
    let mut out = String::new();
    for sc in &s.scenarios {
        let fired: Vec<String> = sc
            .seeds_violating
            .iter()
            .map(|(k, v)| format!("{k} on {}", count(*v, "seed")))
            .chain((sc.crash_of_simulator > 0).then(|| {
                format!(
                    "crash-of-simulator on {}",
                    count(sc.crash_of_simulator, "seed")
                )
            }))
            .chain(
                (sc.nondeterminism > 0)
                    .then(|| format!("nondeterminism on {}", count(sc.nondeterminism, "seed"))),
            )
            .chain(
                (sc.event_limit > 0)
                    .then(|| format!("event-limit on {}", count(sc.event_limit, "seed"))),
            )
            .collect();
        let seeds = match (sc.seed_min, sc.seed_max) {
            (Some(a), Some(b)) => format!(" (seeds {a}..={b})"),
            _ => String::new(),
        };
        let fired = if fired.is_empty() {
            "nothing".to_string()
        } else {
            fired.join(", ")
        };
        let _ = writeln!(
            out,
            "{}: {}{seeds}, {} ({} failing): {fired}",
            sc.name,
            count(sc.seeds_run, "seed"),
            count(sc.findings, "finding"),
            sc.failing
        );
    }
    let listed = &s.failing_findings;
    for f in listed.iter().take(LISTED_MAX) {
        let first = f.first.lines().next().unwrap_or_default();
        let _ = writeln!(out, "  FINDING {} seed {}: {first}", f.scenario, f.seed);
        let _ = writeln!(out, "    reproduce: {}", f.repro);
    }
    if listed.len() > LISTED_MAX {
        let _ = writeln!(
            out,
            "  ... and {} more failing findings",
            listed.len() - LISTED_MAX
        );
    }
    let _ = writeln!(
        out,
        "{}, {}, {} failing",
        count(s.seeds_run, "seed"),
        count(s.findings, "finding"),
        s.failing
    );
    out
}

/// One JUnit test case per scenario, failing when it has failing findings.
pub fn junit_cases(s: &Summary) -> Vec<JunitCase> {
    s.scenarios
        .iter()
        .map(|sc| {
            let failing: Vec<&Finding> = s
                .failing_findings
                .iter()
                .filter(|f| f.scenario == sc.name)
                .collect();
            let failure = (!failing.is_empty()).then(|| {
                let listed = if failing.len() > LISTED_MAX {
                    format!(" (the first {LISTED_MAX} listed; every one is in findings.jsonl)")
                } else {
                    String::new()
                };
                let message = format!(
                    "{} in {}{listed}",
                    count(failing.len() as u64, "failing finding"),
                    count(sc.seeds_run, "seed")
                );
                let detail: Vec<String> = failing
                    .iter()
                    .take(LISTED_MAX)
                    .map(|f| format!("seed {}: {}\n{}", f.seed, f.first, f.repro))
                    .collect();
                (message, detail.join("\n\n"))
            });
            JunitCase {
                classname: "fuzz".into(),
                name: sc.name.clone(),
                failure,
            }
        })
        .collect()
}
