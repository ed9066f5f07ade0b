//! What the trace says each node holds — its log in memory, its durable media, whether it
//! is up — kept only to hold every line to the lines before it. A line that contradicts
//! them is a broken trace, not a finding: an entry appended past the end of the log, a
//! durable write past the end of the media, a restart recovering more entries than are
//! durable, a node acting while it is down. The checkers assume none of these happen
//! (they would stop or misjudge), so the reader stops at the line instead.
//!
//! This is not the checkers' view of the cluster (`sim-check`'s `view.rs`), which judges;
//! it only refuses what cannot be judged. It also fills in a `durable` line's entries when
//! the writer left them out: they are the ones the node appended there.

use super::error::Problem;
use crate::{DurableEntry, TraceEvent};
use raft_core::{LogIndex, NodeId};

/// One node, as the lines so far describe it.
#[derive(Clone, Debug, Default)]
struct NodeLog {
    /// The line of the node's last crash while it is down; `None` while it is up.
    down_since: Option<u64>,
    /// The log in memory, from index 1.
    log: Vec<DurableEntry>,
    /// The durable media, from index 1.
    durable: Vec<DurableEntry>,
}

/// Extends a log to `index` with entries a snapshot stands for (their identities are the
/// committed ones; this file only needs their count).
fn extend_to(log: &mut Vec<DurableEntry>, index: LogIndex) {
    let len = usize::try_from(index.0).unwrap_or(usize::MAX);
    if log.len() < len {
        log.resize(len, DurableEntry::COVERED);
    }
}

/// Every node of the cluster.
#[derive(Clone, Debug)]
pub(crate) struct NodeLogs {
    nodes: Vec<NodeLog>,
}

impl NodeLogs {
    pub fn new(nodes: u8) -> NodeLogs {
        NodeLogs {
            nodes: vec![NodeLog::default(); usize::from(nodes)],
        }
    }

    fn node(&mut self, n: NodeId) -> &mut NodeLog {
        &mut self.nodes[n.index()]
    }

