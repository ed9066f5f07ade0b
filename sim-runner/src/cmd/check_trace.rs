//! `check-trace FILE.jsonl`: judges a trace — written by `repro --trace` or by another
//! implementation's harness following docs/trace.md — with the simulator's checkers, and
//! prints what they find the way `repro` does. Exit 0 no violation, 1 a violation, 2 a
//! trace that cannot be judged (its file, line, key and what was expected).
//!
//! Reading and judging are `sim_trace::read` and `judge.rs`; this file prints.

use crate::Exit;
use crate::cli::CheckTraceArgs;
use crate::judge::{Judged, judge};
use crate::trace_config::Source;
use sim_check::EndChecks;
use std::io::{BufRead, BufReader};

pub fn check_trace(args: CheckTraceArgs) -> anyhow::Result<Exit> {
    let shown = args.file.display().to_string();
    let input: Box<dyn BufRead> = if shown == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&args.file) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                eprintln!("error: cannot read {shown}: {e}");
                return Ok(Exit::Usage);
            }
        }
    };
    crate::panic::install_quiet_hook();
    let j = match crate::panic::catch(|| judge(input)) {
        Ok(Ok(j)) => j,
        Ok(Err(e)) => {
            match e.line {
                0 => eprintln!("error: {shown}: {}", e.problem),
                line => eprintln!("error: {shown}:{line}: {}", e.problem),
            }
            eprintln!("  the trace cannot be judged: docs/trace.md says what each line holds");
            return Ok(Exit::Usage);
        }
        Err(message) => {
            println!("the checker panicked on {shown}: {message}");
            println!(
                "this is a bug of the checker, not of the trace; please report it with the trace"
            );
            return Ok(Exit::SimulatorPanic);
        }
    };
    print_judged(&shown, &j);
    Ok(if j.counts.is_empty() {
        println!("no violation");
        Exit::Ok
    } else {
        Exit::ExpectationFailed
    })
}

fn print_judged(file: &str, j: &Judged) {
    let r = &j.run;
    let mut about = Vec::new();
    if let Some(s) = &r.scenario {
        about.push(format!("scenario {s}"));
    }
    if let Some(s) = r.seed {
        about.push(format!("seed {s}"));
    }
    if let Some(m) = &r.mode {
        about.push(format!("mode {m}"));
    }
    about.push(format!("{} nodes", r.nodes));
    if let Some(v) = &r.version {
        about.push(format!("written by {v}"));
    }
    println!("trace {file}: {}", about.join(", "));
    println!(
        "read {} lines to {}: {} events judged",
        j.lines, j.end_t, j.events
    );
    match &j.source {
        Source::Scenario { .. } => {
            println!("checked with the bounds of its resolved scenario (the run line's)")
        }
        Source::Defaults { why } => println!("checked with the checker's defaults: {why}"),
    }
    if j.end.is_none() {
        println!("note: no end line; the trace is judged as ending at its last line");
    }
    println!("{}", end_checks(j));
    crate::report::print_hazards_and_undecided(&j.hazards, j.linearizability_undecided.as_deref());
    for (v, line) in &j.violations {
        println!(
            "violation: {} at {} ({}): {}",
            v.invariant,
            v.t,
            place(v, *line),
            v.detail
        );
        for s in &v.story {
            println!("    {s}");
        }
    }
    for (inv, n) in &j.counts {
        println!("  {inv}: {n}");
    }
    match j.writer_agrees() {
        None => {}
        Some(true) => println!(
            "the trace's own violation lines ({}) agree with the violations reported here",
            j.writer_violations.len()
        ),
        Some(false) => {
            let theirs = tally(j.writer_violations.iter().map(|(_, v)| v.invariant.clone()));
            let ours = tally(j.violations.iter().map(|(v, _)| v.invariant.to_string()));
            println!(
                "the trace's own violation lines differ from the violations reported here: it says {theirs}; reported here: {ours}"
            );
        }
    }
}

/// `durability-loss x2, liveness x1` (`none` for nothing).
fn tally(names: impl Iterator<Item = String>) -> String {
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for n in names {
        *counts.entry(n).or_default() += 1;
    }
    if counts.is_empty() {
        return "none".to_string();
    }
    counts
        .iter()
        .map(|(n, c)| format!("{n} x{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a violation was found and what it is about: `line 12, t_ns 3000; node 2, index
/// 7, term 3, req 41` (`end of trace` for the end-of-run checks).
fn place(v: &sim_check::Violation, line: Option<u64>) -> String {
    let mut at = match line {
        Some(l) => format!("line {l}, t_ns {}", v.t.as_ns()),
        None => format!("end of trace, t_ns {}", v.t.as_ns()),
    };
    let about: Vec<String> = [
        v.node.map(|n| format!("node {n}")),
        v.index.map(|i| format!("index {i}")),
        v.term.map(|t| format!("term {t}")),
        v.req.map(|r| format!("req {r}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !about.is_empty() {
        at.push_str("; ");
        at.push_str(&about.join(", "));
    }
    at
}

/// Which end-of-run checks were made, and why.
fn end_checks(j: &Judged) -> String {
    match (j.checks, j.heal) {
        (EndChecks::AfterHeal, Some((line, t))) => format!(
            "end-of-run checks: all, liveness and acknowledged writes included (heal at line {line}, {t})"
        ),
        (_, Some(_)) if j.hit_max_events => "end-of-run checks: liveness and acknowledged writes not judged: the run hit its max_events before its end".to_string(),
        _ => "end-of-run checks: liveness and acknowledged writes not judged: the trace has no heal line".to_string(),
    }
}
