//! The walk over a scenario document: TOML text in, resolved [`Scenario`] or the first
//! [`Issue`] out.
//!
//! Each section starts from its documented default (`defaults.rs`) and takes the keys the
//! file gives, read through `reader.rs` (types, ranges, names) and checked against the
//! rules that relate values (`validate.rs`). `[cluster]` and `[run]` are read before
//! `[faults]`, whose node ids and times depend on them. `[faults]` itself is in
//! `schedule.rs`; latencies and ranges in `latency.rs`.

use std::path::Path;

use toml::de::DeTable;

use crate::error::{Issue, IssueKind, ScenarioError};
use crate::gate::Gate;
use crate::model::{
    CLIENTS_MAX, Cluster, Disk, Expect, LatencyUnit, Mode, NODES_MAX, Network, Outcome, Raft, Run,
    Scenario, Workload,
};
use crate::names::Named;
use crate::reader::{Node, Table};
use crate::{hint, latency, schedule, schema, validate};

/// The largest value a TOML integer can hold.
const TOML_INT_MAX: u64 = i64::MAX as u64;

/// Parses and validates `text`; errors name `file`.
pub(crate) fn parse(
    text: &str,
    file: &str,
    gates: &'static [Gate],
) -> Result<Scenario, ScenarioError> {
    scenario(text, file, gates).map_err(|issue| issue.locate(file, text))
}

fn scenario(text: &str, file: &str, gates: &'static [Gate]) -> Result<Scenario, Issue> {
    let doc = DeTable::parse(text).map_err(|e| syntax(&e, text))?;
    let root = Table::root(&doc, schema::TOP, gates)?;
    let mut name = Path::new(file)
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    set(&root, "name", &mut name, |n| n.string().map(str::to_string))?;
    let mut description = String::new();
    set(&root, "description", &mut description, |n| {
        n.string().map(str::to_string)
    })?;
    let cluster = cluster(&root)?;
    let run = run(root.get("run"))?;
    let mut scenario = Scenario {
        name,
        description,
        raft: raft(root.get("raft"))?,
        disk: disk(root.get("disk"))?,
        network: network(root.get("network"))?,
        faults: schedule::faults(root.get("faults"), cluster.nodes, run.duration_ms)?,
        workload: workload(root.get("workload"))?,
        expect: expect(root.get("expect"))?,
        cluster,
        run,
    };
    crate::implementation::defaults(&root, &mut scenario);
    crate::implementation::applies(&root, &scenario)?;
    Ok(scenario)
}

/// A TOML syntax error, at the span the TOML parser reports.
fn syntax(error: &toml::de::Error, text: &str) -> Issue {
    let span = error.span().unwrap_or(0..0);
    let at = text.get(span.clone()).unwrap_or("");
    let message = error.message().trim();
    if message == "duplicate key" && !at.is_empty() {
        let message = format!("duplicate key `{at}`");
        return Issue::new(IssueKind::Syntax, span, "", message)
            .hint("a key may be given once per table; remove one of them");
    }
    let issue = Issue::new(IssueKind::Syntax, span, "", message);
    if is_bare_word(at) {
        return issue.hint(format!("if it is a string, quote it: \"{at}\""));
    }
    issue
}

/// A word that reads like an unquoted string value (`mode = sync`).
fn is_bare_word(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !matches!(text, "true" | "false" | "nan" | "inf")
}

/// Overwrites `field` with the value at `key`, if the table has one.
pub(crate) fn set<'t, 'i, T>(
    table: &Table<'t, 'i>,
    key: &str,
    field: &mut T,
    read: impl FnOnce(&Node<'t, 'i>) -> Result<T, Issue>,
) -> Result<(), Issue> {
    if let Some(node) = table.get(key) {
        *field = read(&node)?;
    }
    Ok(())
}

/// The largest `snapshot_distance` and `reserved_log_items` (a billion entries: beyond any
/// run's length).
const SNAPSHOT_DISTANCE_MAX: u64 = 1_000_000_000;

/// An integer >= `min` that fits a `u32`.
fn u32_at_least(node: &Node<'_, '_>, min: u64) -> Result<u32, Issue> {
    let value = node.uint(min, u32::MAX.into())?;
    Ok(u32::try_from(value).unwrap_or(u32::MAX))
}

fn at_least_1(node: &Node<'_, '_>) -> Result<u64, Issue> {
    node.uint(1, TOML_INT_MAX)
}

fn any_uint(node: &Node<'_, '_>) -> Result<u64, Issue> {
    node.uint(0, TOML_INT_MAX)
}

