//! The `NODE:BOUNDARY[:OUTCOME]` form of a crash point, as `explore` prints it and
//! `repro --crash-point` reads it.

use sim_cluster::CrashPoint;
use sim_core::NodeId;

/// Parses `NODE:BOUNDARY[:OUTCOME]` (outcome 0 when left out), or with a leading `all@`
/// the same point as a power loss of the whole cluster, for a cluster of `nodes`.
pub fn parse(text: &str, nodes: u8) -> Result<CrashPoint, String> {
    let expected = "expected [all@]NODE:BOUNDARY[:OUTCOME], e.g. 2:17 or all@2:17:3 (node 2, \
                    its 17th disk-I/O boundary, crash outcome 3; all@: every node loses power \
                    there), as `explore` prints them";
    let trimmed = text.trim();
    let (whole_cluster, rest) = match trimmed.strip_prefix("all@") {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(format!("crash point `{text}`: {expected}"));
    }
    let number = |s: &str, what: &str| {
        s.parse::<u64>()
            .map_err(|_| format!("crash point `{text}`: {what} `{s}` is not a number; {expected}"))
    };
    let node = number(parts[0], "node")?;
    if node == 0 || node > u64::from(nodes) {
        return Err(format!(
            "crash point `{text}`: no node {node}, the cluster has nodes 1..={nodes}"
        ));
    }
    let boundary = number(parts[1], "boundary")?;
    if boundary == 0 {
        return Err(format!(
            "crash point `{text}`: boundaries count from 1; {expected}"
        ));
    }
    let outcome = match parts.get(2) {
        Some(o) => number(o, "outcome")?,
        None => 0,
    };
    Ok(CrashPoint {
        node: NodeId(node as u8),
        boundary,
        outcome,
        whole_cluster,
    })
}

/// The form `parse` reads.
pub fn text(p: &CrashPoint) -> String {
    let scope = if p.whole_cluster { "all@" } else { "" };
    format!("{scope}{}:{}:{}", p.node, p.boundary, p.outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_reads_back_what_it_prints() {
        let p = parse("2:17:3", 3).expect("valid");
        assert_eq!((p.node, p.boundary, p.outcome), (NodeId(2), 17, 3));
        assert_eq!(text(&p), "2:17:3");
        assert!(!p.whole_cluster);
        assert_eq!(parse("1:4", 3).expect("valid").outcome, 0);
        let all = parse("all@3:5:1", 3).expect("valid");
        assert!(all.whole_cluster);
        assert_eq!(text(&all), "all@3:5:1");
    }

    #[test]
    fn a_bad_point_says_what_was_expected() {
        for (bad, says) in [
            ("4:1", "no node 4"),
            ("0:1", "no node 0"),
            ("1:0", "count from 1"),
            ("1", "expected [all@]NODE:BOUNDARY"),
            ("a:1", "node `a` is not a number"),
            ("1:2:x", "outcome `x`"),
        ] {
            let e = parse(bad, 3).expect_err(bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
