//! The one error type of the crate, [`ScenarioError`], and where an error points.
//!
//! Every error a user can cause names the file, the 1-based line and column of the
//! offending value (or key), the key's dotted path (`disk.flush_latency_ms.p50`,
//! `faults.schedule[2].node`), what is wrong and, when we can tell, a hint:
//!
//! ```text
//! scenarios/x.toml:12:7: disk.crash: unknown value "torn_tail"
//!   hint: expected one of "lose-unflushed", "keep-random-subset", "torn-tail"; did you mean "torn-tail"?
//! ```
//!
//! The parser works with [`Issue`]s, which carry a byte span instead of a line and column;
//! [`Issue::locate`] turns one into a `ScenarioError` once the file name and text are at
//! hand. This file does not decide what is an error (that is `reader.rs`, `parse.rs` and
//! `validate.rs`) and does not choose exit codes (that is the CLI's business).

use std::fmt;
use std::ops::Range;

/// A byte range in the scenario text.
pub(crate) type Span = Range<usize>;

/// Where an error points: file, 1-based line and column, and the key's dotted path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file name as given to [`crate::parse_str`] or [`crate::load`].
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The dotted path of the key, e.g. `faults.schedule[2].node`; `None` for syntax errors.
    pub key: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        Ok(())
    }
}

/// An optional suggestion, printed on its own line as `  hint: ...`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hint(pub Option<String>);

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(hint) => write!(f, "\n  hint: {hint}"),
            None => Ok(()),
        }
    }
}

