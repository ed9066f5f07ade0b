//! Splitting the seed space among CI jobs: shard `I/N` runs the seed indexes `k` with
//! `k % N == I`, so N jobs cover disjoint seeds whose union is the unsharded run.
//!
//! The shard comes from `--shard I/N`, or else from the environment of the engine that
//! runs the jobs (the flag wins):
//!
//! | variables | engine | index |
//! | --- | --- | --- |
//! | `SIM_SHARD=I/N` | any (e.g. a GitHub Actions matrix) | 0-based |
//! | `JOB_COMPLETION_INDEX` + `SIM_SHARDS=N` | Kubernetes Indexed Job | 0-based |
//! | `CI_NODE_INDEX` + `CI_NODE_TOTAL` | GitLab CI `parallel:` | 1-based |
//! | `BUILDKITE_PARALLEL_JOB` + `BUILDKITE_PARALLEL_JOB_COUNT` | Buildkite `parallelism` | 0-based |
//!
//! This file only maps indexes; which seed an index is, is the fuzz plan's (`plan.rs`).

use std::fmt;

/// Shard `index` of `count`, `index < count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole seed space.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// `I/N` with `0 <= I < N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let form = "expected I/N with 0 <= I < N, e.g. 0/4 (shard indexes start at 0)";
        let (i, n) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("invalid shard {text:?}: {form}"))?;
        let num = |s: &str| s.trim().parse::<u64>().ok();
        match (num(i), num(n)) {
            (Some(index), Some(count)) => Shard::new(index, count),
            _ => Err(format!("invalid shard {text:?}: {form}")),
        }
    }

    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 {
            return Err("a shard count of 0: give at least 1 shard".into());
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the shard count {count} (indexes start at 0)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The `j`-th seed index of this shard, if it fits in a u64.
    pub fn nth(&self, j: u64) -> Option<u64> {
        j.checked_mul(self.count)?.checked_add(self.index)
    }

    /// How many of the seed indexes `0..n` belong to this shard.
    pub fn count_below(&self, n: u64) -> u64 {
        if n <= self.index {
            0
        } else {
            (n - self.index).div_ceil(self.count)
        }
    }
}

/// The shard to run and where it came from (`--shard`, an environment variable, or none).
pub fn resolve(
    flag: Option<Shard>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Shard, String), String> {
    if let Some(s) = flag {
        return Ok((s, "--shard".into()));
    }
    if let Some(v) = env("SIM_SHARD") {
        let s = Shard::parse(&v).map_err(|e| format!("SIM_SHARD: {e}"))?;
        return Ok((s, "SIM_SHARD".into()));
    }
    const PAIRS: [(&str, &str, u64); 3] = [
        ("JOB_COMPLETION_INDEX", "SIM_SHARDS", 0),
        ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1),
        ("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0),
    ];
    for (index_var, count_var, base) in PAIRS {
        let Some(index) = env(index_var) else {
            continue;
        };
        let from = format!("{index_var} and {count_var}");
        let Some(count) = env(count_var) else {
            return Err(format!(
                "{index_var}={index} is set but {count_var} (the number of shards) is not: \
                 set {count_var}, or pass --shard I/N (--shard 0/1 for no sharding)"
            ));
        };
        let number = |var: &str, v: &str| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| format!("{var}={v:?} is not a whole number"))
        };
        let (i, n) = (number(index_var, &index)?, number(count_var, &count)?);
        let i = i
            .checked_sub(base)
            .ok_or_else(|| format!("{index_var}={i}: this index starts at {base}"))?;
        let s = Shard::new(i, n).map_err(|e| format!("{from}: {e}"))?;
        return Ok((s, from));
    }
    Ok((Shard::WHOLE, "no sharding".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_partition_the_seed_indexes() {
        let n = 3;
        let mut seen = vec![0; 20];
        for i in 0..n {
            let s = Shard::new(i, n).unwrap();
            let mine: Vec<u64> = (0..)
                .map_while(|j| s.nth(j))
                .take_while(|k| *k < 20)
                .collect();
            assert_eq!(mine.len() as u64, s.count_below(20));
            for k in mine {
                assert_eq!(k % n, i);
                seen[k as usize] += 1;
            }
        }
        assert!(seen.iter().all(|c| *c == 1), "{seen:?}");
        assert_eq!(Shard::new(5, 8).unwrap().count_below(3), 0);
        assert_eq!(Shard::WHOLE.count_below(7), 7);
    }

    #[test]
    fn parse_accepts_i_of_n_and_explains_the_rest() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert!(Shard::parse("4/4").unwrap_err().contains("not below"));
        assert!(Shard::parse("0/0").unwrap_err().contains("at least 1"));
        assert!(Shard::parse("3").unwrap_err().contains("expected I/N"));
        assert!(Shard::parse("a/2").unwrap_err().contains("expected I/N"));
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        let flag = Shard { index: 1, count: 2 };
        let e = env(&[("SIM_SHARD", "0/3")]);
        assert_eq!(resolve(Some(flag), &e).unwrap().0, flag);
        assert_eq!(
            resolve(None, &e).unwrap(),
            (Shard { index: 0, count: 3 }, "SIM_SHARD".into())
        );
        assert_eq!(resolve(None, &env(&[])).unwrap().0, Shard::WHOLE);
    }

    #[test]
    fn engines_indexes_are_read_with_their_base() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2"), ("SIM_SHARDS", "4")]);
        assert_eq!(resolve(None, &k8s).unwrap().0, Shard { index: 2, count: 4 });
        let gitlab = env(&[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "3")]);
        assert_eq!(
            resolve(None, &gitlab).unwrap().0,
            Shard { index: 0, count: 3 }
        );
        let bk = env(&[
            ("BUILDKITE_PARALLEL_JOB", "3"),
            ("BUILDKITE_PARALLEL_JOB_COUNT", "4"),
        ]);
        assert_eq!(resolve(None, &bk).unwrap().0, Shard { index: 3, count: 4 });
    }

    #[test]
    fn a_half_set_environment_is_an_error_that_says_what_to_set() {
        let e = resolve(None, &env(&[("JOB_COMPLETION_INDEX", "2")])).unwrap_err();
        assert!(e.contains("SIM_SHARDS"), "{e}");
        let e = resolve(
            None,
            &env(&[("CI_NODE_INDEX", "0"), ("CI_NODE_TOTAL", "2")]),
        )
        .unwrap_err();
        assert!(e.contains("starts at 1"), "{e}");
        let e = resolve(
            None,
            &env(&[("JOB_COMPLETION_INDEX", "5"), ("SIM_SHARDS", "4")]),
        )
        .unwrap_err();
        assert!(e.contains("not below"), "{e}");
    }
}
