//! Faults made to happen: the fault injector (`faults.rs`) decides, and this file crashes
//! and restarts nodes, cuts and heals the network, stalls and resumes disks, and runs the
//! heal phase that stops them all.
//!
//! A fault with nothing to do (crash a node already down) is recorded as `fault-noop`. The
//! network holds one set of cuts: a partition replaces the previous one, and the end of a
//! random partition heals every cut (docs/faults.md).

use crate::config::{CrashKind, FaultAction, HealNetwork, NodeSel, crash_action};
use crate::event::Event;
use crate::faults::PartitionDraw;
use crate::wire::Wire;
use crate::world::{Phase, World};
use raft_core::{NodeId, Role};
use sim_core::SimDuration;
use sim_disk::CrashChoice;
use sim_trace::TraceEvent;

impl<M: Wire> World<M> {
    pub(crate) fn on_random_crash(&mut self) {
        if self.phase != Phase::Running {
            return;
        }
        let up: Vec<usize> = (0..self.nodes.len())
            .filter(|n| self.nodes[*n].is_up())
            .collect();
        if let Some(n) = self.faults.pick(&up) {
            let kind = self.faults.crash_kind();
            self.crash_and_restart_later(n, CrashChoice::Drawn, kind, true);
            let now = self.k.now();
            self.faults
                .fired_on(now, crash_action(kind), NodeId::from_index(n));
        }
        self.faults.next_crash(&mut self.k);
    }

    /// Crashes node `n`, its disk's outcome as `choice` says; its supervisor restarts it
    /// after `restart_delay_ms` (random crashes, a node that died on a failed fsync under
    /// the `crash` policy, crash points). `fault` says which: only a random crash's restart
    /// is a fault that the fired schedule records.
    pub(crate) fn crash_and_restart_later(
        &mut self,
        n: usize,
        choice: CrashChoice,
        kind: CrashKind,
        fault: bool,
    ) {
        self.crash_node_choosing(n, choice, kind);
        let delay = self.faults.restart_delay();
        let node = &self.nodes[n];
        let at = self.k.now().after(delay);
        self.k.push(
            at,
            Event::RandomRestart {
                node: node.id,
                incarnation: node.incarnation,
                fault,
            },
        );
    }

    /// Node `n`, just crashed by a power loss, comes back `delay` from now, whatever its
    /// supervisor had planned and whether or not the heal comes first (its planned restart
    /// is voided by a new incarnation).
    pub(crate) fn restart_late(&mut self, n: usize, delay: SimDuration) {
        let node = &mut self.nodes[n];
        debug_assert!(!node.is_up(), "only a crashed node restarts late");
        node.incarnation += 1;
        let id = node.id;
        if let Some(b) = &mut self.boundaries {
            b.held_down = Some(id);
        }
        let at = self.k.now().after(delay);
        self.k.push(at, Event::LateRestart { node: id });
    }

    pub(crate) fn on_late_restart(&mut self, id: NodeId) {
        if let Some(b) = &mut self.boundaries {
            b.held_down = None;
        }
        self.restart_node(id.index());
    }

    pub(crate) fn on_random_restart(&mut self, id: NodeId, incarnation: u32, fault: bool) {
        let n = id.index();
        if self.phase == Phase::Running && self.nodes[n].incarnation == incarnation {
            self.restart_node(n);
            if fault {
                let now = self.k.now();
                self.faults.fired_on(now, "restart", id);
            }
        }
    }

    pub(crate) fn on_random_partition(&mut self) {
        if self.phase != Phase::Running {
            return;
        }
        let now = self.k.now();
        match self.faults.draw_partition(self.config.nodes) {
            PartitionDraw::Isolate(id) => {
                self.isolate(id);
                self.faults.fired(
                    now,
                    FaultAction::Isolate {
                        node: NodeSel::Id(id),
                    },
                );
            }
            PartitionDraw::Split { groups, one_way } => {
                self.partition(&groups, one_way);
                self.faults
                    .fired(now, FaultAction::Partition { groups, one_way });
            }
        }
        self.faults.partition_began(&mut self.k);
        self.faults.next_partition(&mut self.k);
    }

    pub(crate) fn on_partition_end(&mut self, generation: u32) {
        if self.phase == Phase::Running && self.faults.is_latest_partition(generation) {
            self.net.heal();
            self.k.emit(TraceEvent::NetHeal);
            let now = self.k.now();
            self.faults.fired(now, FaultAction::Heal);
        }
    }

    fn isolate(&mut self, id: NodeId) {
        self.net.isolate(id);
        self.k.emit(TraceEvent::Isolate { node: id });
    }

    fn partition(&mut self, groups: &[Vec<NodeId>], one_way: bool) {
        self.net.partition(groups, one_way);
        let groups = groups.to_vec();
        self.k.emit(TraceEvent::Partition { groups, one_way });
    }

