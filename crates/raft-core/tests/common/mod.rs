//! The hand-driven harness the raft-core tests share: it builds configurations and nodes,
//! feeds one input at a time, and finds actions in the list a step returns.
//!
//! The test plays the caller: it decides when a message arrives and when a write is
//! durable (`Input::LogDurable`), and reads the action list as the order of operations the
//! caller must follow. It performs no I/O and runs no scheduler (that is
//! `properties.rs`'s).

#![allow(dead_code)] // each test binary uses its own part of the harness

use raft_core::{
    Action, ClientId, ClientResult, Command, CommitRule, Config, CoreMutant, Durability, Entry,
    FlushWait, Input, LogIndex, Message, NodeId, Notice, Payload, Raft, ReadPath, Recovered, ReqId,
    Role, Term, Timer,
};

pub const HEARTBEAT_NS: u64 = 50_000_000;
pub const ELECTION_MIN_NS: u64 = 150_000_000;
pub const ELECTION_MAX_NS: u64 = 300_000_000;

/// The client every test request comes from.
pub const CLIENT: ClientId = ClientId(1);

/// Node `id` of a cluster of `nodes` voters (ids 1..=nodes).
pub fn config(id: u8, nodes: u8, durability: Durability, bug: CoreMutant) -> Config {
    Config {
        id: NodeId(id),
        voters: (1..=nodes).map(NodeId).collect(),
        heartbeat_interval_ns: HEARTBEAT_NS,
        election_timeout_min_ns: ELECTION_MIN_NS,
        election_timeout_max_ns: ELECTION_MAX_NS,
        max_append_batch: 64,
        durability,
        commit_rule: CommitRule::Nuraft,
        read_path: ReadPath::Log,
        mutant: bug,
        snapshot_distance: 0,
        reserved_log_items: 0,
    }
}

/// A started node with an empty disk; the start-up actions are discarded.
pub fn node(id: u8, nodes: u8, durability: Durability, bug: CoreMutant) -> Raft {
    node_from(config(id, nodes, durability, bug), Recovered::default())
}

/// A started node that recovered `recovered`; the start-up actions are discarded.
pub fn node_from(cfg: Config, recovered: Recovered) -> Raft {
    let mut r = Raft::new(cfg, recovered);
    let mut out = Vec::new();
    r.start(&mut out);
    r
}

/// What a node recovers from a disk holding `term`, no vote, and `log`, all durable.
pub fn recovered(term: u64, log: Vec<Entry>) -> Recovered {
    Recovered {
        term: Term(term),
        vote: None,
        durable_index: LogIndex(log.len() as u64),
        log,
        log_first_index: LogIndex(1),
        snapshot: None,
        state_machine: None,
    }
}

/// Feeds one input and returns the actions, in the order the caller must run them.
pub fn step(node: &mut Raft, input: Input) -> Vec<Action> {
    let mut out = Vec::new();
    node.step(input, &mut out);
    out
}

/// Node 1 as the leader of term 1 of a `nodes`-node cluster: elected with node 2's vote,
/// its no-op (index 1) acknowledged by every follower and committed, nothing in flight.
/// No durability was reported: `last_durable_index()` is still 0.
pub fn leader(nodes: u8, durability: Durability, bug: CoreMutant) -> Raft {
    assert!(nodes >= 3, "leader() needs followers to commit the no-op");
    let mut l = node(1, nodes, durability, bug);
    step(&mut l, Input::Timer(Timer::Election));
    step(&mut l, vote_granted(2, 1));
    assert_eq!(l.role(), Role::Leader, "node 1 won its election");
    for peer in 2..=nodes {
        step(&mut l, append_ok(peer, 1, 1));
    }
    assert_eq!(l.commit_index(), LogIndex(1), "the no-op committed");
    assert_eq!(l.last_durable_index(), LogIndex::ZERO);
    l
}

/// Node `id` as a follower of leader 1 in term 1, holding the leader's no-op at index 1
/// (durable only if the mode's batch blocked: the test reports durability itself).
pub fn follower(id: u8, nodes: u8, durability: Durability, bug: CoreMutant) -> Raft {
    let mut f = node(id, nodes, durability, bug);
    step(&mut f, append_entries(1, 0, 0, vec![noop(1)], 0));
    step(&mut f, Input::LogDurable { index: LogIndex(1) });
    assert_eq!(f.role(), Role::Follower);
    assert_eq!(f.last_index(), LogIndex(1));
    f
}

// --- Inputs ------------------------------------------------------------------------------

/// A client write of `value = req` to key 1, from [`CLIENT`].
pub fn write(req: u64) -> Input {
    Input::ClientRequest {
        client: CLIENT,
        req: ReqId(req),
        command: Command::Write { key: 1, value: req },
    }
}

pub fn log_durable(index: u64) -> Input {
    Input::LogDurable {
        index: LogIndex(index),
    }
}

pub fn message(from: u8, msg: Message) -> Input {
    Input::Message {
        from: NodeId(from),
        msg,
    }
}

/// A successful AppendEntries response from `peer`.
pub fn append_ok(peer: u8, term: u64, match_index: u64) -> Input {
    message(
        peer,
        Message::AppendResponse {
            term: Term(term),
            success: true,
            match_index: LogIndex(match_index),
            pause: false,
        },
    )
}

