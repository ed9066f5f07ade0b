//! Reading the two compound value shapes: latencies and millisecond ranges.
//!
//! A latency is a bare number (a constant) or a table with `dist` and exactly that
//! distribution's parameters (floats or integers, finite, >= 0, `min <= max`,
//! `0 < p50 <= p99`, `mean > 0`). A range is a bare integer (`min = max`) or
//! `{ min, max }` with integers, `min <= max`. Which keys are latencies or ranges is
//! `parse.rs`'s business; this file only knows the shapes.

use crate::error::{Issue, IssueKind};
use crate::hint;
use crate::model::{Latency, LatencyUnit, RangeMs};
use crate::names::{Named, named};
use crate::reader::{Node, Table};
use crate::schema;

/// The `dist` names of a latency table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DistKind {
    Constant,
    Uniform,
    Exponential,
    Lognormal,
}

named!(DistKind {
    Constant => "constant",
    Uniform => "uniform",
    Exponential => "exponential",
    Lognormal => "lognormal",
});

impl DistKind {
    /// The parameters this distribution takes, in the order they are written.
    fn params(self) -> &'static [&'static str] {
        match self {
            DistKind::Constant => &["value"],
            DistKind::Uniform => &["min", "max"],
            DistKind::Exponential => &["mean"],
            DistKind::Lognormal => &["p50", "p99"],
        }
    }

    /// The distribution that takes `param`.
    fn owning(param: &str) -> Option<DistKind> {
        DistKind::ALL
            .iter()
            .copied()
            .find(|d| d.params().contains(&param))
    }
}

/// A latency, in the unit of its key's name.
pub(crate) fn latency(node: &Node<'_, '_>, unit: LatencyUnit) -> Result<Latency, Issue> {
    let latency = match node.value {
        toml::de::DeValue::Table(_) => latency_table(&node.table(schema::LATENCY)?)?,
        toml::de::DeValue::Integer(_) | toml::de::DeValue::Float(_) => Latency::Constant {
            value: node.non_negative()?,
        },
        _ => return Err(node.wrong_type("a number or a latency table")),
    };
    // Converting to nanoseconds must stay finite (a huge value in `_ms` would not).
    latency.to_dist(unit).validate().map_err(|e| {
        node.issue(
            IssueKind::OutOfRange,
            format!("is not a usable latency: {e}"),
        )
    })?;
    Ok(latency)
}

fn latency_table(table: &Table<'_, '_>) -> Result<Latency, Issue> {
    let dist_hint = format!("dist = {}", hint::alternatives(&DistKind::names()));
    let dist: DistKind = table.require("dist", &dist_hint)?.choice()?;
    for param in schema::LATENCY.iter().filter(|p| **p != "dist") {
        let Some(node) = table.get(param) else {
            continue;
        };
        if dist.params().contains(param) {
            continue;
        }
        let owner = DistKind::owning(param).map_or("another distribution", |d| d.name());
        let message = format!(
            "`{param}` is a parameter of {owner}, not of {}",
            dist.name()
        );
        let takes = dist.params().join(" and ");
        return Err(node
            .key_issue(IssueKind::NotApplicable, message)
            .hint(format!(
                "a {} latency takes {takes}; remove `{param}`",
                dist.name()
            )));
    }
    let param = |name: &str| param(table, dist, name);
    match dist {
        DistKind::Constant => Ok(Latency::Constant {
            value: param("value")?.0,
        }),
        DistKind::Uniform => {
            let (min, min_node) = param("min")?;
            let (max, _) = param("max")?;
            if min > max {
                let message = format!("min ({min}) must be <= max ({max})");
                return Err(min_node.issue(IssueKind::OutOfRange, message));
            }
            Ok(Latency::Uniform { min, max })
        }
        DistKind::Exponential => {
            let (mean, node) = param("mean")?;
            if mean <= 0.0 {
                return Err(node.issue(IssueKind::OutOfRange, "mean must be > 0"));
            }
            Ok(Latency::Exponential { mean })
        }
        DistKind::Lognormal => {
            let (p50, p50_node) = param("p50")?;
            let (p99, _) = param("p99")?;
            if p50 <= 0.0 {
                return Err(p50_node.issue(IssueKind::OutOfRange, "p50 must be > 0"));
            }
            if p50 > p99 {
                let message = format!("p50 ({p50}) must be <= p99 ({p99})");
                return Err(p50_node.issue(IssueKind::OutOfRange, message));
            }
            Ok(Latency::Lognormal { p50, p99 })
        }
    }
}

/// The parameter `name` of a `dist` latency table: present, finite and >= 0.
fn param<'t, 'i>(
    table: &Table<'t, 'i>,
    dist: DistKind,
    name: &str,
) -> Result<(f64, Node<'t, 'i>), Issue> {
    let hint = format!(
        "a {} latency takes {}",
        dist.name(),
        dist.params().join(" and ")
    );
    let node = table.require(name, &hint)?;
    Ok((node.non_negative()?, node))
}

/// A millisecond range: a bare integer or `{ min, max }` of integers.
pub(crate) fn range_ms(node: &Node<'_, '_>) -> Result<RangeMs, Issue> {
    if let toml::de::DeValue::Integer(_) = node.value {
        let value = node.uint(0, u64::MAX)?;
        return Ok(RangeMs {
            min: value,
            max: value,
        });
    }
    if !matches!(node.value, toml::de::DeValue::Table(_)) {
        let mut issue = node.wrong_type("an integer or a range { min = .., max = .. }");
        issue
            .hint
            .get_or_insert_with(|| "write { min = 150, max = 300 } or one integer".into());
        return Err(issue);
    }
    let table = node.table(schema::RANGE)?;
    let hint = "a range takes both min and max, e.g. { min = 150, max = 300 }";
    let min_node = table.require("min", hint)?;
    let min = min_node.uint(0, u64::MAX)?;
    let max = table.require("max", hint)?.uint(0, u64::MAX)?;
    if min > max {
        let message = format!("min ({min}) must be <= max ({max})");
        return Err(min_node.issue(IssueKind::OutOfRange, message));
    }
    Ok(RangeMs { min, max })
}
