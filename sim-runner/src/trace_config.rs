//! The checker's configuration for judging a trace (`check-trace`), from its `run` line.
//!
//! A trace of this simulator carries its resolved scenario (`run.resolved`): read back as a
//! scenario, it gives exactly the configuration the checker had while the run ran — the
//! liveness bound and its wording, whether `applied-index-regressed` is judged (list-append
//! workload only), `max_events` (a run that hit it was not judged at its end). A trace
//! from another implementation has no such scenario, and is judged with the checker's
//! defaults: `applied-index-regressed` on, the liveness verdict given at the trace's last
//! line. The run line's `mode`, `seed` and `scenario` are shown, never used.
//!
//! This file does not read the trace (`sim_trace::read`) or judge it (`judge.rs`).

use sim_check::{CheckConfig, LivenessBound};
use sim_scenario::Scenario;
use sim_trace::read::RunLine;

/// The configuration, and where it came from.
pub struct TraceConfig {
    pub check: CheckConfig,
    pub source: Source,
}

/// Where the configuration came from.
pub enum Source {
    /// The run line's resolved scenario.
    Scenario { max_events: u64 },
    /// The checker's defaults, and why.
    Defaults { why: String },
}

/// The configuration for the trace whose first line is `run`; an error (a bad trace, the
/// problem with its `resolved` key) when that is one of our scenarios but names another
/// cluster size.
pub fn from_run(run: &RunLine) -> Result<TraceConfig, String> {
    let why = match &run.resolved {
        None => "the run line has no \"resolved\" scenario".to_string(),
        Some(resolved) => match scenario_of(resolved) {
            Ok(s) if s.cluster.nodes != run.nodes => {
                return Err(format!(
                    "its cluster.nodes is {} but the run line's \"nodes\" is {}",
                    s.cluster.nodes, run.nodes
                ));
            }
            Ok(s) => {
                let world = sim_scenario::world_config(&s);
                return Ok(TraceConfig {
                    check: sim_cluster::check_config(&world),
                    source: Source::Scenario {
                        max_events: s.run.max_events,
                    },
                });
            }
            Err(e) => {
                format!("the run line's \"resolved\" is not a scenario of this simulator ({e})")
            }
        },
    };
    Ok(TraceConfig {
        check: defaults(run.nodes),
        source: Source::Defaults { why },
    })
}

/// The checker's own defaults, with a liveness bound that says what it is for a trace: the
/// verdict is given at its last line, however long after the heal that is.
fn defaults(nodes: u8) -> CheckConfig {
    let mut check = CheckConfig::new(nodes);
    check.liveness = LivenessBound {
        text: "the rest of the trace".to_string(),
        ..LivenessBound::default()
    };
    check
}

/// The resolved scenario of a trace, read back through the scenario parser (the JSON is
/// the scenario model's serde form, which is the TOML file's shape).
fn scenario_of(resolved: &serde_json::Map<String, serde_json::Value>) -> Result<Scenario, String> {
    let text = toml::to_string(resolved).map_err(|e| e.to_string())?;
    sim_scenario::parse_str(&text, "run.resolved").map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_line(resolved: Option<serde_json::Value>) -> RunLine {
        RunLine {
            nodes: 3,
            seed: None,
            scenario: None,
            mode: None,
            version: None,
            resolved: resolved.and_then(|v| v.as_object().cloned()),
        }
    }

    #[test]
    fn a_resolved_scenario_reads_back_as_the_one_it_was() {
        for file in ["sync-crashes.toml", "modes/nuraft-379-leader-crash.toml"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../scenarios")
                .join(file);
            let s = sim_scenario::load(&path).expect("a bundled scenario");
            let json = s.to_json();
            let back = scenario_of(json.as_object().expect("an object")).expect("parses back");
            assert_eq!(back, s, "{file}");
            let c = from_run(&run_line(Some(json))).expect("a configuration");
            assert!(matches!(c.source, Source::Scenario { .. }));
        }
    }

    #[test]
    fn a_scenario_of_another_cluster_size_is_a_broken_trace() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/sync-crashes.toml");
        let mut json = sim_scenario::load(&path).expect("bundled").to_json();
        json["cluster"]["nodes"] = serde_json::json!(5);
        let e = from_run(&run_line(Some(json))).err().expect("refused");
        assert_eq!(
            e,
            "its cluster.nodes is 5 but the run line's \"nodes\" is 3"
        );
    }

    #[test]
    fn without_a_scenario_the_defaults_apply_and_say_why() {
        let c = from_run(&run_line(None)).expect("defaults");
        assert!(matches!(c.source, Source::Defaults { .. }));
        assert_eq!(c.check.applied_index, sim_check::AppliedIndexCheck::On);
        let foreign = run_line(Some(serde_json::json!({"harness": "nuraft"})));
        match from_run(&foreign).expect("defaults").source {
            Source::Defaults { why } => assert!(why.contains("not a scenario"), "{why}"),
            Source::Scenario { .. } => panic!("not one of ours"),
        }
    }
}
