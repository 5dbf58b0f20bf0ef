//! Where the two ends of a hand-off run: the machine's topology (from sysfs on Linux), the
//! placements it offers — both ends on one CPU, on SMT siblings, on two cores of one socket,
//! on two sockets, or left to the scheduler — pinning a thread, and a lowest-priority spinner
//! that keeps a peer's CPU awake so idle wake-up cost and hand-off cost can be told apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use super::os;

/// Where the two ends of a hand-off run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// Both pinned to the same CPU: every hand-off is a real context switch.
    SameCpu,
    /// Pinned to the two hardware threads of one core.
    SmtSiblings,
    /// Pinned to two cores of one socket.
    CrossCore,
    /// Pinned to two sockets.
    CrossSocket,
    /// Left to the scheduler.
    Free,
}

impl Placement {
    /// Every placement, in report order.
    pub const ALL: [Placement; 5] = [
        Placement::SameCpu,
        Placement::SmtSiblings,
        Placement::CrossCore,
        Placement::CrossSocket,
        Placement::Free,
    ];

    /// Every placement's name, in report order: what scenario files accept.
    pub const NAMES: [&'static str; 5] = [
        Placement::ALL[0].name(),
        Placement::ALL[1].name(),
        Placement::ALL[2].name(),
        Placement::ALL[3].name(),
        Placement::ALL[4].name(),
    ];

    /// The name used in scenario files and case keys.
    pub const fn name(self) -> &'static str {
        match self {
            Placement::SameCpu => "same-cpu",
            Placement::SmtSiblings => "smt-siblings",
            Placement::CrossCore => "cross-core",
            Placement::CrossSocket => "cross-socket",
            Placement::Free => "free",
        }
    }

    /// Parses a placement name.
    pub fn from_name(name: &str) -> Option<Placement> {
        Placement::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// One CPU this process may use, with where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpu {
    /// Kernel CPU number.
    pub id: usize,
    /// Core id within its package.
    pub core: usize,
    /// Package (socket) id.
    pub package: usize,
}

/// The CPUs this process may use and where they sit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Topology {
    /// Usable CPUs, by id.
    pub cpus: Vec<Cpu>,
}

impl Topology {
    /// Reads the topology of the CPUs in this process's affinity mask (empty where the
    /// platform does not say).
    pub fn read() -> Topology {
        let cpus = os::allowed_cpus()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|id| {
                os::cpu_topology(id).map(|(core, package, _)| Cpu { id, core, package })
            })
            .collect();
        Topology { cpus }
    }

    /// The CPUs for the two ends of `placement`: `Some((a, b))` with `None` meaning "not
    /// pinned"; `None` when this machine has no such pair.
    pub fn pair(&self, placement: Placement) -> Option<(Option<usize>, Option<usize>)> {
        let find = |ok: &dyn Fn(&Cpu, &Cpu) -> bool| {
            self.cpus.iter().find_map(|a| {
                self.cpus
                    .iter()
                    .find(|b| b.id != a.id && ok(a, b))
                    .map(|b| (Some(a.id), Some(b.id)))
            })
        };
        match placement {
            Placement::Free => Some((None, None)),
            Placement::SameCpu => self.cpus.first().map(|c| (Some(c.id), Some(c.id))),
            Placement::SmtSiblings => find(&|a, b| a.package == b.package && a.core == b.core),
            Placement::CrossCore => find(&|a, b| a.package == b.package && a.core != b.core),
            Placement::CrossSocket => find(&|a, b| a.package != b.package),
        }
    }

    /// The placements this machine offers.
    pub fn placements(&self) -> Vec<Placement> {
        Placement::ALL.into_iter().filter(|p| self.pair(*p).is_some()).collect()
    }
}

/// Pins the calling thread to `cpu`.
pub fn pin_current_thread(cpu: usize) -> std::io::Result<()> {
    os::pin_current_thread(cpu)
}

/// Restricts the calling thread — and every thread and process it starts afterwards — to
/// `cpus`. Called first thing in a process, it restricts the whole run.
pub fn restrict_current_thread(cpus: &[usize]) -> std::io::Result<()> {
    if cpus.is_empty() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "no CPU given"));
    }
    os::restrict_current_thread(cpus)
}

/// Parses a CPU list as the kernel writes it: `0-3,8,10-11`; `None` when it is malformed.
pub fn parse_cpu_list(s: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || b - a > 4096 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// A thread in the idle scheduling class spinning on one CPU: it keeps that CPU out of its
/// idle state (no wake-up latency) while yielding to any real work. Stops on drop.
#[derive(Debug)]
pub struct Spinner {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts the spinner on `cpu`.
    pub fn start(cpu: usize) -> std::io::Result<Spinner> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let (tx, rx) = std::sync::mpsc::channel();
        let handle =
            std::thread::Builder::new().name("gilbench-spinner".into()).spawn(move || {
                let ready =
                    os::pin_current_thread(cpu).and_then(|()| os::idle_priority_current_thread());
                let ok = ready.is_ok();
                let _ = tx.send(ready);
                while ok && !flag.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })?;
        let mut spinner = Spinner { stop, handle: Some(handle) };
        match rx.recv() {
            Ok(Ok(())) => Ok(spinner),
            Ok(Err(e)) => {
                spinner.stop();
                Err(e)
            }
            Err(_) => Err(std::io::Error::other("spinner thread ended before it was ready")),
        }
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_parse_like_the_kernel_writes_them() {
        assert_eq!(parse_cpu_list("0-3,8,10-11"), Some(vec![0, 1, 2, 3, 8, 10, 11]));
        assert_eq!(parse_cpu_list("1"), Some(vec![1]));
        for bad in ["", "a", "3-1", "1,,2", "0-99999"] {
            assert_eq!(parse_cpu_list(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn placements_follow_the_topology() {
        let two_cores = Topology {
            cpus: vec![Cpu { id: 0, core: 0, package: 0 }, Cpu { id: 1, core: 1, package: 0 }],
        };
        assert_eq!(
            two_cores.placements(),
            [Placement::SameCpu, Placement::CrossCore, Placement::Free]
        );
        assert_eq!(two_cores.pair(Placement::CrossCore), Some((Some(0), Some(1))));
        let smt = Topology {
            cpus: vec![
                Cpu { id: 0, core: 0, package: 0 },
                Cpu { id: 4, core: 0, package: 0 },
                Cpu { id: 1, core: 1, package: 1 },
            ],
        };
        assert_eq!(smt.pair(Placement::SmtSiblings), Some((Some(0), Some(4))));
        assert_eq!(smt.pair(Placement::CrossSocket), Some((Some(0), Some(1))));
        assert_eq!(Topology::default().placements(), [Placement::Free]);
        for p in Placement::ALL {
            assert_eq!(Placement::from_name(p.name()), Some(p));
        }
    }

    #[test]
    #[cfg(target_os = "linux")] // reads sysfs and sets affinity
    fn this_machine_offers_same_cpu_and_a_pinned_spinner_runs() {
        let topo = Topology::read();
        assert!(!topo.cpus.is_empty());
        assert!(topo.placements().contains(&Placement::SameCpu));
        let cpu = topo.cpus[0].id;
        let spinner = Spinner::start(cpu).expect("SCHED_IDLE spinner starts");
        drop(spinner);
    }
}
