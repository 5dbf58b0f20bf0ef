//! Process setup of forked workers on Unix systems without a parent-death signal: nothing to
//! do; workers still exit when their task stream ends.

/// No parent-death signal here; workers rely on the end of their input instead.
pub(super) fn die_with_parent(_server: u32) {}
