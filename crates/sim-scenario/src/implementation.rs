//! Which keys apply to which Raft implementation. The model runs every key; raft-rs runs
//! the keys a library user controls (disks, crash models, network, faults, clients,
//! `sync` and `parallel-append` persistence, its own adapter mutant) and a scenario that
//! sets a NuRaft-only key with it is rejected here, at that key, never run without it.
//! docs/implementations.md says why each key does or does not apply.
//!
//! A default value is accepted (so `show`'s output of a raft-rs scenario reads back); a
//! value that asks for something raft-rs cannot do is not.

use crate::error::{Issue, IssueKind};
use crate::model::StateMachine;
use crate::model::{Bug, CommitRule, Implementation, Mode, ReadPath, Scenario};
use crate::reader::{Node, Table};
use crate::schema;

/// The defaults that depend on the implementation: raft-rs's commit rule is the Raft
/// paper's, `current-term`, unless the file says otherwise, and a NuRaft follower's
/// `follower_append` choice has no value with raft-rs.
pub(crate) fn defaults(root: &Table<'_, '_>, s: &mut Scenario) {
    if s.cluster.implementation != Implementation::RaftRs {
        return;
    }
    if located(root, "raft", "commit_rule").is_none() {
        s.raft.commit_rule = CommitRule::CurrentTerm;
    }
    if located(root, "cluster", "follower_append").is_none() {
        s.cluster.follower_append = None;
    }
}

/// The first key of `s` that does not apply to its implementation, located in `root`.
pub(crate) fn applies(root: &Table<'_, '_>, s: &Scenario) -> Result<(), Issue> {
    let adapter_bug = s.cluster.bug == Bug::PersistedMessagesEarly;
    match s.cluster.implementation {
        Implementation::Model if adapter_bug => Err(reject(
            root,
            "cluster",
            "bug",
            "is a mistake in the raft-rs adapter; the model has no such adapter",
            "set implementation = \"raft-rs\", or pick a bug of the model (`sim-runner list mutants`)",
        )),
        Implementation::Model => Ok(()),
        Implementation::RaftRs => raft_rs(root, s),
    }
}

fn raft_rs(root: &Table<'_, '_>, s: &Scenario) -> Result<(), Issue> {
    let c = &s.cluster;
    if c.mode == Mode::AsyncHandler {
        return Err(reject(
            root,
            "cluster",
            "mode",
            "\"async-handler\" is NuRaft's handler mode; raft-rs has no such mode",
            "use mode = \"sync\" (persist, then advance) or \"parallel-append\" (raft-rs's async persistence)",
        ));
    }
    if c.follower_append.is_some() {
        return Err(reject(
            root,
            "cluster",
            "follower_append",
            "a NuRaft follower's choice; raft-rs's async persistence decides by itself",
            "remove `follower_append` (parallel-append is raft-rs's async path)",
        ));
    }
    if c.bug != Bug::None && c.bug != Bug::PersistedMessagesEarly {
        return Err(reject(
            root,
            "cluster",
            "bug",
            &format!(
                "{:?} is a mutant of the model's core or store, not of raft-rs",
                c.bug.name()
            ),
            "use bug = \"persisted-messages-early\", or implementation = \"model\"",
        ));
    }
    if c.state_machine == StateMachine::Persistent {
        return Err(reject(
            root,
            "cluster",
            "state_machine",
            "a persistent state machine is not supported with raft-rs yet",
            "remove `state_machine` (raft-rs rebuilds the state machine from the log)",
        ));
    }
    if s.raft.commit_rule != CommitRule::CurrentTerm {
        return Err(reject(
            root,
            "raft",
            "commit_rule",
            "\"nuraft\" is NuRaft's rule; raft-rs commits by the Raft paper's (\"current-term\", its default here)",
            "remove `commit_rule`, or set it to \"current-term\"",
        ));
    }
    if s.raft.negative_batch_hint_rate > 0.0 {
        return Err(reject(
            root,
            "raft",
            "negative_batch_hint_rate",
            "NuRaft's batch-size hint; raft-rs has none",
            "remove `negative_batch_hint_rate`",
        ));
    }
    if s.workload.read_path == ReadPath::LeaderState {
        return Err(reject(
            root,
            "workload",
            "read_path",
            "the raft-rs adapter reads through the log only",
            "remove `read_path`, or set it to \"log\"",
        ));
    }
    Ok(())
}

/// An issue at `[table] key` of the file, or at `[cluster] implementation` when the key
/// is not in the file.
fn reject(root: &Table<'_, '_>, table: &str, key: &str, message: &str, hint: &str) -> Issue {
    let implementation = if table == "cluster" && key == "bug" && message.contains("adapter") {
        "model"
    } else {
        "raft-rs"
    };
    let message = format!("does not apply with implementation = \"{implementation}\": {message}");
    let at = located(root, table, key).or_else(|| located(root, "cluster", "implementation"));
    match at {
        Some(node) => node
            .issue(IssueKind::NotApplicable, message)
            .hint(hint.to_string()),
        None => Issue::new(IssueKind::NotApplicable, 0..0, key, message).hint(hint.to_string()),
    }
}

fn located<'t, 'i>(root: &Table<'t, 'i>, table: &str, key: &str) -> Option<Node<'t, 'i>> {
    let allowed = match table {
        "cluster" => schema::CLUSTER,
        "raft" => schema::RAFT,
        _ => schema::WORKLOAD,
    };
    root.get(table)?.table(allowed).ok()?.get(key)
}
