//! openraft's `RaftLogStorage` and `RaftLogReader` over the node's [`NodeIo`]: reads come
//! from the in-memory log (entries are readable as soon as `append` returns); writes become
//! the world's `Append` / `WriteAt` / `EndOfAppendBatch` actions on the virtual disk, and
//! `IOFlushed` completes when the world reports the flush durable (`io.rs`). `save_vote` is
//! a blocking `SaveState`: nothing openraft does after it leaves before the state file's
//! flush completes.

use crate::io::Shared;
use crate::types::{
    Cfg, OrEntry, OrLogId, OrVote, base_log_id, from_openraft, log_id, to_openraft,
};
use openraft::storage::{IOFlushed, LogState, RaftLogReader, RaftLogStorage};
use raft_core::LogIndex;
use std::fmt::Debug;
use std::io;
use std::ops::{Bound, RangeBounds};

#[derive(Clone)]
pub struct LogStore(pub Shared);

impl RaftLogReader<Cfg> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug>(
        &mut self,
        range: RB,
    ) -> Result<Vec<OrEntry>, io::Error> {
        let io = self.0.borrow();
        let last = io.log.len() as u64;
        let lo = match range.start_bound() {
            Bound::Included(&i) => i,
            Bound::Excluded(&i) => i + 1,
            Bound::Unbounded => 1,
        }
        .max(1);
        let hi = match range.end_bound() {
            Bound::Included(&i) => i,
            Bound::Excluded(&i) => i.saturating_sub(1),
            Bound::Unbounded => last,
        }
        .min(last);
        Ok((lo..=hi)
            .map(|i| to_openraft(LogIndex(i), &io.log[(i - 1) as usize]))
            .collect())
    }

    async fn read_vote(&mut self) -> Result<Option<OrVote>, io::Error> {
        Ok(self.0.borrow().vote)
    }
}

impl RaftLogStorage<Cfg> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<Cfg>, io::Error> {
        let io = self.0.borrow();
        let last = io
            .log
            .last()
            .map(|e| log_id(io.last_index(), e.term))
            .unwrap_or_else(base_log_id);
        Ok(LogState {
            last_purged_log_id: Some(base_log_id()),
            last_log_id: Some(last),
        })
    }

    async fn get_log_reader(&mut self) -> LogStore {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &OrVote) -> Result<(), io::Error> {
        self.0.borrow_mut().save_vote(vote);
        Ok(())
    }

    async fn append<I>(&mut self, entries: I, callback: IOFlushed<Cfg>) -> Result<(), io::Error>
    where
        I: IntoIterator<Item = OrEntry>,
    {
        let mut from = None;
        let ours: Vec<raft_core::Entry> = entries
            .into_iter()
            .map(|e| {
                let (index, entry) = from_openraft(&e);
                from.get_or_insert(index);
                entry
            })
            .collect();
        let Some(from) = from else {
            callback.io_completed(Ok(()));
            return Ok(());
        };
        self.0.borrow_mut().append(from, ours, callback);
        Ok(())
    }

    async fn truncate_after(&mut self, last_log_id: Option<OrLogId>) -> Result<(), io::Error> {
        let keep = last_log_id.map_or(0, |l| l.index);
        self.0.borrow_mut().truncate_after(LogIndex(keep));
        Ok(())
    }

    async fn purge(&mut self, log_id: OrLogId) -> Result<(), io::Error> {
        assert_eq!(
            log_id.index, 0,
            "the adapter never compacts (snapshot policy is never); openraft purged to {log_id}"
        );
        Ok(())
    }
}
