//! Typed access to the keys of one trace line: each accessor returns the value in the
//! trace's own types (`NodeId`, `LogIndex`, `Term`, ...) or a [`Problem`] naming the key,
//! what it should hold and what it holds. A key is either required (missing is an error),
//! nullable (present, `null` allowed: a vote, an entry's request) or optional (absent or
//! `null` is `None`).
//!
//! This file knows no kinds: which keys a kind has is `kinds.rs`'s business.

use super::error::Problem;
use raft_core::{ClientId, LogIndex, NodeId, ReqId, Term};
use serde_json::{Map, Value};

/// The keys of one line (a JSON object), and the cluster size node ids are checked against.
pub(crate) struct Fields<'a> {
    obj: &'a Map<String, Value>,
    nodes: u8,
}

/// An integer a key may hold: its bounds, as messages say them.
#[derive(Clone, Copy)]
pub(crate) enum Int {
    /// `0..=INT_MAX`: a count, a term, an instant, an index that may be 0 ("none").
    Any,
    /// `1..=INT_MAX`: a log position (the first entry is at index 1).
    Positive,
    /// Any `u64`: a number that is only shown (a seed, the writer's event count).
    Wide,
}

/// The largest index, term, instant or id a trace may hold: `i64::MAX`, what a signed
/// 64-bit reader (Go, Java, most C++ harnesses) can write, and far enough from `u64::MAX`
/// that the checkers' `index + 1` cannot overflow.
pub const INT_MAX: u64 = i64::MAX as u64;

impl Int {
    fn expected(self) -> &'static str {
        match self {
            Int::Any => "an integer >= 0",
            Int::Positive => "an integer >= 1",
            Int::Wide => "an integer in 0..=18446744073709551615",
        }
    }
    /// `Ok` when `n` is admitted, else what the message says was expected.
    fn admits(self, n: u64) -> Result<(), &'static str> {
        match self {
            Int::Wide => Ok(()),
            _ if n > INT_MAX => Err("an integer at most 9223372036854775807 (i64::MAX)"),
            Int::Positive if n == 0 => Err(self.expected()),
            _ => Ok(()),
        }
    }
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>, nodes: u8) -> Fields<'a> {
        Fields { obj, nodes }
    }

    /// The value of `key` unless it is absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// Whether the line has `key` at all (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    fn required(&self, key: &'static str, expected: &str) -> Result<&'a Value, Problem> {
        self.obj
            .get(key)
            .ok_or_else(|| Problem::missing(key, expected))
    }

    /// A required integer.
    pub fn int(&self, key: &'static str, int: Int) -> Result<u64, Problem> {
        let v = self.required(key, int.expected())?;
        int_of(key, v, int, int.expected())
    }

    /// A required key holding an integer or `null`.
    pub fn nullable_int(&self, key: &'static str, int: Int) -> Result<Option<u64>, Problem> {
        let expected = format!("{} or null", int.expected());
        let v = self.required(key, &expected)?;
        if v.is_null() {
            return Ok(None);
        }
        int_of(key, v, int, &expected).map(Some)
    }

    /// An integer that may be absent (or `null`).
    pub fn optional_int(&self, key: &'static str, int: Int) -> Result<Option<u64>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => int_of(key, v, int, int.expected()).map(Some),
        }
    }

    pub fn index(&self, key: &'static str) -> Result<LogIndex, Problem> {
        self.int(key, Int::Positive).map(LogIndex)
    }

    /// An index that may be 0 ("none": an empty log, nothing applied).
    pub fn index_or_zero(&self, key: &'static str) -> Result<LogIndex, Problem> {
        self.int(key, Int::Any).map(LogIndex)
    }

    pub fn term(&self, key: &'static str) -> Result<Term, Problem> {
        self.int(key, Int::Any).map(Term)
    }

    /// A request id or `null` (an entry no client wrote), the key required.
    pub fn nullable_req(&self, key: &'static str) -> Result<Option<ReqId>, Problem> {
        Ok(self.nullable_int(key, Int::Any)?.map(ReqId))
    }

    pub fn req(&self, key: &'static str) -> Result<ReqId, Problem> {
        self.int(key, Int::Any).map(ReqId)
    }

    pub fn client(&self, key: &'static str) -> Result<ClientId, Problem> {
        self.u32(key).map(ClientId)
    }

    pub fn u32(&self, key: &'static str) -> Result<u32, Problem> {
        let expected = "an integer in 0..=4294967295";
        let v = self.required(key, expected)?;
        let n = int_of(key, v, Int::Any, expected)?;
        u32::try_from(n).map_err(|_| Problem::wrong(key, expected, v))
    }

    pub fn bool(&self, key: &'static str) -> Result<bool, Problem> {
        let v = self.required(key, "true or false")?;
        v.as_bool()
            .ok_or_else(|| Problem::wrong(key, "true or false", v))
    }

    /// A required node id in `1..=nodes`.
    pub fn node(&self, key: &'static str) -> Result<NodeId, Problem> {
        let expected = self.node_expected();
        let v = self.required(key, &expected)?;
        self.node_of(key, v)
    }

    /// A required key holding a node id or `null` (a vote not cast).
    pub fn nullable_node(&self, key: &'static str) -> Result<Option<NodeId>, Problem> {
        let expected = format!("{} or null", self.node_expected());
        let v = self.required(key, &expected)?;
        if v.is_null() {
            return Ok(None);
        }
        self.node_of(key, v).map(Some)
    }

    /// A node id that may be absent or `null`.
    pub fn optional_node(&self, key: &'static str) -> Result<Option<NodeId>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => self.node_of(key, v).map(Some),
        }
    }

    fn node_expected(&self) -> String {
        format!("a node id in 1..={} (the run line's \"nodes\")", self.nodes)
    }

    fn node_of(&self, key: &'static str, v: &Value) -> Result<NodeId, Problem> {
        match v.as_u64() {
            Some(n) if (1..=u64::from(self.nodes)).contains(&n) => Ok(NodeId(n as u8)),
            _ => Err(Problem::wrong(key, self.node_expected(), v)),
        }
    }

    pub fn str(&self, key: &'static str) -> Result<&'a str, Problem> {
        let v = self.required(key, "a string")?;
        v.as_str().ok_or_else(|| Problem::wrong(key, "a string", v))
    }

    pub fn optional_str(&self, key: &'static str) -> Result<Option<&'a str>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| Problem::wrong(key, "a string", v)),
        }
    }

    /// A required name from `names` (kebab-case), mapped to its value. A name written in
    /// another case or with `_` for `-` is an error whose message suggests the right one.
    pub fn one_of<T: Copy>(&self, key: &'static str, names: &[(&str, T)]) -> Result<T, Problem> {
        let list = names
            .iter()
            .map(|(n, _)| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let expected = format!("one of {list}");
        let v = self.required(key, &expected)?;
        let Some(s) = v.as_str() else {
            return Err(Problem::wrong(key, expected, v));
        };
        if let Some((_, t)) = names.iter().find(|(n, _)| *n == s) {
            return Ok(*t);
        }
        let hint = names
            .iter()
            .find(|(n, _)| *n == normalize(s))
            .map_or(String::new(), |(n, _)| format!(" (did you mean \"{n}\"?)"));
        Err(Problem::wrong(key, format!("{expected}{hint}"), v))
    }
}

