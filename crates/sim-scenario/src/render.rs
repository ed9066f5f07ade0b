//! Writing a resolved scenario back out: as TOML for `sim-runner show` and for scenarios
//! that `shrink` checks in, and as JSON for the trace's `run` line.
//!
//! The TOML is the whole resolved scenario, every default spelled out, in a fixed key
//! order (the order of `schema.rs`), and parses back to an equal [`Scenario`]. Latencies
//! and ranges are inline tables; the schedule is `[[faults.schedule]]` tables. Floats are
//! written in Rust's shortest round-trip form, so no value changes on the way back in.

use std::fmt::Write as _;

use crate::model::{
    Cluster, CrashKind, Disk, Expect, FaultAction, Faults, Latency, Network, NodeSel, Raft,
    RangeMs, Run, Scenario, ScheduledFault, Workload,
};
use crate::names::Named;
use crate::schedule::ActionKind;

impl Scenario {
    /// The full resolved scenario as a TOML document that [`crate::parse_str`] reads back
    /// to an equal `Scenario`.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        line(&mut out, "name", &string(&self.name));
        line(&mut out, "description", &string(&self.description));
        cluster(&mut out, &self.cluster);
        raft(&mut out, &self.raft);
        disk(&mut out, &self.disk);
        network(&mut out, &self.network);
        faults(&mut out, &self.faults);
        workload(&mut out, &self.workload);
        run(&mut out, &self.run);
        expect(&mut out, &self.expect);
        out
    }

    /// The full resolved scenario as JSON (the serde form of the model).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("the scenario model always serializes to JSON")
    }
}

fn line(out: &mut String, key: &str, value: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{key} = {value}");
}

fn header(out: &mut String, name: &str) {
    let _ = write!(out, "\n[{name}]\n");
}

fn cluster(out: &mut String, c: &Cluster) {
    header(out, "cluster");
    line(out, "nodes", &c.nodes.to_string());
    line(out, "implementation", &name(c.implementation));
    line(out, "mode", &name(c.mode));
    if let Some(ack) = c.client_ack {
        line(out, "client_ack", &name(ack));
    }
    if let Some(flush) = c.follower_flush {
        line(out, "follower_flush", &name(flush));
    }
    if let Some(append) = c.follower_append {
        line(out, "follower_append", &name(append));
    }
    line(out, "bug", &name(c.bug));
    line(out, "state_machine", &name(c.state_machine));
}

fn raft(out: &mut String, r: &Raft) {
    header(out, "raft");
    line(
        out,
        "heartbeat_interval_ms",
        &r.heartbeat_interval_ms.to_string(),
    );
    line(out, "election_timeout_ms", &range(&r.election_timeout_ms));
    line(out, "max_append_batch", &r.max_append_batch.to_string());
    line(out, "commit_rule", &name(r.commit_rule));
    line(
        out,
        "negative_batch_hint_rate",
        &float(r.negative_batch_hint_rate),
    );
    if r.snapshot_distance > 0 {
        line(out, "snapshot_distance", &r.snapshot_distance.to_string());
        line(out, "reserved_log_items", &r.reserved_log_items.to_string());
    }
}

fn disk(out: &mut String, d: &Disk) {
    header(out, "disk");
    line(out, "write_latency_us", &latency(&d.write_latency_us));
    line(out, "flush_latency_ms", &latency(&d.flush_latency_ms));
    if let Some(l) = &d.state_flush_latency_ms {
        line(out, "state_flush_latency_ms", &latency(l));
    }
    line(out, "crash", &name(d.crash));
    line(out, "sector_bytes", &d.sector_bytes.to_string());
    line(out, "fsync_error_rate", &float(d.fsync_error_rate));
    line(out, "corruption_rate", &float(d.corruption_rate));
    line(out, "fsync_error_policy", &name(d.fsync_error_policy));
    line(out, "flush_order", &name(d.flush_order));
}

fn network(out: &mut String, n: &Network) {
    header(out, "network");
    line(out, "latency_ms", &latency(&n.latency_ms));
    line(out, "drop_rate", &float(n.drop_rate));
    line(out, "duplicate_rate", &float(n.duplicate_rate));
    line(out, "reorder", &n.reorder.to_string());
}

fn faults(out: &mut String, f: &Faults) {
    header(out, "faults");
    line(out, "crash_rate_per_s", &float(f.crash_rate_per_s));
    line(
        out,
        "process_crash_fraction",
        &float(f.process_crash_fraction),
    );
    line(out, "restart_delay_ms", &range(&f.restart_delay_ms));
    line(out, "partition_rate_per_s", &float(f.partition_rate_per_s));
    line(
        out,
        "partition_duration_ms",
        &range(&f.partition_duration_ms),
    );
    if f.schedule.is_empty() {
        line(out, "schedule", "[]");
    }
    for fault in &f.schedule {
        scheduled(out, fault);
    }
}

