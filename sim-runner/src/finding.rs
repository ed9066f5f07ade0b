//! What one fuzzed seed leaves behind: a [`SeedRecord`] (a line of `results.jsonl`) for
//! every seed, and for a seed that found something a [`Finding`] (a line of
//! `findings.jsonl`) plus a finding file: the scenario exactly as it ran (swarm-drawn, if
//! so), its `[run]` narrowed to the one seed and its `[expect]` set to what fired, under
//! comment lines giving the seed, the build, the trace hash, the first violation and the
//! commands that reproduce and shrink it.
//!
//! For fuzzing, every violation is a finding, also on scenarios that expect one (the
//! record says which invariants fired), and so are a panic of the simulator
//! (`crash-of-simulator`) and two runs of a seed with different hashes (`nondeterminism`).
//! A finding *fails* the fuzz run when its scenario expects `pass` (exit 1), or when the
//! simulator itself broke (exit 3 for a panic, 4 for nondeterminism: `exit.rs`). This file decides nothing about files or folders: `out_dir.rs`.

use crate::load::{Loaded, shown};
use crate::seeds::SeedResult;
use serde::{Deserialize, Serialize};
use sim_scenario::{Expect, Invariant, Outcome, Scenario};
use std::fmt::Write as _;
use std::path::Path;

/// How a seed ended, as the output files spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Ok,
    Violation,
    CrashOfSimulator,
    Nondeterminism,
    /// The seed hit `run.max_events` before its end, with no violation so far: nothing
    /// after that was judged (a scenario that expects `pass` fails on it, as with `run`).
    EventLimit,
}

/// One line of `results.jsonl`: a seed that completed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedRecord {
    pub scenario: String,
    pub file: String,
    /// The seed index `k` (the seed is the scenario's first seed + k).
    pub index: u64,
    pub seed: u64,
    pub outcome: Kind,
    /// The invariants violated, in name order.
    #[serde(default)]
    pub invariants: Vec<String>,
    pub trace_hash: Option<String>,
    pub events: Option<u64>,
    /// With `--swarm`: the drawn fault mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm: Option<String>,
}

/// One line of `findings.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub scenario: String,
    pub file: String,
    pub seed: u64,
    pub kind: Kind,
    /// For a violation: the invariants that fired; else the kind's name.
    pub invariants: Vec<String>,
    /// The first violation (or the panic, or the two hashes) in full.
    pub first: String,
    pub trace_hash: Option<String>,
    /// The finding file, as a path from where fuzz ran.
    pub finding_file: String,
    /// The one command that reproduces it.
    pub repro: String,
    /// Whether it fails the fuzz run (exit 1).
    pub fails: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm: Option<String>,
    /// The build that found it: a seed reproduces only with the same code.
    pub version: String,
}

/// A seed's record, and its finding with the finding file's text if it found something.
pub struct Examined {
    pub record: SeedRecord,
    pub finding: Option<(Finding, String)>,
}

/// The file name of a finding: `<scenario>-seed-<S>.toml`, the name made safe for a path.
pub fn file_name(scenario: &str, seed: u64) -> String {
    format!("{}-seed-{seed}.toml", safe_name(scenario))
}

/// Letters, digits, `.`, `_` and `-` are kept; anything else becomes `_`.
pub fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Turns what seed `seed` (index `index`) of `l`, run as `ran`, produced into its record
/// and, when it found something, its finding, with the finding file in `findings_dir`.
pub fn examine(
    l: &Loaded,
    ran: &Scenario,
    swarm: Option<&str>,
    index: u64,
    result: &SeedResult,
    findings_dir: &Path,
) -> Examined {
    let seed = result.seed();
    let Found {
        outcome,
        invariants,
        trace_hash,
        events,
        first,
    } = found(result);
    let record = SeedRecord {
        scenario: l.scenario.name.clone(),
        file: l.path.display().to_string(),
        index,
        seed,
        outcome,
        invariants: invariants.clone(),
        trace_hash: trace_hash.clone(),
        events,
        swarm: swarm.map(str::to_string),
    };
    if outcome == Kind::Ok {
        return Examined {
            record,
            finding: None,
        };
    }
    let path = findings_dir.join(file_name(&l.scenario.name, seed));
    let repro = repro_command(&path, seed, outcome, trace_hash.as_deref());
    // On a scenario that expects `pass`, a violation fails the run unless every invariant
    // it fired is one the scenario allows.
    let allowed = |name: &String| {
        Invariant::from_name(name).is_some_and(|i| l.scenario.expect.allow.contains(&i))
    };
    let expects_pass = l.scenario.expect.outcome == Outcome::Pass;
    let fails = match outcome {
        Kind::Violation => expects_pass && !invariants.iter().all(allowed),
        Kind::EventLimit => expects_pass,
        _ => true,
    };
    let finding = Finding {
        scenario: l.scenario.name.clone(),
        file: record.file.clone(),
        seed,
        kind: outcome,
        invariants,
        first,
        trace_hash,
        finding_file: path.display().to_string(),
        repro,
        fails,
        swarm: record.swarm.clone(),
        version: crate::version::VERSION.to_string(),
    };
    let text = finding_toml(ran, &finding);
    Examined {
        record,
        finding: Some((finding, text)),
    }
}