    pub(crate) fn on_scheduled_fault(&mut self, index: usize) {
        if self.phase != Phase::Running {
            return;
        }
        match self.faults.scheduled(index) {
            FaultAction::Crash { node, kind } => self.with_node(
                node,
                crash_action(kind),
                |w, n| w.nodes[n].is_up(),
                |w, n| w.crash_node(n, kind),
            ),
            FaultAction::Restart { node } => self.with_node(
                node,
                "restart",
                |w, n| !w.nodes[n].is_up(),
                |w, n| w.restart_node(n),
            ),
            FaultAction::Isolate { node } => self.with_node(
                node,
                "isolate",
                |_, _| true,
                |w, n| w.isolate(NodeId::from_index(n)),
            ),
            FaultAction::Partition { groups, one_way } => {
                self.partition(&groups, one_way);
                let now = self.k.now();
                self.faults
                    .fired(now, FaultAction::Partition { groups, one_way });
            }
            FaultAction::Heal => {
                self.net.heal();
                self.k.emit(TraceEvent::NetHeal);
                let now = self.k.now();
                self.faults.fired(now, FaultAction::Heal);
            }
            FaultAction::DiskStall { node } => self.with_node(
                node,
                "disk-stall",
                |w, n| !w.nodes[n].disk.is_stalled(),
                |w, n| w.stall_disk(n),
            ),
            FaultAction::DiskResume { node } => self.with_node(
                node,
                "disk-resume",
                |w, n| w.nodes[n].disk.is_stalled(),
                |w, n| w.resume_disk(n),
            ),
        }
    }

    /// Resolves `sel` now and applies `act` to that node if `applies` holds for it;
    /// otherwise records a `fault-noop`.
    fn with_node(
        &mut self,
        sel: NodeSel,
        action: &'static str,
        applies: impl Fn(&World<M>, usize) -> bool,
        act: impl FnOnce(&mut World<M>, usize),
    ) {
        let target = self.resolve(sel, &applies);
        match target {
            Some(n) if applies(self, n) => {
                act(self, n);
                let now = self.k.now();
                self.faults.fired_on(now, action, NodeId::from_index(n));
            }
            Some(n) => {
                let detail = format!("node {} is already in that state", NodeId::from_index(n));
                self.k.emit(TraceEvent::FaultNoop { action, detail });
            }
            None => {
                let detail = format!("no node matches {sel:?}");
                self.k.emit(TraceEvent::FaultNoop { action, detail });
            }
        }
    }

    /// The node a selector names at this instant: the leader of the highest term among up
    /// nodes; a random up node that is not it; a random node for which the fault applies.
    fn resolve(
        &mut self,
        sel: NodeSel,
        applies: &impl Fn(&World<M>, usize) -> bool,
    ) -> Option<usize> {
        let leader = (0..self.nodes.len())
            .filter(|n| {
                self.nodes[*n]
                    .core
                    .as_ref()
                    .is_some_and(|c| c.role() == Role::Leader)
            })
            .max_by_key(|n| self.nodes[*n].core.as_ref().map(|c| c.term()));
        match sel {
            NodeSel::Id(id) => Some(id.index()),
            NodeSel::Leader => leader,
            NodeSel::Follower => {
                let pool: Vec<usize> = (0..self.nodes.len())
                    .filter(|n| self.nodes[*n].is_up() && Some(*n) != leader)
                    .collect();
                self.faults.pick(&pool)
            }
            NodeSel::Random => {
                let pool: Vec<usize> = (0..self.nodes.len())
                    .filter(|n| applies(self, *n))
                    .collect();
                self.faults.pick(&pool)
            }
        }
    }

    fn stall_disk(&mut self, n: usize) {
        let now = self.k.now();
        self.nodes[n].disk.stall(now);
        let id = self.nodes[n].id;
        self.k.emit(TraceEvent::DiskStall { node: id });
    }

    fn resume_disk(&mut self, n: usize) {
        let now = self.k.now();
        self.nodes[n].disk.resume(now);
        let id = self.nodes[n].id;
        self.k.emit(TraceEvent::DiskResume { node: id });
        self.arm_disk(n);
    }

    /// Faults and workload stop; every cut heals, the network stops losing and duplicating
    /// messages (unless the configuration keeps them: `HealNetwork::KeepFaults`), stalled
    /// disks resume, down nodes restart.
    pub(crate) fn on_heal(&mut self) {
        self.phase = Phase::Healing;
        self.k.emit(TraceEvent::Heal);
        self.net.heal();
        if self.config.run.heal_network == HealNetwork::Reliable {
            self.net.stop_random_faults();
        }
        for n in 0..self.nodes.len() {
            self.nodes[n].disk.stop_faults();
            if self.nodes[n].disk.is_stalled() {
                self.resume_disk(n);
            }
        }
        let held_down = self.boundaries.as_ref().and_then(|b| b.held_down);
        for n in 0..self.nodes.len() {
            if held_down != Some(self.nodes[n].id) {
                self.restart_node(n);
            }
        }
    }
}
