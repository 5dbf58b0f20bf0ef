//! The machine fingerprint carried by every run: CPU, cores, the CPU set this process may use,
//! memory, OS and kernel, host name, virtualisation, load at start, toolchain and version.
//!
//! Portable facts come from `sysinfo` (CPU and memory only: no process scan); what only the OS
//! can tell (hypervisor and container hints, the nominal clock) comes from one leaf file per
//! platform. Reading never panics: anything unknown is `None` or `"unknown"`.

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

#[cfg(target_os = "linux")]
#[path = "host/linux.rs"]
mod sys;
#[cfg(not(target_os = "linux"))]
#[path = "host/fallback.rs"]
mod sys;

/// What machine a run was measured on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Machine {
    /// Host name.
    pub hostname: String,
    /// CPU brand string.
    pub cpu_brand: String,
    /// CPU architecture.
    pub arch: String,
    /// Physical cores, if known.
    pub physical_cores: Option<usize>,
    /// Logical CPUs in the machine.
    pub logical_cpus: usize,
    /// CPUs this process may run on (affinity and cgroup quota applied).
    pub usable_cpus: usize,
    /// Nominal frequency, MHz, if readable.
    pub cpu_mhz: Option<u64>,
    /// Total memory, bytes.
    pub memory_bytes: u64,
    /// OS name and version.
    pub os: String,
    /// Kernel version.
    pub kernel: String,
    /// Hypervisor or container, if detectable.
    pub virtualization: Option<String>,
    /// 1, 5 and 15 minute load averages at the start of the run.
    pub load_avg: [f64; 3],
    /// rustc version that built gilbench.
    pub rustc: String,
    /// gilbench version.
    pub gilbench_version: String,
    /// git revision gilbench was built from, if known.
    pub git_rev: Option<String>,
    /// Settings that add noise where readable (`governor`, `boost`, `intel_no_turbo`,
    /// `smt_active`, `cpuidle_driver`, `aslr`, `isolated_cpus`), as the kernel writes them.
    #[serde(default)]
    pub environment: std::collections::BTreeMap<String, String>,
}

impl Machine {
    /// Settings known to add noise to timings, in words (empty when none is known).
    pub fn noise_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let env = &self.environment;
        if let Some(g) = env.get("governor").filter(|g| g.as_str() != "performance") {
            out.push(format!(
                "CPU frequency governor `{g}`: the clock changes with load (`performance` holds it)"
            ));
        }
        if env.get("boost").is_some_and(|b| b == "1")
            || env.get("intel_no_turbo").is_some_and(|t| t == "0")
        {
            out.push("turbo boost is on: the clock depends on temperature and active cores".into());
        }
        if env.get("smt_active").is_some_and(|s| s == "1") {
            out.push("SMT is on: two units on sibling threads share one core".into());
        }
        if let Some(v) = &self.virtualization {
            out.push(format!("{v}: the hypervisor and other tenants add noise"));
        }
        out
    }
}

/// What an unknown text field holds.
pub(crate) const UNKNOWN: &str = "unknown";

/// Reads the fingerprint of this machine.
pub fn fingerprint() -> Machine {
    let refresh = RefreshKind::nothing()
        .with_cpu(CpuRefreshKind::nothing().with_frequency())
        .with_memory(MemoryRefreshKind::nothing().with_ram());
    let system = System::new_with_specifics(refresh).ok();
    let cpus = system.as_ref().map(|s| s.cpus()).unwrap_or_default();

    let usable = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let logical = cpus.len().max(usable);
    let cpu_brand = cpus.first().map(|c| c.brand().trim().to_string());
    let current_mhz = cpus.first().map(|c| c.frequency()).filter(|&f| f > 0);
    let arch = Some(System::cpu_arch()).filter(|a| !a.is_empty() && a != UNKNOWN);
    let load = System::load_average().ok().map(|l| [l.one, l.five, l.fifteen]);

    Machine {
        hostname: known(System::host_name().ok()),
        cpu_brand: known(cpu_brand),
        arch: arch.unwrap_or_else(|| std::env::consts::ARCH.to_string()),
        physical_cores: System::physical_core_count().ok().filter(|&n| n > 0),
        logical_cpus: logical,
        usable_cpus: usable.min(logical),
        cpu_mhz: sys::nominal_mhz().or(current_mhz),
        memory_bytes: system.as_ref().map(|s| s.total_memory()).unwrap_or(0),
        os: os_name(),
        kernel: known(System::kernel_version().ok()),
        virtualization: sys::virtualization(),
        load_avg: load.filter(|l| l.iter().all(|x| x.is_finite())).unwrap_or([0.0; 3]),
        rustc: env!("GILBENCH_RUSTC_VERSION").to_string(),
        gilbench_version: env!("CARGO_PKG_VERSION").to_string(),
        git_rev: Some(env!("GILBENCH_GIT_REV").to_string()).filter(|r| !r.is_empty()),
        environment: sys::environment(),
    }
}

/// "Debian GNU/Linux 12", else the long OS version, else the target OS.
fn os_name() -> String {
    match (System::name().ok(), System::os_version().ok()) {
        (Some(name), Some(version)) if !name.is_empty() && !version.is_empty() => {
            format!("{name} {version}")
        }
        _ => System::long_os_version()
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| std::env::consts::OS.to_string()),
    }
}

fn known(value: Option<String>) -> String {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).unwrap_or_else(|| UNKNOWN.into())
}

/// Names the hypervisor a firmware vendor / product string points to (DMI `sys_vendor`,
/// `product_name`), or `None` for what looks like bare metal.
pub(crate) fn hypervisor_from_dmi(vendor: &str, product: &str) -> Option<&'static str> {
    let text = format!("{vendor} {product}").to_ascii_lowercase();
    const KNOWN: [(&str, &str); 12] = [
        ("firecracker", "firecracker"),
        ("qemu", "qemu"),
        ("kvm", "kvm"),
        ("vmware", "vmware"),
        ("virtualbox", "virtualbox"),
        ("innotek", "virtualbox"),
        ("xen", "xen"),
        ("parallels", "parallels"),
        ("bochs", "bochs"),
        ("amazon ec2", "aws ec2"),
        ("google compute engine", "gce"),
        ("virtual machine", "hyper-v"),
    ];
    KNOWN.iter().find(|(needle, _)| text.contains(needle)).map(|&(_, name)| name)
}

/// Names the container runtime a `/proc/1/cgroup` text points to, if any.
pub(crate) fn container_from_cgroup(cgroup: &str) -> Option<&'static str> {
    const KNOWN: [(&str, &str); 5] = [
        ("kubepods", "kubernetes"),
        ("docker", "docker"),
        ("libpod", "podman"),
        ("lxc", "lxc"),
        ("containerd", "containerd"),
    ];
    KNOWN.iter().find(|(needle, _)| cgroup.contains(needle)).map(|&(_, name)| name)
}

#[cfg(test)]
mod tests;