fn scheduled(out: &mut String, fault: &ScheduledFault) {
    out.push_str("\n[[faults.schedule]]\n");
    line(out, "at_ms", &fault.at_ms.to_string());
    line(out, "action", &name(ActionKind::of(&fault.action)));
    match &fault.action {
        FaultAction::Crash { node, kind } => {
            line(out, "node", &node_sel(*node));
            if *kind != CrashKind::Power {
                line(out, "kind", &name(*kind));
            }
        }
        FaultAction::Restart { node }
        | FaultAction::Isolate { node }
        | FaultAction::DiskStall { node }
        | FaultAction::DiskResume { node } => line(out, "node", &node_sel(*node)),
        FaultAction::Partition { groups, one_way } => {
            let groups: Vec<String> = groups.iter().map(|g| list(g.iter())).collect();
            line(out, "groups", &format!("[{}]", groups.join(", ")));
            line(out, "one_way", &one_way.to_string());
        }
        FaultAction::Heal => {}
    }
}

fn workload(out: &mut String, w: &Workload) {
    header(out, "workload");
    line(out, "kind", &name(w.kind));
    line(out, "clients", &w.clients.to_string());
    line(out, "write_rate_per_s", &float(w.write_rate_per_s));
    line(out, "read_fraction", &float(w.read_fraction));
    line(out, "read_path", &name(w.read_path));
    line(out, "keys", &w.keys.to_string());
    line(out, "request_timeout_ms", &w.request_timeout_ms.to_string());
}

fn run(out: &mut String, r: &Run) {
    header(out, "run");
    line(out, "duration_ms", &r.duration_ms.to_string());
    line(out, "heal_ms", &r.heal_ms.to_string());
    line(out, "seeds", &r.seeds.to_string());
    line(out, "seed", &r.seed.to_string());
    line(out, "max_events", &r.max_events.to_string());
    line(out, "liveness_timeouts", &r.liveness_timeouts.to_string());
    line(out, "heal_network", &name(r.heal_network));
}

fn expect(out: &mut String, e: &Expect) {
    header(out, "expect");
    line(out, "outcome", &name(e.outcome));
    match e.violation.as_slice() {
        [] => {}
        [one] => line(out, "violation", &name(*one)),
        many => line(out, "violation", &list(many.iter().map(|v| name(*v)))),
    }
    if !e.allow.is_empty() {
        line(out, "allow", &list(e.allow.iter().map(|v| name(*v))));
    }
    if let Some(n) = e.within_seeds {
        line(out, "within_seeds", &n.to_string());
    }
}

/// `"async-handler"`.
fn name<E: Named>(value: E) -> String {
    string(value.name())
}

/// `[a, b, c]`.
fn list<T: ToString>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

fn node_sel(node: NodeSel) -> String {
    match node {
        NodeSel::Id(id) => id.to_string(),
        NodeSel::Leader => string("leader"),
        NodeSel::Follower => string("follower"),
        NodeSel::Random => string("random"),
    }
}

/// `{ min = 150, max = 300 }`.
fn range(r: &RangeMs) -> String {
    format!("{{ min = {}, max = {} }}", r.min, r.max)
}

/// `{ dist = "uniform", min = 5.0, max = 50.0 }`.
fn latency(l: &Latency) -> String {
    match *l {
        Latency::Constant { value } => {
            format!("{{ dist = \"constant\", value = {} }}", float(value))
        }
        Latency::Uniform { min, max } => {
            format!(
                "{{ dist = \"uniform\", min = {}, max = {} }}",
                float(min),
                float(max)
            )
        }
        Latency::Exponential { mean } => {
            format!("{{ dist = \"exponential\", mean = {} }}", float(mean))
        }
        Latency::Lognormal { p50, p99 } => {
            format!(
                "{{ dist = \"lognormal\", p50 = {}, p99 = {} }}",
                float(p50),
                float(p99)
            )
        }
    }
}

/// The shortest decimal that reads back to the same `f64` (`5.0`, `0.01`, `1e-7`): Rust's
/// `Debug` form, which is always a valid TOML float for a finite value.
fn float(value: f64) -> String {
    debug_assert!(
        value.is_finite(),
        "a resolved scenario holds finite numbers only"
    );
    format!("{value:?}")
}

/// A TOML basic string, with quotes, backslashes and control characters escaped.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_valid_toml_and_exact() {
        for v in [
            0.0,
            5.0,
            0.01,
            1e-7,
            1e20,
            123.456,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            let text = format!("v = {}", float(v));
            let back: toml::Table = toml::from_str(&text).expect("valid TOML");
            assert_eq!(back["v"].as_float(), Some(v), "{text}");
        }
    }

    #[test]
    fn strings_escape_what_toml_requires() {
        let s = "a \"quoted\" \\ back\nslash\t\u{1}\u{7f} é";
        let text = format!("v = {}", string(s));
        let back: toml::Table = toml::from_str(&text).expect("valid TOML");
        assert_eq!(back["v"].as_str(), Some(s));
    }
}
