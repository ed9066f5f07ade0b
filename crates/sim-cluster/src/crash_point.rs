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
//!
//! A node also makes a **commit step** whenever its commit index advances. A commit step
//! changes no disk, but it is where a leader makes a promise: an entry counted committed
//! while durable on fewer than a majority (a durability hazard) becomes one at a commit
//! step, and the window until its flushes end may hold no disk boundary at all. A point
//! may therefore name a commit step instead of a boundary (`at_commit`), counted the same
//! way (per node, from 1, workload phase only).
//!
//! A run takes up to [`CRASH_POINTS_MAX`] points, each crashing when its node crosses its
//! boundary (or commit step), numbered in the run the earlier points made: `explore` follows
//! a run whose crash left a durability hazard with a power loss at each later boundary and
//! commit step, the second failure that turns the hazard into a loss.

use raft_core::NodeId;
use serde::Serialize;

/// Crash `node` right after its `boundary`-th boundary (at the same instant, after the
/// step that crossed it), with crash outcome number `outcome` (`sim_disk::CrashChoice`);
/// its supervisor restarts it after the configured restart delay. With `whole_cluster`,
/// every node loses power at that instant (a data-centre power loss): the others crash with
/// outcome 0 (nothing unflushed kept under keep-random-subset, the first sector torn under
/// torn-tail), and each restarts after its own restart delay — except `last_up`, when
/// given, which comes back only once the others have had time to elect a leader without
/// it (the longest restart delay plus the longest election timeout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CrashPoint {
    pub node: NodeId,
    pub boundary: u64,
    pub outcome: u64,
    pub whole_cluster: bool,
    pub last_up: Option<NodeId>,
    /// `boundary` counts the node's commit steps instead of its disk-I/O boundaries.
    pub at_commit: bool,
}

/// Crash points one run takes at most: a crash, and the power loss that follows it.
pub const CRASH_POINTS_MAX: usize = 2;

/// What a run counted for exploration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BoundaryReport {
    /// Boundaries each node crossed in the workload phase, by node position.
    pub boundaries: Vec<u64>,
    /// At the first crash point, how many outcomes the crash had (`None`: the point was
    /// never reached, or no point was asked for).
    pub outcomes: Option<u64>,
    /// Each node's boundaries up to and including the first crash point, when it was
    /// reached: a later point is one above its node's count here.
    pub boundaries_at_first_point: Option<Vec<u64>>,
    /// Commit steps each node made in the workload phase, by node position.
    pub commits: Vec<u64>,
    /// Each node's commit steps up to the first crash point, when it was reached.
    pub commits_at_first_point: Option<Vec<u64>>,
}

/// The world's bookkeeping of boundaries.
pub(crate) struct Boundaries {
    /// The crash points, in the order given (at most [`CRASH_POINTS_MAX`]).
    pub points: Vec<CrashPoint>,
    /// The node a power loss keeps down until its late restart (`CrashPoint::last_up`),
    /// through the heal if need be.
    pub held_down: Option<NodeId>,
    /// Per node: the disk's count of completed operations plus accepted flushes, when last
    /// looked at.
    last: Vec<u64>,
    pub report: BoundaryReport,
}

impl Boundaries {
    pub fn new(nodes: u8, points: Vec<CrashPoint>) -> Boundaries {
        assert!(
            points.len() <= CRASH_POINTS_MAX,
            "at most {CRASH_POINTS_MAX} crash points in one run"
        );
        Boundaries {
            points,
            held_down: None,
            last: vec![0; usize::from(nodes)],
            report: BoundaryReport {
                boundaries: vec![0; usize::from(nodes)],
                outcomes: None,
                boundaries_at_first_point: None,
                commits: vec![0; usize::from(nodes)],
                commits_at_first_point: None,
            },
        }
    }

    /// Node `n`'s disk count is now `count`: which crash point, if any, the boundary it
    /// crossed is (by position). `counting` is false outside the workload phase.
    pub fn crossed(&mut self, n: usize, count: u64, counting: bool) -> Option<u8> {
        let moved = count != self.last[n];
        self.last[n] = count;
        if !moved || !counting {
            return None;
        }
        self.report.boundaries[n] += 1;
        let at = self.report.boundaries[n];
        self.point_at(n, at, false)
    }

    /// Node `n`'s commit index advanced: which crash point, if any, this commit step is.
    /// `counting` is false outside the workload phase.
    pub fn committed(&mut self, n: usize, counting: bool) -> Option<u8> {
        if !counting {
            return None;
        }
        self.report.commits[n] += 1;
        let at = self.report.commits[n];
        self.point_at(n, at, true)
    }

    fn point_at(&self, n: usize, at: u64, at_commit: bool) -> Option<u8> {
        let which = self.points.iter().position(|p| {
            p.node == NodeId::from_index(n) && p.boundary == at && p.at_commit == at_commit
        })?;
        Some(u8::try_from(which).expect("at most CRASH_POINTS_MAX points"))
    }

    /// Crash point `which` fires, where its crash has `outcomes` outcomes: what it is.
    pub fn fire(&mut self, which: u8, outcomes: u64) -> CrashPoint {
        if which == 0 {
            self.report.outcomes = Some(outcomes);
            self.report.boundaries_at_first_point = Some(self.report.boundaries.clone());
            self.report.commits_at_first_point = Some(self.report.commits.clone());
        }
        self.points[usize::from(which)]
    }
}
