//! Fingerprint facts that need OS-specific files, on platforms without such a reader: unknown.

/// Nominal CPU frequency, MHz: not read on this platform.
pub(super) fn nominal_mhz() -> Option<u64> {
    None
}

/// Hypervisor or container: not detected on this platform.
pub(super) fn virtualization() -> Option<String> {
    None
}

/// Noise-relevant settings: not read on this platform.
pub(super) fn environment() -> std::collections::BTreeMap<String, String> {
    std::collections::BTreeMap::new()
}
