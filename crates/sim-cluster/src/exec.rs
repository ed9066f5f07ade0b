//! A node's Raft thread at work: inputs reach it through its inbox (`thread.rs`); it runs
//! one at a time and performs the resulting actions in order. A blocking action (a
//! synchronous flush, a parallel-append follower's wait for durability) parks the rest of
//! the list until the disk completes; meanwhile inputs wait in the inbox. This is the CPU
//! the durability modes compete for.
//!
//! Actions are of two kinds: effects, performed on the disk, the network, the timers and
//! the clients (here, `disk_io.rs` and `messages.rs`), and notices (role, commit, apply),
//! which change nothing outside the replica and are announced to the observer.

use crate::event::Event;
use crate::snapshot_store::Purpose;
use crate::thread::Blocked;
use crate::timers::TimerPop;
use crate::wire::Wire;
use crate::world::World;
use raft_core::{Action, FlushWait, Input, LogIndex, NodeId, Notice, Role, Term, Timer};
use sim_core::SimDuration;
use sim_trace::{BlockReason, TimerKind, TraceEvent};

impl<M: Wire> World<M> {
    /// Gives node `n` an input: handled now, or after what it is blocked on.
    pub(crate) fn input(&mut self, n: usize, input: Input<M>) {
        let node = &mut self.nodes[n];
        if !node.is_up() {
            return;
        }
        node.thread.push(node.id, input);
        self.pump(n);
    }

    /// Queues an input without running the node (the caller runs it next).
    pub(crate) fn input_quiet(&mut self, n: usize, input: Input<M>) {
        let node = &mut self.nodes[n];
        if node.is_up() {
            node.thread.push(node.id, input);
        }
    }

    /// Runs queued inputs while the node is up and not blocked.
    pub(crate) fn pump(&mut self, n: usize) {
        loop {
            let node = &mut self.nodes[n];
            let Some(core) = node.core.as_mut() else {
                return;
            };
            let Some(mut input) = node.thread.next(node.id, &node.timers) else {
                return;
            };
            if let Input::LogDurable { index } = &mut input {
                if self.config.raft.durability.pipelined_followers() {
                    // NuRaft reads `last_durable_index()` when it handles the notification,
                    // not when the write completed: a truncation the thread performed since
                    // has lowered it. A pipelined follower answers on this value, so it must
                    // be the store's current one (the other modes keep the value reported).
                    *index = node.store.durable_index();
                }
            }
            let sender = match &input {
                Input::Message { from, .. } => Some(from.index()),
                _ => None,
            };
            let mut actions = std::mem::take(&mut self.actions);
            core.set_time(self.k.now().as_ns());
            core.step(input, &mut actions);
            // The message's entry buffer goes back to its sender (`raft_core`'s
            // `buffers.rs`), before the actions run: memory only, no event.
            if let Some(from) = sender {
                if let Some(buf) = core.take_entry_buffer() {
                    self.give_entry_buffer(from, buf);
                }
            }
            self.execute(n, &mut actions);
            actions.clear();
            self.actions = actions;
        }
    }

    /// Runs the start-up actions of node `n`'s replica (it has just been built).
    pub(crate) fn start_node(&mut self, n: usize) {
        let mut actions = std::mem::take(&mut self.actions);
        let core = self.nodes[n].core.as_mut().expect("a starting node is up");
        core.set_time(self.k.now().as_ns());
        core.start(&mut actions);
        self.execute(n, &mut actions);
        self.actions = actions;
    }

    /// Executes `actions` in order until one blocks; the rest wait in the thread.
    pub(crate) fn execute(&mut self, n: usize, actions: &mut Vec<Action<M>>) {
        // Drained, so each action is moved out once and the list keeps its memory; what is
        // left when the node goes down is dropped with the drain.
        let mut rest = actions.drain(..);
        while let Some(action) = rest.next() {
            if !self.nodes[n].is_up() {
                return;
            }
            if let Some(b) = self.perform(n, action) {
                let node = &mut self.nodes[n];
                node.thread.park(b, rest);
                let id = node.id;
                self.k.emit(TraceEvent::Block {
                    node: id,
                    on: b.reason(),
                });
                return;
            }
        }
    }

