//! Keys and values the format defines but the simulator cannot run yet.
//!
//! While a feature is being built, add a [`Gate`] to [`UNSUPPORTED`]: every scenario that
//! uses it is then rejected with `not supported yet: <reason>` at the key or value, instead
//! of being silently run without it. Today the table is empty: every key is supported.
//!
//! Keys are matched by their schema path, without array indexes (`faults.schedule.groups`,
//! not `faults.schedule[2].groups`). This file only answers "is it gated?"; the reader asks.

/// One key (or one value of a key) that is not supported yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Gate {
    /// Schema path of the key, e.g. `disk.crash` or `faults.schedule.one_way`.
    pub(crate) key: &'static str,
    /// `None`: any use of the key. `Some(v)`: only the string value `v`, e.g. `"torn-tail"`.
    pub(crate) value: Option<&'static str>,
    /// Why, in words a user understands, e.g. "torn writes need sector checksums".
    pub(crate) reason: &'static str,
}

/// Add a line here to reject a key whose feature is not built yet, e.g.
/// `Gate { key: "disk.crash", value: Some("torn-tail"), reason: "..." }`.
pub(crate) const UNSUPPORTED: &[Gate] = &[];

/// The reason `key` (schema path) cannot be used yet, if it cannot.
pub(crate) fn unsupported(gates: &[Gate], key: &str) -> Option<&'static str> {
    gates
        .iter()
        .find(|g| g.key == key && g.value.is_none())
        .map(|g| g.reason)
}

/// The reason the string `value` of `key` (schema path) cannot be used yet, if it cannot.
pub(crate) fn unsupported_value(gates: &[Gate], key: &str, value: &str) -> Option<&'static str> {
    gates
        .iter()
        .find(|g| g.key == key && g.value == Some(value))
        .map(|g| g.reason)
}

/// `faults.schedule[2].groups[0][1]` → `faults.schedule.groups`.
pub(crate) fn schema_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_GATES: &[Gate] = &[
        Gate {
            key: "faults.schedule.one_way",
            value: None,
            reason: "one-way cuts",
        },
        Gate {
            key: "disk.crash",
            value: Some("torn-tail"),
            reason: "torn writes",
        },
    ];

    #[test]
    fn everything_is_supported_today() {
        assert!(UNSUPPORTED.is_empty());
        assert_eq!(unsupported(UNSUPPORTED, "disk.crash"), None);
    }

    #[test]
    fn gates_match_keys_and_values() {
        assert_eq!(
            unsupported(TEST_GATES, "faults.schedule.one_way"),
            Some("one-way cuts")
        );
        assert_eq!(unsupported(TEST_GATES, "disk.crash"), None);
        assert_eq!(
            unsupported_value(TEST_GATES, "disk.crash", "torn-tail"),
            Some("torn writes")
        );
        assert_eq!(
            unsupported_value(TEST_GATES, "disk.crash", "lose-unflushed"),
            None
        );
    }

    #[test]
    fn schema_paths_drop_indexes() {
        assert_eq!(
            schema_path("faults.schedule[2].groups[0][1]"),
            "faults.schedule.groups"
        );
        assert_eq!(schema_path("disk.crash"), "disk.crash");
    }
}