fn cluster(root: &Table<'_, '_>) -> Result<Cluster, Issue> {
    let modes = hint::alternatives(&Mode::names());
    let Some(node) = root.get("cluster") else {
        let message = "missing required table [cluster] (the file has none)";
        return Err(
            Issue::new(IssueKind::Missing, 0..0, "cluster", message).hint(format!(
                "add [cluster] with nodes = 1..=9 and mode = {modes}"
            )),
        );
    };
    let t = node.table(schema::CLUSTER)?;
    let nodes = t.require("nodes", "nodes = 1..=9")?;
    let nodes = nodes
        .uint(1, NODES_MAX.into())
        .map_err(|e| e.or_hint(format!("a cluster has 1 to {} nodes", NODES_MAX)))?;
    let nodes = u8::try_from(nodes).unwrap_or(NODES_MAX);
    let mode = t.require("mode", &format!("mode = {modes}"))?.choice()?;
    validate::async_handler_only(&t, mode)?;
    validate::parallel_append_only(&t, mode)?;
    let mut cluster = Cluster::new(nodes, mode);
    set(
        &t,
        "implementation",
        &mut cluster.implementation,
        Node::choice,
    )?;
    if let Some(n) = t.get("client_ack") {
        cluster.client_ack = Some(n.choice()?);
    }
    if let Some(n) = t.get("follower_flush") {
        cluster.follower_flush = Some(n.choice()?);
    }
    if let Some(n) = t.get("follower_append") {
        cluster.follower_append = Some(n.choice()?);
    }
    set(&t, "bug", &mut cluster.bug, Node::choice)?;
    set(
        &t,
        "state_machine",
        &mut cluster.state_machine,
        Node::choice,
    )?;
    Ok(cluster)
}

fn raft(node: Option<Node<'_, '_>>) -> Result<Raft, Issue> {
    let mut raft = Raft::default();
    let Some(node) = node else { return Ok(raft) };
    let t = node.table(schema::RAFT)?;
    set(
        &t,
        "heartbeat_interval_ms",
        &mut raft.heartbeat_interval_ms,
        at_least_1,
    )?;
    set(
        &t,
        "election_timeout_ms",
        &mut raft.election_timeout_ms,
        latency::range_ms,
    )?;
    set(&t, "max_append_batch", &mut raft.max_append_batch, |n| {
        u32_at_least(n, 1)
    })?;
    set(&t, "commit_rule", &mut raft.commit_rule, Node::choice)?;
    set(
        &t,
        "negative_batch_hint_rate",
        &mut raft.negative_batch_hint_rate,
        Node::probability,
    )?;
    set(&t, "snapshot_distance", &mut raft.snapshot_distance, |n| {
        n.uint(0, SNAPSHOT_DISTANCE_MAX)
    })?;
    set(
        &t,
        "reserved_log_items",
        &mut raft.reserved_log_items,
        |n| n.uint(0, SNAPSHOT_DISTANCE_MAX),
    )?;
    Ok(raft)
}

fn disk(node: Option<Node<'_, '_>>) -> Result<Disk, Issue> {
    let mut disk = Disk::default();
    let Some(node) = node else { return Ok(disk) };
    let t = node.table(schema::DISK)?;
    let us = |n: &Node<'_, '_>| latency::latency(n, LatencyUnit::Microseconds);
    let ms = |n: &Node<'_, '_>| latency::latency(n, LatencyUnit::Milliseconds);
    set(&t, "write_latency_us", &mut disk.write_latency_us, us)?;
    set(&t, "flush_latency_ms", &mut disk.flush_latency_ms, ms)?;
    if let Some(n) = t.get("state_flush_latency_ms") {
        disk.state_flush_latency_ms = Some(ms(&n)?);
    }
    set(&t, "crash", &mut disk.crash, Node::choice)?;
    set(&t, "sector_bytes", &mut disk.sector_bytes, sector_bytes)?;
    set(
        &t,
        "fsync_error_rate",
        &mut disk.fsync_error_rate,
        Node::probability,
    )?;
    set(
        &t,
        "corruption_rate",
        &mut disk.corruption_rate,
        Node::probability,
    )?;
    set(
        &t,
        "fsync_error_policy",
        &mut disk.fsync_error_policy,
        Node::choice,
    )?;
    set(&t, "flush_order", &mut disk.flush_order, Node::choice)?;
    Ok(disk)
}

/// A power of two from 512 to 65536.
fn sector_bytes(node: &Node<'_, '_>) -> Result<u32, Issue> {
    let value = node.integer()?;
    match u32::try_from(value) {
        Ok(v) if (512..=65536).contains(&v) && v.is_power_of_two() => Ok(v),
        _ => Err(node
            .issue(
                IssueKind::OutOfRange,
                format!("must be a power of two from 512 to 65536, got {value}"),
            )
            .hint("e.g. 512, 4096 or 65536")),
    }
}

