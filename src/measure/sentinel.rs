//! The drift sentinel: a fixed calibration pair timed at the start of a run, between
//! comparison groups and at the end — a short CPU kernel and a pipe round trip between two
//! threads. When it moves, the machine moved (frequency, a noisy neighbour, the hypervisor),
//! and comparisons measured meanwhile deserve less trust.

use std::hint::black_box;
use std::io::{Read, Write};
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// One reading of the sentinel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SentinelReading {
    /// Best of 5 timings of a fixed integer kernel, seconds.
    pub cpu_s: f64,
    /// Best of five medians of 100 one-byte round trips between two threads pinned to one
    /// CPU, over two pipes, seconds.
    pub pipe_rtt_s: f64,
}

impl SentinelReading {
    /// The relative change of each figure from `earlier` to `self`, as (CPU kernel, pipe round
    /// trip) (0.1 = 10 %).
    pub fn changes_from(&self, earlier: &SentinelReading) -> (f64, f64) {
        let rel = |a: f64, b: f64| if b > 0.0 { (a - b).abs() / b } else { 0.0 };
        (rel(self.cpu_s, earlier.cpu_s), rel(self.pipe_rtt_s, earlier.pipe_rtt_s))
    }

    /// The larger relative change of the two figures from `earlier` to `self` (0.1 = 10 %).
    pub fn drift_from(&self, earlier: &SentinelReading) -> f64 {
        let (cpu, pipe) = self.changes_from(earlier);
        cpu.max(pipe)
    }
}

fn kernel(rounds: u64) -> u64 {
    let mut x = black_box(0x9E37_79B9_7F4A_7C15u64);
    for i in 0..rounds {
        x ^= x >> 13;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9).wrapping_add(i);
    }
    black_box(x)
}

/// Round trips between two threads pinned to one CPU: a pair left to the scheduler is
/// bimodal on virtual machines (waking an idle vCPU costs several times a hand-off), which
/// would make the sentinel move when nothing else did.
fn pipe_rtt(round_trips: usize) -> Option<f64> {
    let cpu = super::placement::Topology::read().cpus.first().map(|c| c.id);
    std::thread::spawn(move || {
        if let Some(cpu) = cpu {
            let _ = super::placement::pin_current_thread(cpu);
        }
        pipe_rtt_on(round_trips, cpu)
    })
    .join()
    .ok()
    .flatten()
}

fn pipe_rtt_on(round_trips: usize, cpu: Option<usize>) -> Option<f64> {
    let (mut a_read, mut b_write) = std::io::pipe().ok()?;
    let (mut b_read, mut a_write) = std::io::pipe().ok()?;
    let echo = std::thread::spawn(move || {
        if let Some(cpu) = cpu {
            let _ = super::placement::pin_current_thread(cpu);
        }
        let mut byte = [0u8; 1];
        while a_read.read_exact(&mut byte).is_ok() {
            if a_write.write_all(&byte).is_err() {
                break;
            }
        }
    });
    let mut times = Vec::with_capacity(round_trips);
    let mut byte = [7u8; 1];
    for _ in 0..round_trips {
        let t = Instant::now();
        b_write.write_all(&byte).ok()?;
        b_read.read_exact(&mut byte).ok()?;
        times.push(t.elapsed().as_secs_f64());
    }
    drop(b_write);
    let _ = echo.join();
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied()
}

/// Takes one reading (about 10 ms: 5 kernel timings and 500 pipe round trips).
pub fn read_sentinel() -> SentinelReading {
    let mut cpu = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        kernel(1_000_000);
        cpu = cpu.min(t.elapsed().as_secs_f64());
    }
    // The best of five medians: one burst of other activity must not read as drift.
    let pipe = (0..5).filter_map(|_| pipe_rtt(100)).fold(f64::INFINITY, f64::min);
    SentinelReading { cpu_s: cpu, pipe_rtt_s: if pipe.is_finite() { pipe } else { f64::NAN } }
}
