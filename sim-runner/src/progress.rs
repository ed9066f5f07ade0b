//! How far a fuzz run is, on stderr: an indicatif bar when stderr is a terminal, and plain
//! lines every [`PLAIN_EVERY`] otherwise (CI logs, pipes), so logs stay readable. Findings
//! are printed as they are made, above the bar. Nothing here goes to stdout, which holds
//! the report.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a plain progress line is printed.
pub const PLAIN_EVERY: Duration = Duration::from_secs(10);

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_line: Instant,
    /// Seeds in the plan, when it is bounded by `--seeds`.
    total: Option<u64>,
    done: u64,
    findings: u64,
}

impl Progress {
    /// `total`: seeds in the plan if known; `time`: the `--time` budget if any.
    pub fn new(total: Option<u64>, time: Option<Duration>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let style = match (total, time) {
                (Some(_), None) => "{bar:30} {pos}/{len} seeds  {msg}  [{elapsed_precise} < {eta}]",
                _ => "{spinner} {pos} seeds  {msg}  [{elapsed_precise}]",
            };
            let b = match (total, time) {
                (Some(n), None) => ProgressBar::new(n),
                _ => ProgressBar::new_spinner(),
            };
            if let Ok(st) = ProgressStyle::with_template(style) {
                b.set_style(st);
            }
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        let now = Instant::now();
        Progress {
            bar,
            started: now,
            last_line: now,
            total,
            done: 0,
            findings: 0,
        }
    }

    /// One more seed done (and whether it was a finding).
    pub fn seed_done(&mut self, finding: bool) {
        self.done += 1;
        self.findings += u64::from(finding);
        let rate = self.rate();
        match &self.bar {
            Some(b) => {
                b.set_position(self.done);
                b.set_message(format!("{} findings, {rate:.0} seeds/s", self.findings));
            }
            None if self.last_line.elapsed() >= PLAIN_EVERY => {
                self.last_line = Instant::now();
                let of = self.total.map_or(String::new(), |t| format!(" of {t}"));
                eprintln!(
                    "fuzz: {} seeds{of}, {} findings, {rate:.0} seeds/s, {:.0} s",
                    self.done,
                    self.findings,
                    self.started.elapsed().as_secs_f64()
                );
            }
            None => {}
        }
    }

    /// A line above the bar (or a plain line).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Seeds per second so far.
    pub fn rate(&self) -> f64 {
        self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