fn network(node: Option<Node<'_, '_>>) -> Result<Network, Issue> {
    let mut network = Network::default();
    let Some(node) = node else { return Ok(network) };
    let t = node.table(schema::NETWORK)?;
    let ms = |n: &Node<'_, '_>| latency::latency(n, LatencyUnit::Milliseconds);
    set(&t, "latency_ms", &mut network.latency_ms, ms)?;
    set(&t, "drop_rate", &mut network.drop_rate, Node::probability)?;
    set(
        &t,
        "duplicate_rate",
        &mut network.duplicate_rate,
        Node::probability,
    )?;
    set(&t, "reorder", &mut network.reorder, Node::boolean)?;
    Ok(network)
}

fn workload(node: Option<Node<'_, '_>>) -> Result<Workload, Issue> {
    let mut workload = Workload::default();
    let Some(node) = node else {
        return Ok(workload);
    };
    let t = node.table(schema::WORKLOAD)?;
    // Each client holds a request, a timer and a tick in flight: the bound keeps the
    // world's queues within theirs (sim-cluster's PENDING_EVENTS_MAX).
    set(&t, "kind", &mut workload.kind, Node::choice)?;
    set(&t, "clients", &mut workload.clients, |n| {
        Ok(n.uint(0, u64::from(CLIENTS_MAX))? as u32)
    })?;
    set(
        &t,
        "write_rate_per_s",
        &mut workload.write_rate_per_s,
        Node::non_negative,
    )?;
    set(
        &t,
        "read_fraction",
        &mut workload.read_fraction,
        Node::probability,
    )?;
    set(&t, "read_path", &mut workload.read_path, Node::choice)?;
    set(&t, "keys", &mut workload.keys, |n| u32_at_least(n, 1))?;
    set(
        &t,
        "request_timeout_ms",
        &mut workload.request_timeout_ms,
        at_least_1,
    )?;
    Ok(workload)
}

fn run(node: Option<Node<'_, '_>>) -> Result<Run, Issue> {
    let mut run = Run::default();
    let Some(node) = node else { return Ok(run) };
    let t = node.table(schema::RUN)?;
    set(&t, "duration_ms", &mut run.duration_ms, at_least_1)?;
    set(&t, "heal_ms", &mut run.heal_ms, any_uint)?;
    set(&t, "seeds", &mut run.seeds, at_least_1)?;
    set(&t, "seed", &mut run.seed, seed)?;
    set(&t, "max_events", &mut run.max_events, at_least_1)?;
    set(&t, "liveness_timeouts", &mut run.liveness_timeouts, |n| {
        n.uint(1, crate::model::LIVENESS_TIMEOUTS_MAX)
            .map_err(|e| e.or_hint("the liveness bound, in election timeouts: e.g. 20"))
    })?;
    set(&t, "heal_network", &mut run.heal_network, Node::choice)?;
    Ok(run)
}

/// One invariant name or a non-empty list of them; `example` is the hint's.
fn invariants(n: &Node<'_, '_>, example: &str) -> Result<Vec<crate::model::Invariant>, Issue> {
    let names: Vec<crate::model::Invariant> = match n.value {
        toml::de::DeValue::String(_) => vec![n.choice()?],
        toml::de::DeValue::Array(_) => n
            .array()?
            .iter()
            .map(Node::choice)
            .collect::<Result<_, _>>()?,
        _ => return Err(n.wrong_type("an invariant name or a list of names")),
    };
    if names.is_empty() {
        return Err(n
            .issue(IssueKind::Invalid, "needs at least one invariant name")
            .hint(format!("e.g. {example}")));
    }
    Ok(names)
}

/// A seed in a file: 0..=2^63-1, since TOML integers are signed.
fn seed(node: &Node<'_, '_>) -> Result<u64, Issue> {
    let value = node.integer()?;
    u64::try_from(value).map_err(|_| {
        let message = format!("must be in 0..=2^63-1 (TOML integers are signed), got {value}");
        node.issue(IssueKind::OutOfRange, message)
            .hint("any u64 seed can be given on the command line with --seed")
    })
}

fn expect(node: Option<Node<'_, '_>>) -> Result<Expect, Issue> {
    let mut expect = Expect::default();
    let Some(node) = node else { return Ok(expect) };
    let t = node.table(schema::EXPECT)?;
    let outcome_node = t.get("outcome");
    if let Some(n) = &outcome_node {
        expect.outcome = n.choice()?;
    }
    validate::expect_keys(&t, expect.outcome, outcome_node.as_ref())?;
    if expect.outcome == Outcome::Pass {
        if let Some(n) = t.get("allow") {
            expect.allow = invariants(&n, "allow = [\"durability-hazard\"]")?;
        }
        return Ok(expect);
    }
    if let Some(n) = t.get("violation") {
        expect.violation = invariants(
            &n,
            "violation = [\"acked-write-lost\", \"durability-loss\"]",
        )?;
    }
    if let Some(n) = t.get("within_seeds") {
        expect.within_seeds = Some(at_least_1(&n)?);
    }
    Ok(expect)
}
