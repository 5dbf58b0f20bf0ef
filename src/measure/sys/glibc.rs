//! glibc: hand freed heap memory back to the kernel. glibc keeps a heap arena per thread that
//! ever allocated, and keeps what those arenas freed; without a trim between comparison groups
//! a long run's own RSS climbs with every thread-heavy probe (allocator retention, not a leak).
//! Its sliding mmap threshold makes it worse: once a large buffer is freed, buffers of that
//! size come from the thread's arena, whose top (up to twice that size) `malloc_trim` never
//! returns, so every arena could keep 8 MiB after a 4 MiB message case.

/// glibc's documented default mmap threshold, 128 KiB.
const MMAP_THRESHOLD: i32 = 128 * 1024;

/// Returns free heap pages of every arena to the kernel.
pub(super) fn trim_heap() {
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Fixes the mmap and trim thresholds at glibc's defaults (turning off their sliding): a
/// buffer of 128 KiB or more is mapped on its own and unmapped when freed, in every thread.
pub(super) fn pin_allocator() {
    // SAFETY: mallopt only sets glibc's own tunables; any value is accepted or refused.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, MMAP_THRESHOLD);
    }
}