/// An AppendEntries request from leader 1.
pub fn append_entries(
    term: u64,
    prev_index: u64,
    prev_term: u64,
    entries: Vec<Entry>,
    leader_commit: u64,
) -> Input {
    message(
        1,
        Message::AppendEntries {
            term: Term(term),
            leader: NodeId(1),
            prev_index: LogIndex(prev_index),
            prev_term: Term(prev_term),
            entries,
            leader_commit: LogIndex(leader_commit),
        },
    )
}

pub fn vote_request(candidate: u8, term: u64, last_index: u64, last_term: u64) -> Input {
    message(
        candidate,
        Message::VoteRequest {
            term: Term(term),
            candidate: NodeId(candidate),
            last_index: LogIndex(last_index),
            last_term: Term(last_term),
        },
    )
}

pub fn vote_granted(from: u8, term: u64) -> Input {
    message(
        from,
        Message::VoteResponse {
            term: Term(term),
            granted: true,
        },
    )
}

// --- Entries -----------------------------------------------------------------------------

pub fn noop(term: u64) -> Entry {
    Entry {
        term: Term(term),
        payload: Payload::Noop,
    }
}

/// The entry [`write`]`(req)` appends in `term`.
pub fn client_entry(term: u64, req: u64) -> Entry {
    Entry {
        term: Term(term),
        payload: Payload::Client {
            client: CLIENT,
            req: ReqId(req),
            command: Command::Write { key: 1, value: req },
        },
    }
}

// --- Finding actions ---------------------------------------------------------------------

/// The position of the only action matching `pred`; panics, showing the list, if there is
/// none or more than one.
pub fn only(actions: &[Action], what: &str, pred: impl Fn(&Action) -> bool) -> usize {
    let at: Vec<usize> = positions(actions, &pred);
    assert_eq!(at.len(), 1, "expected exactly one {what} in {actions:#?}");
    at[0]
}

/// The positions of every action matching `pred`.
pub fn positions(actions: &[Action], pred: impl Fn(&Action) -> bool) -> Vec<usize> {
    (0..actions.len()).filter(|&i| pred(&actions[i])).collect()
}

pub fn any(actions: &[Action], pred: impl Fn(&Action) -> bool) -> bool {
    actions.iter().any(pred)
}

pub fn is_append(a: &Action) -> bool {
    matches!(a, Action::Append { .. })
}

pub fn is_write_at(a: &Action) -> bool {
    matches!(a, Action::WriteAt { .. })
}

pub fn is_eob(a: &Action) -> bool {
    matches!(a, Action::EndOfAppendBatch { .. })
}

/// `end_of_append_batch` with the given flush behaviour.
pub fn is_eob_with(flush: FlushWait) -> impl Fn(&Action) -> bool {
    move |a| matches!(a, Action::EndOfAppendBatch { flush: f, .. } if *f == flush)
}

pub fn is_wait_durable(a: &Action) -> bool {
    matches!(a, Action::WaitDurable { .. })
}

pub fn is_save_state(a: &Action) -> bool {
    matches!(a, Action::SaveState { .. })
}

pub fn is_commit(a: &Action) -> bool {
    matches!(a, Action::Notice(Notice::Commit { .. }))
}

pub fn is_apply(a: &Action) -> bool {
    matches!(a, Action::Notice(Notice::Apply { .. }))
}

pub fn is_send_append_entries(a: &Action) -> bool {
    matches!(
        a,
        Action::Send {
            msg: Message::AppendEntries { .. },
            ..
        }
    )
}

pub fn is_send_append_response(a: &Action) -> bool {
    matches!(
        a,
        Action::Send {
            msg: Message::AppendResponse { .. },
            ..
        }
    )
}

pub fn is_send_vote_request(a: &Action) -> bool {
    matches!(
        a,
        Action::Send {
            msg: Message::VoteRequest { .. },
            ..
        }
    )
}

pub fn is_send_vote_response(a: &Action) -> bool {
    matches!(
        a,
        Action::Send {
            msg: Message::VoteResponse { .. },
            ..
        }
    )
}

pub fn is_send(a: &Action) -> bool {
    matches!(a, Action::Send { .. })
}

/// A successful reply to the client's request `req`.
pub fn is_ok_reply(req: u64) -> impl Fn(&Action) -> bool {
    move |a| {
        matches!(a, Action::ClientReply { req: r, result: ClientResult::Ok { .. }, .. }
            if *r == ReqId(req))
    }
}

pub fn is_reply(a: &Action) -> bool {
    matches!(a, Action::ClientReply { .. })
}

/// The commit index of the only `Commit` action, if there is one.
pub fn committed_to(actions: &[Action]) -> Option<LogIndex> {
    let commits: Vec<LogIndex> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Notice(Notice::Commit { index }) => Some(*index),
            _ => None,
        })
        .collect();
    assert!(commits.len() <= 1, "one step commits once: {actions:#?}");
    commits.first().copied()
}

/// The AppendResponse a follower sent: (success, match_index).
pub fn append_response(actions: &[Action]) -> (bool, LogIndex) {
    let i = only(actions, "AppendResponse", is_send_append_response);
    match &actions[i] {
        Action::Send {
            msg:
                Message::AppendResponse {
                    success,
                    match_index,
                    ..
                },
            ..
        } => (*success, *match_index),
        _ => unreachable!(),
    }
}

/// The first blocking action, if any.
pub fn first_blocking(actions: &[Action]) -> Option<usize> {
    actions.iter().position(Action::blocks)
}
