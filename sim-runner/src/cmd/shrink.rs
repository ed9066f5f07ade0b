//! `shrink FILE [--seed S] [--invariant NAME] [-o OUT.toml] [--max-runs N]`: a failing
//! seed made small (`shrink/`), written as a scenario that expects the violation, ready
//! to check in as a regression test (`sim-runner run OUT.toml` holds).
//!
//! Exit 0 when the shrunk scenario is written; 2 when there is nothing to shrink (the
//! seed violates nothing), on a bad file or an invariant the seed does not violate; 3 when
//! the seed panics the simulator (a bug to report with `repro`, not something to shrink).

use crate::Exit;
use crate::cli::ShrinkArgs;
use crate::load::shown;
use crate::plan::SEED_MAX;
use crate::report::write_atomically;
use crate::shrink::{self, Replay, Shrunk};
use crate::{expect, panic};
use anyhow::Context;
use sim_cluster::RunOutcome;
use sim_scenario::{Expect, Invariant, Outcome, Scenario};
use std::path::{Path, PathBuf};

pub fn shrink(args: ShrinkArgs) -> anyhow::Result<Exit> {
    let original = match sim_scenario::load(&args.target.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(Exit::Usage);
        }
    };
    let seed = args.target.seed.unwrap_or(original.run.seed);
    let file = shown(&args.target.file);
    if seed > SEED_MAX {
        eprintln!("error: seed {seed} is above {SEED_MAX}, the largest a scenario file can hold");
        return Ok(Exit::Usage);
    }
    let repro = expect::repro_command(&args.target.file, seed);
    crate::announce::print(&args.target.file, &original, seed, None, &repro);
    panic::install_quiet_hook();
    let first = match panic::catch(|| {
        crate::self_test::panic_point(seed);
        sim_scenario::run_seed(&sim_scenario::world_config(&original), seed)
    }) {
        Ok(o) => o,
        Err(m) => {
            eprintln!(
                "error: seed {seed} of {file} crashes the simulator ({m}); shrinking keeps an \
                 invariant firing, so there is nothing to shrink: report it with `{}`",
                repro
            );
            return Ok(Exit::SimulatorPanic);
        }
    };
    let fired: Vec<Invariant> = first.invariants().collect();
    let target = match pick_target(&fired, args.invariant.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: seed {seed} of {file}: {e}");
            return Ok(Exit::Usage);
        }
    };
    let names: Vec<&str> = fired.iter().map(|i| i.name()).collect();
    println!(
        "shrinking seed {seed} of {file}: keeping {target} firing (the seed violates {}; {} faults fired, {} events)",
        names.join(", "),
        first.fired_faults.len(),
        first.events
    );
    let r = shrink::shrink(&original, seed, target, &first, args.max_runs);
    println!("{}", replay_note(r.replay, first.fired_faults.len()));
    write(&args, &original, seed, target, &first, &r)
}

/// Writes the shrunk scenario (after checking it reads back) and reports the sizes.
fn write(
    args: &ShrinkArgs,
    original: &Scenario,
    seed: u64,
    target: Invariant,
    first: &RunOutcome,
    r: &Shrunk,
) -> anyhow::Result<Exit> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(original, seed));
    let before = Sizes::of(original, first.fired_faults.len(), first.events);
    let after = Sizes::of(&r.scenario, faults_after(r), r.outcome.events);
    let (scenario, text) = render(&args.target.file, &out, seed, target, r, &before, &after);
    let back = sim_scenario::parse_str(&text, &out.display().to_string())
        .context("the shrunk scenario does not read back (a bug of sim-runner)")?;
    anyhow::ensure!(
        back == scenario,
        "the shrunk scenario reads back different (a bug of sim-runner)"
    );
    write_atomically(&out, text.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!("{}", before.to(&after));
    let bound = if r.bound_hit {
        format!(
            " — stopped by the bound of {} runs (raise --max-runs to go on)",
            args.max_runs
        )
    } else {
        String::new()
    };
    println!("{} runs{bound}", r.runs);
    println!(
        "wrote {}: check it with `sim-runner run {}`",
        out.display(),
        shown(&out)
    );
    Ok(Exit::Ok)
}

