//! Typed, located access to a parsed TOML document: the one place that turns a TOML value
//! into a Rust value or into an [`Issue`] naming the key, its span and what was expected.
//!
//! A [`Node`] is one value with its dotted path and spans; a [`Table`] is a table whose keys
//! have already been checked against the keys it may hold (unknown keys and keys gated in
//! `gate.rs` are rejected when it is opened). Rules that involve more than one value live
//! in `parse.rs`, `latency.rs`, `schedule.rs` and `validate.rs`, not here.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Issue, IssueKind, Span};
use crate::gate::{self, Gate};
use crate::hint;
use crate::names::Named;
use crate::schema;

/// One value of the document, with where it is and what it is called.
#[derive(Clone)]
pub(crate) struct Node<'t, 'i> {
    /// Dotted path, e.g. `faults.schedule[2].node`.
    pub(crate) path: String,
    /// The key (for a table entry) or the value itself (for an array element).
    pub(crate) key_span: Span,
    /// The value; for a `[table]` or `[[array]]` entry, its header.
    pub(crate) span: Span,
    pub(crate) value: &'t DeValue<'i>,
    gates: &'static [Gate],
}

/// A table whose keys are all known and supported.
pub(crate) struct Table<'t, 'i> {
    pub(crate) path: String,
    pub(crate) span: Span,
    map: &'t DeTable<'i>,
    gates: &'static [Gate],
}

impl<'t, 'i> Table<'t, 'i> {
    /// The document root, its keys checked against `allowed`.
    pub(crate) fn root(
        doc: &'t Spanned<DeTable<'i>>,
        allowed: &[&str],
        gates: &'static [Gate],
    ) -> Result<Self, Issue> {
        let table = Table {
            path: String::new(),
            span: 0..0,
            map: doc.get_ref(),
            gates,
        };
        table.check_keys(allowed)?;
        Ok(table)
    }

