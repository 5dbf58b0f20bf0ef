//! Systems without `/proc/stat`: machine-wide CPU time is not available.

pub(super) fn cpu_jiffies() -> Option<(u64, u64, usize)> {
    None
}

/// The affinity mask: not read on this platform.
pub(super) fn allowed_cpus() -> Option<Vec<usize>> {
    None
}

/// CPU topology: not read on this platform.
pub(super) fn cpu_topology(_cpu: usize) -> Option<(usize, usize, Vec<usize>)> {
    None
}

/// Pinning: not supported on this platform.
pub(super) fn pin_current_thread(_cpu: usize) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "CPU pinning is not supported here"))
}

/// The idle scheduling class: not supported on this platform.
pub(super) fn idle_priority_current_thread() -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "SCHED_IDLE is not supported here"))
}

/// CPU sets: not supported on this platform.
pub(super) fn restrict_current_thread(_cpus: &[usize]) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "CPU affinity is not supported here"))
}

/// Current resident set size: not read on this platform.
pub(super) fn current_rss_bytes() -> Option<u64> {
    None
}

/// A resettable peak RSS: not available on this platform.
pub(super) fn reset_peak_rss() -> bool {
    false
}

/// Peak RSS since a reset: not available on this platform.
pub(super) fn peak_rss_bytes() -> Option<u64> {
    None
}

/// Every process's CPU: not read on this platform.
pub(super) fn process_ticks() -> Option<Vec<(u32, bool, f64)>> {
    None
}
