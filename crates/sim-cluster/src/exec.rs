//! A node's Raft thread: inputs reach it through its inbox; it runs one at a time and
//! executes the resulting actions in order. A blocking action (a synchronous flush, a
//! parallel-append follower's wait for durability) parks the rest of the list until the
//! disk completes; meanwhile inputs wait in the inbox. This is the CPU the durability modes
//! compete for.

use crate::event::Event;
use crate::node::{Blocked, INBOX_MAX, NodeSlot};
use crate::store::LOG_FILE;
use crate::timers::TimerPop;
use crate::world::World;
use raft_core::{Action, ClientResult, FlushWait, Input, LogIndex, Message, Timer};
use sim_net::{Delivery, LostReason as NetLost, Sent, Slot};
use sim_scenario::FsyncErrorPolicy;
use sim_trace::{BlockReason, LostReason, MsgSummary, TimerKind, TraceEvent};

impl World {
    /// Gives node `n` an input: handled now, or after what it is blocked on.
    pub(crate) fn input(&mut self, n: usize, input: Input) {
        let node = &mut self.nodes[n];
        if !node.is_up() {
            return;
        }
        assert!(
            node.inbox.len() < INBOX_MAX,
            "node {} has {INBOX_MAX} inputs waiting",
            node.id
        );
        node.inbox.push_back(input);
        self.pump(n);
    }

    /// Runs queued inputs while the node is up and not blocked.
    pub(crate) fn pump(&mut self, n: usize) {
        loop {
            let node = &mut self.nodes[n];
            if node.blocked.is_some() {
                return;
            }
            let Some(core) = node.core.as_mut() else {
                return;
            };
            let Some(input) = node.inbox.pop_front() else {
                return;
            };
            if node.client_flush.is_some() && matches!(input, Input::ClientRequest { .. }) {
                // The client path is busy with a flush: the request waits for `cli_lock_`.
                assert!(
                    node.client_queue.len() < INBOX_MAX,
                    "node {} has {INBOX_MAX} client requests waiting",
                    node.id
                );
                node.client_queue.push_back(input);
                continue;
            }
            if let Input::Timer(t) = input {
                // Re-armed while the timer's firing waited in the inbox: not a timeout.
                if node.timers[NodeSlot::timer_index(t)].is_set() {
                    continue;
                }
            }
            let mut actions = std::mem::take(&mut self.actions);
            core.step(input, &mut actions);
            self.execute(n, &mut actions);
            actions.clear();
            self.actions = actions;
        }
    }

    /// Executes `actions` in order until one blocks; the rest wait in `suspended`.
    pub(crate) fn execute(&mut self, n: usize, actions: &mut Vec<Action>) {
        let mut i = 0;
        while i < actions.len() {
            if !self.nodes[n].is_up() {
                actions.clear();
                return;
            }
            let action = std::mem::replace(
                &mut actions[i],
                Action::CancelTimer {
                    timer: Timer::Heartbeat,
                },
            );
            i += 1;
            if let Some(b) = self.perform(n, action) {
                let node = &mut self.nodes[n];
                debug_assert!(node.suspended.is_empty(), "blocked twice");
                node.suspended.extend(actions.drain(i..));
                node.blocked = Some(b);
                let on = match b {
                    Blocked::Flush { reason, .. } => reason,
                    Blocked::Durable { .. } => BlockReason::Durable,
                };
                let id = node.id;
                self.emit(TraceEvent::Block { node: id, on });
                break;
            }
        }
        actions.clear();
    }

    /// Node `n`'s Raft thread may continue: runs the parked actions, then the inbox.
    fn unblock(&mut self, n: usize) {
        let id = self.nodes[n].id;
        self.nodes[n].blocked = None;
        self.emit(TraceEvent::Unblock { node: id });
        let mut rest = std::mem::take(&mut self.nodes[n].suspended);
        self.execute(n, &mut rest);
        if self.nodes[n].suspended.is_empty() {
            self.nodes[n].suspended = rest;
        }
        self.pump(n);
    }

