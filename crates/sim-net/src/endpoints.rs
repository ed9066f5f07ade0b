//! Whether each node is up, and its incarnation: a counter bumped by every crash.
//!
//! A message records both ends' incarnations when sent; if either differs at delivery,
//! the connection it travelled on died with a crash, and the message is lost (a TCP-like
//! connection does not survive a crash). This file only keeps the state.

use sim_core::NodeId;

#[derive(Clone, Debug)]
pub(crate) struct Endpoints {
    /// Indexed by node position (`NodeId::index`).
    up: Vec<bool>,
    incarnation: Vec<u32>,
}

impl Endpoints {
    /// `nodes` nodes, all up, in incarnation 0.
    pub(crate) fn new(nodes: u8) -> Self {
        let n = usize::from(nodes);
        Endpoints {
            up: vec![true; n],
            incarnation: vec![0; n],
        }
    }

    pub(crate) fn is_up(&self, node: NodeId) -> bool {
        self.up[node.index()]
    }

    pub(crate) fn incarnation(&self, node: NodeId) -> u32 {
        self.incarnation[node.index()]
    }

    /// The node goes down and starts a new incarnation. Returns false (and changes
    /// nothing) if it was already down.
    pub(crate) fn crash(&mut self, node: NodeId) -> bool {
        let i = node.index();
        if !self.up[i] {
            return false;
        }
        self.up[i] = false;
        self.incarnation[i] = self.incarnation[i]
            .checked_add(1)
            .expect("incarnation overflow");
        true
    }

    /// The node comes back up. Returns false (and changes nothing) if it was already up.
    pub(crate) fn restart(&mut self, node: NodeId) -> bool {
        let i = node.index();
        let was_down = !self.up[i];
        self.up[i] = true;
        was_down
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_bumps_the_incarnation_once() {
        let mut e = Endpoints::new(2);
        assert!(e.is_up(NodeId(1)) && e.incarnation(NodeId(1)) == 0);
        assert!(e.crash(NodeId(1)));
        assert!(!e.crash(NodeId(1)));
        assert_eq!((e.is_up(NodeId(1)), e.incarnation(NodeId(1))), (false, 1));
        assert!(e.restart(NodeId(1)));
        assert!(!e.restart(NodeId(1)));
        assert_eq!(
            (
                e.is_up(NodeId(1)),
                e.incarnation(NodeId(1)),
                e.incarnation(NodeId(2))
            ),
            (true, 1, 0)
        );
    }
}
