//! Wall-clock durations as a person types them on a command line: `90s`, `10m`, `1h`,
//! `1h30m`, `500ms`, `1.5h`, `2 hours`. Used by `fuzz --time`; the budget is wall time of
//! the runner, never time inside the simulation.
//!
//! The parsing is `humantime`'s (units `ns`, `us`, `ms`, `s`/`sec`, `m`/`min`, `h`/`hr`,
//! `d`, `w`, and their long names; parts in any order, summed). This file only adds what
//! the command line needs on top: surrounding spaces are ignored, zero is refused (a budget
//! of nothing runs nothing), and every error says what was expected, so clap reports it as
//! a usage error (exit 2).

use std::time::Duration;

const FORMS: &str = "expected a number and a unit (ms, s, m, h, d), e.g. 90s, 10m, 1h30m";

/// Parses `90s`, `10m`, `1h30m`, ...; zero and bare numbers are refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let d = humantime::parse_duration(t).map_err(|e| match e {
        humantime::DurationError::Empty => format!("an empty duration: {FORMS}"),
        other => format!("invalid duration {t:?} ({other}): {FORMS}"),
    })?;
    if d.is_zero() {
        return Err(format!(
            "duration {text:?} is zero: give a positive time, e.g. 10m"
        ));
    }
    Ok(d)
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
    fn more_forms_parse_than_were_documented() {
        assert_eq!(ok("1.5h"), 5_400_000);
        assert_eq!(ok("1h 30m"), 5_400_000);
        assert_eq!(ok("2 hours"), 7_200_000);
        assert_eq!(ok("30m1h"), 5_400_000);
    }

    #[test]
    fn bad_input_says_what_is_accepted() {
        for (bad, says) in [
            ("", "empty"),
            ("   ", "empty"),
            ("90", "time unit needed"),
            ("10x", "unknown time unit \"x\""),
            ("-5s", "expected number at 0"),
            ("m", "expected number"),
            ("0s", "zero"),
            ("99999999999999999999s", "too large"),
        ] {
            let e = parse_duration(bad).expect_err(bad);
            assert!(e.contains(says), "{bad:?}: {e}");
            assert!(e.contains("e.g."), "{bad:?}: {e}");
        }
    }
}