    /// Performs one action; returns what it blocks on, if it does.
    fn perform(&mut self, n: usize, action: Action) -> Option<Blocked> {
        let id = self.nodes[n].id;
        let now = self.now();
        match action {
            Action::Send { to, mut msg } => {
                self.state_machine_hint(n, &mut msg);
                self.send(n, to, msg)
            }
            Action::SetTimer {
                timer,
                min_ns,
                max_ns,
            } => {
                let node = &mut self.nodes[n];
                let delay = node.timer_rng.range_inclusive(min_ns, max_ns);
                let deadline = now.after(sim_core::SimDuration::from_ns(delay));
                if let Some(at) = node.timers[NodeSlot::timer_index(timer)].set(deadline) {
                    self.queue.push(
                        at,
                        Event::Timer {
                            node: n as u8,
                            timer,
                        },
                    );
                }
            }
            Action::CancelTimer { timer } => {
                self.nodes[n].timers[NodeSlot::timer_index(timer)].cancel()
            }
            Action::SaveState { term, vote, wait } => {
                let node = &mut self.nodes[n];
                let op =
                    node.state_file
                        .save(&mut node.disk, now, term, vote, &mut self.pending_events);
                self.emit_pending();
                self.arm_disk(n);
                if wait == FlushWait::Blocking {
                    return Some(Blocked::Flush {
                        op,
                        reason: BlockReason::SaveState,
                    });
                }
            }
            Action::Append { from, to } => self.log_write(n, from, to, false),
            Action::WriteAt { from, to } => {
                self.emit(TraceEvent::Truncate {
                    node: id,
                    from_index: from,
                });
                self.log_write(n, from, to, true);
            }
            Action::EndOfAppendBatch { flush, .. } => return self.end_of_append_batch(n, flush),
            Action::FlushLog => {
                let op = self.flush_log(n, FlushWait::Blocking);
                let op = op.expect("a blocking flush returns its operation");
                return Some(Blocked::Flush {
                    op,
                    reason: BlockReason::ConfigFlush,
                });
            }
            Action::WaitDurable { index } => {
                if self.nodes[n].store.durable_index() < index {
                    return Some(Blocked::Durable { index });
                }
            }
            Action::RoleChanged { role, term } => {
                self.emit(TraceEvent::Role {
                    node: id,
                    role,
                    term,
                });
                if role == raft_core::Role::Leader {
                    self.reconnect_inactive_peers(n);
                }
            }
            Action::Commit { index } => self.emit(TraceEvent::Commit { node: id, index }),
            Action::Apply { index, term, req } => {
                self.persist_apply(n, index);
                self.emit(TraceEvent::Apply {
                    node: id,
                    index,
                    term,
                    req,
                });
            }
            Action::ClientReply {
                client,
                req,
                result,
            } => self.reply_to_client(client.0, req, result),
        }
        None
    }

    /// `end_of_append_batch`: the log store flushes as `flush` says. A blocking flush parks
    /// the Raft thread; a sync leader's blocks only its client path (`client_flush`).
    fn end_of_append_batch(&mut self, n: usize, flush: FlushWait) -> Option<Blocked> {
        let op = self.flush_log(n, flush)?;
        if flush == FlushWait::BlockingClient {
            assert!(self.nodes[n].client_flush.is_none(), "two client flushes");
            self.nodes[n].client_flush = Some(op);
            return None;
        }
        Some(Blocked::Flush {
            op,
            reason: BlockReason::LogFlush,
        })
    }

    /// Hands node `n`'s log store a flush; the operation to wait on, if it blocks.
    fn flush_log(&mut self, n: usize, flush: FlushWait) -> Option<sim_disk::OpId> {
        let now = self.now();
        let node = &mut self.nodes[n];
        let op = node
            .store
            .end_batch(&mut node.disk, now, flush, &mut self.pending_events);
        self.emit_pending();
        self.arm_disk(n);
        op
    }

    /// The state machine's batch-size hint on an AppendEntries answer: negative (a pause)
    /// with the scenario's probability. The hint is the state machine's, which the world
    /// plays, so the world draws it.
    fn state_machine_hint(&mut self, n: usize, msg: &mut Message) {
        let rate = self.scenario.raft.negative_batch_hint_rate;
        if let Message::AppendResponse { pause, .. } = msg {
            if rate > 0.0 {
                *pause = self.nodes[n].sm_rng.chance(rate);
            }
        }
    }

