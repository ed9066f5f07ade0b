//! Reading `[faults]`: the random fault rates and the explicit `[[faults.schedule]]`.
//!
//! A schedule entry needs `at_ms` and `action`; `node` for crash, restart, isolate,
//! disk-stall and disk-resume; `groups` (and optionally `one_way`) for partition; nothing
//! else for heal. A key of another action is an error, not ignored. Whether a fault makes
//! sense at run time (crashing a node already down) is not checked: that is a no-op.

use crate::error::{Issue, IssueKind};
use crate::hint;
use crate::model::{CrashKind, FaultAction, Faults, NodeSel, ScheduledFault};
use crate::names::{Named, named};
use crate::parse::set;
use crate::reader::{Node, Table};
use crate::{latency, schema, validate};

/// The `action` names of a schedule entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ActionKind {
    Crash,
    Restart,
    Isolate,
    Partition,
    Heal,
    DiskStall,
    DiskResume,
}

named!(ActionKind {
    Crash => "crash",
    Restart => "restart",
    Isolate => "isolate",
    Partition => "partition",
    Heal => "heal",
    DiskStall => "disk-stall",
    DiskResume => "disk-resume",
});

impl ActionKind {
    /// The keys of this action beyond `at_ms` and `action`.
    fn keys(self) -> &'static [&'static str] {
        match self {
            ActionKind::Partition => &["groups", "one_way"],
            ActionKind::Heal => &[],
            ActionKind::Crash => &["node", "kind"],
            _ => &["node"],
        }
    }

    /// The action of a resolved fault.
    pub(crate) fn of(action: &FaultAction) -> ActionKind {
        match action {
            FaultAction::Crash { .. } => ActionKind::Crash,
            FaultAction::Restart { .. } => ActionKind::Restart,
            FaultAction::Isolate { .. } => ActionKind::Isolate,
            FaultAction::Partition { .. } => ActionKind::Partition,
            FaultAction::Heal => ActionKind::Heal,
            FaultAction::DiskStall { .. } => ActionKind::DiskStall,
            FaultAction::DiskResume { .. } => ActionKind::DiskResume,
        }
    }
}

/// The names a node selector takes besides an id.
const NODE_NAMES: [&str; 3] = ["leader", "follower", "random"];

/// `[faults]`, defaults for what is left out. Node ids are checked against `nodes` and
/// fault times against `duration_ms`.
pub(crate) fn faults(
    node: Option<Node<'_, '_>>,
    nodes: u8,
    duration_ms: u64,
) -> Result<Faults, Issue> {
    let mut faults = Faults::default();
    let Some(node) = node else { return Ok(faults) };
    let t = node.table(schema::FAULTS)?;
    set(
        &t,
        "crash_rate_per_s",
        &mut faults.crash_rate_per_s,
        Node::non_negative,
    )?;
    set(
        &t,
        "process_crash_fraction",
        &mut faults.process_crash_fraction,
        Node::probability,
    )?;
    set(
        &t,
        "restart_delay_ms",
        &mut faults.restart_delay_ms,
        latency::range_ms,
    )?;
    set(
        &t,
        "partition_rate_per_s",
        &mut faults.partition_rate_per_s,
        Node::non_negative,
    )?;
    set(
        &t,
        "partition_duration_ms",
        &mut faults.partition_duration_ms,
        latency::range_ms,
    )?;
    if let Some(schedule) = t.get("schedule") {
        let entries = match schedule.value {
            toml::de::DeValue::Array(_) => schedule.array()?,
            _ => return Err(schedule.wrong_type("an array of tables ([[faults.schedule]])")),
        };
        for e in &entries {
            faults.schedule.push(entry(e, nodes, duration_ms)?);
        }
    }
    Ok(faults)
}

