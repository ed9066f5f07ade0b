//! A `Ready` turned into the world's actions, in raft-rs's documented order:
//!
//! 1. `messages()` leave at once (a leader replicates while it writes, thesis 10.2.1);
//! 2. the entries are written (`Append`, or `WriteAt` when they replace a tail), then
//!    term and vote are saved, blocking, when they changed (`SaveState` is synchronous by
//!    contract; a vote must be durable before the vote leaves);
//! 3. committed entries are applied (raft-rs hands out only entries it knows persisted);
//! 4. **sync**: a blocking flush, then `persisted_messages()`, then `advance` and what its
//!    `LightReady` carries. **async**: a background flush, `advance_append_async`, and the
//!    `persisted_messages()` held with the `Ready`'s number until the world reports a
//!    durable index that covers the `Ready` ([`RaftRs::on_durable`]), which then calls
//!    `on_persist_ready`.
//!
//! The mutant `persisted-messages-early` sends `persisted_messages()` with `messages()`.

use crate::replica::{Persistence, RaftRs, from_rs_entry};
use crate::wire::RaftRsMessage;
use raft::eraftpb::{Entry as RsEntry, Message};
use raft_core::{Action, ClientResult, FlushWait, LogIndex, NodeId, Notice, Term};
use sim_cluster::config::AdapterMutant;

/// A `Ready` written but not yet known durable, with the messages that wait for it.
#[derive(Debug)]
pub(crate) struct Held {
    number: u64,
    /// The durable index that covers it: its last entry, or the last entry of a later
    /// write that replaced some of its entries (0: it wrote no entries).
    need: LogIndex,
    messages: Vec<Message>,
}

/// Pending `Ready`s at once; raft-rs makes one per step at most and a flush covers many.
const HELD_MAX: usize = 1 << 16;

type Out = Vec<Action<RaftRsMessage>>;

impl RaftRs {
    pub(crate) fn handle_ready(&mut self, out: &mut Out) {
        let mut rd = self.node.ready();
        assert!(rd.snapshot().is_empty(), "the log is never compacted");
        send(rd.take_messages(), out);
        let mut persisted = rd.take_persisted_messages();
        if self.mutant == AdapterMutant::PersistedMessagesEarly {
            send(std::mem::take(&mut persisted), out);
        }
        let entries = rd.take_entries();
        let wrote = self.write_entries(&entries, out);
        if let Some(hs) = rd.hs() {
            self.node.mut_store().wl().set_hardstate(hs.clone());
            self.save_state(Term(hs.term), hs.vote, out);
            self.note_commit(hs.commit, out);
        }
        let committed = rd.take_committed_entries();
        self.apply(&committed, out);
        if wrote.is_some() {
            // Sync persists the Ready before `advance`; async flushes in the background
            // and reports the Ready persisted when that flush covers it.
            out.push(Action::EndOfAppendBatch {
                start: LogIndex(entries[0].index),
                count: entries.len() as u64,
                flush: match self.persistence {
                    Persistence::Sync => FlushWait::Blocking,
                    Persistence::Async => FlushWait::Background,
                },
            });
        }
        match self.persistence {
            Persistence::Sync => {
                send(persisted, out);
                let mut light = self.node.advance(rd);
                send(light.take_messages(), out);
                if let Some(commit) = light.commit_index() {
                    self.note_commit(commit, out);
                }
                self.apply(&light.take_committed_entries(), out);
                self.node.advance_apply();
            }
            Persistence::Async => {
                let number = rd.number();
                self.node.advance_append_async(rd);
                self.node.advance_apply();
                assert!(self.held.len() < HELD_MAX, "{HELD_MAX} Readys held");
                self.held.push_back(Held {
                    number,
                    need: wrote.unwrap_or(LogIndex::ZERO),
                    messages: persisted,
                });
                self.release(out);
            }
        }
    }

