//! Raw measurement: clocks, resource usage (CPU time, context switches), a process's peak RSS
//! over an interval, and the per-sample record. Returns raw numbers only: no statistics, no
//! printing.
//!
//! OS calls live in `sys/`, chosen on the `mod` line below.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[path = "sys/glibc.rs"]
mod heap;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
#[path = "sys/notrim.rs"]
mod heap;
#[cfg(target_os = "linux")]
#[path = "sys/linux.rs"]
mod os;
#[cfg(not(target_os = "linux"))]
#[path = "sys/fallback.rs"]
mod os;
pub mod placement;
mod sentinel;
#[cfg(unix)]
#[path = "sys/unix.rs"]
mod sys;

pub use sentinel::{SentinelReading, read_sentinel};

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Resource usage of a process (or a sum over processes) at one instant, or between two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Usage {
    /// User CPU time, seconds.
    pub user_s: f64,
    /// System CPU time, seconds.
    pub sys_s: f64,
    /// Voluntary context switches (the unit blocked or yielded).
    pub voluntary_cs: u64,
    /// Involuntary context switches (the unit was preempted).
    pub involuntary_cs: u64,
}

impl Usage {
    /// Usage of the calling process (all its threads).
    pub fn this_process() -> Usage {
        sys::usage_self()
    }

    /// Usage of the waited-for children of the calling process.
    pub fn children() -> Usage {
        sys::usage_children()
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Usage) -> Usage {
        Usage {
            user_s: (self.user_s - earlier.user_s).max(0.0),
            sys_s: (self.sys_s - earlier.sys_s).max(0.0),
            voluntary_cs: self.voluntary_cs.saturating_sub(earlier.voluntary_cs),
            involuntary_cs: self.involuntary_cs.saturating_sub(earlier.involuntary_cs),
        }
    }

    /// Sum of two usages.
    pub fn plus(&self, other: &Usage) -> Usage {
        Usage {
            user_s: self.user_s + other.user_s,
            sys_s: self.sys_s + other.sys_s,
            voluntary_cs: self.voluntary_cs + other.voluntary_cs,
            involuntary_cs: self.involuntary_cs + other.involuntary_cs,
        }
    }

    /// User plus system CPU seconds.
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// One timed sample of a case: the wall time of the batch and the resources it used, the
/// worker processes included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Sample {
    /// Wall time of the batch, seconds.
    pub wall_s: f64,
    /// CPU and context switches used by the batch (this process and its workers).
    pub usage: Usage,
    /// Peak resident set size of gilbench's own process during the sample, bytes: its
    /// high-water mark is reset right before the sample (absent where the platform cannot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
    /// The largest peak resident set size of one worker process during the sample, bytes
    /// (absent for in-process models and where the platform cannot reset the mark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_peak_rss_bytes: Option<u64>,
    /// When the sample started, seconds since the run started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
    /// The case's own figure for this sample, in the case's unit: the wall time for a
    /// workload, the probe's figure (a latency, a rate, bytes, a count) for a probe, whose
    /// `wall_s` is only its sampling window. Absent in runs written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// Resets this process's peak-RSS mark to its current RSS, so that [`peak_rss_bytes`] reads the
/// peak from now on; false where the platform cannot (then no peak is reported).
pub fn reset_peak_rss() -> bool {
    os::reset_peak_rss()
}

/// This process's peak resident set size since the last [`reset_peak_rss`], bytes; `None` where
/// the platform has no resettable mark (a lifetime maximum is never reported as a case's).
pub fn peak_rss_bytes() -> Option<u64> {
    os::peak_rss_bytes()
}

/// Resets the peak-RSS mark and returns a reader of the peak since then: `None` from the start
/// where the mark cannot be reset.
pub fn peak_rss_window() -> PeakRss {
    PeakRss { armed: reset_peak_rss() }
}

/// A window opened by [`peak_rss_window`].
#[derive(Debug, Clone, Copy)]
pub struct PeakRss {
    armed: bool,
}

impl PeakRss {
    /// The peak since the window opened.
    pub fn read(&self) -> Option<u64> {
        if self.armed { peak_rss_bytes() } else { None }
    }
}

/// Median cost of one `Instant::now()` read, in nanoseconds, over `reads` reads.
pub fn clock_read_cost_ns(reads: u32) -> f64 {
    let reads = reads.max(1);
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let mut last = start;
        for _ in 0..reads {
            last = std::hint::black_box(Instant::now());
        }
        let per = last.duration_since(start).as_nanos() as f64 / f64::from(reads);
        best = best.min(per);
    }
    best
}

