//! "Did you mean" suggestions: the closest valid name to what was written.
//!
//! Pure string functions, no knowledge of the format. Case and the `-`/`_` spelling are
//! forgiven first (`"SYNC"` → `"sync"`, `"parallel_append"` → `"parallel-append"`), then the
//! candidate with the smallest edit distance wins if it is close enough to be a likely typo.

/// The candidate closest to `written`, if one is close enough to suggest.
pub(crate) fn closest<'a>(written: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let wanted = normalize(written);
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let distance = edit_distance(&wanted, &normalize(candidate));
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    let allowed = (candidate.chars().count() / 3).max(1);
    (distance <= allowed).then_some(candidate)
}

/// `expected one of "a", "b"; did you mean "b"?` (the question only when one is close).
pub(crate) fn one_of(written: &str, candidates: &[&str]) -> String {
    let mut hint = format!("expected one of {}", quoted_list(candidates));
    if let Some(best) = closest(written, candidates) {
        hint.push_str(&format!("; did you mean \"{best}\"?"));
    }
    hint
}

/// `"a", "b", "c"`.
pub(crate) fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"a" | "b" | "c"`: the alternatives of a key, as written after `key = `.
pub(crate) fn alternatives(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Lowercase, with `_` and spaces spelled `-`.
fn normalize(s: &str) -> String {
    s.trim().to_lowercase().replace(['_', ' '], "-")
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODES: [&str; 3] = ["sync", "async-handler", "parallel-append"];

    #[test]
    fn case_and_underscores_are_forgiven() {
        assert_eq!(closest("SYNC", &MODES), Some("sync"));
        assert_eq!(closest("parallel_append", &MODES), Some("parallel-append"));
        assert_eq!(
            closest("torn_tail", &["lose-unflushed", "torn-tail"]),
            Some("torn-tail")
        );
    }

    #[test]
    fn typos_are_suggested_and_nonsense_is_not() {
        assert_eq!(closest("asyn-handler", &MODES), Some("async-handler"));
        assert_eq!(closest("nod", &["node", "groups"]), Some("node"));
        assert_eq!(closest("banana", &MODES), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn one_of_lists_then_suggests() {
        assert_eq!(
            one_of("Sync", &MODES),
            "expected one of \"sync\", \"async-handler\", \"parallel-append\"; did you mean \"sync\"?"
        );
        assert!(!one_of("zzz", &MODES).contains("did you mean"));
    }
}
