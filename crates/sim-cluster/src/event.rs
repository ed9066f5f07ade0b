//! The events of the world's queue. Small and `Copy`: a message's body waits in the
//! network's slab and the event carries its slot, so the queue never allocates.

use crate::client::Answer;
use raft_core::{ClientId, NodeId, ReqId, Timer};
use sim_net::Slot;

#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// A node-to-node message arrives.
    Deliver(Slot),
    /// A client's request reaches the node it was sent to.
    ClientArrive { client: ClientId, req: ReqId },
    /// A node's answer reaches the client.
    ClientReply {
        client: ClientId,
        req: ReqId,
        answer: Answer,
    },
    /// A client may issue its next operation.
    ClientTick { client: ClientId },
    /// A client gives up waiting for `req`.
    ClientTimeout { client: ClientId, req: ReqId },
    /// A node's disk may have completed something.
    Disk { node: NodeId },
    /// A node's timer may fire.
    Timer { node: NodeId, timer: Timer },
    /// An explicit `[[faults.schedule]]` entry fires.
    Scheduled { index: u32 },
    /// The random crash process fires.
    RandomCrash,
    /// A crashed node comes back after `restart_delay_ms`, if it is still the same
    /// incarnation. `fault` is set when the crash was a random fault (then the restart is
    /// one too, and goes into the fired-fault schedule); a crash on a failed fsync is not
    /// a fault but a consequence of the disk stream, and a replay brings it back by itself.
    RandomRestart {
        node: NodeId,
        incarnation: u32,
        fault: bool,
    },
    /// The node a power loss kept down longest (`CrashPoint::last_up`) comes back, in
    /// whichever phase.
    LateRestart { node: NodeId },
    /// Crash point number `point` (`crash_point.rs`) was crossed: crash the node now, with
    /// the chosen outcome.
    CrashPoint { node: NodeId, point: u8 },
    /// The random partition process fires.
    RandomPartition,
    /// A random partition ends, unless another replaced it.
    PartitionEnd { generation: u32 },
    /// Faults and workload stop; the heal phase begins.
    Heal,
    /// The end of the heal phase (or of the run, without one): the run ends here if the
    /// cluster has converged.
    End,
    /// The heal phase is over but the cluster has not converged: look again.
    LivenessProbe,
}