    /// Holds event `ev` (of `kind`, at `line`) to the logs, and takes it in. `durable`
    /// lines go through [`NodeLogs::durable`], which may fill in their entries.
    pub fn agree(&mut self, ev: &TraceEvent, kind: &str, line: u64) -> Result<(), Problem> {
        match *ev {
            TraceEvent::Append {
                node,
                index,
                term,
                req,
            } => self.append(node, index, DurableEntry { term, req }),
            TraceEvent::Truncate { node, from_index } => self.truncate(node, from_index),
            TraceEvent::Role { node, .. }
            | TraceEvent::Commit { node, .. }
            | TraceEvent::Apply { node, .. } => self.require_up(node, kind),
            TraceEvent::Crash { node, .. } => self.crash(node, line),
            TraceEvent::Restart {
                node,
                log_last_index,
                ..
            } => self.restart(node, log_last_index),
            TraceEvent::Snapshot {
                node,
                index,
                installed,
                ..
            } => {
                self.require_up(node, kind)?;
                if installed {
                    // The log now reaches the snapshot's index, whatever it held before.
                    extend_to(&mut self.node(node).log, index);
                }
                Ok(())
            }
            TraceEvent::Compact { node, .. } => self.require_up(node, kind),
            TraceEvent::SnapshotDurable { node, index }
            | TraceEvent::CompactDurable { node, upto: index } => {
                extend_to(&mut self.node(node).durable, index);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// `kind` happened on node `n`, which must be up (only a `durable`, `crash`, `restart`
    /// or a verdict may name a node that is down).
    pub fn require_up(&mut self, n: NodeId, kind: &str) -> Result<(), Problem> {
        match self.node(n).down_since {
            None => Ok(()),
            Some(line) => Err(Problem::inconsistent(
                "node",
                format!(
                    "node {n} is down (it crashed at line {line} and has not restarted): a down node has no {kind}"
                ),
            )),
        }
    }

    pub fn append(&mut self, n: NodeId, index: LogIndex, id: DurableEntry) -> Result<(), Problem> {
        self.require_up(n, "append")?;
        let v = self.node(n);
        let len = v.log.len() as u64;
        if index.0 != len + 1 {
            return Err(Problem::inconsistent(
                "index",
                format!(
                    "node {n} appends entry {index} to a log of {len} entries; an entry goes right after the last one (an index already in the log is truncated first)"
                ),
            ));
        }
        v.log.push(id);
        Ok(())
    }

    pub fn truncate(&mut self, n: NodeId, from: LogIndex) -> Result<(), Problem> {
        self.require_up(n, "truncate")?;
        let v = self.node(n);
        v.log.truncate((from.0 - 1) as usize);
        Ok(())
    }

    /// A `durable` line: the media of node `n` now hold `entries` from `from` on and end at
    /// `index`. Returns the entries, taken from the node's log when the line has none.
    pub fn durable(
        &mut self,
        n: NodeId,
        from: LogIndex,
        index: LogIndex,
        entries: Option<Vec<DurableEntry>>,
    ) -> Result<Vec<DurableEntry>, Problem> {
        let v = self.node(n);
        let start = (from.0 - 1) as usize;
        let entries = match entries {
            Some(e) => e,
            None if index < from => Vec::new(),
            None => {
                let end = usize::try_from(index.0).unwrap_or(usize::MAX);
                match v.log.get(start..end) {
                    Some(slice) => slice.to_vec(),
                    None => {
                        return Err(Problem::inconsistent(
                            "entries",
                            format!(
                                "missing, and node {n}'s log holds {} entries, not {from}..={index}: say which entries reached the media",
                                v.log.len()
                            ),
                        ));
                    }
                }
            }
        };
        let old_len = v.durable.len();
        if entries.is_empty() {
            if index.0 > old_len as u64 {
                return Err(Problem::inconsistent(
                    "index",
                    format!(
                        "a durable line without entries is a truncation reaching the media, but index {index} is past the {old_len} entries node {n}'s media hold"
                    ),
                ));
            }
        } else {
            if start > old_len {
                return Err(Problem::inconsistent(
                    "from_index",
                    format!(
                        "node {n}'s media hold {old_len} entries: a write from {from} would leave a gap (it can start at {} at most)",
                        old_len + 1
                    ),
                ));
            }
            let new_len = old_len.max(start + entries.len());
            if index.0 > new_len as u64 {
                return Err(Problem::inconsistent(
                    "index",
                    format!(
                        "node {n}'s media hold {new_len} entries after this write ({} from {from}), so the last durable entry cannot be {index}",
                        entries.len()
                    ),
                ));
            }
            for (k, id) in entries.iter().enumerate() {
                match v.durable.get_mut(start + k) {
                    Some(slot) => *slot = *id,
                    None => v.durable.push(*id),
                }
            }
        }
        v.durable.truncate(index.0 as usize);
        Ok(entries)
    }

    pub fn crash(&mut self, n: NodeId, line: u64) -> Result<(), Problem> {
        self.require_up(n, "second crash")?;
        let v = self.node(n);
        v.down_since = Some(line);
        v.log.clear();
        Ok(())
    }

    /// Node `n` restarts with the first `log_last` entries of its media in its log.
    pub fn restart(&mut self, n: NodeId, log_last: LogIndex) -> Result<(), Problem> {
        let v = self.node(n);
        if v.down_since.is_none() {
            return Err(Problem::inconsistent(
                "node",
                format!("node {n} restarts but is up: a restart follows a crash line"),
            ));
        }
        let durable = v.durable.len() as u64;
        if log_last.0 > durable {
            return Err(Problem::inconsistent(
                "log_last_index",
                format!(
                    "node {n} restarts with {log_last} entries, but its media hold {durable} (the durable lines before say so): recovery reads only what is durable"
                ),
            ));
        }
        v.down_since = None;
        v.log = v.durable[..log_last.0 as usize].to_vec();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::Term;

    const N1: NodeId = NodeId(1);

    fn e(term: u64) -> DurableEntry {
        DurableEntry {
            term: Term(term),
            req: None,
        }
    }

    #[test]
    fn an_append_goes_right_after_the_last_entry() {
        let mut l = NodeLogs::new(3);
        l.append(N1, LogIndex(1), e(1)).unwrap();
        let err = l.append(N1, LogIndex(3), e(1)).unwrap_err().to_string();
        assert!(
            err.contains("appends entry 3 to a log of 1 entries"),
            "{err}"
        );
        l.truncate(N1, LogIndex(1)).unwrap();
        l.append(N1, LogIndex(1), e(2)).unwrap();
    }

    #[test]
    fn durable_entries_default_to_the_ones_appended() {
        let mut l = NodeLogs::new(3);
        for i in 1..=3 {
            l.append(N1, LogIndex(i), e(1)).unwrap();
        }
        let got = l.durable(N1, LogIndex(1), LogIndex(2), None).unwrap();
        assert_eq!(got, vec![e(1), e(1)]);
        assert!(l.durable(N1, LogIndex(3), LogIndex(5), None).is_err());
        // A truncation reaching the media: no entries, a lower index.
        assert_eq!(
            l.durable(N1, LogIndex(2), LogIndex(1), None).unwrap(),
            vec![]
        );
        let gap = l.durable(N1, LogIndex(4), LogIndex(4), Some(vec![e(1)]));
        assert!(gap.unwrap_err().to_string().contains("gap"));
    }

    #[test]
    fn a_restart_recovers_only_what_is_durable_and_follows_a_crash() {
        let mut l = NodeLogs::new(3);
        l.append(N1, LogIndex(1), e(1)).unwrap();
        l.durable(N1, LogIndex(1), LogIndex(1), None).unwrap();
        assert!(l.restart(N1, LogIndex(1)).is_err(), "not crashed");
        l.crash(N1, 9).unwrap();
        let down = l.append(N1, LogIndex(1), e(1)).unwrap_err().to_string();
        assert!(down.contains("crashed at line 9"), "{down}");
        assert!(l.restart(N1, LogIndex(2)).is_err(), "only one is durable");
        l.restart(N1, LogIndex(1)).unwrap();
        l.append(N1, LogIndex(2), e(2)).unwrap();
    }
}
