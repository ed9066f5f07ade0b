//! Searching a sorted list for something recent. The checker's lists grow at their end in
//! trace order (operations by request, entries by index), and what an event looks for was
//! almost always added a moment ago: a search that gallops back from the end (1, 2, 4, ...
//! items) and then bisects the stretch it found stays in cache and takes a few steps,
//! where a binary search over the whole list misses the cache and mispredicts at every
//! step of a long one.

/// The index of the first item of `items` for which `below` is false: `items` are
/// partitioned by it (`below` true on a prefix), as for `slice::partition_point`, which
/// this returns the same as.
pub(crate) fn partition_point_recent<T>(items: &[T], below: impl Fn(&T) -> bool) -> usize {
    // `below` is false for every item at `end` or after.
    let mut end = items.len();
    let mut width = 1;
    let start = loop {
        let start = end.saturating_sub(width);
        if start == 0 || below(&items[start]) {
            break start;
        }
        end = start;
        width *= 2;
    };
    start + items[start..end].partition_point(below)
}

/// Where the item whose key is `id` is in `items` (sorted by key, keys distinct).
pub(crate) fn find_recent<T>(items: &[T], id: u64, key: impl Fn(&T) -> u64) -> Option<usize> {
    let at = partition_point_recent(items, |t| key(t) < id);
    items.get(at).filter(|t| key(t) == id).map(|_| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Galloping from the end finds the partition point a binary search finds, wherever it
    /// is, and finds what a binary search finds and nothing that is not there.
    #[test]
    fn it_agrees_with_a_binary_search() {
        for len in 0..70u64 {
            let items: Vec<u64> = (0..len).map(|i| 3 * i + 1).collect();
            for id in 0..3 * len + 3 {
                assert_eq!(
                    partition_point_recent(&items, |&k| k < id),
                    items.partition_point(|&k| k < id),
                    "{len} items, id {id}"
                );
                assert_eq!(
                    find_recent(&items, id, |&k| k),
                    items.binary_search(&id).ok(),
                    "{len} items, id {id}"
                );
            }
        }
    }
}
