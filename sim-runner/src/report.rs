//! What `run` prints: one table per scenario on stdout (deterministic: no wall-clock
//! figures, so it can be compared and snapshotted), and the JSON and JUnit reports.

use crate::expect::ScenarioReport;
use std::fmt::Write as _;
use std::path::Path;

/// Failing seeds listed, each with its repro command, before the rest are only counted.
const FAILING_SEEDS_SHOWN: usize = 20;

/// The table of one scenario.
pub fn table(r: &ScenarioReport) -> String {
    let mut out = String::new();
    let bug = if r.bug == "none" {
        String::new()
    } else {
        format!(", bug {}", r.bug)
    };
    let _ = writeln!(
        out,
        "{}  [{}, {}{bug}]  expect {}  ({})",
        r.name,
        r.mode,
        count(u64::from(r.nodes), "node"),
        r.expect,
        r.file
    );
    let violations = if r.seeds_violating.is_empty() {
        "none".to_string()
    } else {
        r.seeds_violating
            .iter()
            .map(|(k, v)| format!("{k} on {}", count(*v, "seed")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let first = r
        .notable
        .as_ref()
        .map_or("-".to_string(), |n| n.seed.to_string());
    let f = &r.figures;
    let _ = writeln!(
        out,
        "  {:>6} {:>11} {:>9} {:>9} {:>9} {:>9} {:>9}  {:<14} violations (seeds)",
        "seeds", "events", "sim s", "p50 ms", "p99 ms", "max ms", "acked/s", "worst seed",
    );
    let _ = writeln!(
        out,
        "  {:>6} {:>11} {:>9.1} {:>9.3} {:>9.3} {:>9.3} {:>9.1}  {:<14} {}",
        r.seeds_run,
        f.events,
        f.simulated_s,
        f.commit_latency_p50_us / 1e3,
        f.commit_latency_p99_us / 1e3,
        f.commit_latency_max_us / 1e3,
        f.acked_writes_per_s,
        first,
        violations
    );
    let _ = writeln!(
        out,
        "  flushes {}  messages {}  acked writes {}  hazard windows {}",
        f.flushes, f.messages, f.writes_acked, f.hazard_windows
    );
    if r.panics > 0 {
        let _ = writeln!(
            out,
            "  SIMULATOR PANICKED on {} (a bug of the simulator: please report it)",
            count(r.panics, "seed")
        );
    }
    if r.nondeterministic > 0 {
        let _ = writeln!(
            out,
            "  NONDETERMINISM on {} (two runs gave different trace hashes)",
            count(r.nondeterministic, "seed")
        );
    }
    if f.seeds_hitting_max_events > 0 {
        let _ = writeln!(
            out,
            "  note: {} hit max_events before their end (not judged after healing)",
            count(f.seeds_hitting_max_events, "seed")
        );
    }
    if f.linearizability_undecided > 0 {
        let _ = writeln!(
            out,
            "  note: linearizability undecided (search bound) on {}",
            count(f.linearizability_undecided, "seed")
        );
    }
    if let Some(n) = &r.notable {
        let label = if r.holds {
            "found on seed"
        } else {
            "failing seed"
        };
        let _ = writeln!(out, "  {label} {}: {}", n.seed, indent(&n.first));
        let _ = writeln!(out, "  reproduce: {}", n.repro);
    }
    if r.seeds_failing.len() > 1 {
        let _ = writeln!(out, "  every failing seed:");
        for f in r.seeds_failing.iter().take(FAILING_SEEDS_SHOWN) {
            let _ = writeln!(
                out,
                "    seed {} ({}): {}",
                f.seed,
                f.what.join(", "),
                f.repro
            );
        }
        if r.seeds_failing.len() > FAILING_SEEDS_SHOWN {
            let more = r.seeds_failing.len() - FAILING_SEEDS_SHOWN;
            let _ = writeln!(
                out,
                "    ... and {more} more (all of them in the --json report)"
            );
        }
    }
    let _ = writeln!(out, "  {}", r.verdict);
    out
}

fn indent(s: &str) -> String {
    s.replace('\n', "\n  ")
}

/// The JSON report: every scenario's report.
pub fn write_json(path: &Path, reports: &[ScenarioReport]) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "version": crate::version::VERSION,
        "scenarios": reports,
        "all_hold": reports.iter().all(|r| r.holds),
    });
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    write_atomically(path, text.as_bytes())
}

/// The JUnit XML report: one test case per scenario.
pub fn write_junit(path: &Path, reports: &[ScenarioReport]) -> std::io::Result<()> {
    let cases: Vec<JunitCase> = reports
        .iter()
        .map(|r| JunitCase {
            classname: r.mode.clone(),
            name: r.name.clone(),
            failure: (!r.holds).then(|| {
                let detail = r
                    .notable
                    .as_ref()
                    .map_or(String::new(), |n| format!("{}\n{}", n.first, n.repro));
                (r.verdict.clone(), detail)
            }),
        })
        .collect();
    write_junit_cases(path, &cases)
}

/// One test case of a JUnit report; `failure` is (message, detail).
pub struct JunitCase {
    pub classname: String,
    pub name: String,
    pub failure: Option<(String, String)>,
}

/// A JUnit XML report of `cases`, in the given order (what `run`, `fuzz` and `merge` write).
pub fn write_junit_cases(path: &Path, cases: &[JunitCase]) -> std::io::Result<()> {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        x,
        r#"<testsuites><testsuite name="sim-runner" tests="{}" failures="{failures}">"#,
        cases.len()
    );
    for c in cases {
        let _ = write!(
            x,
            r#"  <testcase classname="{}" name="{}">"#,
            xml(&c.classname),
            xml(&c.name)
        );
        if let Some((message, detail)) = &c.failure {
            let _ = write!(
                x,
                r#"<failure message="{}">{}</failure>"#,
                xml(message),
                xml(detail)
            );
        }
        let _ = writeln!(x, "</testcase>");
    }
    let _ = writeln!(x, "</testsuite></testsuites>");
    write_atomically(path, x.as_bytes())
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes through a temporary file and a rename, so an interrupted run never leaves a
/// half-written report where a complete one was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp-partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// `n` and the word, plural unless `n` is 1: "1 seed", "3 seeds".
pub fn count(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The lines `repro` and `check-trace` print after a run's verdict: its durability hazard
/// windows, if any, and why linearizability was left undecided, if it was.
pub fn print_hazards_and_undecided(hazards: &sim_check::HazardSummary, undecided: Option<&str>) {
    if hazards.windows > 0 {
        println!(
            "durability hazard windows: {} (longest {:.3} ms)",
            hazards.windows,
            hazards.longest_ns as f64 / 1e6
        );
    }
    if let Some(u) = undecided {
        println!("linearizability: {u}");
    }
}
