//! Which keys apply to which Raft implementation. The model runs every key; the libraries
//! (raft-rs, openraft) run the keys a library user controls (disks, crash models, network,
//! faults, clients, `sync` and `parallel-append` persistence, their own adapter mutant),
//! and a scenario that sets a NuRaft-only key with one is rejected here, at that key, never
//! run without it. docs/implementations.md says why each key does or does not apply.
//!
//! A default value is accepted (so `show`'s output of a library's scenario reads back); a
//! value that asks for something the library cannot do is not.

use crate::error::{Issue, IssueKind};
use crate::model::StateMachine;
use crate::model::{Bug, CommitRule, Implementation, Mode, ReadPath, Scenario};
use crate::reader::{Node, Table};
use crate::schema;

/// What differs between the libraries in the rules below.
struct Library {
    name: &'static str,
    /// Its adapter's own mutant: the one `bug` that applies.
    bug: Bug,
    /// What `mode = "sync"` and `"parallel-append"` mean for it (for the hint).
    modes: &'static str,
}

const RAFT_RS: Library = Library {
    name: "raft-rs",
    bug: Bug::PersistedMessagesEarly,
    modes: "use mode = \"sync\" (persist, then advance) or \"parallel-append\" (raft-rs's async persistence)",
};

const OPENRAFT: Library = Library {
    name: "openraft",
    bug: Bug::IoFlushedBeforeFsync,
    modes: "use mode = \"parallel-append\" (IOFlushed completes on the flush) or \"sync\" (append flushes before it returns)",
};

fn library(i: Implementation) -> Option<&'static Library> {
    match i {
        Implementation::Model => None,
        Implementation::RaftRs => Some(&RAFT_RS),
        Implementation::Openraft => Some(&OPENRAFT),
    }
}

/// The defaults that depend on the implementation: a library's commit rule is the Raft
/// paper's, `current-term`, unless the file says otherwise, and a NuRaft follower's
/// `follower_append` choice has no value with a library.
pub(crate) fn defaults(root: &Table<'_, '_>, s: &mut Scenario) {
    if library(s.cluster.implementation).is_none() {
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
    let bug = s.cluster.bug;
    let owner = [&RAFT_RS, &OPENRAFT].into_iter().find(|l| l.bug == bug);
    match (library(s.cluster.implementation), owner) {
        (None, Some(owner)) => Err(reject(
            root,
            "model",
            "cluster",
            "bug",
            &format!(
                "is a mistake in the {} adapter; the model has no such adapter",
                owner.name
            ),
            &format!(
                "set implementation = \"{}\", or pick a bug of the model (`sim-runner list mutants`)",
                owner.name
            ),
        )),
        (None, None) if bug.needs_snapshots() && s.raft.snapshot_distance == 0 => {
            let message = format!(
                "\"{}\" is a mistake in how snapshots reach the disk, and this scenario takes no snapshots",
                bug.name()
            );
            let hint = "set [raft] snapshot_distance (e.g. 50), or pick another bug (`sim-runner list mutants`)";
            let issue = match located(root, "cluster", "bug") {
                Some(node) => node.issue(IssueKind::NotApplicable, message),
                None => Issue::new(IssueKind::NotApplicable, 0..0, "cluster.bug", message),
            };
            Err(issue.hint(hint.to_string()))
        }
        (None, None) => Ok(()),
        (Some(lib), _) => library_keys(root, s, lib),
    }
}

fn library_keys(root: &Table<'_, '_>, s: &Scenario, lib: &Library) -> Result<(), Issue> {
    let c = &s.cluster;
    let name = lib.name;
    let no = |table: &str, key: &str, message: &str, hint: &str| {
        Err(reject(root, name, table, key, message, hint))
    };
    if c.mode == Mode::AsyncHandler {
        return no(
            "cluster",
            "mode",
            &format!("\"async-handler\" is NuRaft's handler mode; {name} has no such mode"),
            lib.modes,
        );
    }
    if c.follower_append.is_some() {
        return no(
            "cluster",
            "follower_append",
            &format!(
                "a NuRaft follower's choice; {name}'s followers answer once their write is durable"
            ),
            "remove `follower_append`",
        );
    }
    if c.bug != Bug::None && c.bug != lib.bug {
        return no(
            "cluster",
            "bug",
            &format!(
                "{:?} is a mutant of the model or of another adapter, not of {name}",
                c.bug.name()
            ),
            &format!(
                "use bug = \"{}\", or implementation = \"model\"",
                lib.bug.name()
            ),
        );
    }
    if c.state_machine == StateMachine::Persistent {
        return no(
            "cluster",
            "state_machine",
            &format!("a persistent state machine is not supported with {name} yet"),
            &format!("remove `state_machine` ({name} rebuilds the state machine from the log)"),
        );
    }
    if s.raft.commit_rule != CommitRule::CurrentTerm {
        return no(
            "raft",
            "commit_rule",
            &format!(
                "\"nuraft\" is NuRaft's rule; {name} commits by the Raft paper's (\"current-term\", its default here)"
            ),
            "remove `commit_rule`, or set it to \"current-term\"",
        );
    }
    if s.raft.snapshot_distance > 0 {
        return no(
            "raft",
            "snapshot_distance",
            &format!(
                "snapshots are modelled for the model implementation only; the {name} adapter takes none"
            ),
            "remove `snapshot_distance`",
        );
    }
    if s.raft.negative_batch_hint_rate > 0.0 {
        return no(
            "raft",
            "negative_batch_hint_rate",
            &format!("NuRaft's batch-size hint; {name} has none"),
            "remove `negative_batch_hint_rate`",
        );
    }
    if s.workload.read_path == ReadPath::LeaderState {
        return no(
            "workload",
            "read_path",
            &format!("the {name} adapter reads through the log only"),
            "remove `read_path`, or set it to \"log\"",
        );
    }
    Ok(())
}

/// An issue at `[table] key` of the file, or at `[cluster] implementation` when the key
/// is not in the file.
fn reject(
    root: &Table<'_, '_>,
    implementation: &str,
    table: &str,
    key: &str,
    message: &str,
    hint: &str,
) -> Issue {
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
