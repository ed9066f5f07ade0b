//! Crash and restart of a node. A crash loses the Raft thread, its memory and whatever the
//! disk's crash model drops; a restart recovers term, vote and log from the media exactly
//! as a real process would (`recovery.rs`: corrupt tail discarded), and a persistent state
//! machine keeps what it applied.

use crate::codec;
use crate::config::CrashKind;
use crate::config::StateMachine;
use crate::recovery;
use crate::snapshot_store::Media;
use crate::state_file::StateFile;
use crate::store::LOG_FILE;
use crate::wire::Wire;
use crate::world::World;
use raft_core::{LogIndex, NodeId, Recovered};
use sim_core::SimDuration;
use sim_disk::{CrashChoice, RecoveryRead};
use sim_trace::TraceEvent;

impl<M: Wire> World<M> {
    /// Crashes node `n` (a no-op if it is down): a power loss, its disk's outcome drawn,
    /// or the death of its process.
    pub(crate) fn crash_node(&mut self, n: usize, kind: CrashKind) {
        self.crash_node_choosing(n, CrashChoice::Drawn, kind);
    }

    /// A crash point was crossed: crash the node with the chosen outcome (and, for a power
    /// loss of the whole cluster, every other node with outcome 0); each node's supervisor
    /// restarts it after the restart delay.
    pub(crate) fn on_crash_point(&mut self, id: NodeId, which: u8) {
        let n = id.index();
        if !self.nodes[n].is_up() {
            return;
        }
        let outcomes = self.nodes[n].disk.crash_outcomes();
        let point = self
            .boundaries
            .as_mut()
            .map(|b| b.fire(which, outcomes))
            .expect("a crash point event comes from a crash point");
        let chosen = CrashChoice::Chosen(point.outcome.min(outcomes - 1));
        self.crash_and_restart_later(n, chosen, CrashKind::Power, false);
        if point.whole_cluster {
            for m in 0..self.nodes.len() {
                if m != n && self.nodes[m].is_up() {
                    self.crash_and_restart_later(
                        m,
                        CrashChoice::Chosen(0),
                        CrashKind::Power,
                        false,
                    );
                }
            }
            if let Some(last) = point.last_up {
                let late_ms = self.config.faults.restart_delay_ms.max
                    + self.config.raft.election_timeout_ms.max;
                self.restart_late(last.index(), SimDuration::from_ms(late_ms));
            }
        }
    }

    /// Crashes node `n`: with a power loss the disk's crash model takes its `choice` of
    /// outcome; a process crash keeps the page cache (`choice` unused).
    pub(crate) fn crash_node_choosing(&mut self, n: usize, choice: CrashChoice, kind: CrashKind) {
        let trusts_volatile = self.config.mutant.recovery_trusts_volatile;
        let node = &mut self.nodes[n];
        let Some(core) = node.core.take() else { return };
        node.pre_crash_log.clear();
        // Only the `recovery-trusts-volatile` mutant reads the memory a crash lost.
        if trusts_volatile {
            node.pre_crash_log
                .extend_from_slice(core.entries_between(core.first_index(), core.last_index()));
        }
        node.thread.clear();
        for t in &mut node.timers {
            t.clear();
        }
        node.incarnation += 1;
        match kind {
            CrashKind::Power => {
                node.disk.crash_choosing(choice);
            }
            CrashKind::Process => {
                node.disk.process_crash();
            }
        }
        node.crash_stores(self.config.disk.sector_bytes, &mut self.k.pending);
        let id = node.id;
        self.net.crash(id);
        self.k.emit_pending();
        self.k.emit(TraceEvent::Crash {
            node: id,
            crash: kind,
        });
        // Every connection to the dead process broke: the next request to it re-creates
        // one (NuRaft's reconnect, which forgets what the peer was known to hold).
        for m in 0..self.nodes.len() {
            if m != n && self.nodes[m].is_up() {
                self.connection_broke(m, id);
            }
        }
    }