/// One `[[faults.schedule]]` entry.
fn entry(node: &Node<'_, '_>, nodes: u8, duration_ms: u64) -> Result<ScheduledFault, Issue> {
    let t = node.table(schema::SCHEDULE_ENTRY)?;
    let at = t.require("at_ms", "at_ms = <milliseconds from the start of the run>")?;
    let at_ms = at.uint(0, u64::MAX)?;
    let action_hint = format!("action = {}", hint::alternatives(&ActionKind::names()));
    let action: ActionKind = t.require("action", &action_hint)?.choice()?;
    for key in ["node", "kind", "groups", "one_way"] {
        let Some(extra) = t.get(key).filter(|_| !action.keys().contains(&key)) else {
            continue;
        };
        let message = format!("`{key}` does not apply to action = {:?}", action.name());
        return Err(extra
            .key_issue(IssueKind::NotApplicable, message)
            .hint(not_applicable(action, key)));
    }
    validate::within_run(&at, at_ms, duration_ms)?;
    let node_hint = format!(
        "action = {:?} needs node = 1..={nodes} | {}",
        action.name(),
        hint::alternatives(&NODE_NAMES)
    );
    let sel = |t: &Table<'_, '_>| node_sel(&t.require("node", &node_hint)?, nodes);
    let action = match action {
        ActionKind::Crash => {
            let mut kind = CrashKind::Power;
            set(&t, "kind", &mut kind, Node::choice)?;
            FaultAction::Crash {
                node: sel(&t)?,
                kind,
            }
        }
        ActionKind::Restart => FaultAction::Restart { node: sel(&t)? },
        ActionKind::Isolate => FaultAction::Isolate { node: sel(&t)? },
        ActionKind::DiskStall => FaultAction::DiskStall { node: sel(&t)? },
        ActionKind::DiskResume => FaultAction::DiskResume { node: sel(&t)? },
        ActionKind::Heal => FaultAction::Heal,
        ActionKind::Partition => {
            let mut one_way = false;
            set(&t, "one_way", &mut one_way, Node::boolean)?;
            let hint = "a partition needs groups, e.g. groups = [[1, 2], [3]]";
            let groups = validate::partition_groups(&t.require("groups", hint)?, nodes, one_way)?;
            FaultAction::Partition { groups, one_way }
        }
    };
    Ok(ScheduledFault { at_ms, action })
}

/// What to do about `key` written on an action that does not take it.
fn not_applicable(action: ActionKind, key: &str) -> String {
    match (action, key) {
        (ActionKind::Heal, _) => format!("heal acts on the whole cluster; remove `{key}`"),
        (ActionKind::Partition, _) => {
            format!("partition takes groups (and one_way), not `{key}`; remove it")
        }
        (_, "kind") => format!(
            "`kind` (\"power\" | \"process\") is for action = \"crash\"; {} takes node",
            action.name()
        ),
        _ => format!(
            "`{key}` is for action = \"partition\"; {} takes node",
            action.name()
        ),
    }
}

/// A node selector: an id in 1..=nodes or "leader" | "follower" | "random".
fn node_sel(node: &Node<'_, '_>, nodes: u8) -> Result<NodeSel, Issue> {
    match node.value {
        toml::de::DeValue::Integer(_) => validate::node_id(node, nodes).map(NodeSel::Id),
        toml::de::DeValue::String(s) => match s.as_ref() {
            "leader" => Ok(NodeSel::Leader),
            "follower" => Ok(NodeSel::Follower),
            "random" => Ok(NodeSel::Random),
            other => Err(node
                .issue(IssueKind::UnknownValue, format!("unknown node {other:?}"))
                .hint(format!(
                    "a node is an id 1..={nodes} or one of {}{}",
                    hint::quoted_list(&NODE_NAMES),
                    hint::closest(other, &NODE_NAMES)
                        .map_or(String::new(), |c| format!("; did you mean \"{c}\"?"))
                ))),
        },
        _ => Err(node.wrong_type(&format!(
            "a node id 1..={nodes} or {}",
            hint::alternatives(&NODE_NAMES)
        ))),
    }
}
