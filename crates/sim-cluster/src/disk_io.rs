//! A node's disk work as the Raft thread asks for it and as the disk completes it: log
//! writes (`append`, `write_at`), `end_of_append_batch` and its flush (blocking the thread,
//! the client path, or nothing), the disk's wakeups, and what a finished flush unblocks.

use crate::config::FsyncErrorPolicy;
use crate::event::Event;
use crate::snapshot_store::{LOG_DIR_FILE, Purpose, SnapshotStore};
use crate::state_file::STATE_FILE;
use crate::store::LOG_FILE;
use crate::thread::Blocked;
use crate::wire::Wire;
use crate::world::World;
use raft_core::{FlushWait, Input, LogIndex};
use sim_core::SimTime;
use sim_disk::{Completion, OpId, OpKind};
use sim_trace::{BlockReason, FileKind, TraceEvent};

impl<M: Wire> World<M> {
    /// `end_of_append_batch`: the log store flushes as `flush` says. A blocking flush parks
    /// the Raft thread; a sync leader's blocks only its client path (`client_flush`).
    pub(crate) fn end_of_append_batch(&mut self, n: usize, flush: FlushWait) -> Option<Blocked> {
        let op = self.flush_log(n, flush)?;
        if flush == FlushWait::BlockingClient {
            let thread = &mut self.nodes[n].thread;
            assert!(thread.client_flush.is_none(), "two client flushes");
            thread.client_flush = Some(op);
            return None;
        }
        Some(Blocked::Flush {
            op,
            reason: BlockReason::LogFlush,
        })
    }

    /// Hands node `n`'s log store a flush; the operation to wait on, if it blocks.
    pub(crate) fn flush_log(&mut self, n: usize, flush: FlushWait) -> Option<OpId> {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let op = node
            .store
            .end_batch(&mut node.disk, now, flush, &mut self.k.pending);
        self.k.emit_pending();
        self.arm_disk(n);
        op
    }

    /// The log store's `flush()` (after a configuration entry): the operation to wait on.
    pub(crate) fn flush_whole_log(&mut self, n: usize) -> OpId {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let op = node
            .store
            .flush_all(&mut node.disk, now, &mut self.k.pending);
        self.k.emit_pending();
        self.arm_disk(n);
        op
    }

    /// `append` / `write_at` of entries `from..=to` from the replica's log: trace lines,
    /// disk writes, and (with a mutant) an immediate durability report.
    pub(crate) fn log_write(&mut self, n: usize, from: LogIndex, to: LogIndex, truncate: bool) {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let core = node.core.as_ref().expect("an up node writes its log");
        let entries = core.entries_between(from, to);
        for (k, e) in entries.iter().enumerate() {
            let index = from.plus(k as u64);
            self.k.pending.push(TraceEvent::Append {
                node: node.id,
                index,
                term: e.term,
                req: e.req(),
            });
        }
        let pending = &mut self.k.pending;
        let report = if truncate {
            node.store
                .write_at(&mut node.disk, now, from, entries, pending)
        } else {
            node.store
                .append(&mut node.disk, now, from, entries, pending)
        };
        self.k.emit_pending();
        self.arm_disk(n);
        if let Some(index) = report {
            self.input_quiet(n, Input::LogDurable { index });
        }
    }

    /// Node `n`'s commit index advanced: a commit step (`crash_point.rs`), counted when
    /// crash points are asked for.
    pub(crate) fn count_commit_step(&mut self, n: usize) {
        let counting = self.counting_boundaries();
        if let Some(point) = self
            .boundaries
            .as_mut()
            .and_then(|b| b.committed(n, counting))
        {
            let now = self.k.now();
            let id = self.nodes[n].id;
            self.k.push(now, Event::CrashPoint { node: id, point });
        }
    }

    /// Whether boundaries and commit steps count now: in the workload phase only.
    fn counting_boundaries(&self) -> bool {
        self.phase == crate::world::Phase::Running
            && self.k.now() < SimTime::from_ms(self.config.run.duration_ms)
    }

    /// Queues the disk wakeup of node `n` if its disk now completes something earlier.
    /// Every step that touches a disk ends here, so this is also where a node's disk-I/O
    /// boundaries are counted (`crash_point.rs`), when asked for.
    pub(crate) fn arm_disk(&mut self, n: usize) {
        let counting = self.counting_boundaries();
        if let Some(b) = &mut self.boundaries {
            let stats = self.nodes[n].disk.stats();
            if let Some(point) =
                b.crossed(n, stats.ops_completed + stats.flushes_submitted, counting)
            {
                let now = self.k.now();
                let id = self.nodes[n].id;
                self.k.push(now, Event::CrashPoint { node: id, point });
            }
        }
        let node = &mut self.nodes[n];
        if let Some(at) = node.disk.next_wakeup() {
            if node.disk_armed.is_none_or(|a| at < a) {
                node.disk_armed = Some(at);
                let id = node.id;
                self.k.push(at, Event::Disk { node: id });
            }
        }
    }

