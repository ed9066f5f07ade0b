//! The behaviour pin: the trace hash, event count and violations of the first 20 seeds of
//! every bundled scenario. A refactoring that keeps behaviour identical keeps this snapshot
//! byte for byte; a change that moves it must say why in its commit (and the snapshot is
//! updated with `INSTA_UPDATE=always cargo test -p sim-runner --test trace_hashes`).
//!
//! The trace hash fingerprints every event of a run (DESIGN.md, "Determinism rules"), so a
//! change anywhere — a node's order of actions, a disk draw, a message's latency — moves it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Seeds per scenario, from each scenario's own first seed.
const SEEDS_PER_SCENARIO: u64 = 20;

fn bundled_scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("scenarios/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 40, "found only {} scenarios", files.len());
    files
        .into_iter()
        .map(|f| {
            f.strip_prefix(&root)
                .expect("under scenarios/")
                .to_path_buf()
        })
        .collect()
}

/// One line per seed: `file seed hash events violations`.
fn pin_lines(relative: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let scenario = sim_scenario::load(&root.join(relative))
        .unwrap_or_else(|e| panic!("bundled scenario {} loads: {e}", relative.display()));
    let mut out = String::new();
    let first = scenario.run.seed;
    for seed in first..first + SEEDS_PER_SCENARIO {
        let o = sim_scenario::run_seed(&sim_scenario::world_config(&scenario), seed);
        let violations: Vec<String> = o
            .violation_counts
            .iter()
            .map(|(inv, n)| format!("{}={n}", inv.name()))
            .collect();
        writeln!(
            out,
            "{} {seed} {} {} [{}]",
            relative.display(),
            o.trace_hash,
            o.events,
            violations.join(",")
        )
        .expect("writing to a String");
    }
    out
}

#[test]
fn the_first_20_seeds_of_every_bundled_scenario_keep_their_trace_hash() {
    let files = bundled_scenarios();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len());
    let chunks: Vec<&[PathBuf]> = files.chunks(files.len().div_ceil(workers)).collect();
    let parts: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| s.spawn(move || chunk.iter().map(|f| pin_lines(f)).collect::<String>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a pin worker"))
            .collect()
    });
    insta::assert_snapshot!("trace_hashes", parts.concat());
}