/// `--invariant` if the seed violates it, else the most severe one it violates.
fn pick_target(fired: &[Invariant], asked: Option<&str>) -> Result<Invariant, String> {
    if fired.is_empty() {
        let hint = "find a failing seed with `sim-runner run` or `sim-runner fuzz`";
        return Err(format!(
            "no invariant is violated, so there is nothing to shrink: {hint}"
        ));
    }
    let names: Vec<&str> = fired.iter().map(|i| i.name()).collect();
    match asked {
        None => Ok(shrink::primary(fired).expect("fired is not empty")),
        Some(name) => match Invariant::from_name(name) {
            Some(i) if fired.contains(&i) => Ok(i),
            Some(_) => Err(format!(
                "{name} does not fire; it violates {}",
                names.join(", ")
            )),
            None => Err(format!(
                "unknown invariant {name:?}; this seed violates {}",
                names.join(", ")
            )),
        },
    }
}

fn replay_note(replay: Replay, fired: usize) -> String {
    match replay {
        Replay::Explicit { same_hash: true } => format!(
            "the {fired} fired faults replay as an explicit schedule: the same run (same trace hash)"
        ),
        Replay::Explicit { same_hash: false } => format!(
            "the {fired} fired faults replay as an explicit schedule: the invariant fires, though \
             the trace differs (a scheduled fault that was a no-op leaves no line in the replay, \
             or events at one instant queued in another order)"
        ),
        Replay::RandomRates => format!(
            "the {fired} fired faults as an explicit schedule do not make it fire (the replay \
             differs): shrinking with the random rates on, the fault schedule as written"
        ),
    }
}

/// Faults in the result: its schedule, or with random rates on, what its run fired.
fn faults_after(r: &Shrunk) -> usize {
    match r.replay {
        Replay::RandomRates => r.outcome.fired_faults.len(),
        Replay::Explicit { .. } => r.scenario.faults.schedule.len(),
    }
}

fn default_out(s: &Scenario, seed: u64) -> PathBuf {
    PathBuf::from(format!(
        "{}-seed-{seed}-shrunk.toml",
        crate::finding::safe_name(&s.name)
    ))
}

/// The sizes `shrink` reports.
struct Sizes {
    faults: usize,
    events: u64,
    duration_ms: u64,
    heal_ms: u64,
    clients: u32,
    nodes: u8,
}

impl Sizes {
    fn of(s: &Scenario, faults: usize, events: u64) -> Sizes {
        Sizes {
            faults,
            events,
            duration_ms: s.run.duration_ms,
            heal_ms: s.run.heal_ms,
            clients: s.workload.clients,
            nodes: s.cluster.nodes,
        }
    }

    fn to(&self, b: &Sizes) -> String {
        format!(
            "faults {} -> {}, events {} -> {}, duration {} ms -> {} ms, heal {} ms -> {} ms, clients {} -> {}, nodes {} -> {}",
            self.faults,
            b.faults,
            self.events,
            b.events,
            self.duration_ms,
            b.duration_ms,
            self.heal_ms,
            b.heal_ms,
            self.clients,
            b.clients,
            self.nodes,
            b.nodes
        )
    }
}

/// The shrunk scenario narrowed to the seed and expecting the target, and its file:
/// comment lines, then the scenario.
fn render(
    from: &Path,
    out: &Path,
    seed: u64,
    target: Invariant,
    r: &Shrunk,
    before: &Sizes,
    after: &Sizes,
) -> (Scenario, String) {
    let mut s = r.scenario.clone();
    s.name = out
        .file_stem()
        .map_or_else(|| s.name.clone(), |n| n.to_string_lossy().into_owned());
    let origin = format!(
        "Shrunk by `sim-runner shrink {} --seed {seed}` ({}): {target} on seed {seed}; {}.",
        shown(from),
        crate::version::VERSION,
        before.to(after)
    );
    s.description = if r.scenario.description.is_empty() {
        origin
    } else {
        format!("{origin} Original: {}", r.scenario.description)
    };
    s.run.seed = seed;
    s.run.seeds = 1;
    s.expect = Expect {
        outcome: Outcome::Violation,
        violation: vec![target],
        allow: Vec::new(),
        within_seeds: Some(1),
    };
    let first = r
        .outcome
        .violations
        .iter()
        .find(|v| v.invariant == target)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let mut text = format!(
        "# A regression scenario: {target} on seed {seed}, shrunk from {}.\n",
        shown(from)
    );
    for line in first.lines() {
        text.push_str(&format!("#   {}\n", line.replace('\r', "")));
    }
    text.push_str(&format!("# trace hash: {}\n", r.outcome.trace_hash));
    text.push_str(&format!("# check:     sim-runner run {}\n", shown(out)));
    text.push_str(&format!(
        "# reproduce: sim-runner repro {} --seed {seed} --expect-hash {}\n\n",
        shown(out),
        r.outcome.trace_hash
    ));
    text.push_str(&s.to_toml());
    (s, text)
}
