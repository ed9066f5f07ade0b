//! `fuzz FILES... (--seeds N | --time D) [--swarm] [--shard I/N] [--jobs J] [--out DIR]
//! [--junit PATH] [--check-determinism] [--seed S]`: many seeds of each scenario, every
//! finding saved the moment it is made.
//!
//! The control flow only; the parts are: `plan.rs` (which seed runs where, shards),
//! `pool.rs` (threads), `finding.rs` (what a seed found and its finding file),
//! `out_dir.rs` (the output folder), `summary.rs` (the report), `progress.rs`.
//! FILES are required: a fuzz campaign names what it fuzzes (`scenarios/*.toml`).
//!
//! Exit 0 when no finding fails, 1 when one does (a violation on a scenario expecting
//! `pass`), 3 on a simulator panic, 4 on nondeterminism (`exit.rs`: the highest wins),
//! 2 on bad usage or an unwritable folder.

use crate::Exit;
use crate::cli::FuzzArgs;
use crate::finding::{self, Examined, Finding};
use crate::load::{Loaded, load_all};
use crate::out_dir::OutDir;
use crate::plan::{Item, Plan};
use crate::progress::Progress;
use crate::signature::{self, Print, Signature, Signatures};
use crate::summary::{self, Tally, Timing};
use crate::{panic, pool, report, seeds, shard};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// `verbose`: the `-v` count; with it, or when the plan is one seed, each seed's line
/// (`announce.rs`) is printed before it runs.
pub fn fuzz(args: FuzzArgs, verbose: u8) -> anyhow::Result<Exit> {
    let Some(Prepared {
        loaded,
        plan,
        mut out,
        jobs,
        settings,
    }) = prepare(&args)
    else {
        return Ok(Exit::Usage);
    };
    panic::install_quiet_hook();
    crate::interrupt::install();
    let names: Vec<(String, String)> = loaded
        .iter()
        .map(|l| (l.scenario.name.clone(), l.path.display().to_string()))
        .collect();
    let mut tally = Tally::new(&names);
    let mut progress = Progress::new(args.time.is_none().then(|| plan.len()), args.time);
    let findings_dir = OutDir::findings_dir(&args.out);
    let deadline = args.time.map(|t| Instant::now() + t);
    let next_run = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let next = || {
        let late = deadline.is_some_and(|d| Instant::now() >= d);
        if late || stop.load(Ordering::SeqCst) || crate::interrupt::interrupted() {
            return None;
        }
        plan.item(next_run.fetch_add(1, Ordering::SeqCst))
    };
    let each = Each {
        swarm: args.swarm,
        twice: args.determinism.check_determinism,
        announce: verbose > 0 || plan.len() == 1,
    };
    let work = |item: Item| run_item(&loaded[item.scenario], item, each, &findings_dir);
    let mut signatures = Signatures::default();
    let mut error = None;
    pool::stream(jobs, &next, &work, |e: Examined| {
        if error.is_some() {
            return;
        }
        let print = match save(&mut out, &mut signatures, &e) {
            Ok(print) => print,
            Err(err) => {
                error = Some(err);
                stop.store(true, Ordering::SeqCst);
                return;
            }
        };
        if let Some((f, _)) = &e.finding {
            match print {
                Print::Line => progress.println(&finding_line(f)),
                Print::MoreNote => progress.println(&format!(
                    "  (more findings of {}: counted in the summary, files kept for the {} lowest seeds)",
                    Signature::of(f),
                    signature::FILES_PER_SIGNATURE_MAX
                )),
                Print::Nothing => {}
            }
            tally.finding(f);
        }
        tally.record(&e.record);
        progress.seed_done(e.finding.is_some());
    });
    progress.finish();
    OutDir::drop_unkept_files(&args.out, &|f| signatures.is_kept(f))?;
    if let Some(e) = error {
        return Err(e.context("fuzzing stopped; the output folder holds every seed saved so far"));
    }
    finish(&args, tally, settings, &progress, &signatures)
}

/// What a fuzz run needs before its first seed.
struct Prepared {
    loaded: Vec<Loaded>,
    plan: Plan,
    out: OutDir,
    jobs: usize,
    settings: Vec<(String, String)>,
}

