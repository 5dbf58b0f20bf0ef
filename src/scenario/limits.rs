//! The limits a scenario's values are checked against: most workers, tasks and bytes, the
//! longest task, timeout and switch interval. A value past one is refused, not clamped.

use std::time::Duration;

use super::values::{GIB, MIB};

/// Most units a case may use.
pub(super) const MAX_WORKERS: u64 = 4096;
/// Most tasks per sample.
pub(super) const MAX_TASKS: u64 = 10_000_000;
/// Largest payload per task, each way.
pub(super) const MAX_PAYLOAD: u64 = GIB;
/// Largest `io-file` file.
pub(super) const MAX_FILE_BYTES: u64 = GIB;
/// Largest `io-net` response.
pub(super) const MAX_RESPONSE_BYTES: u64 = 256 * MIB;
/// Most `cpu` kernel iterations per task.
pub(super) const MAX_ITERATIONS: u64 = 1_000_000_000_000;
/// Longest task, sleep or server delay.
pub(super) const MAX_TASK_TIME: Duration = Duration::from_secs(60);
/// Longest per-case timeout.
pub(super) const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest GIL switch interval.
pub(super) const MAX_SWITCH_INTERVAL: Duration = Duration::from_secs(1);
