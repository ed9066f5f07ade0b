//! Whether the cluster has **converged**: a leader, up and in the newest term of any up
//! node, has committed an entry of its own term, and every up node holds the log it
//! committed. The liveness checker judges a run by it, the acknowledged-write checker
//! judges writes against the log it names, and the world asks it to end a healed run early.
//!
//! A pure question of the [`View`]; it keeps no state and reports nothing.

use crate::node_view::{EntryId, NodeView};
use crate::view::View;
use raft_core::{LogIndex, NodeId, Role, Term};

/// A converged cluster: the leader, its term and the log it committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converged {
    pub leader: NodeId,
    pub term: Term,
    pub commit: LogIndex,
}

/// Whether the cluster has converged now: a leader up in the highest term of any up node,
/// with an entry of its own term committed, and every up node holding the log it committed
/// (a follower's own commit index may trail by a heartbeat: that is how it learns it, so it
/// is not compared).
pub(crate) fn convergence(view: &View) -> Option<Converged> {
    let (i, leader) = newest_leader(view)?;
    let len = committed_len(leader);
    if last_committed(view, leader)?.term != leader.term {
        return None;
    }
    let all_hold = view
        .nodes
        .iter()
        .filter(|v| v.up)
        .all(|v| holds_committed_log(view, v, leader, len));
    all_hold.then_some(Converged {
        leader: NodeId::from_index(i),
        term: leader.term,
        commit: LogIndex(len as u64),
    })
}

/// The log the converged leader committed, if the cluster has converged, with its length.
pub(crate) fn converged_log(view: &View) -> Option<(usize, impl Iterator<Item = &EntryId>)> {
    let c = convergence(view)?;
    let len = c.commit.0 as usize;
    let log = view.node(c.leader).log.iter(view.committed_ids()).take(len);
    Some((len, log))
}

/// Whether `v` holds the first `len` entries of `leader`'s log.
pub(crate) fn holds_committed_log(
    view: &View,
    v: &NodeView,
    leader: &NodeView,
    len: usize,
) -> bool {
    v.log.len() >= len
        && v.log
            .first_difference(&leader.log, view.committed_ids(), len)
            .is_none()
}

/// The newest term of any up node.
pub(crate) fn newest_term(view: &View) -> Option<Term> {
    view.nodes.iter().filter(|v| v.up).map(|v| v.term).max()
}

/// The up leader of the newest term of any up node, with its position, if there is one.
pub(crate) fn newest_leader(view: &View) -> Option<(usize, &NodeView)> {
    let top = newest_term(view)?;
    view.nodes
        .iter()
        .enumerate()
        .find(|(_, v)| v.up && v.role == Role::Leader && v.term == top)
}

/// How much of its log `v` has committed: up to its commit index, within its log.
pub(crate) fn committed_len(v: &NodeView) -> usize {
    let commit = usize::try_from(v.commit.0).unwrap_or(usize::MAX);
    commit.min(v.log.len())
}

/// The last entry `v` has committed (within its log), if any.
pub(crate) fn last_committed<'a>(view: &'a View, v: &'a NodeView) -> Option<&'a EntryId> {
    let len = committed_len(v);
    v.log.get(view.committed_ids(), len.checked_sub(1)?)
}
