//! Crash points: a crash placed at a disk-I/O boundary of one node instead of at a drawn
//! instant, with its outcome among those the crash model allows chosen instead of drawn.
//! `sim-runner explore` enumerates them; `repro --crash-point` replays one.
//!
//! A node crosses a **boundary** whenever its disk, since the node's last step, has landed
//! a write (or truncate) in the page cache, accepted a flush, or completed one: the places
//! where what is durable can differ from what the node believes. Boundaries are counted per
//! node, from 1, during the workload phase only (a crash in the heal phase would leave the
//! cluster no time to converge, and no other fault fires there either). Several changes in
//! one step (two writes landing at one instant) make one boundary.

use raft_core::NodeId;
use serde::Serialize;

/// Crash `node` right after its `boundary`-th boundary (at the same instant, after the
/// step that crossed it), with crash outcome number `outcome` (`sim_disk::CrashChoice`);
/// its supervisor restarts it after the configured restart delay. With `whole_cluster`,
/// every node loses power at that instant (a data-centre power loss): the others crash with
/// outcome 0 (nothing unflushed kept under keep-random-subset, the first sector torn under
/// torn-tail), and each restarts after its own restart delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CrashPoint {
    pub node: NodeId,
    pub boundary: u64,
    pub outcome: u64,
    pub whole_cluster: bool,
}

/// What a run counted for exploration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BoundaryReport {
    /// Boundaries each node crossed in the workload phase, by node position.
    pub boundaries: Vec<u64>,
    /// At the crash point, how many outcomes the crash had (`None`: the point was never
    /// reached, or no point was asked for).
    pub outcomes: Option<u64>,
}

/// The world's bookkeeping of boundaries.
pub(crate) struct Boundaries {
    pub point: Option<CrashPoint>,
    /// Per node: the disk's count of completed operations plus accepted flushes, when last
    /// looked at.
    last: Vec<u64>,
    pub report: BoundaryReport,
}

impl Boundaries {
    pub fn new(nodes: u8, point: Option<CrashPoint>) -> Boundaries {
        Boundaries {
            point,
            last: vec![0; usize::from(nodes)],
            report: BoundaryReport {
                boundaries: vec![0; usize::from(nodes)],
                outcomes: None,
            },
        }
    }

    /// Node `n`'s disk count is now `count`: whether it crossed a boundary that is the
    /// crash point. `counting` is false outside the workload phase.
    pub fn crossed(&mut self, n: usize, count: u64, counting: bool) -> bool {
        if count == self.last[n] {
            return false;
        }
        self.last[n] = count;
        if !counting {
            return false;
        }
        self.report.boundaries[n] += 1;
        self.point.is_some_and(|p| {
            p.node == NodeId::from_index(n) && p.boundary == self.report.boundaries[n]
        })
    }
}
