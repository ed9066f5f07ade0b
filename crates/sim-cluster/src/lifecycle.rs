//! Crash and restart of a node. A crash loses the Raft thread, its memory and whatever the
//! disk's crash model drops; a restart recovers term, vote and log from the media exactly
//! as a real process would (corrupt tail discarded), and a persistent state machine keeps
//! what it applied.

use crate::codec;
use crate::state_file::StateFile;
use crate::store::LOG_FILE;
use crate::world::World;
use raft_core::{LogIndex, Recovered};
use sim_scenario::StateMachine;
use sim_trace::TraceEvent;

impl World {
    /// Crashes node `n` (a no-op if it is down).
    pub(crate) fn crash_node(&mut self, n: usize) {
        let node = &mut self.nodes[n];
        let Some(core) = node.core.take() else { return };
        node.pre_crash_log.clear();
        node.pre_crash_log.extend_from_slice(core.entries());
        node.blocked = None;
        node.suspended.clear();
        node.inbox.clear();
        node.client_flush = None;
        node.client_queue.clear();
        for t in &mut node.timers {
            t.clear();
        }
        node.incarnation += 1;
        node.disk.crash();
        node.store.crash(&node.disk, &mut self.pending_events);
        let id = node.id;
        self.net.crash(id.0);
        self.emit_pending();
        self.emit(TraceEvent::Crash { node: id });
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
        let now = self.now();
        let sector_bytes = self.scenario.disk.sector_bytes;
        let node = &mut self.nodes[n];
        let saved = StateFile::recover(&mut node.disk, sector_bytes);
        let mut bytes = Vec::new();
        node.disk.read_for_recovery(LOG_FILE, &mut bytes);
        let decoded = codec::decode_log(&bytes);
        let file_records = bytes.len() as u64 / codec::RECORD_BYTES;
        let kept = LogIndex(decoded.entries.len() as u64);
        node.state_file = StateFile::open(node.id, &saved, sector_bytes);
        let mut log = decoded.entries;
        if decoded.dropped > 0 {
            node.store
                .recovery_dropped(kept.next(), &mut self.pending_events);
        }
        let trusts_volatile =
            self.bugs.recovery_trusts_volatile && node.pre_crash_log.len() > log.len();
        let recovered_last = kept;
        if trusts_volatile {
            log = node.pre_crash_log.clone();
        }
        node.store.reopen(&log, file_records);
        if decoded.dropped > 0 && !trusts_volatile {
            node.store
                .cut_file(&mut node.disk, now, kept.next(), &mut self.pending_events);
            node.store.end_batch(
                &mut node.disk,
                now,
                raft_core::FlushWait::Background,
                &mut self.pending_events,
            );
        }
        let durable_index = LogIndex(log.len() as u64);
        let sm = match self.scenario.cluster.state_machine {
            StateMachine::Persistent => node.persisted_sm.clone(),
            StateMachine::Volatile => None,
        };
        let applied = sm.as_ref().map_or(LogIndex::ZERO, |(_, a)| *a);
        let cfg = crate::config::core_config(&self.scenario, node.id);
        let recovered = Recovered {
            term: saved.term,
            vote: saved.vote,
            log,
            durable_index,
            state_machine: sm,
        };
        let core = (self.replica)(cfg, recovered);
        let restart = TraceEvent::Restart {
            node: node.id,
            log_first_index: LogIndex(1),
            log_last_index: recovered_last,
            log_last_term: core
                .entry(recovered_last)
                .map_or(raft_core::Term(0), |e| e.term),
            dropped: decoded.dropped,
            term: saved.term,
            vote: saved.vote,
            applied_index: applied,
        };
        let id = node.id;
        let phantom: Vec<TraceEvent> = core.entries()[recovered_last.0 as usize..]
            .iter()
            .enumerate()
            .map(|(k, e)| TraceEvent::Append {
                node: id,
                index: recovered_last.plus(k as u64 + 1),
                term: e.term,
                req: e.req(),
            })
            .collect();
        node.core = Some(core);
        self.reset_connections(n, now);
        self.net.restart(id.0);
        self.emit_pending();
        self.emit(restart);
        // `recovery-trusts-volatile`: the entries the node believes it has beyond the media.
        for ev in phantom {
            self.emit(ev);
        }
        self.arm_disk(n);
        self.start_node(n);
    }
}
