//! The identity of a node of the simulated cluster, and the one bound on a cluster's size.
//!
//! Ids are 1-based, as users and NuRaft number servers: node 1 is the first. Every array of
//! per-node state in the simulator is 0-based. [`NodeId::index`] and [`NodeId::from_index`]
//! are the one place the two meet; nothing else adds or subtracts one to go between them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{Hash, Hasher};

/// The most nodes a cluster may have. Scenarios, the world, the Raft core's commit-rule
/// scratch space and the checker's node sets are all sized by it.
pub const NODES_MAX: u8 = 9;

/// A node of the cluster, `1..=NODES_MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u8);

/// Hashes exactly as its `u8` does, slices included (one `write` of the bytes), so a trace
/// hash over node ids does not depend on their being wrapped.
impl Hash for NodeId {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }

    fn hash_slice<H: Hasher>(data: &[Self], state: &mut H) {
        let bytes: Vec<u8> = data.iter().map(|n| n.0).collect();
        u8::hash_slice(&bytes, state);
    }
}

impl NodeId {
    /// The node whose state sits at position `index` (0-based) of a per-node array.
    #[inline]
    pub fn from_index(index: usize) -> NodeId {
        assert!(
            index < usize::from(NODES_MAX),
            "node index {index} beyond the {NODES_MAX}-node bound"
        );
        // The id is the position plus one: ids count from 1, arrays from 0.
        NodeId(index as u8 + 1)
    }

    /// This node's position (0-based) in a per-node array.
    #[inline]
    pub fn index(self) -> usize {
        assert!(
            (1..=NODES_MAX).contains(&self.0),
            "node id {} outside 1..={NODES_MAX}",
            self.0
        );
        // The position is the id minus one: the inverse of `from_index`.
        usize::from(self.0) - 1
    }

    /// The nodes of a cluster of `nodes`, in id order.
    pub fn all(nodes: u8) -> impl DoubleEndedIterator<Item = NodeId> + Clone {
        assert!(
            nodes <= NODES_MAX,
            "{nodes} nodes beyond the bound {NODES_MAX}"
        );
        (1..=nodes).map(NodeId)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_id_are_inverse() {
        for i in 0..usize::from(NODES_MAX) {
            assert_eq!(NodeId::from_index(i).index(), i);
        }
        assert_eq!(NodeId::from_index(0), NodeId(1));
        assert_eq!(
            NodeId::all(3).collect::<Vec<_>>(),
            [NodeId(1), NodeId(2), NodeId(3)]
        );
    }

    #[test]
    fn ids_hash_as_their_bytes() {
        use std::collections::hash_map::DefaultHasher;
        fn h(v: &impl Hash) -> u64 {
            let mut s = DefaultHasher::new();
            v.hash(&mut s);
            s.finish()
        }
        let ids = vec![vec![NodeId(1)], vec![NodeId(2), NodeId(3)]];
        let bytes: Vec<Vec<u8>> = vec![vec![1], vec![2, 3]];
        assert_eq!(h(&ids), h(&bytes));
        assert_eq!(h(&NodeId(7)), h(&7u8));
    }

    #[test]
    #[should_panic(expected = "outside")]
    fn node_zero_has_no_index() {
        NodeId(0).index();
    }
}
