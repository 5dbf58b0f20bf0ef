//! Fingerprint facts read from Linux files: the nominal CPU clock (`cpufreq`) and hypervisor or
//! container hints (DMI, the `hypervisor` CPU flag, `/.dockerenv`, `/proc/1/cgroup`).
//! Every read is optional; a missing or unreadable file means "not known".

use std::path::Path;

use super::{container_from_cgroup, hypervisor_from_dmi};

/// Nominal CPU frequency, MHz: `base_frequency`, else `cpuinfo_max_freq` (both in kHz).
pub(super) fn nominal_mhz() -> Option<u64> {
    ["base_frequency", "cpuinfo_max_freq"]
        .iter()
        .filter_map(|f| read(&format!("/sys/devices/system/cpu/cpu0/cpufreq/{f}")))
        .filter_map(|s| s.trim().parse::<u64>().ok())
        .find(|&khz| khz > 0)
        .map(|khz| khz / 1000)
}

/// Hypervisor and container, e.g. `"kvm, docker container"`, if any hint is present.
pub(super) fn virtualization() -> Option<String> {
    let mut found = Vec::new();
    let vendor = read("/sys/class/dmi/id/sys_vendor").unwrap_or_default();
    let product = read("/sys/class/dmi/id/product_name").unwrap_or_default();
    if let Some(name) = hypervisor_from_dmi(vendor.trim(), product.trim()) {
        found.push(name.to_string());
    } else if let Some(kind) = read("/sys/hypervisor/type").filter(|t| !t.trim().is_empty()) {
        found.push(kind.trim().to_string());
    } else if cpu_flag_hypervisor() {
        found.push("virtual machine (hypervisor cpu flag)".to_string());
    }
    let container = if Path::new("/.dockerenv").exists() {
        Some("docker")
    } else if Path::new("/run/.containerenv").exists() {
        Some("podman")
    } else {
        read("/proc/1/cgroup").as_deref().and_then(container_from_cgroup)
    };
    if let Some(c) = container {
        found.push(format!("{c} container"));
    }
    if found.is_empty() { None } else { Some(found.join(", ")) }
}

/// Whether the first CPU in `/proc/cpuinfo` lists the `hypervisor` flag (x86).
fn cpu_flag_hypervisor() -> bool {
    read("/proc/cpuinfo")
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("flags"))
                .map(|l| l.split_whitespace().any(|f| f == "hypervisor"))
        })
        .unwrap_or(false)
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Settings that add noise to timings, where the kernel tells: frequency governor, turbo, SMT,
/// the cpuidle driver, ASLR, isolated CPUs.
pub(super) fn environment() -> std::collections::BTreeMap<String, String> {
    let mut env = std::collections::BTreeMap::new();
    let mut put = |key: &str, path: &str| {
        if let Some(v) = read(path).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            env.insert(key.to_string(), v);
        }
    };
    put("governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
    put("intel_no_turbo", "/sys/devices/system/cpu/intel_pstate/no_turbo");
    put("boost", "/sys/devices/system/cpu/cpufreq/boost");
    put("smt_active", "/sys/devices/system/cpu/smt/active");
    put("cpuidle_driver", "/sys/devices/system/cpu/cpuidle/current_driver");
    put("aslr", "/proc/sys/kernel/randomize_va_space");
    put("isolated_cpus", "/sys/devices/system/cpu/isolated");
    env
}