/// Loads the scenarios, resolves the shard, plans the seeds, creates the output folder
/// and prints the settings; `None` (after printing why) is a usage error.
fn prepare(args: &FuzzArgs) -> Option<Prepared> {
    let loaded = load_all(&args.files)?;
    let setup = || -> Result<(Plan, String), String> {
        distinct_names(&loaded)?;
        let (shard, from) = shard::resolve(args.shard, &|k| std::env::var(k).ok())?;
        let starts = loaded
            .iter()
            .map(|l| args.seed.unwrap_or(l.scenario.run.seed))
            .collect();
        Ok((Plan::new(starts, shard, args.seeds)?, from))
    };
    let (plan, shard_from) = setup().map_err(|e| eprintln!("error: {e}")).ok()?;
    let out = OutDir::create(&args.out)
        .map_err(|e| eprintln!("error: {e:#}"))
        .ok()?;
    let jobs = args.jobs.threads();
    let settings = settings(args, &plan, &shard_from, jobs);
    let line: Vec<String> = settings.iter().map(|(k, v)| format!("{k} {v}")).collect();
    eprintln!("fuzz: {}", line.join(", "));
    Some(Prepared {
        loaded,
        plan,
        out,
        jobs,
        settings,
    })
}

/// How each seed of a fuzz run is run.
#[derive(Clone, Copy)]
struct Each {
    /// `--swarm`: draw the seed's fault mix first.
    swarm: bool,
    /// `--check-determinism`: run it twice.
    twice: bool,
    /// Print the seed's line before it runs (`announce.rs`).
    announce: bool,
}

/// Runs one seed (drawing its fault mix first with `--swarm`) and examines what it found.
fn run_item(l: &Loaded, item: Item, each: Each, findings_dir: &Path) -> Examined {
    let drawn = each
        .swarm
        .then(|| sim_scenario::swarm(&l.scenario, item.seed));
    let ran = drawn.as_ref().map_or(&l.scenario, |d| &d.scenario);
    let mix = drawn.as_ref().map(|d| d.mix.as_str());
    if each.announce {
        let repro = match mix {
            Some(_) => finding::swarm_repro_command(&l.path, &l.scenario.name, item.seed),
            None => crate::expect::repro_command(&l.path, item.seed),
        };
        crate::announce::print(&l.path, ran, item.seed, mix, &repro);
    }
    let result = seeds::run_one(ran, item.seed, each.twice);
    finding::examine(l, ran, mix, item.index, &result, findings_dir)
}

/// Saves a seed's record and finding; a finding's file only if it is among the lowest
/// seeds of its signature (a higher one it displaces is deleted). What to print comes back.
fn save(out: &mut OutDir, signatures: &mut Signatures, e: &Examined) -> anyhow::Result<Print> {
    let mut print = Print::Nothing;
    if let Some((f, text)) = &e.finding {
        let admission = signatures.admit(f);
        if let Some(evicted) = &admission.evict {
            // Its line still names it until the end of the run rewrites the lines; merge
            // takes a named file that is missing as a finding without one.
            if let Err(e) = std::fs::remove_file(evicted) {
                eprintln!("warning: cannot remove {evicted}: {e}");
            }
        }
        if admission.keep_file {
            out.finding(f, Some(text))?;
        } else {
            let mut line = f.clone();
            crate::finding::without_file(&mut line);
            out.finding(&line, None)?;
        }
        print = admission.print;
    }
    out.record(&e.record)?;
    Ok(print)
}

/// The line printed as a finding is made. Its command does not name the finding file, which
/// a lower seed of the same signature finishing later may displace; the summary at the end
/// names the files kept.
fn finding_line(f: &Finding) -> String {
    let what = if f.fails {
        "FINDING"
    } else {
        "finding (expected)"
    };
    let first = f.first.lines().next().unwrap_or_default();
    let mut lasting = f.clone();
    crate::finding::without_file(&mut lasting);
    format!(
        "{what} {} seed {}: {first}\n  reproduce: {}",
        f.scenario, f.seed, lasting.repro
    )
}

