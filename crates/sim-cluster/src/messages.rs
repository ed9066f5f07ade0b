//! Node-to-node messages: a node's send through the network, and the network's delivery
//! (or loss) at the other end. Every send, delivery and loss is announced with a summary of
//! the message; a loss to a cut or a dead peer breaks the connection (`connections.rs`).

use crate::event::Event;
use crate::world::World;
use raft_core::{Input, Message, NodeId};
use sim_net::{Delivery, LostReason as NetLost, Sent, Slot};
use sim_trace::{LostReason, MsgSummary, TraceEvent};

impl World {
    /// The state machine's batch-size hint on an AppendEntries answer: negative (a pause)
    /// with the configured probability. The hint is the state machine's, which the world
    /// plays, so the world draws it.
    pub(crate) fn state_machine_hint(&mut self, n: usize, msg: &mut Message) {
        let rate = self.config.raft.negative_batch_hint_rate;
        if let Message::AppendResponse { pause, .. } = msg {
            if rate > 0.0 {
                *pause = self.nodes[n].sm_rng.chance(rate);
            }
        }
    }

    pub(crate) fn send(&mut self, n: usize, to: NodeId, msg: Message) {
        let from = self.nodes[n].id;
        let summary = summarize(&msg);
        self.k.emit(TraceEvent::Send {
            from,
            to,
            msg: summary,
        });
        match self.net.send(self.k.now(), from, to, msg) {
            Sent::Dropped => {
                let reason = if self.net.is_up(to) {
                    LostReason::Random
                } else {
                    LostReason::ReceiverDown
                };
                self.k.emit(TraceEvent::Drop {
                    from,
                    to,
                    msg: summary,
                    reason,
                });
                if reason == LostReason::ReceiverDown {
                    self.connection_broke(n, to);
                }
            }
            Sent::Scheduled {
                at,
                slot,
                duplicate,
            } => {
                self.k.push(at, Event::Deliver(slot));
                if let Some((at2, slot2)) = duplicate {
                    self.k.push(at2, Event::Deliver(slot2));
                }
            }
        }
    }

    pub(crate) fn on_deliver(&mut self, slot: Slot) {
        match self.net.deliver(slot) {
            Delivery::Delivered { from, to, msg } => {
                self.k.emit(TraceEvent::Deliver {
                    from,
                    to,
                    msg: summarize(&msg),
                });
                self.on_answer_delivered(from, to, &msg);
                self.input(to.index(), Input::Message { from, msg });
            }
            Delivery::Lost {
                from,
                to,
                msg,
                reason,
            } => {
                let reason = match reason {
                    NetLost::Partitioned => LostReason::Partitioned,
                    NetLost::ReceiverDown => LostReason::ReceiverDown,
                    NetLost::Restarted => LostReason::Restarted,
                };
                self.k.emit(TraceEvent::Drop {
                    from,
                    to,
                    msg: summarize(&msg),
                    reason,
                });
                // A connection to a node that is down or cut off breaks (TCP gives up);
                // a message lost at random is one TCP would have sent again.
                let n = from.index();
                self.connection_broke(n, to);
                self.pump(n);
            }
        }
    }
}

/// What the trace says of a message.
pub(crate) fn summarize(msg: &Message) -> MsgSummary {
    match msg {
        Message::AppendEntries {
            term,
            prev_index,
            prev_term,
            entries,
            leader_commit,
            ..
        } => MsgSummary::AppendEntries {
            term: *term,
            prev_index: *prev_index,
            prev_term: *prev_term,
            entries: entries.len() as u32,
            leader_commit: *leader_commit,
        },
        Message::AppendResponse {
            term,
            success,
            match_index,
            pause,
        } => MsgSummary::AppendResponse {
            term: *term,
            success: *success,
            match_index: *match_index,
            pause: *pause,
        },
        Message::VoteRequest {
            term,
            last_index,
            last_term,
            ..
        } => MsgSummary::VoteRequest {
            term: *term,
            last_index: *last_index,
            last_term: *last_term,
        },
        Message::VoteResponse { term, granted } => MsgSummary::VoteResponse {
            term: *term,
            granted: *granted,
        },
    }
}