    /// The world's log store reports `last_durable_index() == index`.
    pub(crate) fn on_durable(&mut self, index: LogIndex, out: &mut Out) {
        self.durable = index;
        self.release(out);
    }

    /// Releases, oldest first, every held `Ready` the durable index covers.
    fn release(&mut self, out: &mut Out) {
        let mut last = None;
        while let Some(h) = self.held.front() {
            if h.need > self.durable {
                break;
            }
            let h = self.held.pop_front().expect("peeked");
            send(h.messages, out);
            last = Some(h.number);
        }
        if let Some(number) = last {
            self.node.on_persist_ready(number);
        }
    }

    /// Writes `entries` to raft-rs's storage, the mirror and the world's log; returns the
    /// last index written, if any.
    fn write_entries(&mut self, entries: &[RsEntry], out: &mut Out) -> Option<LogIndex> {
        let first = entries.first()?;
        let from = LogIndex(first.index);
        let to = LogIndex(entries.last().expect("non-empty").index);
        assert!(
            from.0 >= 1 && from.0 <= self.log.len() as u64 + 1,
            "raft-rs writes at or before the log end"
        );
        self.node
            .mut_store()
            .wl()
            .append(entries)
            .expect("raft-rs's entries continue its storage");
        let replaces = from.0 <= self.log.len() as u64;
        self.log.truncate((from.0 - 1) as usize);
        self.log.extend(entries.iter().map(from_rs_entry));
        if replaces {
            // The store lowered its durable index to below the cut, and only a flush issued
            // after this write raises it again. A held Ready whose entries this write
            // replaced is covered by that flush (it covers every earlier write), never by
            // one of its own: it now waits for this write, as raft-rs expects when it
            // persists Readys in order.
            self.durable = self.durable.min(from.prev());
            for h in &mut self.held {
                if h.need >= from {
                    h.need = to;
                }
            }
            out.push(Action::WriteAt { from, to });
        } else {
            out.push(Action::Append { from, to });
        }
        Some(to)
    }

    /// Saves term and vote, blocking, when either changed.
    fn save_state(&mut self, term: Term, vote: u64, out: &mut Out) {
        let vote = match vote {
            0 => None,
            v => Some(NodeId(u8::try_from(v).expect("node ids fit u8"))),
        };
        if (term, vote) == self.saved {
            return;
        }
        self.saved = (term, vote);
        out.push(Action::SaveState {
            term,
            vote,
            wait: FlushWait::Blocking,
        });
    }

    fn note_commit(&mut self, commit: u64, out: &mut Out) {
        if commit > self.commit.0 {
            self.commit = LogIndex(commit);
            out.push(Action::Notice(Notice::Commit { index: self.commit }));
        }
    }

    /// Applies committed entries to the state machine; the leader that proposed one
    /// answers its client.
    fn apply(&mut self, committed: &[RsEntry], out: &mut Out) {
        for e in committed {
            let index = LogIndex(e.index);
            assert_eq!(index, self.applied.next(), "entries apply in order");
            let entry = *raft_core::Replica::entry(self, index).expect("a committed entry is held");
            assert_eq!(entry.term.0, e.term, "the mirror holds raft-rs's entry");
            self.note_commit(e.index, out);
            self.applied = index;
            if let raft_core::Payload::Client { req, command, .. } = entry.payload {
                let read = self.kv.apply(command);
                if let Some(client) = self.proposed.remove(&req) {
                    out.push(Action::ClientReply {
                        client,
                        req,
                        result: ClientResult::ok(read),
                    });
                }
            }
            out.push(Action::Notice(Notice::Apply {
                index,
                term: entry.term,
                req: entry.req(),
            }));
        }
    }
}

fn send(messages: Vec<Message>, out: &mut Out) {
    for m in messages {
        let to = NodeId(u8::try_from(m.to).expect("node ids fit u8"));
        out.push(Action::Send {
            to,
            msg: RaftRsMessage(m),
        });
    }
}
