//! The causal story of a lost or replaced entry: who held it when it was committed (and
//! which copies were durable then), which crash took which copy, which truncation dropped
//! it, and which election then chose a node without it, with whose votes.
//!
//! The view keeps a bounded log of the events a story is made of (crashes, restarts,
//! truncations, elections, granted votes); a story is told only when a violation is
//! reported, from that log, the entry's commit record and where each node stands now. This
//! file tells; the invariant checkers decide when.

use crate::view::{Committed, View};
use raft_core::{LogIndex, NodeId, Term};
use sim_core::SimTime;
use std::collections::VecDeque;

/// Story events remembered; older ones are forgotten (a story then starts later).
pub(crate) const STORY_EVENTS_MAX: usize = 4096;
/// Lines of a story's account of what happened after the commit.
const STORY_LINES_MAX: usize = 12;

/// One event a story may tell.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StoryEvent {
    /// A node crashed; its durable log then ended at `durable_len`.
    Crash {
        t: SimTime,
        node: NodeId,
        durable_len: u64,
    },
    Restart {
        t: SimTime,
        node: NodeId,
        log_last: LogIndex,
    },
    /// A node's log lost the entries from `from` on.
    Truncate {
        t: SimTime,
        node: NodeId,
        from: LogIndex,
    },
    /// A node became leader holding `log_len` entries; `lacks_from` is the first committed
    /// entry its log did not hold (a shorter log, or another entry there), if any.
    Leader {
        t: SimTime,
        node: NodeId,
        term: Term,
        log_len: u64,
        lacks_from: Option<LogIndex>,
    },
    /// `voter` granted its vote to `candidate` in `term` (the grant arrived).
    Vote {
        t: SimTime,
        voter: NodeId,
        candidate: NodeId,
        term: Term,
    },
}

impl StoryEvent {
    fn t(&self) -> SimTime {
        match *self {
            StoryEvent::Crash { t, .. }
            | StoryEvent::Restart { t, .. }
            | StoryEvent::Truncate { t, .. }
            | StoryEvent::Leader { t, .. }
            | StoryEvent::Vote { t, .. } => t,
        }
    }
}

/// The bounded log of story events.
#[derive(Clone, Debug, Default)]
pub(crate) struct StoryLog {
    events: VecDeque<StoryEvent>,
}

impl StoryLog {
    pub(crate) fn push(&mut self, e: StoryEvent) {
        if self.events.len() == STORY_EVENTS_MAX {
            self.events.pop_front();
        }
        self.events.push_back(e);
    }
}

impl View {
    /// How a committed entry came to be where it is: when it was committed and where it was
    /// durable, and what has happened to each node since.
    pub(crate) fn entry_story(&self, index: LogIndex) -> Vec<String> {
        let Some(c) = self.committed_at(index) else {
            return Vec::new();
        };
        let mut lines = vec![format!(
            "entry {index} (term {}) was committed at {} by node {}, held by {} (in memory), durable on {} of {} nodes{}",
            c.id.term,
            c.t,
            c.by,
            c.held_at_commit,
            c.durable_at_commit.len(),
            self.nodes.len(),
            if c.durable_at_commit.is_empty() {
                String::new()
            } else {
                format!(" {}", c.durable_at_commit)
            }
        )];
        lines.extend(self.causes(index, &c));
        lines.push("now:".into());
        for (i, v) in self.nodes.iter().enumerate() {
            let n = NodeId::from_index(i);
            let has_mem = v.up && self.log_at(n, index) == Some(&c.id);
            let has_disk = self.durable_at(n, index) == Some(&c.id);
            let state = match (v.up, has_mem, has_disk) {
                (true, true, true) | (false, _, true) => "holds it durably".to_string(),
                (true, false, true) => {
                    "dropped it from its log; only its disk still has it, until the truncation is flushed"
                        .to_string()
                }
                (true, true, false) => "holds it in memory only".to_string(),
                (true, false, false) => format!("is up (term {}) without it", v.term),
                (false, _, false) => format!(
                    "is down without it (crashed at {})",
                    v.last_crash.map_or("-".into(), |t| t.to_string())
                ),
            };
            lines.push(format!("node {n} {state}"));
        }
        lines
    }

    /// What happened to committed entry `index` after its commit, in the order it happened:
    /// the crashes and restarts of the nodes that held it, the truncations that dropped it,
    /// and the elections of nodes without it.
    pub(crate) fn causes(&self, index: LogIndex, c: &Committed) -> Vec<String> {
        let mut lines = Vec::new();
        for e in self.story.events.iter().filter(|e| e.t() >= c.t) {
            let line = match *e {
                StoryEvent::Crash {
                    t,
                    node,
                    durable_len,
                } if c.held_at_commit.contains(node) => Some(if durable_len < index.0 {
                    format!(
                        "node {node} crashed at {t} before its copy was durable (its durable log ended at {durable_len}): the copy was lost"
                    )
                } else {
                    format!("node {node} crashed at {t}; its durable log reached {durable_len}")
                }),
                StoryEvent::Restart { t, node, log_last } if log_last < index => Some(format!(
                    "node {node} restarted at {t} with its log ending at {log_last}, without it"
                )),
                StoryEvent::Restart { t, node, log_last } if c.held_at_commit.contains(node) => {
                    Some(format!(
                        "node {node} restarted at {t} with its log ending at {log_last}"
                    ))
                }
                StoryEvent::Truncate { t, node, from } if from <= index => Some(format!(
                    "node {node} dropped it at {t}, truncating its log from {from}"
                )),
                StoryEvent::Leader {
                    t,
                    node,
                    term,
                    log_len,
                    lacks_from: Some(from),
                } if from <= index => Some(format!(
                    "node {node} became leader of term {term} at {t} with {log_len} entries, {}{}",
                    if log_len < index.0 {
                        "without it".to_string()
                    } else {
                        format!("holding another entry {index}")
                    },
                    self.voters(node, term)
                )),
                _ => None,
            };
            lines.extend(line);
            if lines.len() == STORY_LINES_MAX {
                lines.push("(the story goes on; the trace has every event)".into());
                break;
            }
        }
        lines
    }

    /// `, with votes from nodes 1 and 3` for `candidate`'s election in `term`.
    fn voters(&self, candidate: NodeId, term: Term) -> String {
        let voters: Vec<String> = self
            .story
            .events
            .iter()
            .filter_map(|e| match *e {
                StoryEvent::Vote {
                    voter,
                    candidate: c,
                    term: tm,
                    ..
                } if c == candidate && tm == term => Some(voter.to_string()),
                _ => None,
            })
            .collect();
        match voters.as_slice() {
            [] => String::new(),
            [one] => format!(", with the vote of node {one} and its own"),
            many => format!(", with the votes of nodes {} and its own", many.join(", ")),
        }
    }
}
