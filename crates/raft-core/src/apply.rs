//! Commit and apply: the commit index advances, committed entries are applied to the state
//! machine in order, and the leader answers the clients that wrote them, under the
//! acknowledgement rule of its mode.

use crate::config::{AckRule, CoreMutant};
use crate::io::{Action, ClientResult, Notice};
use crate::node::{AwaitingFlush, Raft};
use crate::types::{LogIndex, Payload, Role};

impl Raft {
    pub(crate) fn advance_commit(&mut self, index: LogIndex, out: &mut Vec<Action>) {
        assert!(index > self.commit, "commit index must only grow");
        self.commit = index;
        out.push(Action::Notice(Notice::Commit { index }));
        self.apply_committed(out);
    }

    fn apply_committed(&mut self, out: &mut Vec<Action>) {
        let upto = self.commit.min(self.log.last_index());
        while self.applied < upto {
            let index = self.applied.next();
            // A log recovered behind a lost snapshot lacks the entry: NuRaft's apply loop
            // finds term 0 there and exits the process (N19). The model's state machine
            // stops instead; the checkers have judged the entries lost.
            let Some(&entry) = self.log.get(index) else {
                break;
            };
            self.applied = index;
            let read = match entry.payload {
                Payload::Noop => None,
                Payload::Client { command, .. } => self.kv.apply(command),
            };
            out.push(Action::Notice(Notice::Apply {
                index,
                term: entry.term,
                req: entry.req(),
            }));
            if let Payload::Client {
                client,
                req,
                command,
            } = entry.payload
            {
                if self.role == Role::Leader && entry.term == self.term {
                    let early =
                        self.cfg.mutant == CoreMutant::AckBeforeCommit && command.is_update();
                    if !early {
                        self.ack(
                            AwaitingFlush {
                                index,
                                client,
                                req,
                                read,
                            },
                            out,
                        );
                    }
                }
            }
            self.maybe_snapshot(out);
        }
    }

    fn ack(&mut self, w: AwaitingFlush, out: &mut Vec<Action>) {
        let flushed = w.index <= self.last_durable;
        if self.cfg.durability.ack == AckRule::OnCommitAndFlush && !flushed {
            self.awaiting_flush.push_back(w);
            return;
        }
        out.push(Action::ClientReply {
            client: w.client,
            req: w.req,
            result: ClientResult::ok(w.read),
        });
    }

    /// Answers the clients whose entries were waiting for the leader's flush.
    pub(crate) fn release_flushed_acks(&mut self, out: &mut Vec<Action>) {
        while let Some(w) = self.awaiting_flush.front() {
            if w.index > self.last_durable {
                break;
            }
            let w = self
                .awaiting_flush
                .pop_front()
                .expect("the front was just seen");
            out.push(Action::ClientReply {
                client: w.client,
                req: w.req,
                result: ClientResult::ok(w.read),
            });
        }
    }
}