/// Writes summary.json and the JUnit report, prints the report, and picks the exit code.
fn finish(
    args: &FuzzArgs,
    tally: Tally,
    settings: Vec<(String, String)>,
    progress: &Progress,
    signatures: &Signatures,
) -> anyhow::Result<Exit> {
    let mut summary = tally.finish();
    for f in &mut summary.failing_findings {
        if !signatures.is_kept(f) {
            crate::finding::without_file(f);
        }
    }
    summary.run = run_json(args, settings);
    summary.timing = Some(Timing {
        wall_s: progress.elapsed().as_secs_f64(),
        seeds_per_s: progress.rate(),
    });
    OutDir::summary(&args.out, &summary)?;
    if let Some(p) = &args.junit.junit {
        report::write_junit_cases(p, &summary::junit_cases(&summary))?;
    }
    print!("{}", summary::text(&summary));
    for (sig, count, files) in signatures.counts() {
        if count > files as u64 {
            println!(
                "{sig}: {} (files for the {files} lowest seeds; findings.jsonl has every one)",
                report::count(count, "finding")
            );
        }
    }
    eprintln!(
        "{} in {:.2} s wall: {:.1} seeds/s; output in {}",
        report::count(summary.seeds_run, "seed"),
        progress.elapsed().as_secs_f64(),
        progress.rate(),
        args.out.display()
    );
    if crate::interrupt::interrupted() {
        eprintln!(
            "interrupted: the summary covers the {} seeds that finished",
            summary.seeds_run
        );
        return Ok(Exit::Interrupted);
    }
    Ok(summary.exit())
}

/// How the run was set up, for summary.json: typed values under snake_case keys, from the
/// same settings the first line shows.
fn run_json(
    args: &FuzzArgs,
    settings: Vec<(String, String)>,
) -> BTreeMap<String, serde_json::Value> {
    use serde_json::json;
    let text: BTreeMap<String, String> = settings.into_iter().collect();
    let mut run = BTreeMap::new();
    run.insert("scenarios".into(), json!(args.files.len()));
    run.insert("seeds_per_scenario".into(), json!(args.seeds));
    run.insert("time_s".into(), json!(args.time.map(|t| t.as_secs_f64())));
    run.insert("first_seed".into(), json!(args.seed));
    run.insert("shard".into(), json!(text.get("shard")));
    run.insert("swarm".into(), json!(args.swarm));
    run.insert(
        "check_determinism".into(),
        json!(args.determinism.check_determinism),
    );
    let jobs = text.get("jobs").and_then(|j| j.parse::<u64>().ok());
    run.insert("jobs".into(), json!(jobs));
    run.insert("out".into(), json!(args.out.display().to_string()));
    run
}

/// How the run was set up, in the order the first line shows it.
fn settings(args: &FuzzArgs, plan: &Plan, from: &str, jobs: usize) -> Vec<(String, String)> {
    let mut s = vec![("scenarios".to_string(), args.files.len().to_string())];
    if let Some(n) = args.seeds {
        let per = format!(
            "{n} per scenario, {} in this shard",
            report::count(plan.len(), "run")
        );
        s.push(("seeds".into(), per));
    }
    if let Some(t) = args.time {
        s.push(("time".into(), format!("{} s", t.as_secs_f64())));
    }
    let first = args
        .seed
        .map_or("each scenario's run.seed".to_string(), |s| s.to_string());
    s.push(("first seed".into(), first));
    s.push(("shard".into(), format!("{} ({from})", plan.shard())));
    s.push(("swarm".into(), on_off(args.swarm)));
    s.push((
        "check determinism".into(),
        on_off(args.determinism.check_determinism),
    ));
    s.push(("jobs".into(), jobs.to_string()));
    s.push(("out".into(), args.out.display().to_string()));
    s
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.to_string()
}

/// Findings are filed by scenario name, so two scenarios may not share one.
fn distinct_names(loaded: &[Loaded]) -> Result<(), String> {
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for l in loaded {
        let key = finding::safe_name(&l.scenario.name);
        if let Some(other) = seen.insert(key, &l.path) {
            return Err(format!(
                "{} and {} have the same scenario name {:?}: findings are filed by name, \
                 so give one of them another `name`",
                other.display(),
                l.path.display(),
                l.scenario.name
            ));
        }
    }
    Ok(())
}