/// Seconds in a duration, as f64.
pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// CPUs kept busy by other processes over `window`: the machine's busy CPU time (from the
/// kernel) minus this process's own, divided by the window. `None` where the kernel does not
/// say (non-Linux). 1.0 means one CPU's worth of other work.
pub fn others_load(window: Duration) -> Option<f64> {
    let (busy0, total0, cpus) = os::cpu_jiffies()?;
    let me0 = Usage::this_process().cpu_s();
    let start = Instant::now();
    std::thread::sleep(window);
    let (busy1, total1, _) = os::cpu_jiffies()?;
    let me1 = Usage::this_process().cpu_s();
    let elapsed = start.elapsed().as_secs_f64();
    let total = total1.saturating_sub(total0) as f64;
    if total <= 0.0 || elapsed <= 0.0 {
        return None;
    }
    // Jiffies are summed over every CPU of the machine: busy/total is the busy share of all.
    let busy_cpus = busy1.saturating_sub(busy0) as f64 / total * cpus as f64;
    Some((busy_cpus - (me1 - me0) / elapsed).max(0.0))
}

/// A window over which to tell how many CPUs other processes kept busy, without waiting: the
/// CPU time every live process but gilbench and what it started used meanwhile (a process
/// that started during the window counts whole; one that ended is not seen). Time the kernel
/// spends on no process's behalf (interrupts, the switches themselves) is left out: under a
/// fast ping-pong it is a large share of a CPU and says nothing about other programs.
#[derive(Debug, Clone)]
pub struct OthersWindow {
    ticks: std::collections::HashMap<u32, f64>,
    start: Instant,
}

impl OthersWindow {
    /// Opens the window; `None` where the platform does not say (non-Linux).
    pub fn open() -> Option<OthersWindow> {
        let ticks =
            os::process_ticks()?.into_iter().filter(|p| !p.1).map(|(pid, _, t)| (pid, t)).collect();
        Some(OthersWindow { ticks, start: Instant::now() })
    }

    /// CPUs other processes kept busy since the window opened (1.0 = one CPU's worth).
    pub fn close(&self) -> Option<f64> {
        let now = os::process_ticks()?;
        let elapsed = self.start.elapsed().as_secs_f64();
        if elapsed <= 0.0 {
            return None;
        }
        let used: f64 = now
            .iter()
            .filter(|p| !p.1)
            .map(|(pid, _, t)| (t - self.ticks.get(pid).copied().unwrap_or(0.0)).max(0.0))
            .sum();
        Some(used / clock_ticks_per_s() / elapsed)
    }
}

/// The kernel's clock ticks per second (USER_HZ), in which `/proc/stat` counts.
fn clock_ticks_per_s() -> f64 {
    // SAFETY: sysconf only reads a constant of the running system.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 { hz as f64 } else { 100.0 }
}

/// This process's resident set size right now, bytes, where the platform says.
pub fn current_rss_bytes() -> Option<u64> {
    os::current_rss_bytes()
}

/// Gives memory the allocator keeps but no longer uses back to the system (glibc keeps what
/// its per-thread arenas freed). The runner calls it between comparison groups, outside any
/// timed region, so gilbench's own footprint stays flat across a long run.
pub fn trim_heap() {
    heap::trim_heap();
}

/// Stops the allocator adapting its thresholds to what the run allocates (glibc's sliding
/// mmap threshold): large buffers are then mapped and unmapped on their own, so what one case
/// allocated is not kept for the next and measurements do not depend on allocation history.
/// The runner calls it once, before the first case; the probes reuse their large buffers, so
/// no timed loop pays for a mapping.
pub fn pin_allocator() {
    heap::pin_allocator();
}
