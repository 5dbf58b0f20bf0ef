//! Renders runner events: an indicatif bar with the current case and an ETA on a terminal
//! (none with `-q`), one line per failed case, and with `-v` one line per finished case.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use gilbench::results::CaseStatus;
use gilbench::runner::Event;

use super::Verbosity;

/// Turns events into terminal output on stderr.
pub(crate) struct Progress {
    bar: ProgressBar,
    verbosity: Verbosity,
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
            ProgressStyle::with_template("{bar:30} {pos}/{len} cases  eta {eta}  {msg}")
                .expect("invariant: the template is valid"),
        );
        Progress { bar, verbosity }
    }

    pub(crate) fn on_event(&mut self, event: &Event) {
        match event {
            Event::Calibrating => self.bar.set_message("calibrating clock, dispatch and kernel"),
            Event::Started { total } => self.bar.set_length(*total as u64),
            Event::GroupStarted { key, cases } => {
                self.bar.set_message(format!("{key} ({cases} cases interleaved)"))
            }
            Event::Waiting { load_cpus, waited_s } => self.bar.set_message(format!(
                "waiting for a quiet machine: other processes use {load_cpus:.1} CPUs ({waited_s:.0} s)"
            )),
            Event::CaseFinished { key, status, reason, median_s, .. } => {
                self.bar.inc(1);
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
