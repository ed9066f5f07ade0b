//! What can be wrong with a trace, and where: [`TraceError`] is one [`Problem`] at a
//! 1-based line. Every message names the key it is about (when there is one), what was
//! expected and what was found, so a person fixing the writer knows what to change:
//!
//! ```text
//! t.jsonl:17: key "index": expected an integer >= 1, found "x"
//! ```
//!
//! (the file name is the caller's to add). This file decides nothing about what is wrong:
//! the reader (`mod.rs`), the fields (`fields.rs`), the kinds (`kinds.rs`), the logs
//! (`logs.rs`) and the requests (`requests.rs`) do.

use thiserror::Error;

/// A trace that cannot be judged: the first problem found, at its line.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("line {line}: {problem}")]
pub struct TraceError {
    /// 1-based; 0 when the problem is about the whole input (an empty file).
    pub line: u64,
    pub problem: Problem,
}

/// One thing wrong with a line, or with the trace as a whole.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum Problem {
    #[error("cannot read the trace: {0}")]
    Io(String),
    #[error("the line is longer than {max} bytes (a trace line is a few kilobytes at most)")]
    TooLong { max: usize },
    #[error("the line is not UTF-8 text")]
    NotUtf8,
    #[error("not JSON: {0} (every line is one JSON object)")]
    Json(String),
    #[error("expected one JSON object per line, found {found}")]
    NotObject { found: String },
    #[error("key {key:?}: missing; expected {expected}")]
    Missing { key: &'static str, expected: String },
    #[error("key {key:?}: expected {expected}, found {found}")]
    Wrong {
        key: &'static str,
        expected: String,
        found: String,
    },
    #[error("key \"kind\": unknown kind {found:?}{hint}; known kinds: {known}")]
    UnknownKind {
        found: String,
        /// `; did you mean "client-ok"?` or nothing.
        hint: String,
        known: String,
    },
    #[error(
        "the trace is empty: expected a first line of kind \"run\" with \"nodes\" (docs/trace.md)"
    )]
    Empty,
    #[error(
        "key \"kind\": expected \"run\" on the first line (it says how many nodes there are), found {found:?}"
    )]
    RunNotFirst { found: String },
    #[error(
        "key \"kind\": a second \"run\" line (the first is line {first}); one trace is one run"
    )]
    DuplicateRun { first: u64 },
    #[error("a {kind:?} line after the \"end\" line (line {end}); \"end\" is the last line")]
    AfterEnd { kind: String, end: u64 },
    #[error(
        "key \"t_ns\": {t_ns} is before the previous line's {previous} (line {previous_line}); time never goes back in a trace"
    )]
    TimeBackwards {
        t_ns: u64,
        previous: u64,
        previous_line: u64,
    },
    /// A line that contradicts the lines before it (a log appended to past its end, a
    /// request answered twice, ...): the checkers would misjudge or stop on it.
    #[error("key {key:?}: {detail}")]
    Inconsistent { key: &'static str, detail: String },
}

impl Problem {
    /// `key`: expected `expected`, found the JSON value `found` (shortened).
    pub(crate) fn wrong(
        key: &'static str,
        expected: impl Into<String>,
        found: &serde_json::Value,
    ) -> Problem {
        Problem::Wrong {
            key,
            expected: expected.into(),
            found: shown(found),
        }
    }

    pub(crate) fn missing(key: &'static str, expected: impl Into<String>) -> Problem {
        Problem::Missing {
            key,
            expected: expected.into(),
        }
    }

    pub(crate) fn inconsistent(key: &'static str, detail: impl Into<String>) -> Problem {
        Problem::Inconsistent {
            key,
            detail: detail.into(),
        }
    }

    pub(crate) fn at(self, line: u64) -> TraceError {
        TraceError {
            line,
            problem: self,
        }
    }
}

/// Found values longer than this are cut (with `...`) in messages.
const SHOWN_CHARS_MAX: usize = 40;

/// A JSON value as a message shows it: compact, cut after [`SHOWN_CHARS_MAX`] characters.
pub(crate) fn shown(v: &serde_json::Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= SHOWN_CHARS_MAX {
        return text;
    }
    let cut: String = text.chars().take(SHOWN_CHARS_MAX).collect();
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_wrong_value_names_the_key_what_was_expected_and_what_was_found() {
        let e = Problem::wrong("index", "an integer >= 1", &json!("x")).at(17);
        assert_eq!(
            e.to_string(),
            r#"line 17: key "index": expected an integer >= 1, found "x""#
        );
    }

    #[test]
    fn long_values_are_cut() {
        let long = json!("a".repeat(100));
        let s = shown(&long);
        assert!(
            s.ends_with("...") && s.chars().count() == SHOWN_CHARS_MAX + 3,
            "{s}"
        );
    }
}
