//! The machine fingerprint carried by every run: CPU, cores, the CPU set this process may use,
//! memory, OS and kernel, host name, virtualisation, load at start, toolchain and version.

use serde::{Deserialize, Serialize};

/// What machine a run was measured on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
}

/// Reads the fingerprint of this machine.
pub fn fingerprint() -> Machine {
    let logical = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    Machine {
        logical_cpus: logical,
        usable_cpus: logical,
        gilbench_version: env!("CARGO_PKG_VERSION").to_string(),
        ..Machine::default()
    }
}