    /// The value at `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<Node<'t, 'i>> {
        let (k, v) = self.map.get_key_value(key)?;
        Some(Node {
            path: self.child_path(key),
            key_span: k.span(),
            span: v.span(),
            value: v.get_ref(),
            gates: self.gates,
        })
    }

    /// The value at `key`, or a "missing" issue pointing at this table.
    pub(crate) fn require(&self, key: &str, hint: &str) -> Result<Node<'t, 'i>, Issue> {
        self.get(key).ok_or_else(|| {
            let message = format!("missing required key `{key}`");
            Issue::new(
                IssueKind::Missing,
                self.span.clone(),
                self.child_path(key),
                message,
            )
            .hint(hint)
        })
    }

    /// Whether `key` is present.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The dotted path of `key` in this table.
    pub(crate) fn child_path(&self, key: &str) -> String {
        let bare = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let key = if bare {
            key.to_string()
        } else {
            format!("{key:?}")
        };
        if self.path.is_empty() {
            key
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Rejects unknown and gated keys, in the order they appear in the file.
    fn check_keys(&self, allowed: &[&str]) -> Result<(), Issue> {
        let mut keys: Vec<_> = self.map.keys().collect();
        keys.sort_by_key(|k| k.span().start);
        for key in keys {
            let name: &str = key.get_ref();
            let path = self.child_path(name);
            if !allowed.contains(&name) {
                let elsewhere = schema::belongs_elsewhere(name, &self.path);
                let hint = elsewhere.unwrap_or_else(|| hint::one_of(name, allowed));
                return Err(
                    Issue::new(IssueKind::UnknownKey, key.span(), path, "unknown key").hint(hint),
                );
            }
            if let Some(reason) = gate::unsupported(self.gates, &gate::schema_path(&path)) {
                let message = format!("not supported yet: {reason}");
                return Err(Issue::new(
                    IssueKind::Unsupported,
                    key.span(),
                    path,
                    message,
                ));
            }
        }
        Ok(())
    }
}

impl<'t, 'i> Node<'t, 'i> {
    /// An issue about this value.
    pub(crate) fn issue(&self, kind: IssueKind, message: impl Into<String>) -> Issue {
        Issue::new(kind, self.span.clone(), self.path.clone(), message)
    }

    /// An issue about this key (the key should not be there).
    pub(crate) fn key_issue(&self, kind: IssueKind, message: impl Into<String>) -> Issue {
        Issue::new(kind, self.key_span.clone(), self.path.clone(), message)
    }

    /// This value as a table whose keys are all in `allowed`.
    pub(crate) fn table(&self, allowed: &[&str]) -> Result<Table<'t, 'i>, Issue> {
        let DeValue::Table(map) = self.value else {
            return Err(self.wrong_type("a table"));
        };
        let table = Table {
            path: self.path.clone(),
            span: self.span.clone(),
            map,
            gates: self.gates,
        };
        table.check_keys(allowed)?;
        Ok(table)
    }

    /// This value as an array; elements are named `path[i]`.
    pub(crate) fn array(&self) -> Result<Vec<Node<'t, 'i>>, Issue> {
        let DeValue::Array(items) = self.value else {
            return Err(self.wrong_type("an array"));
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| Node {
                path: format!("{}[{i}]", self.path),
                key_span: item.span(),
                span: item.span(),
                value: item.get_ref(),
                gates: self.gates,
            })
            .collect())
    }

    /// A TOML integer (not a float, not a string).
    pub(crate) fn integer(&self) -> Result<i64, Issue> {
        let DeValue::Integer(int) = self.value else {
            return Err(self.wrong_type("an integer"));
        };
        i64::from_str_radix(int.as_str(), int.radix()).map_err(|_| {
            self.issue(
                IssueKind::OutOfRange,
                format!("{int} does not fit in a 64-bit integer"),
            )
        })
    }

    /// A TOML integer in `min..=max`.
    pub(crate) fn uint(&self, min: u64, max: u64) -> Result<u64, Issue> {
        let value = self.integer()?;
        let unsigned = u64::try_from(value);
        if let Ok(v) = unsigned {
            if (min..=max).contains(&v) {
                return Ok(v);
            }
        }
        // Wide bounds read better one-sided ("at least 1" rather than "1..=4294967295").
        let wide = max >= u64::from(u32::MAX);
        let message = match unsigned {
            Ok(v) if wide && v > max => format!("must be at most {max}, got {value}"),
            _ if wide => format!("must be at least {min}, got {value}"),
            _ => format!("must be in {min}..={max}, got {value}"),
        };
        Err(self.issue(IssueKind::OutOfRange, message))
    }

    /// A finite number; a TOML integer is fine too.
    pub(crate) fn number(&self) -> Result<f64, Issue> {
        let value = match self.value {
            DeValue::Integer(_) => self.integer()? as f64,
            DeValue::Float(float) => float.as_str().parse::<f64>().map_err(|_| {
                self.issue(IssueKind::OutOfRange, format!("{float} is not a number"))
            })?,
            _ => return Err(self.wrong_type("a number")),
        };
        if !value.is_finite() {
            return Err(self.issue(
                IssueKind::OutOfRange,
                format!("must be a finite number, got {value}"),
            ));
        }
        Ok(value)
    }

    /// A finite number >= 0.
    pub(crate) fn non_negative(&self) -> Result<f64, Issue> {
        let value = self.number()?;
        if value < 0.0 {
            return Err(self.issue(IssueKind::OutOfRange, format!("must be >= 0, got {value}")));
        }
        Ok(value)
    }

    /// A probability: a number in [0, 1].
    pub(crate) fn probability(&self) -> Result<f64, Issue> {
        let value = self.number()?;
        if !(0.0..=1.0).contains(&value) {
            return Err(self.issue(
                IssueKind::OutOfRange,
                format!("is a probability and must be in [0, 1], got {value}"),
            ));
        }
        Ok(value)
    }

    pub(crate) fn string(&self) -> Result<&'t str, Issue> {
        match self.value {
            DeValue::String(s) => Ok(s.as_ref()),
            _ => Err(self.wrong_type("a string")),
        }
    }

    pub(crate) fn boolean(&self) -> Result<bool, Issue> {
        match self.value {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.wrong_type("a boolean (true or false)")),
        }
    }

    /// One of the exact names of `E`, with the closest name as a hint on a miss.
    pub(crate) fn choice<E: Named>(&self) -> Result<E, Issue> {
        let written = self.string()?;
        let Some(value) = E::from_name(written) else {
            return Err(self
                .issue(
                    IssueKind::UnknownValue,
                    format!("unknown value {written:?}"),
                )
                .hint(hint::one_of(written, &E::names())));
        };
        let key = gate::schema_path(&self.path);
        if let Some(reason) = gate::unsupported_value(self.gates, &key, written) {
            let message = format!("{written:?} is not supported yet: {reason}");
            return Err(self.issue(IssueKind::Unsupported, message));
        }
        Ok(value)
    }

    /// "expected X, found Y", with a hint when the fix is obvious.
    pub(crate) fn wrong_type(&self, expected: &str) -> Issue {
        let message = format!("expected {expected}, found {}", self.describe());
        self.issue(IssueKind::WrongType, message)
            .maybe_hint(self.type_hint(expected))
    }

    /// "the float 3.0", "the string \"3\"", "a table".
    pub(crate) fn describe(&self) -> String {
        match self.value {
            DeValue::String(s) => format!("the string {:?}", s.as_ref()),
            DeValue::Integer(i) => format!("the integer {i}"),
            DeValue::Float(f) => format!("the float {f}"),
            DeValue::Boolean(b) => format!("the boolean {b}"),
            DeValue::Datetime(d) => format!("the date-time {d}"),
            DeValue::Array(_) => "an array".to_string(),
            DeValue::Table(_) => "a table".to_string(),
        }
    }

    fn type_hint(&self, expected: &str) -> Option<String> {
        let numeric = expected.contains("integer") || expected.contains("number");
        match self.value {
            DeValue::Float(f) if expected.contains("integer") => {
                let v: f64 = f.as_str().parse().ok()?;
                let whole = v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15;
                let fix = if whole {
                    format!(": write {}", v as i64)
                } else {
                    String::new()
                };
                Some(format!(
                    "integer keys take TOML integers, without a decimal point{fix}"
                ))
            }
            DeValue::String(s) if numeric && s.trim().parse::<f64>().is_ok() => {
                Some(format!("remove the quotes: {}", s.trim()))
            }
            DeValue::String(s) if expected.contains("boolean") && s.parse::<bool>().is_ok() => {
                Some(format!("remove the quotes: {s}"))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mode;

    fn with_value<R>(text: &str, f: impl FnOnce(Node<'_, '_>) -> R) -> R {
        let doc = toml::de::DeTable::parse(text).expect("valid TOML");
        let root = Table::root(&doc, &["v"], &[]).expect("known keys");
        f(root.get("v").expect("v is present"))
    }

    #[test]
    fn integers_are_exact_and_floats_are_not_integers() {
        assert_eq!(with_value("v = 0x10", |n| n.integer()), Ok(16));
        assert_eq!(with_value("v = -1_000", |n| n.integer()), Ok(-1000));
        let err = with_value("v = 3.0", |n| n.integer()).unwrap_err();
        assert_eq!(err.kind, IssueKind::WrongType);
        assert_eq!(err.message, "expected an integer, found the float 3.0");
        assert!(err.hint.as_deref().is_some_and(|h| h.ends_with("write 3")));
        let err = with_value("v = \"3\"", |n| n.integer()).unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("remove the quotes: 3"));
    }

    #[test]
    fn numbers_take_integers_and_reject_non_finite() {
        assert_eq!(with_value("v = 2", |n| n.number()), Ok(2.0));
        assert_eq!(with_value("v = 2.5", |n| n.number()), Ok(2.5));
        for bad in ["v = nan", "v = inf", "v = -inf", "v = +nan"] {
            let err = with_value(bad, |n| n.number()).unwrap_err();
            assert_eq!(err.kind, IssueKind::OutOfRange, "{bad}");
        }
    }

    #[test]
    fn ranges_name_their_bounds() {
        let err = with_value("v = 0", |n| n.uint(1, u64::MAX)).unwrap_err();
        assert_eq!(err.message, "must be at least 1, got 0");
        let err = with_value("v = 12", |n| n.uint(1, 9)).unwrap_err();
        assert_eq!(err.message, "must be in 1..=9, got 12");
        let err = with_value("v = 9223372036854775808", |n| n.integer()).unwrap_err();
        assert_eq!(err.kind, IssueKind::OutOfRange);
    }

    #[test]
    fn choices_are_exact_with_a_suggestion() {
        assert_eq!(
            with_value("v = \"sync\"", |n| n.choice::<Mode>()),
            Ok(Mode::Sync)
        );
        let err = with_value("v = \"SYNC\"", |n| n.choice::<Mode>()).unwrap_err();
        assert_eq!(err.message, "unknown value \"SYNC\"");
        assert!(
            err.hint
                .as_deref()
                .is_some_and(|h| h.ends_with("did you mean \"sync\"?"))
        );
    }

    #[test]
    fn gated_keys_and_values_are_refused() {
        const GATES: &[Gate] = &[
            Gate {
                key: "v",
                value: Some("async-handler"),
                reason: "not built",
            },
            Gate {
                key: "w",
                value: None,
                reason: "w is coming",
            },
        ];
        let doc = toml::de::DeTable::parse("v = \"async-handler\"").expect("valid TOML");
        let root = Table::root(&doc, &["v", "w"], GATES).expect("v is not gated");
        let err = root
            .get("v")
            .expect("present")
            .choice::<Mode>()
            .unwrap_err();
        assert_eq!(err.kind, IssueKind::Unsupported);
        let doc = toml::de::DeTable::parse("w = 1").expect("valid TOML");
        let err = Table::root(&doc, &["v", "w"], GATES)
            .err()
            .expect("w is gated");
        assert_eq!(err.message, "not supported yet: w is coming");
    }
}
