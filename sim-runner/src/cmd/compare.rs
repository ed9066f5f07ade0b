//! `compare FILES...`: what each durability mode costs and buys. Runs each scenario over its
//! seeds and prints one Markdown table row per scenario — client-visible commit latency,
//! acknowledged writes per simulated second, flushes and messages per acknowledged write,
//! and the safety verdict — so docs/modes.md is generated, not typed.

use crate::Exit;
use crate::cli::CompareArgs;
use crate::expect::{self, ScenarioReport};
use crate::load::load_all;
use crate::{panic, seeds};
use sim_scenario::{Mode, Named};
use std::fmt::Write as _;

pub fn compare(args: CompareArgs) -> anyhow::Result<Exit> {
    let Some(loaded) = load_all(&args.files) else {
        return Ok(Exit::Usage);
    };
    let jobs = args.jobs.threads();
    panic::install_quiet_hook();
    let mut rows = Vec::new();
    for (k, l) in loaded.iter().enumerate() {
        let s = &l.scenario;
        // The table comes at the end: say on stderr what is running meanwhile.
        eprintln!("compare: {} ({} of {})", s.name, k + 1, loaded.len());
        let first = args.range.seed.unwrap_or(s.run.seed);
        let count = args.range.seeds.unwrap_or(s.run.seeds);
        if let Err(e) = seeds::check_range(first, count) {
            eprintln!("error: {e}");
            return Ok(Exit::Usage);
        }
        let results = seeds::run_many(s, (first, count), jobs, false, &|_| {}, &|_| false);
        rows.push((l.scenario.clone(), expect::judge(l, first, &results)));
    }
    print!("{}", table(&rows));
    let panics = rows.iter().map(|(_, r)| r.panics).sum();
    Ok(Exit::of(0, panics, false))
}

fn knobs(s: &sim_scenario::Scenario) -> (String, String) {
    match s.cluster.mode {
        Mode::AsyncHandler => (
            s.cluster.client_ack.map_or("-", |a| a.name()).to_string(),
            s.cluster
                .follower_flush
                .map_or("-", |f| f.name())
                .to_string(),
        ),
        Mode::Sync => ("commit".into(), "before-answer".into()),
        Mode::ParallelAppend => match s.cluster.follower_append {
            Some(sim_scenario::FollowerAppend::Pipelined) => {
                ("commit".into(), "pipelined, durable-before-answer".into())
            }
            _ => ("commit".into(), "durable-before-answer".into()),
        },
    }
}

fn verdict(r: &ScenarioReport) -> String {
    if r.seeds_violating.is_empty() && r.panics == 0 {
        return format!("safe on {}", crate::report::count(r.seeds_run, "seed"));
    }
    let found: Vec<String> = r
        .seeds_violating
        .iter()
        .map(|(k, v)| format!("{k} {v}/{}", r.seeds_run))
        .collect();
    found.join(", ")
}

/// The Markdown table, one row per scenario, in the order given.
pub fn table(rows: &[(sim_scenario::Scenario, ScenarioReport)]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| scenario | mode | ack | followers | commit p50 ms | p99 ms | max ms | acked writes/s | flushes / write | messages / write | seeds | safety |"
    );
    let _ = writeln!(
        t,
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for (s, r) in rows {
        let f = &r.figures;
        let per = |x: u64| {
            if f.writes_acked == 0 {
                0.0
            } else {
                x as f64 / f.writes_acked as f64
            }
        };
        let (ack, followers) = knobs(s);
        let _ = writeln!(
            t,
            "| {} | {} | {ack} | {followers} | {:.2} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {} | {} |",
            r.name,
            r.mode,
            f.commit_latency_p50_us / 1e3,
            f.commit_latency_p99_us / 1e3,
            f.commit_latency_max_us / 1e3,
            f.acked_writes_per_s,
            per(f.flushes),
            per(f.messages),
            r.seeds_run,
            verdict(r)
        );
    }
    t
}
