//! The rules that relate one value to another: keys that only apply in some mode or with
//! some outcome, node ids against the cluster size, partition groups, and fault times
//! against the run's length.
//!
//! Each function checks one rule of SCENARIO.md "Validation rules" on located values and
//! returns an [`Issue`] pointing at the value (or key) to fix. Single-value rules (types,
//! ranges, names) are `reader.rs`'s; the walk over the document is `parse.rs`'s.

use sim_core::NodeId;
use std::collections::BTreeMap;

use crate::error::{Issue, IssueKind};
use crate::model::{Mode, Outcome};
use crate::names::Named;
use crate::reader::{Node, Table};

/// `client_ack` and `follower_flush` only apply in async-handler mode.
pub(crate) fn async_handler_only(cluster: &Table<'_, '_>, mode: Mode) -> Result<(), Issue> {
    if mode == Mode::AsyncHandler {
        return Ok(());
    }
    for key in ["client_ack", "follower_flush"] {
        if let Some(node) = cluster.get(key) {
            let message = format!(
                "only applies with mode = \"async-handler\", and mode is {:?}",
                mode.name()
            );
            return Err(node
                .key_issue(IssueKind::NotApplicable, message)
                .hint(format!("remove `{key}`, or set mode = \"async-handler\"")));
        }
    }
    Ok(())
}

/// `follower_append` only applies in parallel-append mode.
pub(crate) fn parallel_append_only(cluster: &Table<'_, '_>, mode: Mode) -> Result<(), Issue> {
    let key = "follower_append";
    match cluster.get(key) {
        Some(node) if mode != Mode::ParallelAppend => {
            let message = format!(
                "only applies with mode = \"parallel-append\", and mode is {:?}",
                mode.name()
            );
            Err(node
                .key_issue(IssueKind::NotApplicable, message)
                .hint(format!("remove `{key}`, or set mode = \"parallel-append\"")))
        }
        _ => Ok(()),
    }
}

/// `violation` and `within_seeds` do not apply to `outcome = "pass"`; `violation` is
/// required with `outcome = "violation"`.
pub(crate) fn expect_keys(
    expect: &Table<'_, '_>,
    outcome: Outcome,
    outcome_node: Option<&Node<'_, '_>>,
) -> Result<(), Issue> {
    match outcome {
        Outcome::Pass => {
            for key in ["violation", "within_seeds"] {
                if let Some(node) = expect.get(key) {
                    let message = "does not apply to outcome = \"pass\"";
                    return Err(node
                        .key_issue(IssueKind::NotApplicable, message)
                        .hint(format!(
                            "remove `{key}`, or set outcome = \"violation\" to expect a violation"
                        )));
                }
            }
            Ok(())
        }
        Outcome::Violation if expect.has("allow") => {
            let node = expect.get("allow").expect("has it");
            Err(node
                .key_issue(
                    IssueKind::NotApplicable,
                    "does not apply to outcome = \"violation\"",
                )
                .hint(
                    "a scenario that expects a violation already tolerates the others; use allow with outcome = \"pass\"",
                ))
        }
        Outcome::Violation if expect.has("violation") => Ok(()),
        Outcome::Violation => {
            // outcome = "violation" is never a default, so its value is in the file.
            let span = outcome_node.map_or(expect.span.clone(), |n| n.span.clone());
            let message = "is required when outcome = \"violation\"";
            Err(Issue::new(
                IssueKind::Missing,
                span,
                expect.child_path("violation"),
                message,
            )
            .hint("name the invariant that must fire, e.g. violation = \"durability-loss\""))
        }
    }
}

/// A node id: an integer in 1..=nodes.
pub(crate) fn node_id(node: &Node<'_, '_>, nodes: u8) -> Result<NodeId, Issue> {
    let id = node.integer()?;
    match u8::try_from(id) {
        Ok(id) if (1..=nodes).contains(&id) => Ok(NodeId(id)),
        _ => Err(node
            .issue(
                IssueKind::OutOfRange,
                format!("node ids are 1..={nodes}, got {id}"),
            )
            .hint(format!("[cluster] nodes = {nodes}"))),
    }
}

/// Partition groups: at least one, each non-empty, ids in 1..=nodes, no node twice; with
/// `one_way`, exactly two groups that together name every node.
pub(crate) fn partition_groups(
    groups: &Node<'_, '_>,
    nodes: u8,
    one_way: bool,
) -> Result<Vec<Vec<NodeId>>, Issue> {
    let items = groups.array()?;
    if items.is_empty() {
        return Err(groups
            .issue(IssueKind::Invalid, "a partition needs at least one group")
            .hint("e.g. groups = [[1, 2], [3]]; nodes not named form one more group"));
    }
    let mut seen: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (g, group) in items.iter().enumerate() {
        let members = match group.value {
            toml::de::DeValue::Array(_) => group.array()?,
            _ => return Err(group.wrong_type("a group: an array of node ids, e.g. [1, 2]")),
        };
        if members.is_empty() {
            return Err(group.issue(IssueKind::Invalid, "a group must name at least one node"));
        }
        let mut ids = Vec::with_capacity(members.len());
        for member in &members {
            let id = node_id(member, nodes)?;
            if let Some(first) = seen.insert(id, g) {
                return Err(member
                    .issue(
                        IssueKind::Invalid,
                        format!("node {id} is already in group {first}"),
                    )
                    .hint("a node may be in one group only"));
            }
            ids.push(id);
        }
        out.push(ids);
    }
    if one_way {
        one_way_covers_all(groups, &out, nodes)?;
    }
    Ok(out)
}

/// With `one_way = true`: exactly two groups that together name every node.
fn one_way_covers_all(groups: &Node<'_, '_>, out: &[Vec<NodeId>], nodes: u8) -> Result<(), Issue> {
    let hint = "one_way cuts only group 0 -> group 1, so it needs two groups naming every node";
    if out.len() != 2 {
        let message = format!("one_way = true needs exactly two groups, got {}", out.len());
        return Err(groups.issue(IssueKind::Invalid, message).hint(hint));
    }
    let missing: Vec<String> = NodeId::all(nodes)
        .filter(|id| !out.iter().flatten().any(|x| x == id))
        .map(|id| id.to_string())
        .collect();
    if !missing.is_empty() {
        let message = format!(
            "one_way = true needs the two groups to name every node; missing {}",
            missing.join(", ")
        );
        return Err(groups.issue(IssueKind::Invalid, message).hint(hint));
    }
    Ok(())
}

/// A scheduled fault happens while faults run: `at_ms < duration_ms`.
pub(crate) fn within_run(at: &Node<'_, '_>, at_ms: u64, duration_ms: u64) -> Result<(), Issue> {
    if at_ms < duration_ms {
        return Ok(());
    }
    let message = format!("must be below run.duration_ms ({duration_ms}), got {at_ms}");
    Err(at.issue(IssueKind::OutOfRange, message).hint(
        "faults stop when the run's duration ends; schedule it earlier or raise [run] duration_ms",
    ))
}
