//! The line printed before a seed runs, as TigerBeetle's VOPR prints its seed first: the
//! seed, the scenario, every parameter drawn from the seed (with `fuzz --swarm`, the fault
//! mix; otherwise nothing is drawn before the run, and the line says `swarm off`), and the
//! one command that reproduces the run. A log cut short by a hang, a kill or a panic that
//! takes the process down still says how to get the run back.
//!
//! Who prints it, always on stderr (stdout keeps the reports, unchanged): `repro` and
//! `shrink`, before their run; `run` and `fuzz`, before each seed when only one seed runs
//! or with `-v` (whose event log it then heads), because a line per seed of a
//! thousand-seed run would bury everything else.
//!
//! The format, one line:
//!
//! ```text
//! seed 7: scenario NAME (FILE), mode MODE[ (client-ack A, follower-flush F)], N nodes, bug B, swarm off|[MIX]; reproduce: COMMAND
//! ```
//!
//! This file decides nothing about when a seed runs; the commands call it.

use sim_scenario::{Named, Scenario};
use std::path::Path;

/// The line for `seed` of `scenario` (as it will run: swarm-drawn, if so), read from `file`.
pub fn line(
    file: &Path,
    scenario: &Scenario,
    seed: u64,
    swarm: Option<&str>,
    reproduce: &str,
) -> String {
    let c = &scenario.cluster;
    let knobs = match (c.client_ack, c.follower_flush) {
        (Some(a), Some(f)) => format!(" (client-ack {}, follower-flush {})", a.name(), f.name()),
        (Some(a), None) => format!(" (client-ack {})", a.name()),
        (None, Some(f)) => format!(" (follower-flush {})", f.name()),
        (None, None) => String::new(),
    };
    // Shown only when it departs from the default, so parallel-append's line is unchanged.
    let knobs = match c.follower_append {
        Some(a @ sim_scenario::FollowerAppend::Pipelined) => {
            format!("{knobs} (follower-append {})", a.name())
        }
        _ => knobs,
    };
    let nodes = crate::report::count(u64::from(c.nodes), "node");
    let swarm = swarm.map_or("off".to_string(), |mix| format!("[{mix}]"));
    format!(
        "seed {seed}: scenario {} ({}), mode {}{knobs}, {nodes}, bug {}, swarm {swarm}; reproduce: {reproduce}",
        scenario.name,
        crate::load::shown(file),
        c.mode.name(),
        c.bug.name(),
    )
}

/// Prints [`line`] to stderr.
pub fn print(file: &Path, scenario: &Scenario, seed: u64, swarm: Option<&str>, reproduce: &str) {
    eprintln!("{}", line(file, scenario, seed, swarm, reproduce));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(cluster: &str) -> Scenario {
        let text = format!("name = \"t\"\n[cluster]\nnodes = 3\n{cluster}");
        sim_scenario::parse_str(&text, "t.toml").expect("valid")
    }

    #[test]
    fn the_line_names_the_seed_the_scenario_the_draw_and_the_command() {
        let s = scenario("mode = \"sync\"\n");
        assert_eq!(
            line(
                Path::new("sc/t.toml"),
                &s,
                7,
                None,
                "sim-runner repro sc/t.toml --seed 7"
            ),
            "seed 7: scenario t (sc/t.toml), mode sync, 3 nodes, bug none, swarm off; \
             reproduce: sim-runner repro sc/t.toml --seed 7"
        );
        let s = scenario(
            "mode = \"async-handler\"\nclient_ack = \"commit\"\nfollower_flush = \"background\"\n",
        );
        let l = line(
            Path::new("t.toml"),
            &s,
            1,
            Some("crash 1.5/s, reorder on"),
            "x",
        );
        assert!(
            l.contains("mode async-handler (client-ack commit, follower-flush background)"),
            "{l}"
        );
        assert!(
            l.contains("swarm [crash 1.5/s, reorder on]; reproduce: x"),
            "{l}"
        );
    }
}
