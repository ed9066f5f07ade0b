//! Helpers of the fuzz, shrink and end-to-end tests: the binary with a clean environment,
//! the fixtures, scratch folders, and reading the output folder.

#![allow(dead_code)] // Each test binary uses its own subset.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Variables `fuzz` reads its shard from; a CI engine running these tests may set them.
const SHARD_VARS: [&str; 7] = [
    "SIM_SHARD",
    "JOB_COMPLETION_INDEX",
    "SIM_SHARDS",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
    "BUILDKITE_PARALLEL_JOB",
    "BUILDKITE_PARALLEL_JOB_COUNT",
];

/// The binary, run in `dir`, with no shard variables from the environment.
pub fn bin(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sim-runner"));
    c.current_dir(dir);
    for v in SHARD_VARS {
        c.env_remove(v);
    }
    c
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    bin(dir).args(args).output().expect("sim-runner runs")
}

/// A fixture of tests/data, as an absolute path.
pub fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("sim-runner-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch folder");
        Scratch(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The JSON objects of a `.jsonl` file (all lines must parse).
pub fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

/// The lines of a `.jsonl` file, sorted: what does not depend on completion order.
pub fn sorted_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// (scenario, seed) of every line.
pub fn seeds_of(rows: &[serde_json::Value]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["scenario"].as_str().unwrap_or("").to_string(),
                r["seed"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect();
    v.sort();
    v
}

/// A finding without where its file is: what two runs in other folders can share.
pub fn finding_essence(f: &serde_json::Value) -> String {
    let keep = [
        "scenario",
        "seed",
        "kind",
        "invariants",
        "first",
        "trace_hash",
        "fails",
        "swarm",
    ];
    let m: serde_json::Map<String, serde_json::Value> = keep
        .iter()
        .map(|k| (k.to_string(), f[*k].clone()))
        .collect();
    serde_json::Value::Object(m).to_string()
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The scenario files of a folder of the workspace (e.g. `scenarios/bugs`), sorted.
pub fn toml_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .expect("the folder exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// `sim-runner run --jobs 2 FILES...` from the workspace root: its exit code and stdout.
pub fn run_scenarios(files: &[PathBuf]) -> (Option<i32>, String) {
    let o = bin(&root())
        .args(["run", "--jobs", "2"])
        .args(files)
        .output()
        .expect("sim-runner runs");
    (o.status.code(), stdout(&o))
}
