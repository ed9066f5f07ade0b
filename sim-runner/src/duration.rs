//! Wall-clock durations as a person types them on a command line: `90s`, `10m`, `1h`,
//! `1h30m`, `500ms`. Used by `fuzz --time`; the budget is wall time of the runner, never
//! time inside the simulation.
//!
//! Not a general duration library: whole numbers only, units `ms`, `s`, `m`, `h`, `d`,
//! each part at most once and largest first. Anything else is an error that shows the
//! accepted forms, so clap reports it as a usage error (exit 2).

use std::time::Duration;

const FORMS: &str = "expected a whole number and a unit (ms, s, m, h, d), e.g. 90s, 10m, 1h30m";

/// Parses `90s`, `10m`, `1h30m`, ...; zero and bare numbers are refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("an empty duration: {FORMS}"));
    }
    let mut total_ms: u64 = 0;
    let mut last_rank = usize::MAX;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("invalid duration {text:?}: {FORMS}"));
        }
        let (number, tail) = rest.split_at(digits);
        let letters = tail.bytes().take_while(|b| !b.is_ascii_digit()).count();
        let (unit, tail) = tail.split_at(letters);
        let (rank, unit_ms) = match unit {
            "d" => (0, 86_400_000),
            "h" => (1, 3_600_000),
            "m" => (2, 60_000),
            "s" => (3, 1_000),
            "ms" => (4, 1),
            "" => return Err(format!("{text:?} has no unit: {FORMS}")),
            other => return Err(format!("unknown unit {other:?} in {text:?}: {FORMS}")),
        };
        if rank <= last_rank && last_rank != usize::MAX {
            return Err(format!(
                "invalid duration {text:?}: give each unit once, largest first (e.g. 1h30m)"
            ));
        }
        last_rank = rank;
        let part = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit_ms))
            .and_then(|ms| total_ms.checked_add(ms));
        total_ms = part.ok_or_else(|| format!("duration {text:?} is too long"))?;
        rest = tail;
    }
    if total_ms == 0 {
        return Err(format!(
            "duration {text:?} is zero: give a positive time, e.g. 10m"
        ));
    }
    Ok(Duration::from_millis(total_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> u64 {
        parse_duration(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .as_millis() as u64
    }

    #[test]
    fn the_documented_forms_parse() {
        assert_eq!(ok("90s"), 90_000);
        assert_eq!(ok("10m"), 600_000);
        assert_eq!(ok("1h"), 3_600_000);
        assert_eq!(ok("1h30m"), 5_400_000);
        assert_eq!(ok("2m5s"), 125_000);
        assert_eq!(ok("500ms"), 500);
        assert_eq!(ok("1d"), 86_400_000);
        assert_eq!(ok(" 15s "), 15_000);
    }

    #[test]
    fn bad_input_says_what_is_accepted() {
        for (bad, says) in [
            ("", "empty"),
            ("90", "no unit"),
            ("10x", "unknown unit \"x\""),
            ("1.5h", "unknown unit \".\""),
            ("-5s", "invalid duration"),
            ("m", "invalid duration"),
            ("0s", "zero"),
            ("30m1h", "largest first"),
            ("1m1m", "largest first"),
            ("99999999999999999999s", "too long"),
            ("10 m", "unknown unit"),
        ] {
            let e = parse_duration(bad).expect_err(bad);
            assert!(e.contains(says), "{bad:?}: {e}");
        }
        assert!(parse_duration("90").unwrap_err().contains("e.g. 90s"));
    }
}
