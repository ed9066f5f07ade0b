//! openraft's `RaftNetworkFactory` / `RaftNetworkV2` on the simulator's network: a call
//! sends a numbered request (`wire.rs`) and waits for the answer with that number, at most
//! the call's hard time-to-live (openraft leaves that timeout to the network). An answer
//! that comes later, or twice, finds nobody waiting and is dropped. A broken connection
//! (`PeerUnreachable` from the world) fails the calls waiting on that peer at once.

use crate::io::{RPCS_MAX, Shared};
use crate::rt::SimRuntime;
use crate::types::Cfg;
use crate::wire::{OpenraftMessage, Reply, Request};
use openraft::errors::{NetworkError, RPCError, ReplicationClosed, StreamingError, Unreachable};
use openraft::network::{RPCOption, RaftNetworkFactory, v2::RaftNetworkV2};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, SnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::{AsyncRuntime, alias::VoteOf};
use raft_core::{Action, NodeId};
use std::future::Future;
use std::rc::Rc;

pub struct Factory(pub Shared);

pub struct Client {
    io: Shared,
    target: NodeId,
}

impl RaftNetworkFactory<Cfg> for Factory {
    type Network = Client;

    async fn new_client(&mut self, target: u64, _node: &openraft::impls::EmptyNode) -> Client {
        Client {
            io: self.0.clone(),
            target: NodeId(u8::try_from(target).expect("node ids fit u8")),
        }
    }
}

/// Removes the call's entry when the waiting future goes away (answered, timed out,
/// dropped with its task).
struct Pending<'a> {
    io: &'a Shared,
    rpc: u64,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.io.borrow_mut().rpcs.remove(&self.rpc);
    }
}

#[derive(Debug)]
struct ConnectionBroken;

impl std::fmt::Display for ConnectionBroken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection broken (peer down or cut off)")
    }
}
impl std::error::Error for ConnectionBroken {}

impl Client {
    async fn call(&self, body: Request, option: &RPCOption) -> Result<Rc<Reply>, RPCError<Cfg>> {
        let (tx, rx) = crate::rt::oneshot_channel();
        let rpc = {
            let mut io = self.io.borrow_mut();
            let rpc = io.next_rpc;
            io.next_rpc += 1;
            assert!(io.rpcs.len() < RPCS_MAX, "{RPCS_MAX} RPCs waiting");
            io.rpcs.insert(rpc, (self.target, tx));
            let summary = body.summary();
            io.out.push(Action::Send {
                to: self.target,
                msg: OpenraftMessage::Request {
                    rpc,
                    body: Rc::new(body),
                    summary,
                },
            });
            rpc
        };
        let _pending = Pending { io: &self.io, rpc };
        match SimRuntime::timeout(option.hard_ttl(), rx).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err(RPCError::Unreachable(Unreachable::new(&ConnectionBroken))),
            Err(e) => Err(RPCError::Network(NetworkError::new(&e))),
        }
    }
}

impl RaftNetworkV2<Cfg> for Client {
    #[cfg(not(feature = "alpha24-api"))]
    type SnapshotData = ();

    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<Cfg>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<Cfg>, RPCError<Cfg>> {
        match &*self.call(Request::Append(rpc), &option).await? {
            Reply::Append(r) => Ok(r.clone()),
            Reply::Vote(_) => unreachable!("a vote answers a vote"),
        }
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<Cfg>,
        option: RPCOption,
    ) -> Result<VoteResponse<Cfg>, RPCError<Cfg>> {
        match &*self.call(Request::Vote(rpc), &option).await? {
            Reply::Vote(r) => Ok(r.clone()),
            Reply::Append(_) => unreachable!("an append answers an append"),
        }
    }

    async fn full_snapshot(
        &mut self,
        _vote: VoteOf<Cfg>,
        _snapshot: crate::types::Snap,
        _cancel: impl Future<Output = ReplicationClosed> + 'static,
        _option: RPCOption,
    ) -> Result<SnapshotResponse<Cfg>, StreamingError<Cfg>> {
        // Every node holds the base snapshot and no log is ever purged past it, so openraft
        // never needs to send one; if it asks, the run stops with its seed.
        panic!("openraft asked to send a snapshot, which no node can lack")
    }
}
