//! `run FILES...`: each scenario over its seeds, judged against its `[expect]`.

use crate::Exit;
use crate::cli::RunArgs;
use crate::expect::{self, ScenarioReport};
use crate::load::load_all;
use crate::{panic, report, seeds};
use sim_scenario::Outcome;
use std::time::Instant;

/// `verbose`: the `-v` count; with it, or when a scenario runs one seed, each seed's line
/// (`announce.rs`) is printed before it runs.
pub fn run(args: RunArgs, verbose: u8) -> anyhow::Result<Exit> {
    let Some(loaded) = load_all(&args.files) else {
        return Ok(Exit::Usage);
    };
    let jobs = args.jobs.threads();
    panic::install_quiet_hook();
    crate::interrupt::install();
    let mut reports: Vec<ScenarioReport> = Vec::new();
    let started = Instant::now();
    let mut seeds_total = 0;
    for l in &loaded {
        let s = &l.scenario;
        let (first, count) = expect::seed_range(s, args.range.seed, args.range.seeds);
        if let Err(e) = seeds::check_range(first, count) {
            eprintln!("error: {e}");
            return Ok(Exit::Usage);
        }
        let t0 = Instant::now();
        let stop = |r: &seeds::SeedResult| {
            s.expect.outcome == Outcome::Violation && expect::is_expected_hit(s, r)
        };
        let announce = |seed| {
            if count == 1 || verbose > 0 {
                let repro = expect::repro_command(&l.path, seed);
                crate::announce::print(&l.path, s, seed, None, &repro);
            }
        };
        let twice = args.determinism.check_determinism;
        let results = seeds::run_many(s, (first, count), jobs, twice, &announce, &stop);
        let hit = results.iter().any(stop);
        if crate::interrupt::interrupted() && (results.len() as u64) < count && !hit {
            // A scenario cut short is not judged; the reports cover those that finished.
            println!(
                "{}: interrupted after {}, not judged",
                s.name,
                report::count(results.len() as u64, "seed")
            );
            break;
        }
        let r = expect::judge(l, first, &results);
        print!("{}", report::table(&r));
        println!();
        // The wall-clock line goes to stderr (stdout stays deterministic); flushing stdout
        // first keeps it under its own scenario on a terminal.
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let wall = t0.elapsed().as_secs_f64();
        eprintln!(
            "  ({} in {:.2} s wall: {:.1} seeds/s, {:.2} M events/s, {:.0}x real time)",
            report::count(r.seeds_run, "seed"),
            wall,
            r.seeds_run as f64 / wall,
            r.figures.events as f64 / wall / 1e6,
            r.figures.simulated_s / wall
        );
        seeds_total += r.seeds_run;
        reports.push(r);
        if let Some(p) = &args.json {
            report::write_json(p, &reports)?;
        }
    }
    if let Some(p) = &args.junit.junit {
        report::write_junit(p, &reports)?;
    }
    let failed: Vec<&ScenarioReport> = reports.iter().filter(|r| !r.holds).collect();
    println!(
        "{}, {}: {} hold, {} fail",
        report::count(reports.len() as u64, "scenario"),
        report::count(seeds_total, "seed"),
        reports.len() - failed.len(),
        failed.len()
    );
    for r in &failed {
        println!("  FAIL {} — {}", r.name, r.verdict);
        if let Some(n) = &r.notable {
            println!("    reproduce: {}", n.repro);
        }
    }
    eprintln!("total wall time {:.2} s", started.elapsed().as_secs_f64());
    if crate::interrupt::interrupted() {
        return Ok(Exit::Interrupted);
    }
    let nondeterministic = reports.iter().map(|r| r.nondeterministic).sum();
    let panics = reports.iter().map(|r| r.panics).sum();
    Ok(Exit::of(nondeterministic, panics, !failed.is_empty()))
}