    /// `append` / `write_at` of entries `from..=to` from the core's log: trace lines, disk
    /// writes, and (with a catalogue bug) an immediate durability report.
    fn log_write(&mut self, n: usize, from: LogIndex, to: LogIndex, truncate: bool) {
        let now = self.now();
        let node = &mut self.nodes[n];
        let core = node.core.as_ref().expect("an up node writes its log");
        let entries = &core.entries()[(from.0 - 1) as usize..to.0 as usize];
        for (k, e) in entries.iter().enumerate() {
            let index = from.plus(k as u64);
            self.pending_events.push(TraceEvent::Append {
                node: node.id,
                index,
                term: e.term,
                req: e.req(),
            });
        }
        let report = if truncate {
            node.store
                .write_at(&mut node.disk, now, from, entries, &mut self.pending_events)
        } else {
            node.store
                .append(&mut node.disk, now, from, entries, &mut self.pending_events)
        };
        self.emit_pending();
        self.arm_disk(n);
        if let Some(index) = report {
            self.nodes[n].inbox.push_back(Input::LogDurable { index });
        }
    }

    fn send(&mut self, n: usize, to: raft_core::NodeId, msg: Message) {
        let from = self.nodes[n].id;
        let summary = summarize(&msg);
        self.emit(TraceEvent::Send {
            from,
            to,
            msg: summary,
        });
        match self.net.send(self.now(), from.0, to.0, msg) {
            Sent::Dropped => {
                let reason = if self.net.is_up(to.0) {
                    LostReason::Random
                } else {
                    LostReason::ReceiverDown
                };
                self.emit(TraceEvent::Drop {
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
                self.queue.push(at, Event::Deliver(slot));
                if let Some((at2, slot2)) = duplicate {
                    self.queue.push(at2, Event::Deliver(slot2));
                }
            }
        }
    }

    pub(crate) fn on_deliver(&mut self, slot: Slot) {
        match self.net.deliver(slot) {
            Delivery::Delivered { from, to, msg } => {
                let (from, to) = (raft_core::NodeId(from), raft_core::NodeId(to));
                self.emit(TraceEvent::Deliver {
                    from,
                    to,
                    msg: summarize(&msg),
                });
                self.on_answer_delivered(from, to, &msg);
                self.input(usize::from(to.0) - 1, Input::Message { from, msg });
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
                let (from, to) = (raft_core::NodeId(from), raft_core::NodeId(to));
                self.emit(TraceEvent::Drop {
                    from,
                    to,
                    msg: summarize(&msg),
                    reason,
                });
                // A connection to a node that is down or cut off breaks (TCP gives up);
                // a message lost at random is one TCP would have sent again.
                let n = usize::from(from.0) - 1;
                self.connection_broke(n, to);
                self.pump(n);
            }
        }
    }

    pub(crate) fn on_timer(&mut self, n: usize, timer: Timer) {
        let now = self.now();
        let slot = &mut self.nodes[n].timers[NodeSlot::timer_index(timer)];
        match slot.pop(now) {
            TimerPop::Stale => {}
            TimerPop::Requeue(at) => self.queue.push(
                at,
                Event::Timer {
                    node: n as u8,
                    timer,
                },
            ),
            TimerPop::Fire => {
                let kind = match timer {
                    Timer::Election => TimerKind::Election,
                    Timer::Heartbeat => TimerKind::Heartbeat,
                };
                let id = self.nodes[n].id;
                self.emit(TraceEvent::Timer {
                    node: id,
                    timer: kind,
                });
                self.input(n, Input::Timer(timer));
            }
        }
    }

    pub(crate) fn on_disk(&mut self, n: usize) {
        let now = self.now();
        if self.nodes[n].disk_armed == Some(now) {
            self.nodes[n].disk_armed = None;
        }
        let mut done = std::mem::take(&mut self.completions);
        self.nodes[n].disk.advance(now, &mut done);
        let incarnation = self.nodes[n].incarnation;
        for c in done.drain(..) {
            if self.nodes[n].incarnation != incarnation {
                break; // the node crashed on an earlier completion of this batch
            }
            if matches!(c.kind, sim_disk::OpKind::Flush) {
                self.on_flush_done(n, c);
            }
        }
        self.completions = done;
        self.arm_disk(n);
    }

    fn on_flush_done(&mut self, n: usize, c: sim_disk::Completion) {
        let id = self.nodes[n].id;
        let file = if c.file == LOG_FILE {
            sim_trace::FileKind::Log
        } else {
            sim_trace::FileKind::State
        };
        self.emit(TraceEvent::FlushDone {
            node: id,
            op: c.op.0,
            file,
            ok: c.ok,
        });
        if !c.ok && self.scenario.disk.fsync_error_policy == FsyncErrorPolicy::Crash {
            self.crash_and_restart_later(n, false);
            return;
        }
        if c.file == LOG_FILE {
            let now = self.now();
            let node = &mut self.nodes[n];
            let (vouch, changed) =
                node.store
                    .flush_done(&mut node.disk, now, c.op, c.ok, &mut self.pending_events);
            if !c.ok {
                // `retry`: flush again and believe it; the pages Linux dropped are gone.
                let now = self.now();
                let node = &mut self.nodes[n];
                let retry =
                    node.store
                        .retry_flush(&mut node.disk, now, vouch, &mut self.pending_events);
                match self.nodes[n].blocked {
                    Some(Blocked::Flush { op, reason }) if op == c.op => {
                        self.nodes[n].blocked = Some(Blocked::Flush { op: retry, reason });
                    }
                    _ => {}
                }
                if self.nodes[n].client_flush == Some(c.op) {
                    self.nodes[n].client_flush = Some(retry);
                }
            }
            self.emit_pending();
            if let Some(index) = changed {
                self.input_quiet(n, Input::LogDurable { index });
            }
            if c.ok && self.nodes[n].client_flush == Some(c.op) {
                self.end_client_flush(n);
            }
        }
        match self.nodes[n].blocked {
            Some(Blocked::Flush { op, .. }) if op == c.op && (c.ok || c.file != LOG_FILE) => {
                self.unblock(n)
            }
            Some(Blocked::Durable { index }) if self.nodes[n].store.durable_index() >= index => {
                self.unblock(n)
            }
            _ => self.pump(n),
        }
    }

    /// A sync leader's client-path flush returned: the core learns it (and counts the
    /// batch), then the client requests that waited for the client path go on.
    fn end_client_flush(&mut self, n: usize) {
        let node = &mut self.nodes[n];
        node.client_flush = None;
        if node.is_up() {
            // The core learns first, before any input waiting in the inbox: the client
            // requests behind this one must find the batch counted.
            let index = node.store.durable_index();
            node.inbox.push_front(Input::LogDurable { index });
            let waiting = std::mem::take(&mut node.client_queue);
            node.inbox.extend(waiting);
        }
    }

    /// A persistent state machine keeps an apply the moment it happens (when the action
    /// runs, which may be after the flush it was parked behind), as an on-disk state
    /// machine would: what survives a crash is what was applied, not what the core had
    /// computed ahead of its blocked thread.
    fn persist_apply(&mut self, n: usize, index: LogIndex) {
        if self.scenario.cluster.state_machine != sim_scenario::StateMachine::Persistent {
            return;
        }
        let node = &mut self.nodes[n];
        let entry = *node
            .core
            .as_ref()
            .and_then(|c| c.entry(index))
            .expect("an applied entry is in the log");
        let (kv, applied) = node.persisted_sm.get_or_insert_with(Default::default);
        if let raft_core::Payload::Client { command, .. } = entry.payload {
            kv.apply(command);
        }
        *applied = index;
    }

    /// Queues an input without running the node (the caller runs it next).
    pub(crate) fn input_quiet(&mut self, n: usize, input: Input) {
        if self.nodes[n].is_up() {
            self.nodes[n].inbox.push_back(input);
        }
    }

    /// Sends a node's answer to a client: it arrives after a network latency.
    fn reply_to_client(&mut self, client: u32, req: raft_core::ReqId, result: ClientResult) {
        let latency = self.scenario_latency();
        let at = self.now().after(latency);
        self.queue.push(
            at,
            Event::ClientReply {
                client,
                req,
                result,
            },
        );
    }

    /// One client-link latency sample.
    pub(crate) fn scenario_latency(&mut self) -> sim_core::SimDuration {
        let dist = self.client_latency;
        dist.sample(&mut self.client_net_rng)
    }
}

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
