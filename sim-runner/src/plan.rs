//! The fuzz plan: which scenario and seed the w-th run of this shard is.
//!
//! Seed index `k` of a scenario runs seed `start + k`, where `start` is `--seed` or the
//! scenario's `run.seed`. A shard takes the indexes `k % N == I` (`shard.rs`), and the runs
//! go round-robin over the scenarios: run `w` is scenario `w % F` at the shard's
//! `(w / F)`-th index, so with `--time` every scenario gets its share of the time. With
//! `--seeds N` only the indexes `0..N` are run. Seeds stay at or below [`SEED_MAX`], the
//! largest seed a scenario file can hold, so every finding can be written as a scenario.

use crate::shard::Shard;

/// The largest seed a scenario file can name (`seed` is a signed TOML integer).
pub const SEED_MAX: u64 = i64::MAX as u64;

/// One run: scenario `scenario` (its position among the files), seed index `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    pub scenario: usize,
    pub index: u64,
    pub seed: u64,
}

#[derive(Clone, Debug)]
pub struct Plan {
    starts: Vec<u64>,
    shard: Shard,
    /// Seed indexes below this are run: `--seeds`, capped so no seed passes SEED_MAX.
    index_end: u64,
}

impl Plan {
    /// `starts`: the first seed of each scenario; `seeds`: `--seeds`, if given.
    pub fn new(starts: Vec<u64>, shard: Shard, seeds: Option<u64>) -> Result<Plan, String> {
        let highest = starts.iter().copied().max().unwrap_or(0);
        if highest > SEED_MAX {
            return Err(format!(
                "the first seed {highest} is above {SEED_MAX}, the largest seed a scenario \
                 file can hold, so findings could not be written: pass a smaller --seed"
            ));
        }
        let room = SEED_MAX - highest + 1;
        let index_end = seeds.map_or(room, |n| n.min(room));
        Ok(Plan {
            starts,
            shard,
            index_end,
        })
    }

    /// The `w`-th run of this shard, or `None` past the end of the plan.
    pub fn item(&self, w: u64) -> Option<Item> {
        let f = self.starts.len() as u64;
        if f == 0 {
            return None;
        }
        let index = self.shard.nth(w / f)?;
        if index >= self.index_end {
            return None;
        }
        let scenario = (w % f) as usize;
        Some(Item {
            scenario,
            index,
            seed: self.starts[scenario] + index,
        })
    }

    /// Runs in this shard's plan (with `--time` it may stop sooner).
    pub fn len(&self) -> u64 {
        let per = self.shard.count_below(self.index_end);
        per.saturating_mul(self.starts.len() as u64)
    }

    pub fn shard(&self) -> Shard {
        self.shard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(p: &Plan) -> Vec<Item> {
        (0..).map_while(|w| p.item(w)).collect()
    }

    #[test]
    fn runs_go_round_robin_over_scenarios_in_seed_index_order() {
        let p = Plan::new(vec![1, 100], Shard::WHOLE, Some(3)).unwrap();
        let seeds: Vec<(usize, u64)> = all(&p).iter().map(|i| (i.scenario, i.seed)).collect();
        assert_eq!(
            seeds,
            [(0, 1), (1, 100), (0, 2), (1, 101), (0, 3), (1, 102)]
        );
        assert_eq!(p.len(), 6);
    }

    #[test]
    fn shards_split_the_plan_into_disjoint_parts_whose_union_is_the_whole() {
        let whole = all(&Plan::new(vec![5, 9], Shard::WHOLE, Some(7)).unwrap());
        let mut union = Vec::new();
        for i in 0..3 {
            let p = Plan::new(vec![5, 9], Shard::new(i, 3).unwrap(), Some(7)).unwrap();
            let part = all(&p);
            assert_eq!(part.len() as u64, p.len());
            assert!(part.iter().all(|it| it.index % 3 == i));
            union.extend(part);
        }
        union.sort_by_key(|it| (it.index, it.scenario));
        assert_eq!(union, whole);
    }

    #[test]
    fn seeds_never_pass_the_largest_a_file_can_hold() {
        let p = Plan::new(vec![SEED_MAX - 1], Shard::WHOLE, None).unwrap();
        assert_eq!(all(&p).last().map(|i| i.seed), Some(SEED_MAX));
        assert_eq!(p.len(), 2);
        assert!(Plan::new(vec![SEED_MAX + 1], Shard::WHOLE, None).is_err());
    }
}
