//! Renders runner events: an indicatif bar with the current case and an ETA on a terminal
//! (none with `-q`), moved by every sampling round so the ETA moves smoothly; where standard error is not a terminal (CI logs), a plain line per
//! comparison group with the time spent and an estimate of the time left; one line per failed
//! case, and with `-v` one line per finished case.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use gilbench::results::CaseStatus;
use gilbench::runner::Event;

use super::Verbosity;

/// Bar steps per case: a group's rounds move the bar within its cases.
const STEPS: u64 = 100;

/// Turns events into terminal output on stderr.
pub(crate) struct Progress {
    bar: ProgressBar,
    verbosity: Verbosity,
    /// Plain lines instead of the bar: standard error is not a terminal.
    plain: bool,
    started: Instant,
    done: usize,
    total: usize,
    /// Cases in the running group.
    group: usize,
}

impl Progress {
    pub(crate) fn new(verbosity: Verbosity) -> Progress {
        // indicatif draws nothing when stderr is not a terminal.
        let target = match verbosity {
            Verbosity::Quiet => ProgressDrawTarget::hidden(),
            _ => ProgressDrawTarget::stderr(),
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {prefix} cases  eta {eta}  {msg}")
                .expect("invariant: the template is valid"),
        );
        let plain = verbosity != Verbosity::Quiet && !std::io::stderr().is_terminal();
        Progress { bar, verbosity, plain, started: Instant::now(), done: 0, total: 0, group: 0 }
    }

    /// `[12/576 cases, 8s spent, about 1m 20s left] key (n cases)`: the estimate scales the
    /// time spent by the cases still to come.
    fn plain_line(&self, key: &str, cases: usize) -> String {
        let spent = self.started.elapsed();
        let left = if self.done == 0 {
            "time left not known yet".to_string()
        } else {
            let per_case = spent.as_secs_f64() / self.done as f64;
            let left = per_case * self.total.saturating_sub(self.done) as f64;
            format!("about {} left", show(Duration::from_secs_f64(left)))
        };
        format!(
            "[{}/{} cases, {} spent, {left}] {key} ({cases} cases)",
            self.done,
            self.total,
            show(spent)
        )
    }

    pub(crate) fn on_event(&mut self, event: &Event) {
        match event {
            Event::Calibrating => self.bar.set_message("calibrating clock, dispatch and kernel"),
            Event::Started { total } => {
                self.total = *total;
                self.started = Instant::now();
                self.bar.set_length(*total as u64 * STEPS);
                self.bar.set_prefix(format!("0/{total}"));
            }
            Event::GroupStarted { key, cases } => {
                self.group = *cases;
                if self.plain {
                    eprintln!("{}", self.plain_line(key, *cases));
                }
                self.bar.set_message(format!("{key} ({cases} cases interleaved)"))
            }
            Event::Waiting { load_cpus, waited_s } => self.bar.set_message(format!(
                "waiting for a quiet machine: other processes use {load_cpus:.1} CPUs ({waited_s:.0} s)"
            )),
            Event::RoundFinished { fraction, .. } => {
                // Never the whole group: it ends when its cases are recorded.
                let within = (self.group as f64 * STEPS as f64 * fraction.min(0.95)) as u64;
                self.bar.set_position(self.done as u64 * STEPS + within);
            }
            Event::CaseFinished { key, status, reason, median_s, .. } => {
                self.done += 1;
                self.bar.set_position(self.done as u64 * STEPS);
                self.bar.set_prefix(format!("{}/{}", self.done, self.total));
                if *status != CaseStatus::Ok {
                    let why = reason.as_deref().unwrap_or("");
                    self.bar.suspend(|| eprintln!("{status:?}: {key}: {why}"));
                } else if self.verbosity == Verbosity::Verbose {
                    let median = median_s.map_or("-".into(), |s| format!("{:.3} ms", s * 1e3));
                    self.bar.suspend(|| eprintln!("Ok: {key}: median {median}"));
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A duration rounded for a progress line: `1m 20s`, `8s`.
fn show(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 { format!("{}m {:02}s", s / 60, s % 60) } else { format!("{s}s") }
}
