//! A probe case's live state: the probe built (setup untimed) and moved to a thread of its
//! own, one sample at a time. A sample that does not come back by its deadline (threads stuck
//! in the primitive under test) is a timeout: the thread is left behind and the run goes on.

use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::RunConfig;
use super::sampling::{Stop, Taken, blank_record};
use crate::measure::{Sample, Usage, peak_rss_window};
use crate::probe::{self, Probe, ProbeEnv, ProbeError, ProbeSample};
use crate::results::{CaseRecord, CaseStatus, PROBE_PREFIX};
use crate::sweep::ProbeCase;

/// How long past its deadline a sample may take to come back before it counts as stuck.
const GRACE: Duration = Duration::from_secs(2);

/// A probe case ready to take samples.
pub(super) struct ProbeUnit {
    /// Deadlines of samples to take; closed to end the probe thread.
    orders: Option<Sender<Instant>>,
    samples: Receiver<Result<ProbeSample, ProbeError>>,
    /// The probe thread, joined on drop unless a sample got stuck in it.
    thread: Option<JoinHandle<()>>,
    timeout: Duration,
    /// The probe's [`Probe::lead_in`].
    pub(super) lead_in: Option<Duration>,
}

/// The case's record and, unless setup failed, its live state.
pub(super) fn setup(
    case: &ProbeCase,
    config: &RunConfig,
    env: &ProbeEnv,
) -> (CaseRecord, Option<ProbeUnit>) {
    let mut rec = blank_record(
        &case.scenario,
        &case.key,
        &case.group,
        &case.variant,
        &format!("{PROBE_PREFIX}{}", case.kind),
        &case.params,
    );
    rec.param_values = case.param_values();
    match probe::build(&case.variant, &case.config, env) {
        Ok(probe) => {
            rec.workers = probe.units();
            rec.unit = probe.metric().unit.to_string();
            match ProbeUnit::start(probe, case.timeout.unwrap_or(config.timeout)) {
                Ok(unit) => (rec, Some(unit)),
                Err(e) => {
                    rec.status = CaseStatus::Failed;
                    rec.reason = Some(format!("starting the probe thread: {e}"));
                    (rec, None)
                }
            }
        }
        Err(e) => {
            rec.status = match e {
                ProbeError::Unsupported(_) => CaseStatus::Unsupported,
                ProbeError::Deadlock(_) => CaseStatus::Deadlock,
                _ => CaseStatus::Failed,
            };
            rec.reason = Some(e.to_string());
            (rec, None)
        }
    }
}

impl ProbeUnit {
    /// Moves `probe` to a thread of its own, where it takes samples on order and is dropped
    /// when the unit is.
    pub(super) fn start(probe: Box<dyn Probe>, timeout: Duration) -> std::io::Result<ProbeUnit> {
        let lead_in = probe.lead_in();
        let (orders, inbox) = crossbeam_channel::bounded::<Instant>(1);
        let (outbox, samples) = crossbeam_channel::bounded(1);
        let thread =
            std::thread::Builder::new().name("gilbench-probe".into()).spawn(move || {
                let mut probe = probe;
                while let Ok(deadline) = inbox.recv() {
                    if outbox.send(probe.sample(deadline)).is_err() {
                        break;
                    }
                }
            })?;
        Ok(ProbeUnit { orders: Some(orders), samples, thread: Some(thread), timeout, lead_in })
    }

    /// Takes one sample on the probe thread, waiting for it at most [`GRACE`] past its
    /// deadline.
    fn take(&mut self, deadline: Instant) -> Result<ProbeSample, ProbeError> {
        let gone = || ProbeError::Failed("the probe thread has ended".into());
        self.orders.as_ref().ok_or_else(gone)?.send(deadline).map_err(|_| gone())?;
        let wait = deadline.saturating_duration_since(Instant::now()) + GRACE;
        match self.samples.recv_timeout(wait) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                // Threads stuck in the primitive under test cannot be stopped from here:
                // leave them, and never join the thread that waits for them.
                self.thread = None;
                self.orders = None;
                Err(ProbeError::Stuck(GRACE))
            }
            Err(RecvTimeoutError::Disconnected) => {
                // The thread ended without an answer: a panic in the probe.
                let panicked = self.thread.take().and_then(|t| t.join().err());
                Err(match panicked {
                    Some(payload) => ProbeError::Failed(format!(
                        "the probe panicked: {}",
                        payload
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| payload.downcast_ref::<String>().cloned())
                            .unwrap_or_default()
                    )),
                    None => gone(),
                })
            }
        }
    }

    /// One sample; `spent` is what the case has used of its timeout.
    pub(super) fn sample(&mut self, config: &RunConfig, spent: Duration) -> Result<Taken, Stop> {
        let deadline = Instant::now() + self.timeout.saturating_sub(spent);
        let before = Usage::this_process();
        let peak = peak_rss_window();
        let s = self.take(deadline).map_err(|e| {
            let status = match e {
                _ if config.cancel.load(Ordering::Relaxed) => CaseStatus::Interrupted,
                ProbeError::Timeout | ProbeError::Stuck(_) => CaseStatus::Timeout,
                ProbeError::Interrupted => CaseStatus::Interrupted,
                ProbeError::Unsupported(_) => CaseStatus::Unsupported,
                ProbeError::Deadlock(_) => CaseStatus::Deadlock,
                _ => CaseStatus::Failed,
            };
            Stop { status, reason: e.to_string() }
        })?;
        let peak_rss_bytes = peak.read();
        let usage = Usage::this_process().since(&before).plus(&s.worker_usage);
        Ok(Taken {
            sample: Sample {
                wall_s: s.wall.as_secs_f64(),
                usage,
                peak_rss_bytes,
                worker_peak_rss_bytes: None,
                at_s: None,
                value: None,
            },
            value: s.value,
            counters: s.counters,
        })
    }
}

