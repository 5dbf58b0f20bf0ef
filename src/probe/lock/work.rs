//! Busy work of a calibrated length: what a critical section (or the work between two lock
//! operations) does. A loop of opaque steps, never a sleep, so its time is CPU time.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Steps of one calibration run (about 50 µs: short, so a preemption spoils few runs).
const CALIBRATION_STEPS: u64 = 200_000;
/// Calibration runs; the fastest counts.
const CALIBRATION_RUNS: usize = 40;

/// A fixed number of busy-loop steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Work {
    /// Loop steps per run.
    pub steps: u64,
}

impl Work {
    /// Work that takes about `d` on this machine (none for zero).
    pub fn lasting(d: Duration) -> Work {
        if d.is_zero() {
            return Work { steps: 0 };
        }
        let steps = (d.as_secs_f64() * 1e9 * steps_per_ns()).round().max(1.0);
        Work { steps: steps as u64 }
    }

    /// Runs it.
    #[inline]
    pub fn run(self) {
        for i in 0..self.steps {
            std::hint::black_box(i);
        }
    }
}

/// Busy-loop steps per nanosecond, measured once per process (the fastest of many short
/// runs, so a busy machine's preemptions do not make the work shorter than asked).
pub fn steps_per_ns() -> f64 {
    static RATE: OnceLock<f64> = OnceLock::new();
    *RATE.get_or_init(|| {
        let work = Work { steps: CALIBRATION_STEPS };
        let best = (0..CALIBRATION_RUNS)
            .map(|_| {
                let t = Instant::now();
                work.run();
                t.elapsed()
            })
            .min()
            .unwrap_or(Duration::from_millis(1));
        CALIBRATION_STEPS as f64 / (best.as_nanos().max(1) as f64)
    })
}
