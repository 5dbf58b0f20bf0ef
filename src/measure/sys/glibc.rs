//! glibc: hand freed heap memory back to the kernel. glibc keeps a heap arena per thread that
//! ever allocated, and keeps what those arenas freed; without a trim between comparison groups
//! a long run's own RSS climbs with every thread-heavy probe (allocator retention, not a leak).

/// Returns free heap pages of every arena to the kernel.
pub(super) fn trim_heap() {
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}
