//! The fault processes: the explicit `[[faults.schedule]]`, random crashes with restarts,
//! random partitions, and the heal phase that stops them all.
//!
//! A node selector (`leader`, `follower`, `random`) is resolved when the fault fires. A
//! fault with nothing to do (crash a node already down) is recorded as `fault-noop`.
//! The network holds one set of cuts: a partition replaces the previous one, and the end
//! of a random partition heals every cut (docs/faults.md).

use crate::event::Event;
use crate::world::{Phase, World};
use raft_core::Role;
use sim_core::{SimDuration, SimTime};
use sim_scenario::{FaultAction, NodeSel, RangeMs, ScheduledFault};
use sim_trace::TraceEvent;

impl World {
    pub(crate) fn start_faults(&mut self) {
        let mut order: Vec<usize> = (0..self.scenario.faults.schedule.len()).collect();
        order.sort_by_key(|i| self.scenario.faults.schedule[*i].at_ms);
        for i in order {
            let at = SimTime::from_ms(self.scenario.faults.schedule[i].at_ms);
            self.queue.push(at, Event::Scheduled { index: i as u32 });
        }
        if self.scenario.faults.crash_rate_per_s > 0.0 {
            self.schedule_poisson(self.scenario.faults.crash_rate_per_s, Event::RandomCrash);
        }
        if self.scenario.faults.partition_rate_per_s > 0.0 {
            self.schedule_poisson(
                self.scenario.faults.partition_rate_per_s,
                Event::RandomPartition,
            );
        }
    }

    /// Queues `ev` after an exponential gap of mean `1 / rate_per_s`, if still before the
    /// end of the fault phase. Random faults fire on whole milliseconds, so the faults a run
    /// fired can be written back as an explicit `[[faults.schedule]]` (`at_ms`) exactly.
    fn schedule_poisson(&mut self, rate_per_s: f64, ev: Event) {
        let u = self.fault_rng.unit_f64();
        let gap_ms = (-(1.0 - u).ln() / rate_per_s * 1e3).clamp(1.0, 3.6e6);
        let now_ms = self.now().as_ns().div_ceil(1_000_000);
        let at = SimTime::from_ms(now_ms + gap_ms.round() as u64);
        if at < SimTime::from_ms(self.scenario.run.duration_ms) {
            self.queue.push(at, ev);
        }
    }

    fn draw_ms(&mut self, r: RangeMs) -> SimDuration {
        SimDuration::from_ms(self.fault_rng.range_inclusive(r.min, r.max))
    }

    pub(crate) fn on_random_crash(&mut self) {
        if self.phase != Phase::Running {
            return;
        }
        let up: Vec<usize> = (0..self.nodes.len())
            .filter(|n| self.nodes[*n].is_up())
            .collect();
        if !up.is_empty() {
            let n = up[self.fault_rng.below(up.len() as u64) as usize];
            self.crash_and_restart_later(n, true);
            self.fired(FaultAction::Crash {
                node: NodeSel::Id(n as u8 + 1),
            });
        }
        self.schedule_poisson(self.scenario.faults.crash_rate_per_s, Event::RandomCrash);
    }

    /// Crashes node `n`; its supervisor restarts it after `restart_delay_ms` (random crashes,
    /// and a node that died on a failed fsync under the `crash` policy). `fault` says which:
    /// only a random crash's restart is a fault that the fired schedule records.
    pub(crate) fn crash_and_restart_later(&mut self, n: usize, fault: bool) {
        self.crash_node(n);
        let delay = self.draw_ms(self.scenario.faults.restart_delay_ms);
        let incarnation = self.nodes[n].incarnation;
        self.queue.push(
            self.now().after(delay),
            Event::RandomRestart {
                node: n as u8,
                incarnation,
                fault,
            },
        );
    }

    pub(crate) fn on_random_restart(&mut self, n: usize, incarnation: u32, fault: bool) {
        if self.phase == Phase::Running && self.nodes[n].incarnation == incarnation {
            self.restart_node(n);
            if fault {
                self.fired(FaultAction::Restart {
                    node: NodeSel::Id(n as u8 + 1),
                });
            }
        }
    }

    pub(crate) fn on_random_partition(&mut self) {
        if self.phase != Phase::Running {
            return;
        }
        let nodes = self.nodes.len() as u8;
        let shape = self.fault_rng.below(3);
        let mut ids: Vec<u8> = (1..=nodes).collect();
        self.fault_rng.shuffle(&mut ids);
        if shape == 0 || nodes < 3 {
            self.isolate(ids[0]);
            self.fired(FaultAction::Isolate {
                node: NodeSel::Id(ids[0]),
            });
        } else {
            let cut = 1 + self.fault_rng.below(u64::from(nodes) - 1) as usize;
            let groups = vec![ids[..cut].to_vec(), ids[cut..].to_vec()];
            self.partition(groups.clone(), shape == 2);
            self.fired(FaultAction::Partition {
                groups,
                one_way: shape == 2,
            });
        }
        self.partition_generation += 1;
        let end = self
            .now()
            .after(self.draw_ms(self.scenario.faults.partition_duration_ms));
        self.queue.push(
            end,
            Event::PartitionEnd {
                generation: self.partition_generation,
            },
        );
        self.schedule_poisson(
            self.scenario.faults.partition_rate_per_s,
            Event::RandomPartition,
        );
    }

    pub(crate) fn on_partition_end(&mut self, generation: u32) {
        if self.phase == Phase::Running && generation == self.partition_generation {
            self.net.heal();
            self.emit(TraceEvent::NetHeal);
            self.fired(FaultAction::Heal);
        }
    }

