//! The set of cut links: which (from, to) pairs cannot carry a message right now.
//!
//! A matrix of booleans indexed by node id, so checking a link at delivery is one load.
//! [`Cuts::partition`] and [`Cuts::heal`] replace the whole set; [`Cuts::isolate`] adds to
//! it. A node is never cut from itself. This file only records cuts; the network decides
//! when to consult them (at delivery).

use sim_core::{NODES_MAX, NodeId};

/// Node ids are `1..=nodes`; the matrix is indexed by their positions.
#[derive(Clone, Debug)]
pub(crate) struct Cuts {
    nodes: u8,
    /// `cut[from.index() * nodes + to.index()]`.
    cut: Vec<bool>,
}

impl Cuts {
    pub(crate) fn new(nodes: u8) -> Self {
        let side = usize::from(nodes);
        Cuts {
            nodes,
            cut: vec![false; side * side],
        }
    }

    pub(crate) fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cut[self.index(from, to)]
    }

    /// Removes every cut.
    pub(crate) fn heal(&mut self) {
        self.cut.fill(false);
    }

    /// Adds cuts between `node` and every other node, both ways.
    pub(crate) fn isolate(&mut self, node: NodeId) {
        for other in NodeId::all(self.nodes) {
            if other != node {
                let (a, b) = (self.index(node, other), self.index(other, node));
                self.cut[a] = true;
                self.cut[b] = true;
            }
        }
    }

    /// Replaces the cuts with a partition. Nodes named in no group form one more group.
    /// Symmetric: every link between different groups is cut, both ways. `one_way`: there
    /// must be exactly two groups naming every node, and only group 0 -> group 1 is cut.
    pub(crate) fn partition(&mut self, groups: &[Vec<NodeId>], one_way: bool) {
        let unnamed = groups.len();
        let mut group_of = [unnamed; NODES_MAX as usize];
        for (g, members) in groups.iter().enumerate() {
            for &node in members {
                self.check(node);
                assert_eq!(
                    group_of[node.index()],
                    unnamed,
                    "partition names node {node} twice"
                );
                group_of[node.index()] = g;
            }
        }
        if one_way {
            assert_eq!(
                groups.len(),
                2,
                "a one-way partition has exactly two groups"
            );
            let all_named = NodeId::all(self.nodes).all(|n| group_of[n.index()] != unnamed);
            assert!(all_named, "a one-way partition names every node");
        }
        for from in NodeId::all(self.nodes) {
            for to in NodeId::all(self.nodes) {
                let (gf, gt) = (group_of[from.index()], group_of[to.index()]);
                let cut = if one_way {
                    gf == 0 && gt == 1
                } else {
                    gf != gt
                };
                let i = self.index(from, to);
                self.cut[i] = cut;
            }
        }
    }

    fn index(&self, from: NodeId, to: NodeId) -> usize {
        self.check(from);
        self.check(to);
        from.index() * usize::from(self.nodes) + to.index()
    }

    fn check(&self, node: NodeId) {
        assert!(
            (1..=self.nodes).contains(&node.0),
            "no node {node}: ids are 1..={}",
            self.nodes
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(groups: &[Vec<u8>]) -> Vec<Vec<NodeId>> {
        groups
            .iter()
            .map(|g| g.iter().copied().map(NodeId).collect())
            .collect()
    }

    fn cut_links(c: &Cuts, n: u8) -> Vec<(u8, u8)> {
        let mut v = Vec::new();
        for a in NodeId::all(n) {
            for b in NodeId::all(n) {
                if c.is_cut(a, b) {
                    v.push((a.0, b.0));
                }
            }
        }
        v
    }

    #[test]
    fn unnamed_nodes_form_their_own_group() {
        let mut c = Cuts::new(3);
        c.partition(&ids(&[vec![1]]), false);
        assert_eq!(cut_links(&c, 3), vec![(1, 2), (1, 3), (2, 1), (3, 1)]);
    }

    #[test]
    fn one_way_cuts_only_group_0_to_group_1() {
        let mut c = Cuts::new(3);
        c.partition(&ids(&[vec![1, 2], vec![3]]), true);
        assert_eq!(cut_links(&c, 3), vec![(1, 3), (2, 3)]);
    }

    #[test]
    fn partition_replaces_and_isolate_adds() {
        let mut c = Cuts::new(3);
        c.isolate(NodeId(1));
        c.partition(&ids(&[vec![1, 2], vec![3]]), false);
        assert!(!c.is_cut(NodeId(1), NodeId(2)) && c.is_cut(NodeId(2), NodeId(3)));
        c.isolate(NodeId(1));
        assert!(
            c.is_cut(NodeId(1), NodeId(2))
                && c.is_cut(NodeId(2), NodeId(3))
                && !c.is_cut(NodeId(1), NodeId(1))
        );
        c.heal();
        assert!(cut_links(&c, 3).is_empty());
    }

    #[test]
    #[should_panic(expected = "names every node")]
    fn one_way_must_name_everyone() {
        Cuts::new(3).partition(&ids(&[vec![1], vec![2]]), true);
    }

    #[test]
    #[should_panic(expected = "twice")]
    fn a_node_in_two_groups_is_a_bug() {
        Cuts::new(3).partition(&ids(&[vec![1], vec![1, 2]]), false);
    }
}
