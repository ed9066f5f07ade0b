//! The `NODE:BOUNDARY[:OUTCOME]` form of a crash point, as `explore` prints it and
//! `repro --crash-point` reads it (once per point, at most two: a crash and the power loss
//! that follows it).

use sim_cluster::{CRASH_POINTS_MAX, CrashPoint};
use sim_core::NodeId;

/// Parses `NODE:BOUNDARY[:OUTCOME]` (outcome 0 when left out), or with a leading `all@`
/// the same point as a power loss of the whole cluster, for a cluster of `nodes`; a power
/// loss may end in `,last=NODE`, the node that comes back last. `BOUNDARY` written `cK`
/// is the node's `K`-th commit step instead of a disk-I/O boundary.
pub fn parse(text: &str, nodes: u8) -> Result<CrashPoint, String> {
    let expected = "expected [all@]NODE:BOUNDARY[:OUTCOME][,last=NODE], e.g. 2:17 or \
                    all@2:17:3,last=1 (node 2, its 17th disk-I/O boundary, crash outcome 3; \
                    all@: every node loses power there, and node 1 comes back last; a \
                    BOUNDARY written c17 is node 2's 17th commit step), as `explore` \
                    prints them";
    let trimmed = text.trim();
    let (whole_cluster, rest) = match trimmed.strip_prefix("all@") {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let number = |s: &str, what: &str| {
        s.parse::<u64>()
            .map_err(|_| format!("crash point `{text}`: {what} `{s}` is not a number; {expected}"))
    };
    let node_id = |s: &str, what: &str| -> Result<NodeId, String> {
        let node = number(s, what)?;
        if node == 0 || node > u64::from(nodes) {
            return Err(format!(
                "crash point `{text}`: no node {node}, the cluster has nodes 1..={nodes}"
            ));
        }
        Ok(NodeId(node as u8))
    };
    let (rest, last_up) = match rest.split_once(",last=") {
        Some(_) if !whole_cluster => {
            return Err(format!(
                "crash point `{text}`: `,last=` orders the restarts of a power loss; it needs `all@`"
            ));
        }
        Some((rest, last)) => (rest, Some(node_id(last, "last node")?)),
        None => (rest, None),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(format!("crash point `{text}`: {expected}"));
    }
    let node = node_id(parts[0], "node")?;
    let (at_commit, step) = match parts[1].strip_prefix('c') {
        Some(step) => (true, step),
        None => (false, parts[1]),
    };
    let boundary = number(step, "boundary")?;
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
        node,
        boundary,
        outcome,
        whole_cluster,
        last_up,
        at_commit,
    })
}

/// Parses every `--crash-point` given, in order: at most [`CRASH_POINTS_MAX`].
pub fn parse_all(texts: &[String], nodes: u8) -> Result<Vec<CrashPoint>, String> {
    if texts.len() > CRASH_POINTS_MAX {
        return Err(format!(
            "{} crash points given; a run takes at most {CRASH_POINTS_MAX} (a crash, then the power loss that follows it), as `explore` prints them",
            texts.len()
        ));
    }
    texts.iter().map(|t| parse(t, nodes)).collect()
}

/// The `--crash-point` flags that replay `points` (empty for none), each with a leading
/// space.
pub fn flags(points: &[CrashPoint]) -> String {
    points
        .iter()
        .map(|p| format!(" --crash-point {}", text(p)))
        .collect()
}

/// How a schedule of points reads in a report: `2:17:0`, or `2:17:0 then all@1:40:0`.
pub fn schedule_text(points: &[CrashPoint]) -> String {
    let texts: Vec<String> = points.iter().map(text).collect();
    texts.join(" then ")
}

/// The form `parse` reads.
pub fn text(p: &CrashPoint) -> String {
    let scope = if p.whole_cluster { "all@" } else { "" };
    let last = p.last_up.map(|n| format!(",last={n}")).unwrap_or_default();
    let step = if p.at_commit { "c" } else { "" };
    format!("{scope}{}:{step}{}:{}{last}", p.node, p.boundary, p.outcome)
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
        assert_eq!(all.last_up, None);
        assert_eq!(text(&all), "all@3:5:1");
        let ordered = parse("all@3:5,last=2", 3).expect("valid");
        assert_eq!(ordered.last_up, Some(NodeId(2)));
        assert_eq!(text(&ordered), "all@3:5:0,last=2");
        let commit = parse("all@1:c12,last=3", 3).expect("valid");
        assert!(commit.at_commit && commit.whole_cluster);
        assert_eq!(commit.boundary, 12);
        assert_eq!(text(&commit), "all@1:c12:0,last=3");
        assert!(!ordered.at_commit);
    }

    #[test]
    fn two_points_read_back_and_three_are_refused() {
        let two = ["2:17".to_string(), "all@1:40:0".to_string()];
        let points = parse_all(&two, 3).expect("valid");
        assert_eq!(schedule_text(&points), "2:17:0 then all@1:40:0");
        assert_eq!(
            flags(&points),
            " --crash-point 2:17:0 --crash-point all@1:40:0"
        );
        let three = ["1:1".to_string(), "1:2".to_string(), "1:3".to_string()];
        let e = parse_all(&three, 3).expect_err("three points");
        assert!(e.contains("at most 2"), "{e}");
        assert_eq!(parse_all(&[], 3).expect("none"), vec![]);
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
            ("1:2,last=3", "needs `all@`"),
            ("all@1:2,last=4", "no node 4"),
        ] {
            let e = parse(bad, 3).expect_err(bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
