//! A flush (`fsync`) of one of a node's files, submitted together with the trace's
//! `flush` line that says so: every file's store flushes through here.

use raft_core::NodeId;
use sim_core::SimTime;
use sim_disk::{Disk, FileId, OpId};
use sim_trace::{FileKind, TraceEvent};

/// Submits a flush of `file` (a `kind` file of `node`) and appends its `flush` line.
pub(crate) fn flush(
    disk: &mut Disk,
    now: SimTime,
    node: NodeId,
    file: FileId,
    kind: FileKind,
    ev: &mut Vec<TraceEvent>,
) -> OpId {
    let op = disk.flush(now, file);
    ev.push(TraceEvent::Flush {
        node,
        op: op.0,
        file: kind,
    });
    op
}
