//! Counterexample text: how a dead end of the search reads to a person, and how one op is
//! named in any explanation (id, client, value, interval in milliseconds).
//!
//! It is not a judge: it decides nothing and is only called once a key is known not to be
//! linearizable. The pre-check's rules word their own reasons with [`describe`].

use super::Counterexample;
use super::key_history::{Action, End, Op};
use super::search::DeadEnd;

pub(super) fn explain_dead_end(key: u32, ops: &[Op], dead_end: &DeadEnd) -> Counterexample {
    let op = |index: u32| &ops[index as usize];
    let stuck = op(dead_end.stuck);
    let mut ids = vec![stuck.id];
    let mut lines = vec![format!(
        "No order of its {} ops is consistent; the longest consistent order found places {}.",
        ops.len(),
        dead_end.placed
    )];
    if !dead_end.tail.is_empty() {
        let tail: Vec<String> = dead_end.tail.iter().map(|&i| describe(op(i))).collect();
        lines.push(format!("It ends: {}.", tail.join(", then ")));
        ids.extend(dead_end.tail.iter().map(|&i| op(i).id));
    }
    lines.push(match dead_end.writer {
        None => "The register is then absent.".to_string(),
        Some(w) => {
            if !dead_end.tail.contains(&w) {
                ids.push(op(w).id);
            }
            format!(
                "The register then holds {}, from {}.",
                fmt_value(dead_end.state),
                describe(op(w))
            )
        }
    });
    let reason = match stuck.action {
        Action::Read(observed) if observed != dead_end.state => format!(
            "it returned {}, and no other order of the ops before it leaves that value",
            fmt_value(observed)
        ),
        _ => "every way to place it among the pending ops leads to a dead end".to_string(),
    };
    lines.push(format!(
        "{} cannot be placed before it returns: {reason}.",
        describe(stuck)
    ));
    if dead_end.pending.is_empty() {
        lines.push("No other op is pending then.".to_string());
    } else {
        let pending: Vec<String> = dead_end.pending.iter().map(|&i| describe(op(i))).collect();
        lines.push(format!("Pending then: {}.", pending.join("; ")));
        ids.extend(dead_end.pending.iter().map(|&i| op(i).id));
    }
    Counterexample {
        key,
        ops: ids,
        explanation: lines.join("\n"),
    }
}

/// "read #17 by client 2 (returned 5) at [1.2ms, 1.4ms]".
pub(super) fn describe(op: &Op) -> String {
    let what = match op.action {
        Action::Write(value) => format!("write #{} by client {} (value {value})", op.id, op.client),
        Action::Read(observed) => {
            format!(
                "read #{} by client {} (returned {})",
                op.id,
                op.client,
                fmt_value(observed)
            )
        }
    };
    let end = match op.end {
        End::At(ns) => fmt_ns(ns),
        End::Unknown => "unknown".to_string(),
        End::Failed => "failed".to_string(),
    };
    format!("{what} at [{}, {end}]", fmt_ns(op.invoke_ns))
}

fn fmt_value(value: Option<u64>) -> String {
    value.map_or_else(|| "absent".to_string(), |v| v.to_string())
}

/// Nanoseconds as milliseconds without trailing zeros: 1_200_000 is "1.2ms".
pub(super) fn fmt_ns(ns: u64) -> String {
    let (ms, rest) = (ns / 1_000_000, ns % 1_000_000);
    if rest == 0 {
        return format!("{ms}ms");
    }
    let fraction = format!("{rest:06}");
    format!("{ms}.{}ms", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_milliseconds() {
        assert_eq!(fmt_ns(0), "0ms");
        assert_eq!(fmt_ns(1_200_000), "1.2ms");
        assert_eq!(fmt_ns(1_234_567), "1.234567ms");
        assert_eq!(fmt_ns(500), "0.0005ms");
    }
}