/// A scenario that cannot be read, parsed or accepted.
///
/// Every variant but [`ScenarioError::Read`] has a [`Location`], a message and an optional
/// hint; the variant says which kind of rule was broken.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read the scenario file: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML.
    #[error("{at}: invalid TOML: {message}{hint}")]
    Syntax {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// A key the format does not have.
    #[error("{at}: {message}{hint}")]
    UnknownKey {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// A value of the wrong TOML type (a float or a string for an integer key, ...).
    #[error("{at}: {message}{hint}")]
    WrongType {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// A string that is not one of the names the key takes.
    #[error("{at}: {message}{hint}")]
    UnknownValue {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// A number outside its allowed range (or not finite).
    #[error("{at}: {message}{hint}")]
    OutOfRange {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// A required table or key is absent.
    #[error("{at}: {message}{hint}")]
    Missing {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// A key that does not apply here (`client_ack` in sync mode, `node` on a heal, ...).
    #[error("{at}: {message}{hint}")]
    NotApplicable {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// A key or value whose feature is not built yet.
    #[error("{at}: {message}{hint}")]
    Unsupported {
        at: Location,
        message: String,
        hint: Hint,
    },
    /// Any other broken rule (partition groups, `at_ms` past the run, ...).
    #[error("{at}: {message}{hint}")]
    Invalid {
        at: Location,
        message: String,
        hint: Hint,
    },
}

impl ScenarioError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            ScenarioError::Read { file, .. } => file,
            other => other.location().map_or("", |at| at.file.as_str()),
        }
    }

    /// Where the error points; `None` for an unreadable file.
    pub fn location(&self) -> Option<&Location> {
        self.parts().map(|(at, _, _)| at)
    }

    /// 1-based line; `None` for an unreadable file.
    pub fn line(&self) -> Option<usize> {
        self.location().map(|at| at.line)
    }

    /// 1-based column; `None` for an unreadable file.
    pub fn column(&self) -> Option<usize> {
        self.location().map(|at| at.column)
    }

    /// The dotted key path; `None` for syntax errors and unreadable files.
    pub fn key(&self) -> Option<&str> {
        self.location().and_then(|at| at.key.as_deref())
    }

    /// What is wrong, without location or hint.
    pub fn message(&self) -> String {
        match self.parts() {
            Some((_, message, _)) => message.clone(),
            None => self.to_string(),
        }
    }

    /// The suggestion printed on the second line, if any.
    pub fn hint(&self) -> Option<&str> {
        self.parts().and_then(|(_, _, hint)| hint.0.as_deref())
    }

    fn parts(&self) -> Option<(&Location, &String, &Hint)> {
        match self {
            ScenarioError::Read { .. } => None,
            ScenarioError::Syntax { at, message, hint }
            | ScenarioError::UnknownKey { at, message, hint }
            | ScenarioError::WrongType { at, message, hint }
            | ScenarioError::UnknownValue { at, message, hint }
            | ScenarioError::OutOfRange { at, message, hint }
            | ScenarioError::Missing { at, message, hint }
            | ScenarioError::NotApplicable { at, message, hint }
            | ScenarioError::Unsupported { at, message, hint }
            | ScenarioError::Invalid { at, message, hint } => Some((at, message, hint)),
        }
    }
}

/// Which [`ScenarioError`] variant an [`Issue`] becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IssueKind {
    Syntax,
    UnknownKey,
    WrongType,
    UnknownValue,
    OutOfRange,
    Missing,
    NotApplicable,
    Unsupported,
    Invalid,
}

/// An error found while walking the document: a byte span instead of line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Issue {
    pub(crate) kind: IssueKind,
    pub(crate) span: Span,
    /// Dotted key path; empty for syntax errors.
    pub(crate) key: String,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl Issue {
    pub(crate) fn new(
        kind: IssueKind,
        span: Span,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Issue {
        Issue {
            kind,
            span,
            key: key.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds the suggestion shown on the second line.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Issue {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the suggestion unless the issue already has a more specific one.
    pub(crate) fn or_hint(mut self, hint: impl Into<String>) -> Issue {
        self.hint.get_or_insert_with(|| hint.into());
        self
    }

    /// Adds the suggestion if there is one.
    pub(crate) fn maybe_hint(mut self, hint: Option<String>) -> Issue {
        self.hint = hint;
        self
    }

    /// The error a person reads: file, line and column computed from the span in `text`.
    pub(crate) fn locate(self, file: &str, text: &str) -> ScenarioError {
        let (line, column) = line_column(text, self.span.start);
        let key = (!self.key.is_empty()).then_some(self.key);
        let at = Location {
            file: file.to_string(),
            line,
            column,
            key,
        };
        let (message, hint) = (self.message, Hint(self.hint));
        match self.kind {
            IssueKind::Syntax => ScenarioError::Syntax { at, message, hint },
            IssueKind::UnknownKey => ScenarioError::UnknownKey { at, message, hint },
            IssueKind::WrongType => ScenarioError::WrongType { at, message, hint },
            IssueKind::UnknownValue => ScenarioError::UnknownValue { at, message, hint },
            IssueKind::OutOfRange => ScenarioError::OutOfRange { at, message, hint },
            IssueKind::Missing => ScenarioError::Missing { at, message, hint },
            IssueKind::NotApplicable => ScenarioError::NotApplicable { at, message, hint },
            IssueKind::Unsupported => ScenarioError::Unsupported { at, message, hint },
            IssueKind::Invalid => ScenarioError::Invalid { at, message, hint },
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`. An offset past the
/// end or inside a character points at the nearest character boundary before it.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // "bé" is 3 bytes; the value starts at byte 6 + 6.
        assert_eq!(line_column(text, 12), (2, 6));
        assert_eq!(line_column(text, 9999), (3, 1));
        // Inside the two-byte 'é': the boundary before it.
        assert_eq!(line_column(text, 8), (2, 2));
    }

    #[test]
    fn display_is_one_line_then_the_hint() {
        let issue = Issue::new(IssueKind::UnknownValue, 4..8, "disk.crash", "unknown value")
            .hint("try this");
        let err = issue.locate("x.toml", "\n\nab = 1\n");
        assert_eq!(
            err.to_string(),
            "x.toml:3:3: disk.crash: unknown value\n  hint: try this"
        );
        assert_eq!(err.line(), Some(3));
        assert_eq!(err.column(), Some(3));
        assert_eq!(err.key(), Some("disk.crash"));
        assert_eq!(err.hint(), Some("try this"));
        assert_eq!(err.file(), "x.toml");
    }

    #[test]
    fn a_syntax_error_has_no_key() {
        let err = Issue::new(IssueKind::Syntax, 0..1, "", "duplicate key").locate("f", "a");
        assert_eq!(err.to_string(), "f:1:1: invalid TOML: duplicate key");
        assert_eq!(err.key(), None);
    }
}
