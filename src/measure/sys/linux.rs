//! Linux: the machine-wide CPU time from `/proc/stat`, CPU topology and affinity, and this
//! process's resident set size and resettable peak (`/proc/self/clear_refs`, `VmHWM`).

/// (busy, total) jiffies summed over every CPU, from the first line of `/proc/stat`, and the
/// number of CPUs it lists.
pub(super) fn cpu_jiffies() -> Option<(u64, u64, usize)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpus = stat.lines().filter(|l| l.starts_with("cpu") && !l.starts_with("cpu ")).count();
    let line = stat.lines().next()?;
    let fields: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal ...
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    let total: u64 = fields.iter().take(8).sum();
    Some((total.saturating_sub(idle), total, cpus.max(1)))
}

/// CPUs this process may run on (its affinity mask).
pub(super) fn allowed_cpus() -> Option<Vec<usize>> {
    let set = rustix::thread::sched_getaffinity(None).ok()?;
    Some((0..rustix::thread::CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).collect())
}

/// (core id, package id, SMT siblings) of `cpu`, from sysfs.
pub(super) fn cpu_topology(cpu: usize) -> Option<(usize, usize, Vec<usize>)> {
    let base = format!("/sys/devices/system/cpu/cpu{cpu}/topology");
    let num = |name: &str| -> Option<usize> {
        std::fs::read_to_string(format!("{base}/{name}")).ok()?.trim().parse().ok()
    };
    let siblings = std::fs::read_to_string(format!("{base}/thread_siblings_list"))
        .ok()
        .map(|s| parse_cpu_list(s.trim()))
        .unwrap_or_else(|| vec![cpu]);
    Some((num("core_id")?, num("physical_package_id")?, siblings))
}

/// `0-3,8,10-11` → [0, 1, 2, 3, 8, 10, 11].
pub(super) fn parse_cpu_list(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                    out.extend(a..=b.min(a + 4096));
                }
            }
            None => out.extend(part.parse::<usize>().ok()),
        }
    }
    out
}

/// Pins the calling thread to `cpu`.
pub(super) fn pin_current_thread(cpu: usize) -> std::io::Result<()> {
    restrict_current_thread(&[cpu])
}

/// Restricts the calling thread (and the threads and processes it starts later) to `cpus`.
pub(super) fn restrict_current_thread(cpus: &[usize]) -> std::io::Result<()> {
    let mut set = rustix::thread::CpuSet::new();
    for &cpu in cpus {
        if cpu >= rustix::thread::CpuSet::MAX_CPU {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("CPU {cpu} is beyond the largest CPU number this system supports"),
            ));
        }
        set.set(cpu);
    }
    rustix::thread::sched_setaffinity(None, &set).map_err(std::io::Error::from)
}

/// Puts the calling thread in the idle scheduling class: it runs only when nothing else wants
/// its CPU.
pub(super) fn idle_priority_current_thread() -> std::io::Result<()> {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: plain syscall on the calling thread (pid 0) with a valid, initialised parameter.
    let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// Resident set size of this process now, bytes (from `/proc/self/statm`).
pub(super) fn current_rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a constant of the running system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok().filter(|&p| p > 0)?)
}

/// Resets this process's peak RSS (`VmHWM`) to its current RSS: writing `5` to
/// `/proc/self/clear_refs` (Linux 4.0 and later) touches nothing but that mark.
pub(super) fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", b"5").is_ok()
}

/// This process's peak RSS since the last reset, bytes (`VmHWM` in `/proc/self/status`).
pub(super) fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Every process's own CPU clock ticks so far (user + system, from `/proc/<pid>/stat`), as
/// (pid, whether it is this process or one of its descendants, ticks). Reaped children's time
/// is left out: a parent that reaps a long-running child would count all of its life at once.
pub(super) fn process_ticks() -> Option<Vec<(u32, bool, f64)>> {
    let me = std::process::id();
    let mut procs: Vec<(u32, u32, f64)> = Vec::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let f: Vec<&str> = rest.split_whitespace().collect();
        // After the command: ppid is the 2nd field; utime and stime the 12th and 13th.
        let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        let ppid = f.get(1).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
        procs.push((pid, ppid, n(11) + n(12)));
    }
    let mut tree = vec![me];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(procs.iter().filter(|p| p.1 == parent && p.0 != parent).map(|p| p.0));
        i += 1;
    }
    Some(procs.into_iter().map(|(pid, _, ticks)| (pid, tree.contains(&pid), ticks)).collect())
}