    /// Node `n`'s Raft thread may continue: runs the parked actions, then the inbox.
    pub(crate) fn unblock(&mut self, n: usize) {
        let id = self.nodes[n].id;
        self.nodes[n].thread.blocked = None;
        self.k.emit(TraceEvent::Unblock { node: id });
        // The parked actions run from their list while the emptied spare takes their
        // place, for actions parked again; the two lists swap roles, neither reallocates.
        let thread = &mut self.nodes[n].thread;
        let spare = std::mem::take(&mut thread.spare_suspended);
        let mut rest = std::mem::replace(&mut thread.suspended, spare);
        self.execute(n, &mut rest);
        rest.clear();
        self.nodes[n].thread.spare_suspended = rest;
        self.pump(n);
    }

    /// Performs one action; returns what it blocks on, if it does.
    fn perform(&mut self, n: usize, action: Action<M>) -> Option<Blocked> {
        match action {
            Action::Send { to, mut msg } => {
                self.state_machine_hint(n, &mut msg);
                self.send(n, to, msg);
            }
            Action::SetTimer {
                timer,
                min_ns,
                max_ns,
            } => self.set_timer(n, timer, min_ns, max_ns),
            Action::CancelTimer { timer } => {
                self.nodes[n].timers[crate::timers::timer_index(timer)].cancel()
            }
            Action::SaveState { term, vote, wait } => return self.save_state(n, term, vote, wait),
            Action::Append { from, to } => self.log_write(n, from, to, false),
            Action::WriteAt { from, to } => {
                let id = self.nodes[n].id;
                self.k.emit(TraceEvent::Truncate {
                    node: id,
                    from_index: from,
                });
                self.log_write(n, from, to, true);
            }
            Action::EndOfAppendBatch { flush, .. } => return self.end_of_append_batch(n, flush),
            Action::FlushLog => {
                let op = self.flush_whole_log(n);
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
            Action::ClientReply {
                client,
                req,
                result,
            } => self.clients.reply(client, req, result, &mut self.k),
            Action::CreateSnapshot { snapshot } => {
                self.save_snapshot(n, snapshot, Purpose::Create);
            }
            Action::InstallSnapshot { snapshot } => {
                if !self.save_snapshot(n, snapshot, Purpose::Install) {
                    return Some(Blocked::Snapshot);
                }
            }
            Action::Compact { upto } => self.compact(n, upto),
            Action::Notice(notice) => self.notice(n, notice),
        }
        None
    }

    /// Reports what changed inside node `n`'s replica; a persistent state machine keeps
    /// what was applied.
    fn notice(&mut self, n: usize, notice: Notice) {
        let id = self.nodes[n].id;
        match notice {
            Notice::RoleChanged { role, term } => self.notice_role(n, role, term),
            Notice::Commit { index } => {
                self.k.emit(TraceEvent::Commit { node: id, index });
                self.count_commit_step(n);
            }
            Notice::Apply { index, term, req } => {
                self.persist_apply(n, index);
                self.k.emit(TraceEvent::Apply {
                    node: id,
                    index,
                    term,
                    req,
                });
            }
        }
    }

    /// Arms one of node `n`'s timers at a deadline drawn in `min_ns..=max_ns`.
    fn set_timer(&mut self, n: usize, timer: Timer, min_ns: u64, max_ns: u64) {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let delay = node.timer_rng.range_inclusive(min_ns, max_ns);
        let deadline = now.after(SimDuration::from_ns(delay));
        if let Some(at) = node.timers[crate::timers::timer_index(timer)].set(deadline) {
            let id = node.id;
            self.k.push(at, Event::Timer { node: id, timer });
        }
    }

    /// `save_state`: term and vote to the state file; a blocking save parks the thread.
    fn save_state(
        &mut self,
        n: usize,
        term: Term,
        vote: Option<NodeId>,
        wait: FlushWait,
    ) -> Option<Blocked> {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let op = node
            .state_file
            .save(&mut node.disk, now, term, vote, &mut self.k.pending);
        self.k.emit_pending();
        self.arm_disk(n);
        (wait == FlushWait::Blocking).then_some(Blocked::Flush {
            op,
            reason: BlockReason::SaveState,
        })
    }

    /// The replica's role changed; a new leader re-creates the connections it has not used
    /// for too long (`connections.rs`).
    fn notice_role(&mut self, n: usize, role: Role, term: Term) {
        let id = self.nodes[n].id;
        self.k.emit(TraceEvent::Role {
            node: id,
            role,
            term,
        });
        if role == Role::Leader {
            self.reconnect_inactive_peers(n);
        }
    }

    /// A persistent state machine keeps an apply the moment it happens (when the action
    /// runs, which may be after the flush it was parked behind), as an on-disk state
    /// machine would: what survives a crash is what was applied, not what the core had
    /// computed ahead of its blocked thread.
    fn persist_apply(&mut self, n: usize, index: LogIndex) {
        if self.config.state_machine != crate::config::StateMachine::Persistent {
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

    pub(crate) fn on_timer(&mut self, n: usize, timer: Timer) {
        let now = self.k.now();
        let id = self.nodes[n].id;
        let slot = &mut self.nodes[n].timers[crate::timers::timer_index(timer)];
        match slot.pop(now) {
            TimerPop::Stale => {}
            TimerPop::Requeue(at) => self.k.push(at, Event::Timer { node: id, timer }),
            TimerPop::Fire => {
                let kind = match timer {
                    Timer::Election => TimerKind::Election,
                    Timer::Heartbeat => TimerKind::Heartbeat,
                };
                self.k.emit(TraceEvent::Timer {
                    node: id,
                    timer: kind,
                });
                self.input(n, Input::Timer(timer));
            }
        }
    }
}

impl<M: Wire> World<M> {
    /// Hands a snapshot to node `n`'s state machine to save; whether it is done already
    /// (then it has been reported).
    fn save_snapshot(
        &mut self,
        n: usize,
        snapshot: std::sync::Arc<raft_core::Snapshot>,
        purpose: Purpose,
    ) -> bool {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let store = node
            .snapshots
            .as_mut()
            .expect("a replica takes snapshots only when they are on");
        let early = store.save(&mut node.disk, now, snapshot, purpose, &mut self.k.pending);
        self.k.emit_pending();
        self.arm_disk(n);
        match early {
            Some(s) => {
                self.snapshot_saved(n, purpose, s);
                true
            }
            None => false,
        }
    }

    /// Node `n`'s state machine reports a snapshot saved: a created one becomes the node's
    /// last snapshot (`on_snapshot_completed`); an installed one becomes its state, and its
    /// Raft thread goes on (the caller unblocks it).
    pub(crate) fn snapshot_saved(
        &mut self,
        n: usize,
        purpose: Purpose,
        snapshot: std::sync::Arc<raft_core::Snapshot>,
    ) {
        let node = &mut self.nodes[n];
        let installed = purpose == Purpose::Install;
        self.k.emit(TraceEvent::Snapshot {
            node: node.id,
            index: snapshot.index,
            term: snapshot.term,
            installed,
        });
        if installed {
            if self.config.state_machine == crate::config::StateMachine::Persistent {
                node.persisted_sm = Some((snapshot.kv.clone(), snapshot.index));
            }
        } else {
            self.input_quiet(
                n,
                Input::SnapshotCreated {
                    index: snapshot.index,
                },
            );
        }
    }

    /// `log_store::compact(upto)`.
    fn compact(&mut self, n: usize, upto: LogIndex) {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        self.k.pending.push(TraceEvent::Compact {
            node: node.id,
            upto,
        });
        node.store.compact(upto);
        if let Some(s) = node.snapshots.as_mut() {
            s.compact(&mut node.disk, now, upto, &mut self.k.pending);
        }
        self.k.emit_pending();
        self.arm_disk(n);
    }
}
