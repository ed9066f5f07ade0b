//! The fault injector: the explicit schedule, the random crash and partition processes,
//! their random stream, and the record of the faults that took effect.
//!
//! It decides what happens and when; `inject.rs` makes it happen to the nodes and the
//! network. A node selector (`leader`, `follower`, `random`) is resolved when the fault
//! fires. Random faults fire on whole milliseconds, so the faults a run fired can be
//! written back as an explicit `[[faults.schedule]]` (`at_ms`) exactly.

use crate::config::{CrashKind, FaultAction, FaultPlan, NodeSel, RangeMs, ScheduledFault};
use crate::event::Event;
use crate::kernel::Kernel;
use raft_core::NodeId;
use sim_core::{SimDuration, SimRng, SimTime};

/// What a random partition does.
pub enum PartitionDraw {
    Isolate(NodeId),
    Split {
        groups: Vec<Vec<NodeId>>,
        one_way: bool,
    },
}

pub struct FaultInjector {
    plan: FaultPlan,
    rng: SimRng,
    /// Faults fire until then.
    until: SimTime,
    /// Bumped by every random partition: only the latest one's end heals.
    partition_generation: u32,
    /// The faults that took effect, nodes resolved, in order.
    fired: Vec<ScheduledFault>,
}

impl FaultInjector {
    pub fn new(plan: &FaultPlan, rng: SimRng, until: SimTime) -> FaultInjector {
        FaultInjector {
            plan: plan.clone(),
            rng,
            until,
            partition_generation: 0,
            fired: Vec::new(),
        }
    }

    /// Queues the schedule (stable-sorted by time) and the first random faults.
    pub fn start(&mut self, k: &mut Kernel) {
        let mut order: Vec<usize> = (0..self.plan.schedule.len()).collect();
        order.sort_by_key(|i| self.plan.schedule[*i].at_ms);
        for i in order {
            let at = SimTime::from_ms(self.plan.schedule[i].at_ms);
            k.push(at, Event::Scheduled { index: i as u32 });
        }
        if self.plan.crash_rate_per_s > 0.0 {
            self.next_crash(k);
        }
        if self.plan.partition_rate_per_s > 0.0 {
            self.next_partition(k);
        }
    }

    pub fn next_crash(&mut self, k: &mut Kernel) {
        self.schedule_poisson(k, self.plan.crash_rate_per_s, Event::RandomCrash);
    }

    pub fn next_partition(&mut self, k: &mut Kernel) {
        self.schedule_poisson(k, self.plan.partition_rate_per_s, Event::RandomPartition);
    }

    /// Queues `ev` after an exponential gap of mean `1 / rate_per_s`, on a whole
    /// millisecond, if still before the end of the fault phase.
    fn schedule_poisson(&mut self, k: &mut Kernel, rate_per_s: f64, ev: Event) {
        let u = self.rng.unit_f64();
        let gap_ms = (-(1.0 - u).ln() / rate_per_s * 1e3).clamp(1.0, 3.6e6);
        let now_ms = k.now().as_ns().div_ceil(1_000_000);
        let at = SimTime::from_ms(now_ms + gap_ms.round() as u64);
        if at < self.until {
            k.push(at, ev);
        }
    }

    /// The action of schedule entry `index`.
    pub fn scheduled(&self, index: usize) -> FaultAction {
        self.plan.schedule[index].action.clone()
    }

    /// One of `pool` (positions of nodes), drawn; `None` if it is empty.
    pub fn pick(&mut self, pool: &[usize]) -> Option<usize> {
        if pool.is_empty() {
            return None;
        }
        Some(pool[self.rng.below(pool.len() as u64) as usize])
    }

    /// What a random crash takes down: a draw only when the plan mixes both kinds.
    pub fn crash_kind(&mut self) -> CrashKind {
        let f = self.plan.process_crash_fraction;
        if f <= 0.0 {
            CrashKind::Power
        } else if f >= 1.0 || self.rng.unit_f64() < f {
            CrashKind::Process
        } else {
            CrashKind::Power
        }
    }

    /// How long a crashed node stays down before its supervisor restarts it.
    pub fn restart_delay(&mut self) -> SimDuration {
        self.draw_ms(self.plan.restart_delay_ms)
    }

    /// The shape of a random partition of `nodes`: one node isolated, or a split into two
    /// groups, symmetric or one-way.
    pub fn draw_partition(&mut self, nodes: u8) -> PartitionDraw {
        let shape = self.rng.below(3);
        let mut ids: Vec<NodeId> = NodeId::all(nodes).collect();
        self.rng.shuffle(&mut ids);
        if shape == 0 || nodes < 3 {
            return PartitionDraw::Isolate(ids[0]);
        }
        let cut = 1 + self.rng.below(u64::from(nodes) - 1) as usize;
        PartitionDraw::Split {
            groups: vec![ids[..cut].to_vec(), ids[cut..].to_vec()],
            one_way: shape == 2,
        }
    }

    /// A random partition began: its end, drawn, heals it unless another replaced it.
    pub fn partition_began(&mut self, k: &mut Kernel) {
        self.partition_generation += 1;
        let end = k.now().after(self.draw_ms(self.plan.partition_duration_ms));
        k.push(
            end,
            Event::PartitionEnd {
                generation: self.partition_generation,
            },
        );
    }

    /// Whether a random partition's end is that of the latest one.
    pub fn is_latest_partition(&self, generation: u32) -> bool {
        generation == self.partition_generation
    }

    /// Records a fault that took effect, with its node resolved, at this whole millisecond.
    pub fn fired(&mut self, now: SimTime, action: FaultAction) {
        let at_ms = now.as_ns() / 1_000_000;
        debug_assert_eq!(
            now.as_ns() % 1_000_000,
            0,
            "faults fire on whole milliseconds"
        );
        self.fired.push(ScheduledFault { at_ms, action });
    }

    /// Records that node `id` was hit by a node-level fault named `action`.
    pub fn fired_on(&mut self, now: SimTime, action: &'static str, id: NodeId) {
        let node = NodeSel::Id(id);
        self.fired(
            now,
            match action {
                "crash" => FaultAction::Crash {
                    node,
                    kind: CrashKind::Power,
                },
                "process-crash" => FaultAction::Crash {
                    node,
                    kind: CrashKind::Process,
                },
                "restart" => FaultAction::Restart { node },
                "isolate" => FaultAction::Isolate { node },
                "disk-stall" => FaultAction::DiskStall { node },
                "disk-resume" => FaultAction::DiskResume { node },
                other => unreachable!("no node-level fault named {other}"),
            },
        );
    }

    /// The faults that took effect, in order.
    pub fn into_fired(self) -> Vec<ScheduledFault> {
        self.fired
    }

    fn draw_ms(&mut self, r: RangeMs) -> SimDuration {
        SimDuration::from_ms(self.rng.range_inclusive(r.min, r.max))
    }
}
