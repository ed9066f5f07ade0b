//! Node-to-node messages: a node's send through the network, and the network's delivery
//! (or loss) at the other end. Every send, delivery and loss is announced with a summary of
//! the message; a loss to a cut or a dead peer breaks the connection (`connections.rs`).

use crate::event::Event;
use crate::wire::Wire;
use crate::world::World;
use raft_core::{Input, NodeId};
use sim_net::{Delivery, LostReason as NetLost, Scheduled, Slot};
use sim_trace::{LostReason, TraceEvent};

impl<M: Wire> World<M> {
    /// The state machine's batch-size hint on an AppendEntries answer: negative (a pause)
    /// with the configured probability. The hint is the state machine's, which the world
    /// plays, so the world draws it.
    pub(crate) fn state_machine_hint(&mut self, n: usize, msg: &mut M) {
        let rate = self.config.raft.negative_batch_hint_rate;
        if let Some(pause) = msg.pause_hint() {
            if rate > 0.0 {
                *pause = self.nodes[n].sm_rng.chance(rate);
            }
        }
    }

    pub(crate) fn send(&mut self, n: usize, to: NodeId, msg: M) {
        let from = self.nodes[n].id;
        let summary = msg.summary();
        self.k.emit(TraceEvent::Send {
            from,
            to,
            msg: summary,
        });
        match self.net.send_or_return(self.k.now(), from, to, msg) {
            Err(msg) => {
                if let Some(buf) = msg.into_entry_buffer() {
                    self.give_entry_buffer(n, buf);
                }
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
            Ok(Scheduled {
                at,
                slot,
                duplicate,
            }) => {
                self.k.push(at, Event::Deliver(slot));
                if let Some((at2, slot2)) = duplicate {
                    self.k.push(at2, Event::Deliver(slot2));
                }
            }
        }
    }

    /// Hands an emptied entry buffer back to node `n`, the sender of the message it came
    /// in (dropped if the node is down): memory only, no event.
    pub(crate) fn give_entry_buffer(&mut self, n: usize, buf: Vec<raft_core::Entry>) {
        if let Some(core) = self.nodes[n].core.as_mut() {
            core.give_entry_buffer(buf);
        }
    }

    pub(crate) fn on_deliver(&mut self, slot: Slot) {
        match self.net.deliver(slot) {
            Delivery::Delivered { from, to, msg } => {
                self.k.emit(TraceEvent::Deliver {
                    from,
                    to,
                    msg: msg.summary(),
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
                    msg: msg.summary(),
                    reason,
                });
                // A connection to a node that is down or cut off breaks (TCP gives up);
                // a message lost at random is one TCP would have sent again.
                let n = from.index();
                if let Some(buf) = msg.into_entry_buffer() {
                    self.give_entry_buffer(n, buf);
                }
                self.connection_broke(n, to);
                self.pump(n);
            }
        }
    }
}
