//! Scenario files: the TOML format of SCENARIO.md, read into a validated, fully resolved
//! [`Scenario`], and written back out.
//!
//! Start with [`parse_str`] (or [`load`] for a path): it returns the scenario with every
//! default filled in, or one [`ScenarioError`] naming the file, line, column and key and
//! saying how to fix it. [`Scenario::to_toml`] prints the resolved scenario (what
//! `sim-runner show` prints) and parses back to an equal value; [`Scenario::to_json`] is
//! the same data for the trace.
//!
//! ```
//! let s = sim_scenario::parse_str("[cluster]\nnodes = 3\nmode = \"sync\"\n", "x.toml")?;
//! assert_eq!(s.name, "x");
//! assert_eq!(s.raft.heartbeat_interval_ms, 50);
//! assert_eq!(sim_scenario::parse_str(&s.to_toml(), "y.toml")?, s);
//!
//! let err = sim_scenario::parse_str("[cluster]\nnodes = 3\nmode = \"SYNC\"\n", "x.toml")
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "x.toml:3:8: cluster.mode: unknown value \"SYNC\"\n  hint: \
//!     expected one of \"sync\", \"async-handler\", \"parallel-append\"; did you mean \"sync\"?");
//! # Ok::<(), sim_scenario::ScenarioError>(())
//! ```
//!
//! The map:
//! * `model.rs` — the resolved data model (what other crates use);
//! * `defaults.rs` — every key's default;
//! * `parse.rs` — the walk over the document, section by section;
//! * `schedule.rs` — `[faults]` and its `[[faults.schedule]]` entries;
//! * `latency.rs` — latency and range values;
//! * `validate.rs` — rules relating one value to another (modes, node ids, groups, times);
//! * `reader.rs` — typed, located access to TOML values;
//! * `schema.rs` — the keys each table may hold; `names.rs` — the enum spellings;
//! * `gate.rs` — keys whose feature is not built yet;
//! * `hint.rs` — "did you mean" suggestions; `error.rs` — [`ScenarioError`];
//! * `render.rs` — [`Scenario::to_toml`] and [`Scenario::to_json`];
//! * `swarm.rs` — [`swarm`]: a per-seed random fault mix within a scenario's bounds.
//!
//! This crate does not run anything, pick seeds or decide exit codes: that is
//! `sim-runner`'s. It does no I/O beyond reading the one file [`load`] is given.

mod defaults;
mod error;
mod gate;
mod hint;
mod implementation;
mod latency;
mod model;
mod names;
mod parse;
mod reader;
mod render;
mod run;
mod schedule;
mod schema;
mod swarm;
mod timing;
mod validate;
mod world;

use std::path::Path;

pub use error::{Hint, Location, ScenarioError};
pub use model::*;
pub use names::Named;
pub use run::{run_seed, run_world};
pub use swarm::{SwarmDraw, swarm};
pub use timing::{Timing, election_timeout_scale, timing};
pub use world::{durability, place_mutant, world_config};

/// Parses and validates a scenario. `file` is the name errors show; `name` defaults to
/// its stem (`scenarios/leader-crash.toml` → `leader-crash`).
pub fn parse_str(src: &str, file: &str) -> Result<Scenario, ScenarioError> {
    parse::parse(src, file, gate::UNSUPPORTED)
}

/// Reads, parses and validates the scenario at `path`; errors show the path as given.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        file: file.clone(),
        source,
    })?;
    parse_str(&text, &file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gate::Gate;

    #[test]
    fn a_gated_key_is_refused_with_its_reason() {
        const GATES: &[Gate] = &[Gate {
            key: "faults.schedule.one_way",
            value: None,
            reason: "one-way partitions are not simulated",
        }];
        let text = "[cluster]\nnodes = 3\nmode = \"sync\"\n[[faults.schedule]]\nat_ms = 1\n\
                    action = \"partition\"\ngroups = [[1], [2, 3]]\none_way = true\n";
        let err = parse::parse(text, "g.toml", GATES).unwrap_err();
        assert!(matches!(err, ScenarioError::Unsupported { .. }), "{err}");
        assert_eq!(err.line(), Some(8));
        assert_eq!(err.key(), Some("faults.schedule[0].one_way"));
        assert_eq!(
            err.message(),
            "not supported yet: one-way partitions are not simulated"
        );
        assert!(parse::parse(text, "g.toml", gate::UNSUPPORTED).is_ok());
    }

    #[test]
    fn a_gated_value_is_refused_and_others_are_not() {
        const GATES: &[Gate] = &[Gate {
            key: "disk.crash",
            value: Some("torn-tail"),
            reason: "no torn writes yet",
        }];
        let base = "[cluster]\nnodes = 3\nmode = \"sync\"\n[disk]\n";
        let err =
            parse::parse(&format!("{base}crash = \"torn-tail\"\n"), "g.toml", GATES).unwrap_err();
        assert_eq!(
            err.message(),
            "\"torn-tail\" is not supported yet: no torn writes yet"
        );
        assert_eq!((err.line(), err.column()), (Some(5), Some(9)));
        assert!(
            parse::parse(
                &format!("{base}crash = \"keep-random-subset\"\n"),
                "g",
                GATES
            )
            .is_ok()
        );
    }

    #[test]
    fn an_unreadable_file_names_its_path() {
        let err = load(Path::new("/nonexistent/dir/x.toml")).unwrap_err();
        assert!(matches!(err, ScenarioError::Read { .. }));
        assert_eq!(err.file(), "/nonexistent/dir/x.toml");
        assert_eq!(err.line(), None);
        assert!(
            err.to_string()
                .starts_with("/nonexistent/dir/x.toml: cannot read"),
            "{err}"
        );
    }
}
