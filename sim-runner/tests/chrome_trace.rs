//! `repro --chrome-trace`: the run in the Trace Event Format — valid JSON whose events have
//! the fields the format requires, a named track per node, and the violation marked — and
//! with `--trace` too, the JSON lines as they would be written alone.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn the_chrome_trace_of_a_failing_seed_has_the_formats_shape() {
    let s = Scratch::new("chrome-trace");
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/nuraft/commit-rule-figure-8.toml"
    );
    let o = run(
        s.path(),
        &[
            "repro",
            file,
            "--chrome-trace",
            "run.json",
            "--trace",
            "run.jsonl",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "the seed violates: {}",
        stderr(&o)
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(s.path().join("run.json")).unwrap())
            .expect("valid JSON");
    let events = doc["traceEvents"].as_array().expect("traceEvents");
    assert!(events.len() > 100);
    for e in events {
        let ph = e["ph"].as_str().expect("ph");
        assert!(["M", "X", "i", "b", "e"].contains(&ph), "{e}");
        assert!(e["name"].is_string() && e["pid"].is_u64(), "{e}");
        if ph != "M" {
            assert!(e["tid"].is_u64() && e["ts"].is_number(), "{e}");
        }
        if ph == "X" {
            assert!(e["dur"].as_f64().is_some_and(|d| d >= 0.0), "{e}");
        }
        if ph == "b" || ph == "e" {
            assert!(e["id"].is_u64() && e["cat"].is_string(), "{e}");
        }
    }
    // Complete slices on one track nest or do not overlap.
    let mut by_track: std::collections::BTreeMap<u64, Vec<(f64, f64)>> = Default::default();
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let ts = e["ts"].as_f64().unwrap();
        let end = ts + e["dur"].as_f64().unwrap();
        by_track
            .entry(e["tid"].as_u64().unwrap())
            .or_default()
            .push((ts, end));
    }
    for (tid, mut slices) in by_track {
        slices.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut open: Vec<f64> = Vec::new();
        for (a, b) in slices {
            while open.last().is_some_and(|end| *end <= a) {
                open.pop();
            }
            assert!(
                open.last().is_none_or(|end| b <= *end),
                "track {tid}: a slice {a}..{b} overlaps another without nesting"
            );
            open.push(b);
        }
    }
    let tracks: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "thread_name")
        .filter_map(|e| e["args"]["name"].as_str())
        .collect();
    for n in 1..=3 {
        assert!(tracks.contains(&format!("node {n}").as_str()), "{tracks:?}");
    }
    assert!(
        events
            .iter()
            .any(|e| e["cat"] == "violation" && e["s"] == "g"),
        "the violation is marked"
    );
    assert!(events.iter().any(|e| e["cat"] == "flush"));
    // The JSON lines are those a plain --trace writes.
    let plain = run(s.path(), &["repro", file, "--trace", "plain.jsonl"]);
    assert_eq!(plain.status.code(), Some(1));
    assert_eq!(
        std::fs::read(s.path().join("run.jsonl")).unwrap(),
        std::fs::read(s.path().join("plain.jsonl")).unwrap()
    );
}
