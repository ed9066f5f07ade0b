//! A streaming pool: `jobs` threads take work items one at a time and hand each result to
//! the calling thread as soon as it is done, so `fuzz` can save every finding the moment it
//! is made (and an interrupted run keeps it).
//!
//! Each item runs on one thread, start to end, so a seed stays single-threaded and its
//! result does not depend on `jobs`; only the order results arrive in does. (`seeds.rs`'s
//! `run_many` is the batch form `run` uses, which also stops early on a hit.)

use std::sync::mpsc;
use std::thread;

/// Runs `work` on the items `next` hands out, on `jobs` threads, until `next` returns
/// `None`; `sink` sees every result on the calling thread, in completion order.
pub fn stream<I, R: Send>(
    jobs: usize,
    next: &(dyn Fn() -> Option<I> + Sync),
    work: &(dyn Fn(I) -> R + Sync),
    mut sink: impl FnMut(R),
) {
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            let tx = tx.clone();
            s.spawn(move || {
                while let Some(item) = next() {
                    if tx.send(work(item)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        for r in rx {
            sink(r);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn every_item_is_worked_once_whatever_the_thread_count() {
        for jobs in [1, 2, 4, 9] {
            let next_item = AtomicU64::new(0);
            let next = || {
                let i = next_item.fetch_add(1, Ordering::SeqCst);
                (i < 100).then_some(i)
            };
            let mut got = Vec::new();
            stream(jobs, &next, &|i| i * i, |r| got.push(r));
            got.sort_unstable();
            assert_eq!(
                got,
                (0..100).map(|i| i * i).collect::<Vec<_>>(),
                "jobs {jobs}"
            );
        }
    }
}
