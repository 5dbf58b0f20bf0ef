//! Allocators other than glibc's: nothing to trim.

/// Nothing to do here.
pub(super) fn trim_heap() {}

/// Nothing to do here.
pub(super) fn pin_allocator() {}