    fn isolate(&mut self, id: u8) {
        self.net.isolate(id);
        self.emit(TraceEvent::Isolate {
            node: raft_core::NodeId(id),
        });
    }

    fn partition(&mut self, groups: Vec<Vec<u8>>, one_way: bool) {
        self.net.partition(&groups, one_way);
        self.emit(TraceEvent::Partition { groups, one_way });
    }

    pub(crate) fn on_scheduled_fault(&mut self, index: usize) {
        if self.phase != Phase::Running {
            return;
        }
        let action = self.scenario.faults.schedule[index].action.clone();
        match action {
            FaultAction::Crash { node } => self.with_node(
                node,
                "crash",
                |w, n| w.nodes[n].is_up(),
                |w, n| w.crash_node(n),
            ),
            FaultAction::Restart { node } => self.with_node(
                node,
                "restart",
                |w, n| !w.nodes[n].is_up(),
                |w, n| w.restart_node(n),
            ),
            FaultAction::Isolate { node } => {
                self.with_node(node, "isolate", |_, _| true, |w, n| w.isolate(n as u8 + 1))
            }
            FaultAction::Partition { groups, one_way } => {
                self.partition(groups.clone(), one_way);
                self.fired(FaultAction::Partition { groups, one_way });
            }
            FaultAction::Heal => {
                self.net.heal();
                self.emit(TraceEvent::NetHeal);
                self.fired(FaultAction::Heal);
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
        applies: impl Fn(&World, usize) -> bool,
        act: impl FnOnce(&mut World, usize),
    ) {
        let target = self.resolve(sel, &applies);
        match target {
            Some(n) if applies(self, n) => {
                act(self, n);
                let node = NodeSel::Id(n as u8 + 1);
                self.fired(match action {
                    "crash" => FaultAction::Crash { node },
                    "restart" => FaultAction::Restart { node },
                    "isolate" => FaultAction::Isolate { node },
                    "disk-stall" => FaultAction::DiskStall { node },
                    "disk-resume" => FaultAction::DiskResume { node },
                    other => unreachable!("no node-level fault named {other}"),
                });
            }
            Some(n) => {
                let detail = format!("node {} is already in that state", n + 1);
                self.emit(TraceEvent::FaultNoop { action, detail });
            }
            None => {
                let detail = format!("no node matches {sel:?}");
                self.emit(TraceEvent::FaultNoop { action, detail });
            }
        }
    }

    /// The node a selector names at this instant: the leader of the highest term among up
    /// nodes; a random up node that is not it; a random node for which the fault applies.
    fn resolve(&mut self, sel: NodeSel, applies: &impl Fn(&World, usize) -> bool) -> Option<usize> {
        let leader = (0..self.nodes.len())
            .filter(|n| {
                self.nodes[*n]
                    .core
                    .as_ref()
                    .is_some_and(|c| c.role() == Role::Leader)
            })
            .max_by_key(|n| self.nodes[*n].core.as_ref().map(|c| c.term()));
        match sel {
            NodeSel::Id(id) => Some(usize::from(id) - 1),
            NodeSel::Leader => leader,
            NodeSel::Follower => {
                let pool: Vec<usize> = (0..self.nodes.len())
                    .filter(|n| self.nodes[*n].is_up() && Some(*n) != leader)
                    .collect();
                self.pick(&pool)
            }
            NodeSel::Random => {
                let pool: Vec<usize> = (0..self.nodes.len())
                    .filter(|n| applies(self, *n))
                    .collect();
                self.pick(&pool)
            }
        }
    }

    /// Records a fault that took effect, with its node resolved, at this whole millisecond.
    fn fired(&mut self, action: FaultAction) {
        let at_ms = self.now().as_ns() / 1_000_000;
        debug_assert_eq!(
            self.now().as_ns() % 1_000_000,
            0,
            "faults fire on whole milliseconds"
        );
        self.fired_faults.push(ScheduledFault { at_ms, action });
    }

    fn pick(&mut self, pool: &[usize]) -> Option<usize> {
        if pool.is_empty() {
            return None;
        }
        Some(pool[self.fault_rng.below(pool.len() as u64) as usize])
    }

    fn stall_disk(&mut self, n: usize) {
        let now = self.now();
        self.nodes[n].disk.stall(now);
        let id = self.nodes[n].id;
        self.emit(TraceEvent::DiskStall { node: id });
    }

    fn resume_disk(&mut self, n: usize) {
        let now = self.now();
        self.nodes[n].disk.resume(now);
        let id = self.nodes[n].id;
        self.emit(TraceEvent::DiskResume { node: id });
        self.arm_disk(n);
    }

    /// Faults and workload stop; every cut heals, the network stops losing and duplicating
    /// messages (unless the scenario keeps them: `heal_network = "keep-faults"`), stalled
    /// disks resume, down nodes restart.
    pub(crate) fn on_heal(&mut self) {
        self.phase = Phase::Healing;
        self.emit(TraceEvent::Heal);
        self.net.heal();
        if self.scenario.run.heal_network == sim_scenario::HealNetwork::Reliable {
            self.net.stop_random_faults();
        }
        for n in 0..self.nodes.len() {
            self.nodes[n].disk.stop_faults();
            if self.nodes[n].disk.is_stalled() {
                self.resume_disk(n);
            }
        }
        for n in 0..self.nodes.len() {
            self.restart_node(n);
        }
    }
}