/// What a seed's result says, in the files' terms.
struct Found {
    outcome: Kind,
    invariants: Vec<String>,
    trace_hash: Option<String>,
    events: Option<u64>,
    first: String,
}

fn found(result: &SeedResult) -> Found {
    match result {
        SeedResult::Ran(o) => {
            let invariants: Vec<String> = o.invariants().map(|i| i.name().to_string()).collect();
            if invariants.is_empty() && !o.stop.completed() {
                return Found {
                    outcome: Kind::EventLimit,
                    invariants: vec!["event-limit".to_string()],
                    trace_hash: Some(o.trace_hash.clone()),
                    events: Some(o.events),
                    first: format!(
                        "the seed hit run.max_events ({} events) at {}, before its end: nothing after that was judged; raise run.max_events or shorten the run",
                        o.events, o.end_time
                    ),
                };
            }
            // The most severe violation: a loss before a hazard.
            let first = o
                .violations
                .iter()
                .min_by_key(|v| v.invariant.severity_rank())
                .map_or_else(|| invariants.join(", "), |v| v.to_string());
            Found {
                outcome: if invariants.is_empty() {
                    Kind::Ok
                } else {
                    Kind::Violation
                },
                invariants,
                trace_hash: Some(o.trace_hash.clone()),
                events: Some(o.events),
                first,
            }
        }
        SeedResult::Panicked { message, .. } => Found {
            outcome: Kind::CrashOfSimulator,
            invariants: vec!["crash-of-simulator".to_string()],
            trace_hash: None,
            events: None,
            first: format!("the simulator panicked: {message}"),
        },
        SeedResult::Nondeterministic { first, second, .. } => Found {
            outcome: Kind::Nondeterminism,
            invariants: vec!["nondeterminism".to_string()],
            trace_hash: Some(first.clone()),
            events: None,
            first: format!("two runs of the seed gave trace hashes {first} and {second}"),
        },
    }
}

/// A finding whose file is not kept (its signature keeps the lowest seeds' files): no
/// file, and a command that reproduces it from the scenario it was fuzzed from — with
/// `--swarm`, a one-seed fuzz run that writes the finding file again (shard pinned, so an
/// environment's shard variables cannot skip it).
pub fn without_file(f: &mut Finding) {
    if f.finding_file.is_empty() {
        return;
    }
    let seed = f.seed;
    f.repro = match (&f.swarm, f.kind) {
        (Some(_), _) => swarm_repro_command(Path::new(&f.file), &f.scenario, seed),
        (None, _) => repro_command(Path::new(&f.file), seed, f.kind, f.trace_hash.as_deref()),
    };
    f.finding_file = String::new();
}

/// The command that runs seed `seed` of the scenario at `file` (named `scenario`) with the
/// same swarm draw again: a one-seed fuzz run that writes its finding file anew (shard
/// pinned, so an environment's shard variables cannot skip it).
pub fn swarm_repro_command(file: &Path, scenario: &str, seed: u64) -> String {
    format!(
        "sim-runner fuzz {} --swarm --seed {seed} --seeds 1 --shard 0/1 --out finding-{}-seed-{seed}",
        shown(file),
        safe_name(scenario)
    )
}

/// `repro` for what a run found (with the hash to compare), `run --check-determinism`
/// for nondeterminism.
fn repro_command(path: &Path, seed: u64, kind: Kind, hash: Option<&str>) -> String {
    let file = shown(path);
    match (kind, hash) {
        (Kind::Nondeterminism, _) => format!("sim-runner run {file} --check-determinism"),
        (_, Some(h)) => format!("sim-runner repro {file} --seed {seed} --expect-hash {h}"),
        (_, None) => format!("sim-runner repro {file} --seed {seed}"),
    }
}

