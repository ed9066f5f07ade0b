//! openraft's `RaftStateMachine` on the simulator's key-value store, applied as the model's
//! is: each committed client command changes the store once, the trace gets `commit` and
//! `apply` lines, and the command's answer goes back through openraft's responder (the
//! leader's client task turns it into the client's reply).
//!
//! The state machine is volatile, like raft-rs's: a restart begins from the virtual
//! snapshot at index 0 (the membership, nothing applied) and applies again as entries
//! commit. There is no real snapshot: the policy is never, and the only snapshot there is
//! is the base one every node starts from.

use crate::io::Shared;
use crate::types::{Cfg, Reply, Snap, base_log_id, from_openraft};
use futures_util::StreamExt;
use openraft::alias::{SnapshotMetaOf, StoredMembershipOf};
use openraft::storage::{EntryResponder, RaftSnapshotBuilder, RaftStateMachine};
use openraft::{Membership, StoredMembership};
use raft_core::{Notice, Payload};
use std::collections::BTreeSet;
use std::io;

#[derive(Clone)]
pub struct StateMachine {
    pub io: Shared,
    pub voters: BTreeSet<u64>,
}

impl StateMachine {
    pub fn membership(&self) -> StoredMembershipOf<Cfg> {
        let m = Membership::new_with_defaults(vec![self.voters.clone()], self.voters.clone());
        StoredMembership::new(Some(base_log_id()), m)
    }

    fn base_snapshot(&self) -> Snap {
        Snap {
            meta: SnapshotMetaOf::<Cfg> {
                last_log_id: Some(base_log_id()),
                last_membership: self.membership(),
                #[cfg(feature = "alpha24-api")]
                snapshot_id: "base".to_string(),
            },
            snapshot: (),
        }
    }
}

impl RaftSnapshotBuilder<Cfg> for StateMachine {
    #[cfg(not(feature = "alpha24-api"))]
    type SnapshotData = ();
    async fn build_snapshot(&mut self) -> Result<Snap, io::Error> {
        Ok(self.base_snapshot())
    }
}

impl RaftStateMachine<Cfg> for StateMachine {
    #[cfg(not(feature = "alpha24-api"))]
    type SnapshotData = ();
    type SnapshotBuilder = StateMachine;

    async fn applied_state(
        &mut self,
    ) -> Result<
        (
            Option<openraft::alias::LogIdOf<Cfg>>,
            StoredMembershipOf<Cfg>,
        ),
        io::Error,
    > {
        let io = self.io.borrow();
        let applied = match io.applied.0 {
            0 => base_log_id(),
            i => {
                let e = io
                    .log
                    .get((i - 1) as usize)
                    .expect("applied entries are held");
                crate::types::log_id(io.applied, e.term)
            }
        };
        Ok((Some(applied), self.membership()))
    }

    async fn apply<Strm>(&mut self, mut entries: Strm) -> Result<(), io::Error>
    where
        Strm: futures_util::Stream<Item = Result<EntryResponder<Cfg>, io::Error>> + Unpin,
    {
        while let Some(item) = entries.next().await {
            let (entry, responder) = item?;
            let (index, e) = from_openraft(&entry);
            let read = {
                let mut io = self.io.borrow_mut();
                assert_eq!(index, io.applied.next(), "entries apply in order");
                io.note_commit(index);
                io.applied = index;
                let read = match e.payload {
                    Payload::Client { command, .. } => {
                        io.kv_changed = true;
                        io.kv.apply(command)
                    }
                    Payload::Noop => None,
                };
                io.out.push(raft_core::Action::Notice(Notice::Apply {
                    index,
                    term: e.term,
                    req: e.req(),
                }));
                read
            };
            if let Some(r) = responder {
                r.send(Reply(read));
            }
        }
        Ok(())
    }

    #[cfg(feature = "alpha24-api")]
    async fn begin_receiving_snapshot(&mut self) -> Result<(), io::Error> {
        Ok(())
    }

    async fn get_snapshot_builder(&mut self) -> StateMachine {
        self.clone()
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMetaOf<Cfg>,
        _snapshot: (),
    ) -> Result<(), io::Error> {
        assert_eq!(
            meta.last_log_id,
            Some(base_log_id()),
            "only the base snapshot exists"
        );
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snap>, io::Error> {
        Ok(Some(self.base_snapshot()))
    }
}