    /// Restarts node `n` from its media (a no-op if it is up).
    pub(crate) fn restart_node(&mut self, n: usize) {
        if self.nodes[n].is_up() {
            return;
        }
        let now = self.k.now();
        let sector_bytes = self.config.disk.sector_bytes;
        let trusts_volatile = self.config.mutant.recovery_trusts_volatile;
        let layout = self.config.mutant.state_layout();
        let node = &mut self.nodes[n];
        // After a process crash the page cache still holds what the dead process wrote and
        // never flushed: the store syncs its files before it trusts what it reads.
        if node.disk.unflushed_changes() > 0 {
            node.disk.sync_all();
            node.crash_stores(sector_bytes, &mut self.k.pending);
        }
        let saved = StateFile::recover(&mut node.disk, sector_bytes);
        // The snapshot the snapshot directory names, and the log from past it and past the
        // compaction the log directory records.
        let media = match node.snapshots.as_mut() {
            Some(s) => {
                let media = Media::read(&node.disk, sector_bytes);
                s.reopen(&media, sector_bytes);
                media
            }
            None => Media::default_empty(),
        };
        let first = media.floor();
        let from_bytes = codec::record_offset_bytes(first);
        let read = node.disk.recovery_read_from(LOG_FILE, from_bytes);
        let file_records = node.disk.durable_len_bytes(LOG_FILE) / codec::RECORD_BYTES;
        // Read without a corrupt sector, the bytes are the media's, whose valid records
        // the store already holds decoded (from its last re-read, brought up to date).
        let (bytes, known) = match &read {
            RecoveryRead::Clean => {
                let known = node.store.media_records(&mut node.disk, first);
                (node.disk.durable_from(LOG_FILE, from_bytes), known)
            }
            RecoveryRead::Corrupt { bytes, .. } => (bytes.as_slice(), None),
        };
        let r = recovery::recover_log(
            bytes,
            first,
            file_records,
            known,
            &node.pre_crash_log,
            trusts_volatile,
        );
        node.state_file = StateFile::open(node.id, &saved, sector_bytes, layout);
        if r.dropped > 0 {
            node.store
                .recovery_dropped(r.kept.next(), &mut self.k.pending);
        }
        node.store.reopen(first, &r.log, r.file_records);
        if r.dropped > 0 && !r.trusted_volatile {
            let pending = &mut self.k.pending;
            node.store
                .cut_file(&mut node.disk, now, r.kept.next(), pending);
            node.store.end_batch(
                &mut node.disk,
                now,
                raft_core::FlushWait::Background,
                pending,
            );
        }
        let durable_index = first.prev().plus(r.log.len() as u64);
        let sm = match self.config.state_machine {
            StateMachine::Persistent => node.persisted_sm.clone(),
            StateMachine::Volatile => None,
        };
        let snapshot_index = media.snapshot_index();
        // The state machine restarts from its snapshot, or from what it persisted if newer.
        let applied = sm
            .as_ref()
            .map_or(LogIndex::ZERO, |(_, a)| *a)
            .max(snapshot_index);
        let last_term = |core: &dyn raft_core::Replica<Message = M>| match core.entry(r.kept) {
            Some(e) => e.term,
            None => media
                .snapshot
                .as_ref()
                .filter(|s| s.index == r.kept)
                .map_or(raft_core::Term(0), |s| s.term),
        };
        let cfg = self.config.core_config(node.id);
        let recovered = Recovered {
            term: saved.term,
            vote: saved.vote,
            log: r.log,
            log_first_index: first,
            snapshot: media.snapshot.clone(),
            durable_index,
            state_machine: sm,
        };
        let rng = crate::world::replica_rng(
            &sim_core::RngStreams::new(self.seed),
            node.id,
            node.incarnation,
        );
        let core = (self.replica)(cfg, recovered, rng);
        let restart = TraceEvent::Restart {
            node: node.id,
            log_first_index: first,
            log_last_index: r.kept,
            log_last_term: last_term(&*core),
            dropped: r.dropped,
            term: saved.term,
            vote: saved.vote,
            applied_index: applied,
            snapshot_index: sim_trace::SnapshotIndex(snapshot_index),
        };
        let id = node.id;
        // `recovery-trusts-volatile`: the entries the node believes it has beyond the media.
        let phantom: Vec<TraceEvent> = (r.kept.0 + 1..=core.last_index().0)
            .map(|i| phantom_append(id, &*core, LogIndex(i)))
            .collect();
        node.core = Some(core);
        self.reset_connections(n, now);
        self.net.restart(id);
        self.k.emit_pending();
        self.k.emit(restart);
        for ev in phantom {
            self.k.emit(ev);
        }
        self.arm_disk(n);
        self.start_node(n);
    }
}

fn phantom_append<M>(
    node: NodeId,
    core: &dyn raft_core::Replica<Message = M>,
    index: LogIndex,
) -> TraceEvent {
    let e = core.entry(index).expect("an entry up to the last index");
    TraceEvent::Append {
        node,
        index,
        term: e.term,
        req: e.req(),
    }
}