fn int_of(key: &'static str, v: &Value, int: Int, expected: &str) -> Result<u64, Problem> {
    let Some(n) = v.as_u64() else {
        return Err(Problem::wrong(key, expected, v));
    };
    int.admits(n)
        .map(|()| n)
        .map_err(|bound| Problem::wrong(key, bound, v))
}

/// A name as it was probably meant: lowercase, `-` for `_`.
pub(crate) fn normalize(s: &str) -> String {
    s.to_lowercase().replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: &Value) -> Fields<'_> {
        Fields::new(v.as_object().expect("an object"), 3)
    }

    #[test]
    fn integers_are_checked_against_their_bound() {
        let v = json!({"index": 0, "term": 2, "x": "7", "f": 1.0, "neg": -1});
        let f = fields(&v);
        assert_eq!(f.term("term"), Ok(Term(2)));
        assert_eq!(f.index_or_zero("index"), Ok(LogIndex(0)));
        assert_eq!(
            f.index("index").unwrap_err().to_string(),
            r#"key "index": expected an integer >= 1, found 0"#
        );
        assert!(
            f.term("x")
                .unwrap_err()
                .to_string()
                .ends_with(r#"found "7""#)
        );
        assert!(f.term("f").unwrap_err().to_string().ends_with("found 1.0"));
        assert!(f.term("neg").unwrap_err().to_string().ends_with("found -1"));
        let huge = json!({"term": INT_MAX + 1, "seed": u64::MAX});
        let f = fields(&huge);
        assert_eq!(
            f.term("term").unwrap_err().to_string(),
            r#"key "term": expected an integer at most 9223372036854775807 (i64::MAX), found 9223372036854775808"#
        );
        assert_eq!(f.optional_int("seed", Int::Wide), Ok(Some(u64::MAX)));
        assert_eq!(
            f.term("nope").unwrap_err().to_string(),
            r#"key "nope": missing; expected an integer >= 0"#
        );
    }

    #[test]
    fn node_ids_are_within_the_cluster() {
        let v = json!({"a": 0, "b": 4, "c": 3, "vote": null});
        let f = fields(&v);
        assert_eq!(f.node("c"), Ok(NodeId(3)));
        assert_eq!(f.nullable_node("vote"), Ok(None));
        for key in ["a", "b"] {
            let e = f.node(key).unwrap_err().to_string();
            assert!(e.contains("a node id in 1..=3"), "{e}");
        }
        assert!(f.nullable_node("missing").is_err());
        assert_eq!(f.optional_node("missing"), Ok(None));
    }

    #[test]
    fn a_near_miss_of_a_name_is_suggested() {
        let v = json!({"role": "Leader"});
        let e = fields(&v)
            .one_of("role", &[("follower", 0), ("leader", 1)])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            r#"key "role": expected one of "follower", "leader" (did you mean "leader"?), found "Leader""#
        );
    }
}
