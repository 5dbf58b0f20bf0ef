//! What a run could leave behind, listed before and after it: gilbench helper processes (a
//! worker, fork server, peer or hog of the binary under test), gilbench names in /dev/shm, and
//! private scratch directories in the temp folder. Also the /proc reading the other test
//! modules share.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::exe;

/// One live process, as /proc shows it.
#[derive(Debug, Clone)]
pub(crate) struct Proc {
    pub(crate) pid: u32,
    pub(crate) ppid: u32,
    /// The state letter: R, S, D, Z...
    pub(crate) state: char,
    /// The command line (empty for a zombie).
    pub(crate) args: Vec<String>,
}

impl Proc {
    /// Whether this is the binary under test running hidden subcommand `sub` (`__worker`,
    /// `__ipcpeer`...), or any hidden subcommand for `"__"`.
    pub(crate) fn is_helper(&self, sub: &str) -> bool {
        let exe = exe();
        self.args.first().is_some_and(|a| *a == exe.to_string_lossy())
            && self.args.iter().skip(1).any(|a| a.starts_with(sub))
    }

    /// Whether hidden subcommand `sub` runs in this process, whoever started it.
    pub(crate) fn runs(&self, sub: &str) -> bool {
        self.args.iter().any(|a| a == sub)
    }
}

/// Every process /proc lists now (those that end while it is read are skipped).
pub(crate) fn processes() -> Vec<Proc> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid ...: the command may hold spaces and parentheses.
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let mut fields = rest.split_whitespace();
        let (Some(state), Some(ppid)) = (fields.next(), fields.next()) else { continue };
        let Ok(ppid) = ppid.parse() else { continue };
        let args = std::fs::read(entry.path().join("cmdline"))
            .unwrap_or_default()
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        out.push(Proc { pid, ppid, state: state.chars().next().unwrap_or('?'), args });
    }
    out
}

/// Pids of every live descendant of `root`.
pub(crate) fn descendants(root: u32) -> Vec<u32> {
    let all = processes();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(all.iter().filter(|c| c.ppid == p).map(|c| c.pid));
        i += 1;
    }
    found.remove(0);
    found
}

/// Everything of gilbench's that exists at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    helpers: BTreeSet<u32>,
    shm: BTreeSet<String>,
    scratch: BTreeSet<PathBuf>,
}

impl Snapshot {
    pub(crate) fn take() -> Snapshot {
        let names = |dir: PathBuf, prefix: &str| -> BTreeSet<PathBuf> {
            std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        };
        Snapshot {
            helpers: processes().into_iter().filter(|p| p.is_helper("__")).map(|p| p.pid).collect(),
            shm: names("/dev/shm".into(), "gilbench")
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            scratch: names(std::env::temp_dir(), "gilbench-"),
        }
    }

    /// What is in `self` and was not in `before`.
    pub(crate) fn since(&self, before: &Snapshot) -> Snapshot {
        Snapshot {
            helpers: self.helpers.difference(&before.helpers).copied().collect(),
            shm: self.shm.difference(&before.shm).cloned().collect(),
            scratch: self.scratch.difference(&before.scratch).cloned().collect(),
        }
    }

    pub(crate) fn has_helpers(&self) -> bool {
        !self.helpers.is_empty()
    }

    pub(crate) fn has_scratch(&self) -> bool {
        !self.scratch.is_empty()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.helpers.is_empty() && self.shm.is_empty() && self.scratch.is_empty()
    }

    /// Waits up to three seconds for everything that appeared since `self` to go, then fails
    /// naming what stayed after `what`.
    pub(crate) fn assert_nothing_left(&self, what: &str) {
        let start = Instant::now();
        loop {
            let mut left = Snapshot::take().since(self);
            // A directory whose maker still runs is in use (another test's run); one whose
            // maker is gone and that is still here was left behind.
            left.scratch.retain(|p| !maker_alive(p));
            if left.is_empty() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(3),
                "after {what}: helper processes {:?}, /dev/shm entries {:?} and scratch \
                 directories {:?} were left",
                left.helpers,
                left.shm,
                left.scratch
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// CPU seconds a /proc `stat` file reports (user + system clock ticks at 100 Hz).
pub(crate) fn stat_cpu_s(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else { return 0.0 };
    let Some((_, rest)) = stat.rsplit_once(')') else { return 0.0 };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the command: utime and stime are the 12th and 13th fields.
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (n(11) + n(12)) / 100.0
}

/// The threads of this process (by id) and its descendant processes now.
pub(crate) fn tree() -> (Vec<(u32, String)>, Vec<u32>) {
    let me = std::process::id();
    let threads = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let tid = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
            Some((tid, comm.trim().to_string()))
        })
        .collect();
    (threads, descendants(me))
}

/// CPU seconds used so far by the given threads of this process and the given processes.
pub(crate) fn cpu_of(threads: &[u32], procs: &[u32]) -> f64 {
    threads.iter().map(|t| stat_cpu_s(&format!("/proc/self/task/{t}/stat"))).sum::<f64>()
        + procs.iter().map(|p| stat_cpu_s(&format!("/proc/{p}/stat"))).sum::<f64>()
}

/// Whether the process that made a scratch directory (`gilbench-<kind>-<pid>-<random>`) still
/// runs; a name without a pid counts as made by a process that is gone.
fn maker_alive(dir: &std::path::Path) -> bool {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.split('-')
        .find_map(|part| part.parse::<u32>().ok())
        .is_some_and(|pid| pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists())
}
