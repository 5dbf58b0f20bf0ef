//! The switch, spawn, footprint and headroom probes through the public API: the ping-pong
//! really alternates, spawned units are all reaped, the headroom probe stops at its budget and
//! frees what it made, and a placement the machine lacks is reported unsupported.

use std::path::Path;
use std::time::{Duration, Instant};

use gilbench::measure::placement::{Placement, Topology};
use gilbench::probe::switch::{self, Channel, PingError, PipeChannel, WorkingSet};
use gilbench::probe::{self, Probe, ProbeEnv, ProbeError};
use gilbench::scenario;
use gilbench::sweep;

use crate::leftovers::{cpu_of, processes, tree};
use crate::support::{exclusive, shared};

fn env() -> ProbeEnv {
    let e = crate::support::env();
    ProbeEnv { worker_exe: e.worker_exe, cancel: e.cancel }
}

/// Builds the one probe a `[[probe]]` table with these lines describes.
fn build(table: &str) -> Result<Box<dyn Probe>, ProbeError> {
    let text = format!("[[probe]]\n{table}\n");
    let sc = scenario::parse(&text, Path::new("switch-test.toml")).expect("valid probe table");
    let cases = sweep::expand_probes(&sc, 2);
    assert_eq!(cases.len(), 1, "{table}");
    let c = &cases[0];
    probe::build(&c.variant, &c.config, &env())
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

#[test]
fn every_mechanism_alternates_and_counts_one_answer_per_round_trip() {
    let _machine = shared();
    for variant in switch::VARIANTS {
        for placement in ["same-cpu", "free"] {
            let table = format!(
                "kind = \"switch\"\nmodels = [\"{variant}\"]\nplacement = \"{placement}\"\n\
                 round_trips = 300\nworking_set = \"4KiB\""
            );
            let mut p = build(&table).unwrap_or_else(|e| panic!("{variant} {placement}: {e}"));
            for _ in 0..2 {
                let s = p.sample(soon()).unwrap_or_else(|e| panic!("{variant} {placement}: {e}"));
                assert!(s.value >= 0.0 && s.counters["round_trip_s"] > 0.0);
                if let Some(r) = s.counters.get("peer_replies_per_round_trip") {
                    assert_eq!(*r, 1.0, "{variant} {placement}: the peer answered {r} per trip");
                }
                // On one CPU a blocking hand-off is a real switch: about two per round trip.
                if placement == "same-cpu"
                    && !variant.starts_with("async")
                    && let Some(n) = s.counters.get("switches_per_round_trip")
                {
                    assert!(*n >= 1.5, "{variant}: {n} switches per round trip");
                }
            }
        }
    }
}

#[test]
fn a_peer_that_does_not_alternate_is_caught() {
    let _machine = shared();
    let (mut mine, mut theirs) = PipeChannel::pair().expect("pipes");
    // A peer that answers twice to its tenth message.
    let peer = std::thread::spawn(move || {
        let _ = theirs.send(switch::READY);
        for i in 0..10u32 {
            let Ok(m) = theirs.recv(None) else { return };
            let _ = theirs.send(switch::next(m));
            if i == 9 {
                let _ = theirs.send(switch::next(m));
            }
        }
        // Drain until the other end goes away.
        while theirs.recv(None).is_ok() {}
    });
    assert_eq!(mine.recv(None).expect("ready"), switch::READY);
    let (mut ws, mut seq) = (WorkingSet::new(0), 0);
    let outcome = switch::ping(&mut mine, &mut ws, &mut seq, 50, soon());
    assert!(
        matches!(outcome, Err(PingError::OutOfSequence { .. })),
        "a duplicated answer went unnoticed: {outcome:?}"
    );
    drop(mine);
    peer.join().expect("peer thread");
}

/// Pids of this process's children, zombies included.
fn children() -> Vec<u32> {
    let me = std::process::id();
    processes().into_iter().filter(|p| p.ppid == me).map(|p| p.pid).collect()
}

/// Children of this process, not in `before`, that a probe left behind: unreaped zombies and
/// forks still running this test binary. Other tests start and reap their own children
/// meanwhile (a `Command` child runs this binary for the moment between fork and exec), so
/// only those still there after a second of settling count.
fn left_behind(before: &[u32]) -> Vec<(u32, char)> {
    let me = std::process::id();
    let until = Instant::now() + Duration::from_secs(1);
    loop {
        let all = processes();
        let own = all.iter().find(|p| p.pid == me).map(|p| p.args.clone()).unwrap_or_default();
        let left: Vec<_> = all
            .into_iter()
            .filter(|p| p.ppid == me && !before.contains(&p.pid))
            .filter(|p| p.state == 'Z' || p.args == own)
            .map(|p| (p.pid, p.state))
            .collect();
        if left.is_empty() || Instant::now() >= until {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Processes anywhere running this test binary's gilbench as a switch peer.
fn switch_peers() -> usize {
    processes().iter().filter(|p| p.is_helper("__switch-peer")).count()
}

#[test]
#[cfg(target_os = "linux")]
fn spawned_units_and_switch_peers_are_all_reaped() {
    let _machine = exclusive();
    let before = children();
    for variant in [
        "fork-exit-wait",
        "fork-exec",
        "posix-spawn",
        "std-command",
        "gilbench-worker",
        "process-pool-task",
        "thread",
        "tokio-task",
    ] {
        let table = format!("kind = \"spawn\"\nmodels = [\"{variant}\"]\nduration = \"5ms\"");
        let mut p = build(&table).unwrap_or_else(|e| panic!("{variant}: {e}"));
        let s = p.sample(soon()).unwrap_or_else(|e| panic!("{variant}: {e}"));
        assert!(s.value > 0.0 && s.counters["starts"] >= 2.0, "{variant}");
        drop(p);
        let left = left_behind(&before);
        assert!(left.is_empty(), "{variant} left children behind: {left:?}");
    }
    for variant in ["process-pipe", "process-futex"] {
        let table = format!("kind = \"switch\"\nmodels = [\"{variant}\"]\nround_trips = 50");
        let mut p = build(&table).unwrap_or_else(|e| panic!("{variant}: {e}"));
        p.sample(soon()).unwrap_or_else(|e| panic!("{variant}: {e}"));
        assert_eq!(switch_peers(), 1, "{variant}: one peer while the probe lives");
        drop(p);
        assert_eq!(switch_peers(), 0, "{variant}: its peer outlived the probe");
        let left = left_behind(&before);
        assert!(left.is_empty(), "{variant} left children behind: {left:?}");
    }
}

/// Threads of this process started by the probes (other tests' threads come and go).
fn threads_now() -> usize {
    std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
        .filter(|name| name.starts_with("gilbench-"))
        .count()
}

#[test]
#[cfg(target_os = "linux")]
fn headroom_stops_at_its_budget_and_frees_everything() {
    let _machine = exclusive();
    let (threads, kids) = (threads_now(), children());
    for (variant, max) in [("threads", 64), ("processes", 24), ("tokio-tasks", 500)] {
        let table = format!(
            "kind = \"headroom\"\nmodels = [\"{variant}\"]\nmax_units = {max}\ntime_limit = \"5s\""
        );
        let mut p = build(&table).expect("headroom probe");
        let s = p.sample(soon()).unwrap_or_else(|e| panic!("{variant}: {e}"));
        assert_eq!(s.value, f64::from(max), "{variant}: stopped at {}", s.value);
        assert_eq!(s.counters.get("stopped_by_count"), Some(&1.0), "{variant}");
        assert_eq!(threads_now(), threads, "{variant}: threads left behind");
        assert_eq!(left_behind(&kids), [], "{variant}: children left behind");
    }
    // The time limit stops a count that could not be reached in it.
    let mut p = build(
        "kind = \"headroom\"\nmodels = [\"threads\"]\nmax_units = 100000\ntime_limit = \"30ms\"",
    )
    .expect("headroom probe");
    let s = p.sample(soon()).expect("sample");
    assert!(s.value < 100_000.0 && s.counters.get("stopped_by_time") == Some(&1.0), "{s:?}");
    assert!(s.wall < Duration::from_secs(5), "took {:?}", s.wall);
    assert_eq!(threads_now(), threads, "threads left behind after the time limit");
    // Footprint frees its units too.
    for variant in ["threads", "processes", "tokio-tasks"] {
        let table = format!("kind = \"footprint\"\nmodels = [\"{variant}\"]\nunits = 50");
        let s = build(&table).expect("footprint").sample(soon()).expect("sample");
        assert!(s.value >= 0.0 && s.counters["left_behind"] == 0.0, "{variant}: {s:?}");
        assert_eq!(threads_now(), threads, "{variant}: threads left behind");
        assert_eq!(left_behind(&kids), [], "{variant}: children left behind");
    }
}

#[test]
fn a_placement_the_machine_lacks_is_unsupported() {
    let _machine = shared();
    let topo = Topology::read();
    let offered = topo.placements();
    let missing = Placement::ALL.into_iter().find(|p| !offered.contains(p));
    match missing {
        Some(p) => {
            let table = format!(
                "kind = \"switch\"\nmodels = [\"thread-futex\"]\nplacement = \"{}\"",
                p.name()
            );
            match build(&table) {
                Err(ProbeError::Unsupported(why)) => assert!(why.contains(p.name()), "{why}"),
                other => panic!("{}: expected unsupported, got {:?}", p.name(), other.err()),
            }
        }
        None => crate::skip::skip("this machine offers every placement"),
    }
    if offered.contains(&Placement::CrossCore) {
        let r =
            build("kind = \"switch\"\nmodels = [\"async-current\"]\nplacement = \"cross-core\"");
        assert!(matches!(r, Err(ProbeError::Unsupported(_))), "async-current cross-core");
    }
}

/// Interleaving is only honest if a case's peers stay still while another case is sampled:
/// after one sample each, the idle probes of a switch group and of an IPC group (threads and
/// processes, 8 B) together use well under a tenth of one CPU. A peer that polls or spins
/// between its samples (as the `yield` peer once did, keeping a second CPU awake and making
/// every cross-CPU wake-up in its group read 2-3x too fast) uses a whole CPU here.
#[test]
fn idle_probes_use_no_cpu_between_their_samples() {
    if !Path::new("/proc/self/stat").exists() {
        crate::skip::skip("no /proc to read CPU time from");
        return;
    }
    let _machine = exclusive();
    let (threads0, procs0) = tree();
    let mut probes: Vec<(String, Box<dyn Probe>)> = Vec::new();
    for variant in switch::VARIANTS {
        let table = format!(
            "kind = \"switch\"\nmodels = [\"{variant}\"]\nplacement = \"free\"\nround_trips = 200"
        );
        probes.push((format!("switch {variant}"), build(&table).expect(variant)));
    }
    for endpoints in ["threads", "processes"] {
        for variant in ["pipe", "shm-spin", "shm-futex", "atomic", "unix-stream", "crossbeam"] {
            let table = format!(
                "kind = \"ipc\"\nmodels = [\"{variant}\"]\nendpoints = \"{endpoints}\"\n\
                 size = \"8B\"\nduration = \"3ms\""
            );
            match build(&table) {
                Ok(p) => probes.push((format!("ipc {variant} {endpoints}"), p)),
                Err(ProbeError::Unsupported(_)) => {}
                Err(e) => panic!("ipc {variant} {endpoints}: {e}"),
            }
        }
    }
    for (name, p) in &mut probes {
        p.sample(soon()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // Let every peer settle into its idle wait, then watch.
    std::thread::sleep(Duration::from_millis(50));
    // Only what the probes started: their threads (all named gilbench-…) and peer processes,
    // so tests that run meanwhile without the machine lock do not count.
    let (threads1, procs1) = tree();
    let threads: Vec<u32> = threads1
        .iter()
        .filter(|t| t.1.starts_with("gilbench") && !threads0.iter().any(|o| o.0 == t.0))
        .map(|t| t.0)
        .collect();
    let procs: Vec<u32> = procs1.into_iter().filter(|p| !procs0.contains(p)).collect();
    let (cpu0, t0) = (cpu_of(&threads, &procs), Instant::now());
    std::thread::sleep(Duration::from_millis(600));
    let (used, wall) = (cpu_of(&threads, &procs) - cpu0, t0.elapsed().as_secs_f64());
    assert!(
        used < 0.1 * wall,
        "{} idle probes ({} threads, {} processes) used {used:.3} s of CPU in {wall:.3} s \
         between samples",
        probes.len(),
        threads.len(),
        procs.len()
    );
    // Every probe still answers after its idle time.
    for (name, p) in &mut probes {
        p.sample(soon()).unwrap_or_else(|e| panic!("{name} after idling: {e}"));
    }
}
