//! Renders runner events: an indicatif bar with the current case and an ETA on a terminal,
//! one line per failed case otherwise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use gilbench::results::CaseStatus;
use gilbench::runner::Event;

/// Turns events into terminal output on stderr.
pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub(crate) fn new() -> Progress {
        // indicatif draws nothing when stderr is not a terminal.
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} cases  eta {eta}  {msg}")
                .expect("invariant: the template is valid"),
        );
        Progress { bar }
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
            Event::CaseFinished { key, status, reason, .. } => {
                self.bar.inc(1);
                if *status != CaseStatus::Ok {
                    let why = reason.as_deref().unwrap_or("");
                    self.bar.suspend(|| eprintln!("{status:?}: {key}: {why}"));
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