    pub(crate) fn on_disk(&mut self, n: usize) {
        let now = self.k.now();
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
            if matches!(c.kind, OpKind::Flush) {
                self.on_flush_done(n, c);
            }
        }
        self.completions = done;
        self.arm_disk(n);
    }

    fn on_flush_done(&mut self, n: usize, c: Completion) {
        let id = self.nodes[n].id;
        let file = match c.file {
            LOG_FILE => FileKind::Log,
            STATE_FILE => FileKind::State,
            LOG_DIR_FILE => FileKind::LogDir,
            _ => FileKind::Snapshot,
        };
        self.k.emit(TraceEvent::FlushDone {
            node: id,
            op: c.op.0,
            file,
            ok: c.ok,
        });
        if !c.ok && c.file == LOG_FILE && self.nodes[n].store.swallows_flush_errors() {
            self.swallow_flush_error(n, c);
            return;
        }
        if !c.ok && self.config.fsync_error_policy == FsyncErrorPolicy::Crash {
            // The node stops itself (PostgreSQL's answer to a failed fsync). Modelled as a
            // power loss, as it was before crashes had kinds: the pages the failed fsync
            // dropped are gone either way (docs/faults.md).
            let kind = crate::config::CrashKind::Power;
            self.crash_and_restart_later(n, sim_disk::CrashChoice::Drawn, kind, false);
            return;
        }
        if SnapshotStore::owns(c.file) {
            self.snapshot_flush_done(n, c);
            return;
        }
        if c.file == LOG_FILE {
            self.log_flush_done(n, c);
        }
        let node = &self.nodes[n];
        match node.thread.blocked {
            Some(Blocked::Flush { op, .. }) if op == c.op && (c.ok || c.file != LOG_FILE) => {
                self.unblock(n)
            }
            Some(Blocked::Durable { index }) if node.store.durable_index() >= index => {
                self.unblock(n)
            }
            _ => self.pump(n),
        }
    }

    /// A flush of a snapshot or directory file returned: the snapshot store moves on, the
    /// log store re-reads the media if their floor moved, a finished snapshot is reported
    /// (and a follower saving one goes on).
    fn snapshot_flush_done(&mut self, n: usize, c: Completion) {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let Some(store) = node.snapshots.as_mut() else {
            return;
        };
        let progress = store.flush_done(&mut node.disk, now, &c, &mut self.k.pending);
        if progress.floor_moved {
            let floor = store.floor();
            node.store
                .set_floor(&mut node.disk, floor, &mut self.k.pending);
        }
        self.k.emit_pending();
        self.arm_disk(n);
        if let Some((purpose, snapshot)) = progress.finished {
            self.snapshot_saved(n, purpose, snapshot);
            if purpose == Purpose::Install
                && matches!(self.nodes[n].thread.blocked, Some(Blocked::Snapshot))
            {
                self.unblock(n);
                return;
            }
        }
        self.pump(n);
    }

    /// `flush-error-never-completes`: the store forgets the failed flush (its pages are
    /// gone) and tells nobody: no completion, no error, no retry. A Raft thread or a client
    /// path waiting on it stays blocked; later flushes complete as usual.
    fn swallow_flush_error(&mut self, n: usize, c: Completion) {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let (pending, spare) = (&mut self.k.pending, &mut self.k.spare_entries);
        let (_, changed) = node
            .store
            .flush_done(&mut node.disk, now, c.op, false, pending, spare);
        assert!(changed.is_none(), "a failed flush moved the durable index");
        self.k.emit_pending();
        self.arm_disk(n);
    }

    /// A flush of the log file returned: the log store learns what is durable (a failed
    /// flush is retried under the `retry` policy), the replica learns a new durable index,
    /// and a sync leader's client path is free again.
    fn log_flush_done(&mut self, n: usize, c: Completion) {
        let now = self.k.now();
        let node = &mut self.nodes[n];
        let (pending, spare) = (&mut self.k.pending, &mut self.k.spare_entries);
        let (vouch, changed) =
            node.store
                .flush_done(&mut node.disk, now, c.op, c.ok, pending, spare);
        if !c.ok {
            // `retry`: flush again and believe it; the pages Linux dropped are gone.
            let retry = node
                .store
                .flush_vouching(&mut node.disk, now, vouch, pending);
            let thread = &mut node.thread;
            if let Some(Blocked::Flush { op, reason }) = thread.blocked {
                if op == c.op {
                    thread.blocked = Some(Blocked::Flush { op: retry, reason });
                }
            }
            if thread.client_flush == Some(c.op) {
                thread.client_flush = Some(retry);
            }
        }
        self.k.emit_pending();
        if let Some(index) = changed {
            self.input_quiet(n, Input::LogDurable { index });
        }
        if c.ok && self.nodes[n].thread.client_flush == Some(c.op) {
            self.end_client_flush(n);
        }
    }

    /// A sync leader's client-path flush returned: the core learns it (and counts the
    /// batch), then the client requests that waited for the client path go on.
    fn end_client_flush(&mut self, n: usize) {
        let node = &mut self.nodes[n];
        if node.is_up() {
            let durable = node.store.durable_index();
            node.thread.end_client_flush(durable);
        } else {
            node.thread.client_flush = None;
        }
    }
}
