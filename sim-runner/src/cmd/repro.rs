//! `repro FILE [--seed S]`: the one run of that seed (default: the file's `run.seed`, a
//! finding's seed), exactly; what it found, its figures and its trace hash (a mismatch with
//! `--expect-hash` fails); the trace as JSON lines with `--trace`.

use crate::Exit;
use crate::cli::ReproArgs;
use crate::expect::repro_command;
use anyhow::Context;
use sim_cluster::RunOptions;
use sim_trace::jsonl::RunHeader;
use std::io::{BufWriter, Write};

pub fn repro(args: ReproArgs) -> anyhow::Result<Exit> {
    let scenario = match sim_scenario::load(&args.target.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(Exit::Usage);
        }
    };
    let seed = args.target.seed.unwrap_or(scenario.run.seed);
    let crash_points =
        match crate::explore::point::parse_all(&args.crash_point, scenario.cluster.nodes) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(Exit::Usage);
            }
        };
    let mut repro = repro_command(&args.target.file, seed);
    repro.push_str(&crate::explore::point::flags(&crash_points));
    crate::announce::print(&args.target.file, &scenario, seed, None, &repro);
    // With --chrome-trace or --timeline the JSON lines are kept in memory and converted at
    // the end; otherwise --trace streams them to its file.
    let converting = args.chrome_trace.is_some() || args.timeline.is_some();
    let captured = converting.then(Captured::default);
    let trace: Option<Box<dyn Write>> = match (&captured, &args.trace) {
        (Some(c), _) => Some(Box::new(c.clone())),
        (None, Some(p)) => Some(Box::new(BufWriter::new(create(p)?))),
        (None, None) => None,
    };
    let config = sim_scenario::world_config(&scenario);
    let options = RunOptions {
        trace,
        crash_points,
        ..Default::default()
    };
    let header = RunHeader {
        seed,
        scenario: scenario.name.clone(),
        resolved: scenario.to_json(),
        nodes: scenario.cluster.nodes,
        mode: sim_scenario::Named::name(scenario.cluster.mode).to_string(),
        version: crate::version::VERSION.to_string(),
    };
    crate::panic::install_quiet_hook();
    let o = match crate::panic::catch(|| {
        crate::self_test::panic_point(seed);
        sim_scenario::run_world(config, seed, options, Some(&header))
    }) {
        Ok(o) => o,
        Err(message) => {
            println!("the simulator panicked (crash-of-simulator): {message}");
            println!("this is a bug of the simulator, not of the scenario; please report it with:");
            println!("reproduce: {repro}");
            return Ok(Exit::SimulatorPanic);
        }
    };
    print_outcome(&scenario, seed, &o);
    println!("trace hash: {}", o.trace_hash);
    if let Some(c) = captured {
        write_captured(&c, &args)?;
    }
    let hash_differs = args
        .expect_hash
        .as_ref()
        .is_some_and(|h| h != &o.trace_hash);
    if let Some(h) = args.expect_hash.as_ref().filter(|_| hash_differs) {
        eprintln!(
            "error: the trace hash differs from the one recorded ({h}): this is not the recorded run (another build of the simulator, or an edited scenario)"
        );
    }
    if o.violation_counts.is_empty() && !hash_differs {
        println!("no violation");
        Ok(Exit::Ok)
    } else {
        println!("reproduce: {repro}");
        Ok(Exit::ExpectationFailed)
    }
}

fn create(p: &std::path::Path) -> anyhow::Result<std::fs::File> {
    std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))
}

/// The trace's bytes, kept by the run's writer and read back after it.
#[derive(Clone, Default)]
struct Captured(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes the captured JSON lines to `--trace`, their Trace Event Format to
/// `--chrome-trace` and their timeline page to `--timeline`.
fn write_captured(c: &Captured, args: &ReproArgs) -> anyhow::Result<()> {
    let bytes = c.0.borrow();
    if let Some(p) = &args.trace {
        std::fs::write(p, &*bytes).with_context(|| format!("cannot write {}", p.display()))?;
    }
    let text = std::str::from_utf8(&bytes).context("the trace is UTF-8")?;
    let lines = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<Vec<serde_json::Value>, _>>()
        .context("the trace's lines are JSON")?;
    if let Some(p) = &args.timeline {
        std::fs::write(p, crate::timeline::page(&lines))
            .with_context(|| format!("cannot write {}", p.display()))?;
        println!("timeline: {} (open it in a browser)", p.display());
    }
    if let Some(p) = &args.chrome_trace {
        let doc = crate::chrome_trace::convert(&lines);
        let mut f = BufWriter::new(create(p)?);
        serde_json::to_writer(&mut f, &doc)?;
        f.flush()?;
        println!(
            "chrome trace: {} (open it in Perfetto or chrome://tracing)",
            p.display()
        );
    }
    Ok(())
}

/// What the run found and cost, as `repro` prints it (the trace hash follows).
fn print_outcome(scenario: &sim_scenario::Scenario, seed: u64, o: &sim_cluster::RunOutcome) {
    println!(
        "scenario {} seed {} ({})",
        scenario.name,
        seed,
        crate::version::VERSION
    );
    println!("run {} after {} events at {}", o.stop, o.events, o.end_time);
    let m = &o.metrics;
    println!(
        "writes acked {} of {} (reads {}), failed {}, unknown {}; commit latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; {:.1} acked writes/s",
        m.writes_acked,
        m.writes_invoked,
        m.reads_acked,
        m.failed,
        m.unknown,
        m.commit_latency_p50_us / 1e3,
        m.commit_latency_p99_us / 1e3,
        m.commit_latency_max_us / 1e3,
        m.acked_writes_per_s
    );
    println!(
        "flushes {}, messages {}, faults fired {}",
        m.flushes,
        m.messages,
        o.fired_faults.len()
    );
    crate::report::print_hazards_and_undecided(&o.hazards, o.linearizability_undecided.as_deref());
    for v in &o.violations {
        println!("violation: {v}");
    }
    for (inv, n) in &o.violation_counts {
        println!("  {inv}: {n}");
    }
    if let Some(e) = &o.trace_error {
        eprintln!("warning: the trace file is incomplete: {e}");
    }
}
