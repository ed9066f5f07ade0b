//! `bench --scale`: how a run's cost grows with its length. One seed of the long-run
//! scenario (snapshots on, the log compacted behind them) is stretched to each length and
//! run in a child process of its own, so that each length's peak memory is its own and not
//! the largest so far; events per second are compared with the first length's, measured in
//! the same invocation.

use crate::Exit;
use crate::cli::BenchArgs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The scenario the figures are quoted for (docs/architecture.md).
const LONG_RUN: &str = include_str!("../../../scenarios/snapshots/long-run.toml");
const LONG_RUN_NAME: &str = "scenarios/snapshots/long-run.toml";

/// What one length measured (one line of a child's standard output).
#[derive(Debug, PartialEq)]
struct Measured {
    sim_s: f64,
    events: u64,
    wall_s: f64,
    peak_kb: Option<u64>,
}

const LINE_PREFIX: &str = "scale-one";

/// A length shorter than this in wall time is run again on the next seeds (averaged).
const MIN_WALL_S: f64 = 1.0;

impl Measured {
    fn line(&self) -> String {
        let peak = self.peak_kb.map_or("-".to_string(), |kb| kb.to_string());
        format!(
            "{LINE_PREFIX} sim_s={} events={} wall_s={} peak_kb={peak}",
            self.sim_s, self.events, self.wall_s
        )
    }

    fn parse(line: &str) -> Option<Measured> {
        let mut words = line.split_whitespace();
        if words.next()? != LINE_PREFIX {
            return None;
        }
        let mut value = |key: &str| {
            let (k, v) = words.next()?.split_once('=')?;
            (k == key).then(|| v.to_string())
        };
        Some(Measured {
            sim_s: value("sim_s")?.parse().ok()?,
            events: value("events")?.parse().ok()?,
            wall_s: value("wall_s")?.parse().ok()?,
            peak_kb: value("peak_kb")?.parse().ok(),
        })
    }
}

/// The scenario `--scenario` names, or the built-in long run; its name for the table.
fn scenario(args: &BenchArgs) -> anyhow::Result<Result<(String, sim_scenario::Scenario), Exit>> {
    match args.scenario.as_slice() {
        [] => Ok(Ok((
            format!("{LONG_RUN_NAME} (built in)"),
            sim_scenario::parse_str(LONG_RUN, "long-run.toml")?,
        ))),
        [one] => match sim_scenario::load(one) {
            Ok(s) => Ok(Ok((one.display().to_string(), s))),
            Err(e) => {
                eprintln!("error: {e}");
                Ok(Err(Exit::Usage))
            }
        },
        _ => {
            eprintln!("error: --scale measures one scenario; give --scenario at most once");
            Ok(Err(Exit::Usage))
        }
    }
}

/// `bench --scale`: each length in a child process, then the table.
pub fn scale(args: &BenchArgs) -> anyhow::Result<Exit> {
    let (name, s) = match scenario(args)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    println!(
        "scale: {name}, from seed {}, {} nodes, {} mode, snapshot_distance {}; each length in a process of its own, on one core (a length shorter than {MIN_WALL_S} s of wall time is repeated on the next seeds and averaged)",
        s.run.seed,
        s.cluster.nodes,
        sim_scenario::Named::name(s.cluster.mode),
        s.raft.snapshot_distance
    );
    println!(
        "  {:>11}  {:>11}  {:>8}  {:>10}  {:>12}  {:>11}",
        "simulated s", "events", "wall s", "M events/s", "vs the first", "peak memory"
    );
    let exe = std::env::current_exe()?;
    let mut first_eps = None;
    for &seconds in &args.scale_seconds {
        let m = match child(&exe, args.scenario.first().map(|p| p.as_path()), seconds)? {
            Ok(m) => m,
            Err(why) => {
                eprintln!("error: the {seconds} s run failed: {why}");
                return Ok(Exit::SimulatorPanic);
            }
        };
        let eps = m.events as f64 / m.wall_s;
        let first = *first_eps.get_or_insert(eps);
        let peak = m.peak_kb.map_or("n/a".to_string(), |kb| {
            format!("{:.0} MB", kb as f64 / 1024.0)
        });
        println!(
            "  {:>11.0}  {:>11}  {:>8.2}  {:>10.2}  {:>11.0}%  {:>11}",
            m.sim_s,
            m.events,
            m.wall_s,
            eps / 1e6,
            100.0 * eps / first,
            peak
        );
    }
    Ok(Exit::Ok)
}

/// Runs `bench --scale-one SECONDS` in a child process and reads its line.
fn child(
    exe: &Path,
    scenario: Option<&Path>,
    seconds: u64,
) -> anyhow::Result<Result<Measured, String>> {
    let mut cmd = Command::new(exe);
    cmd.args(["bench", "--scale-one", &seconds.to_string()]);
    if let Some(p) = scenario {
        cmd.arg("--scenario").arg(p);
    }
    let out = cmd.output()?;
    if !out.status.success() {
        return Ok(Err(format!(
            "{}; {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    Ok(stdout
        .lines()
        .find_map(Measured::parse)
        .ok_or_else(|| format!("no `{LINE_PREFIX}` line in its output: {stdout}")))
}

/// `bench --scale-one SECONDS`: the scenario `seconds` long (one seed, or several one after
/// another if one is short), then its line: per run, averaged.
pub fn one(args: &BenchArgs, seconds: u64) -> anyhow::Result<Exit> {
    let (_, mut s) = match scenario(args)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    // The bound on events grows with the length, as the events do.
    let stretch = (seconds * 1_000).div_ceil(s.run.duration_ms.max(1));
    s.run.max_events = s.run.max_events.saturating_mul(stretch.max(1));
    s.run.duration_ms = seconds * 1_000;
    let config = sim_scenario::world_config(&s);
    // A short run is repeated on the next seeds until a second of wall time has passed, so
    // its events per second are not the timer's noise; one at a time, so the peak memory
    // is still one run's.
    let t0 = Instant::now();
    let (mut events, mut sim_s, mut runs) = (0u64, 0.0f64, 0u64);
    while runs == 0 || t0.elapsed().as_secs_f64() < MIN_WALL_S {
        let o = sim_scenario::run_seed(&config, s.run.seed + runs);
        events += o.events;
        sim_s += o.end_time.as_secs_f64();
        runs += 1;
    }
    let m = Measured {
        sim_s: sim_s / runs as f64,
        events: events / runs,
        wall_s: t0.elapsed().as_secs_f64() / runs as f64,
        peak_kb: peak_kb(),
    };
    println!("{}", m.line());
    Ok(Exit::Ok)
}

/// This process's peak resident memory (`VmHWM`), where the OS reports it (Linux).
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_childs_line_reads_back() {
        let m = Measured {
            sim_s: 13.0,
            events: 22_960,
            wall_s: 0.25,
            peak_kb: Some(9_152),
        };
        assert_eq!(Measured::parse(&m.line()), Some(m));
        let none = Measured {
            peak_kb: None,
            ..Measured::parse("scale-one sim_s=1 events=2 wall_s=3 peak_kb=4").unwrap()
        };
        assert_eq!(Measured::parse(&none.line()), Some(none));
        assert_eq!(Measured::parse("cluster: x"), None);
        assert_eq!(Measured::parse("scale-one sim_s=1 events=x"), None);
    }
}