impl Drop for ProbeUnit {
    /// Ends the probe thread, which drops the probe there (its peers are stopped and reaped),
    /// and waits for it.
    fn drop(&mut self) {
        self.orders = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::probe::Metric;

    /// A probe whose second sample never returns, as threads stuck in a primitive would.
    struct Hangs {
        taken: u32,
        released: Arc<AtomicBool>,
    }

    impl Probe for Hangs {
        fn metric(&self) -> Metric {
            Metric { name: "ops", unit: "ops/s" }
        }
        fn sample(&mut self, _deadline: Instant) -> Result<ProbeSample, ProbeError> {
            self.taken += 1;
            while self.taken > 1 && !self.released.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(ProbeSample {
                value: 1.0,
                wall: Duration::from_millis(1),
                counters: Default::default(),
                worker_usage: Usage::default(),
            })
        }
        fn units(&self) -> usize {
            1
        }
    }

    #[test]
    fn a_sample_that_never_returns_is_a_timeout_and_the_caller_goes_on() {
        let released = Arc::new(AtomicBool::new(false));
        let probe = Hangs { taken: 0, released: Arc::clone(&released) };
        let mut unit = ProbeUnit::start(Box::new(probe), Duration::from_secs(60)).unwrap();
        assert!(unit.take(Instant::now() + Duration::from_millis(50)).is_ok());
        let start = Instant::now();
        let stuck = unit.take(Instant::now() + Duration::from_millis(50));
        assert!(matches!(stuck, Err(ProbeError::Stuck(_))), "{stuck:?}");
        assert!(start.elapsed() < GRACE + Duration::from_secs(5), "{:?}", start.elapsed());
        // Dropping the unit must not wait for the stuck thread.
        let start = Instant::now();
        drop(unit);
        assert!(start.elapsed() < Duration::from_secs(1));
        released.store(true, Ordering::Relaxed);
    }

    #[test]
    fn a_panicking_probe_fails_its_case_with_the_message() {
        struct Panics;
        impl Probe for Panics {
            fn metric(&self) -> Metric {
                Metric { name: "ops", unit: "ops/s" }
            }
            fn sample(&mut self, _deadline: Instant) -> Result<ProbeSample, ProbeError> {
                panic!("index out of range in the probe");
            }
            fn units(&self) -> usize {
                1
            }
        }
        let mut unit = ProbeUnit::start(Box::new(Panics), Duration::from_secs(60)).unwrap();
        let e = unit.take(Instant::now() + Duration::from_secs(5)).expect_err("no sample");
        assert!(e.to_string().contains("panicked: index out of range in the probe"), "{e}");
        drop(unit);
    }

    #[test]
    fn dropping_the_unit_drops_the_probe_on_its_thread_before_returning() {
        struct Flags(Arc<AtomicBool>);
        impl Drop for Flags {
            fn drop(&mut self) {
                std::thread::sleep(Duration::from_millis(100));
                self.0.store(true, Ordering::SeqCst);
            }
        }
        struct Owns(#[allow(dead_code)] Flags);
        impl Probe for Owns {
            fn metric(&self) -> Metric {
                Metric { name: "ops", unit: "ops/s" }
            }
            fn sample(&mut self, _deadline: Instant) -> Result<ProbeSample, ProbeError> {
                Err(ProbeError::Failed("no figure".into()))
            }
            fn units(&self) -> usize {
                1
            }
        }
        let dropped = Arc::new(AtomicBool::new(false));
        let unit =
            ProbeUnit::start(Box::new(Owns(Flags(Arc::clone(&dropped)))), Duration::MAX).unwrap();
        drop(unit);
        assert!(
            dropped.load(Ordering::SeqCst),
            "the probe's cleanup finished before drop returned"
        );
    }
}
