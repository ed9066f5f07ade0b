//! The fault plan of a world: the random fault processes and the explicit schedule.
//!
//! These are also the scenario format's fault types (sim-scenario re-exports them): a
//! `[[faults.schedule]]` entry is a [`ScheduledFault`], and the faults a run fired come back
//! in the same type, so `shrink` can write them into a scenario again.

use serde::Serialize;
use sim_core::{NodeId, SimDuration};
pub use sim_trace::CrashKind;

/// The name a node-level fault of `kind` goes by in `fault-noop` lines and the fired
/// schedule: `crash` for a power loss, `process-crash` for a process's death.
pub fn crash_action(kind: CrashKind) -> &'static str {
    match kind {
        CrashKind::Power => "crash",
        CrashKind::Process => "process-crash",
    }
}

/// The random fault processes and the explicit schedule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaultPlan {
    /// Random crashes of the whole cluster per simulated second; 0 = none.
    pub crash_rate_per_s: f64,
    /// The fraction of random crashes that kill only the process (the page cache
    /// survives); the others are power losses. 0 (the default) draws nothing.
    pub process_crash_fraction: f64,
    /// Delay before a crashed node's supervisor restarts it (random crashes, and a node
    /// that died on a failed fsync under the `crash` policy).
    pub restart_delay_ms: RangeMs,
    /// Random partitions per simulated second; 0 = none.
    pub partition_rate_per_s: f64,
    /// How long a random partition lasts.
    pub partition_duration_ms: RangeMs,
    /// Explicit faults, in the order written (stable-sorted by `at_ms` when run).
    pub schedule: Vec<ScheduledFault>,
}

impl FaultPlan {
    /// No random faults and an empty schedule; a crashed node restarts after 50..2000 ms,
    /// and a random partition would last 100..3000 ms (the scenario format's defaults).
    pub fn none() -> FaultPlan {
        FaultPlan {
            crash_rate_per_s: 0.0,
            process_crash_fraction: 0.0,
            restart_delay_ms: RangeMs { min: 50, max: 2000 },
            partition_rate_per_s: 0.0,
            partition_duration_ms: RangeMs {
                min: 100,
                max: 3000,
            },
            schedule: Vec::new(),
        }
    }
}

/// An integer range of milliseconds, `min <= max`; a bare number in a scenario file means
/// `min = max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RangeMs {
    pub min: u64,
    pub max: u64,
}

impl RangeMs {
    pub fn min_duration(&self) -> SimDuration {
        SimDuration::from_ms(self.min)
    }
    pub fn max_duration(&self) -> SimDuration {
        SimDuration::from_ms(self.max)
    }
}

/// One explicit fault at a whole millisecond.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduledFault {
    /// Below the run's `duration_ms`.
    pub at_ms: u64,
    #[serde(flatten)]
    pub action: FaultAction,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum FaultAction {
    /// A power loss of the node's machine, or with `kind = "process"` the death of its
    /// process alone.
    Crash {
        node: NodeSel,
        #[serde(skip_serializing_if = "CrashKind::is_power")]
        kind: CrashKind,
    },
    Restart {
        node: NodeSel,
    },
    Isolate {
        node: NodeSel,
    },
    /// Groups of nodes; nodes not named form one more group. With `one_way`, exactly two
    /// groups that name every node, and only group 0 -> group 1 is cut.
    Partition {
        groups: Vec<Vec<NodeId>>,
        one_way: bool,
    },
    Heal,
    DiskStall {
        node: NodeSel,
    },
    DiskResume {
        node: NodeSel,
    },
}

/// Which node a scheduled fault hits, resolved when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeSel {
    Id(NodeId),
    Leader,
    Follower,
    Random,
}

impl Serialize for NodeSel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NodeSel::Id(id) => s.serialize_u8(id.0),
            NodeSel::Leader => s.serialize_str("leader"),
            NodeSel::Follower => s.serialize_str("follower"),
            NodeSel::Random => s.serialize_str("random"),
        }
    }
}

impl Default for FaultPlan {
    fn default() -> FaultPlan {
        FaultPlan::none()
    }
}