/// The finding file: comment lines, then `ran` narrowed to the seed, expecting what fired.
pub fn finding_toml(ran: &Scenario, f: &Finding) -> String {
    let mut s = ran.clone();
    s.name = format!("{}-seed-{}", ran.name, f.seed);
    s.run.seed = f.seed;
    s.run.seeds = 1;
    if f.kind == Kind::Violation {
        s.expect = Expect {
            outcome: Outcome::Violation,
            violation: f
                .invariants
                .iter()
                .filter_map(|n| Invariant::from_name(n))
                .collect(),
            allow: Vec::new(),
            within_seeds: Some(1),
        };
    } else if s.expect.outcome == Outcome::Violation {
        s.expect.within_seeds = Some(1);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A finding of `sim-runner fuzz` ({}): a seed reproduces only with the same code.",
        f.version
    );
    let _ = writeln!(
        out,
        "# scenario {} ({}), seed {}",
        f.scenario, f.file, f.seed
    );
    if let Some(mix) = &f.swarm {
        let _ = writeln!(out, "# swarm draw: {mix}");
    }
    let _ = writeln!(out, "# found: {}", f.invariants.join(", "));
    for line in f.first.lines() {
        let _ = writeln!(out, "#   {}", line.replace('\r', ""));
    }
    if let Some(h) = &f.trace_hash {
        let _ = writeln!(out, "# trace hash: {h}");
    }
    let _ = writeln!(out, "# reproduce: {}", f.repro);
    if f.kind == Kind::Violation {
        let _ = writeln!(
            out,
            "# shrink:    sim-runner shrink {} --seed {}",
            shown(Path::new(&f.finding_file)),
            f.seed
        );
    }
    out.push('\n');
    out.push_str(&s.to_toml());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn loaded(expect_pass: bool) -> Loaded {
        let mut text = "name = \"t\"\n[cluster]\nnodes = 3\nmode = \"sync\"\n[run]\nduration_ms = 500\nheal_ms = 200\n".to_string();
        if !expect_pass {
            text.push_str("[expect]\noutcome = \"violation\"\nviolation = \"liveness\"\n");
        }
        Loaded {
            path: PathBuf::from("sc/t.toml"),
            scenario: sim_scenario::parse_str(&text, "t.toml").expect("valid"),
        }
    }

    #[test]
    fn a_clean_seed_is_a_record_only() {
        let l = loaded(true);
        let r = crate::seeds::run_one(&l.scenario, 3, false);
        let e = examine(&l, &l.scenario, None, 2, &r, Path::new("out/findings"));
        assert!(e.finding.is_none());
        assert_eq!(
            (e.record.outcome, e.record.seed, e.record.index),
            (Kind::Ok, 3, 2)
        );
        let line = serde_json::to_string(&e.record).unwrap();
        assert_eq!(serde_json::from_str::<SeedRecord>(&line).unwrap(), e.record);
    }

    #[test]
    fn a_simulator_panic_is_a_failing_finding_whose_file_parses() {
        for pass in [true, false] {
            let l = loaded(pass);
            let r = SeedResult::Panicked {
                seed: 7,
                message: "boom\nat x.rs:1".into(),
            };
            let e = examine(
                &l,
                &l.scenario,
                Some("crash off"),
                0,
                &r,
                Path::new("o/findings"),
            );
            let (f, text) = e.finding.expect("a finding");
            assert_eq!(f.kind, Kind::CrashOfSimulator);
            assert!(f.fails);
            assert_eq!(f.invariants, ["crash-of-simulator"]);
            assert_eq!(f.finding_file, "o/findings/t-seed-7.toml");
            assert_eq!(
                f.repro,
                "sim-runner repro o/findings/t-seed-7.toml --seed 7"
            );
            assert!(text.contains("#   at x.rs:1\n") && text.contains("# swarm draw: crash off"));
            let s = sim_scenario::parse_str(&text, "t-seed-7.toml").expect("the file parses");
            assert_eq!(
                (s.name.as_str(), s.run.seed, s.run.seeds),
                ("t-seed-7", 7, 1)
            );
        }
    }

    #[test]
    fn a_violation_fails_only_a_scenario_expecting_pass() {
        let f = |pass: bool| {
            let l = loaded(pass);
            let mut o = sim_scenario::run_seed(&sim_scenario::world_config(&l.scenario), 1);
            o.violation_counts.insert(Invariant::Liveness, 1);
            let r = SeedResult::Ran(Box::new(o));
            examine(&l, &l.scenario, None, 0, &r, Path::new("f"))
                .finding
                .expect("found")
        };
        let (on_pass, text) = f(true);
        assert!(on_pass.fails && on_pass.kind == Kind::Violation);
        assert!(on_pass.repro.contains("--expect-hash"));
        let s = sim_scenario::parse_str(&text, "x.toml").expect("parses");
        assert_eq!(s.expect.violation, [Invariant::Liveness]);
        assert_eq!(s.expect.within_seeds, Some(1));
        assert!(!f(false).0.fails);
    }

    #[test]
    fn names_are_made_safe_for_paths() {
        assert_eq!(file_name("a b/c", 4), "a_b_c-seed-4.toml");
        assert_eq!(safe_name("ok-name_1.x"), "ok-name_1.x");
    }
}
