//! The IPC probes through the public API: every transport delivers every message intact at
//! several sizes, the multiprocessing queue's put-timeout and get_nowait semantics, the
//! manager's token check, and that nothing (helper process, socket file, private directory,
//! shared-memory segment) outlives a probe, also when its peer is killed mid-probe.

use std::path::Path;
use std::time::{Duration, Instant};

use gilbench::measure::placement::Placement;
use gilbench::probe::ipc::mp::{Client, Item, Manager, ManagerError, Mp, Queue, QueueError};
use gilbench::probe::ipc::{Endpoints, Ipc, IpcConfig, Mode, Transport};
use gilbench::probe::{Probe, ProbeConfig, ProbeEnv, ProbeError};
use gilbench::scenario;
use gilbench::sweep;

use crate::leftovers::processes;
use crate::support::{exclusive, exe, shared};

fn env() -> ProbeEnv {
    let e = crate::support::env();
    ProbeEnv { worker_exe: e.worker_exe, cancel: e.cancel }
}

fn config(t: Transport, endpoints: Endpoints, size: usize, mode: Mode) -> IpcConfig {
    IpcConfig {
        transport: t,
        endpoints,
        size,
        mode,
        placement: Placement::Free,
        duration: Duration::from_millis(2),
    }
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

#[test]
fn every_transport_delivers_every_message_intact() {
    let _machine = shared();
    let mut ran = 0;
    for t in Transport::ALL {
        for endpoints in [Endpoints::Threads, Endpoints::Processes, Endpoints::Tasks] {
            // 300 000 bytes: more than a pipe's buffer and a shared-memory ring.
            for (size, mode) in
                [(8usize, Mode::Latency), (300_000, Mode::Latency), (1000, Mode::Throughput)]
            {
                {
                    let cfg = config(t, endpoints, size, mode);
                    if cfg.unsupported().is_some() {
                        continue;
                    }
                    let what = format!("{} {endpoints:?} {size} B {mode:?}", t.name());
                    let mut p =
                        Ipc::with_config(cfg, &env()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    for _ in 0..2 {
                        let s = p.sample(soon()).unwrap_or_else(|e| panic!("{what}: {e}"));
                        assert!(s.counters["messages"] >= 1.0, "{what}: no message");
                        assert!(s.value > 0.0, "{what}: {}", s.value);
                        assert!(s.counters["cpu_s_per_msg"] > 0.0, "{what}: no CPU counted");
                    }
                    ran += 1;
                }
            }
        }
    }
    assert!(ran >= 40, "only {ran} combinations ran");
}

#[test]
fn a_transport_that_does_not_apply_is_unsupported_not_failed() {
    let cfg = config(Transport::Crossbeam, Endpoints::Processes, 8, Mode::Latency);
    assert!(matches!(Ipc::with_config(cfg, &env()), Err(ProbeError::Unsupported(_))));
    let cfg = config(Transport::UnixDgram, Endpoints::Threads, 1 << 20, Mode::Latency);
    assert!(matches!(Ipc::with_config(cfg, &env()), Err(ProbeError::Unsupported(_))));
}

#[test]
fn queue_put_times_out_when_full_and_get_nowait_answers_empty_at_once() {
    let q = Queue::new(2).expect("queue");
    let t = Instant::now();
    assert!(matches!(q.get_nowait(), Err(QueueError::Empty)));
    let nowait = t.elapsed();
    let item = |n: u8| Item { from: 0, body: vec![n; 100] };
    q.put(&item(1), Some(Duration::ZERO)).expect("first put");
    q.put(&item(2), None).expect("second put");
    let t = Instant::now();
    let full = q.put(&item(3), Some(Duration::from_millis(80)));
    let waited = t.elapsed();
    assert!(matches!(full, Err(QueueError::Full)), "{full:?}");
    assert!(waited >= Duration::from_millis(70), "put gave up after {waited:?}");
    // Not waiting is a relation, not a time: far shorter than a put that waited its 80 ms.
    assert!(nowait * 4 < waited, "get_nowait took {nowait:?}, a timed put {waited:?}");
    assert_eq!(q.get(Some(Duration::from_secs(1))).expect("get"), item(1));
    q.put(&item(3), Some(Duration::from_millis(500))).expect("a slot is free again");
    assert_eq!(q.get_nowait().expect("item 2"), item(2));
    assert_eq!(q.get_nowait().expect("item 3"), item(3));
    assert!(matches!(q.get(Some(Duration::from_millis(20))), Err(QueueError::Empty)));
}

#[test]
fn a_blocked_put_proceeds_once_another_thread_gets() {
    let q = std::sync::Arc::new(Queue::new(1).expect("queue"));
    q.put(&Item { from: 0, body: vec![1] }, None).expect("fills the queue");
    let q2 = std::sync::Arc::clone(&q);
    let getter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        q2.get(Some(Duration::from_secs(2))).expect("get")
    });
    let t = Instant::now();
    q.put(&Item { from: 0, body: vec![2] }, Some(Duration::from_secs(5))).expect("put unblocks");
    assert!(t.elapsed() >= Duration::from_millis(30), "put did not block: {:?}", t.elapsed());
    assert_eq!(getter.join().expect("getter").body, vec![1]);
}

#[test]
fn the_manager_rejects_a_client_without_the_token() {
    let _machine = shared();
    let mut m = Manager::start(&exe()).expect("manager starts");
    let mut wrong = m.token().to_vec();
    wrong[0] ^= 0xff;
    match Client::connect(m.path(), &wrong) {
        Err(ManagerError::Rejected) => {}
        other => panic!("a wrong token got {other:?}"),
    }
    assert!(matches!(Client::connect(m.path(), b"short"), Err(ManagerError::Rejected)));
    let mut c = Client::connect(m.path(), m.token()).expect("right token");
    assert_eq!(c.add(2).expect("add"), 2);
    assert_eq!(c.add(3).expect("add"), 5);
    assert_eq!(c.get().expect("get"), 5);
    let path = m.path().to_path_buf();
    m.seal();
    assert!(!path.exists(), "socket file left after seal");
    assert_eq!(c.get().expect("connected clients keep working"), 5);
}

fn mp_probe(variant: &str, clients: u64) -> Mp {
    let text = format!(
        "[[probe]]\nkind = \"mp\"\nmodels = [\"{variant}\"]\nclients = {clients}\nsize = \"64B\"\nduration = \"5ms\"\n"
    );
    let sc = scenario::parse(&text, Path::new("mp-test.toml")).expect("valid probe table");
    let cases = sweep::expand_probes(&sc, 2);
    let ProbeConfig::Mp(params) = &cases[0].config else { panic!("an mp case") };
    Mp::new(&cases[0].variant, params, &env()).expect("mp probe starts")
}

#[test]
fn multiprocessing_analogues_count_every_operation() {
    let _machine = shared();
    for variant in ["queue", "value", "array", "pipe", "manager"] {
        let mut p = mp_probe(variant, 2);
        assert!(p.units() >= 2);
        for _ in 0..2 {
            let s = p.sample(soon()).unwrap_or_else(|e| panic!("{variant}: {e}"));
            assert!(s.value > 0.0 && s.counters["ops"] >= 2.0, "{variant}: {s:?}");
        }
    }
}

/// Helper processes of this test binary still alive.
fn peers() -> Vec<u32> {
    let me = std::process::id();
    processes().into_iter().filter(|p| p.ppid == me && p.runs("__ipcpeer")).map(|p| p.pid).collect()
}

/// Our private directories and shared-memory names anywhere they could be left.
fn leftovers() -> Vec<String> {
    let mut out = Vec::new();
    for dir in [std::env::temp_dir(), "/dev/shm".into()] {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("gilbench-ipc") || name.starts_with("gilbench-mgr") {
                out.push(e.path().display().to_string());
            }
        }
    }
    out
}

fn settle(what: &str) {
    let start = Instant::now();
    loop {
        let (p, l) = (peers(), leftovers());
        if p.is_empty() && l.is_empty() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{what}: helper processes {p:?} and files {l:?} left"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn nothing_outlives_a_probe_even_when_its_peer_is_killed() {
    let _machine = exclusive();
    settle("before");
    for t in [Transport::UnixStream, Transport::ShmFutex, Transport::ShmSpin, Transport::Pipe] {
        let cfg = config(t, Endpoints::Processes, 64, Mode::Latency);
        let mut p = Ipc::with_config(cfg.clone(), &env()).expect("probe");
        p.sample(soon()).expect("sample");
        assert_eq!(peers().len(), 1, "{}: one helper while it runs", t.name());
        drop(p);
        settle(t.name());

        // Killed mid-probe: the next sample fails (no hang), and nothing is left.
        let mut p = Ipc::with_config(cfg, &env()).expect("probe");
        p.sample(soon()).expect("sample");
        let pid = p.peer_pid().expect("a helper process");
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        )
        .expect("kill the peer");
        let t0 = Instant::now();
        let r = p.sample(Instant::now() + Duration::from_millis(500));
        assert!(r.is_err(), "{}: a sample with a dead peer succeeded", t.name());
        assert!(t0.elapsed() < Duration::from_secs(3), "{}: took {:?}", t.name(), t0.elapsed());
        drop(p);
        settle(&format!("{} after kill", t.name()));
    }
    let mut m = mp_probe("manager", 2);
    m.sample(soon()).expect("manager sample");
    assert!(leftovers().is_empty(), "socket directory kept after clients connected");
    drop(m);
    settle("manager");
    let mut q = mp_probe("queue", 1);
    q.sample(soon()).expect("queue sample");
    drop(q);
    settle("queue");
    // Dropping the pipe probe stops its clients and joins the threads answering them.
    let mut pipe = mp_probe("pipe", 2);
    pipe.sample(soon()).expect("pipe sample");
    assert_eq!(peers().len(), 2, "one helper per pipe client");
    let t0 = Instant::now();
    drop(pipe);
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "dropping the pipe probe took {:?}",
        t0.elapsed()
    );
    settle("pipe");
}

/// A ping-pong whose ends the scheduler places is measured sustained: its lead-in and all its
/// samples run back to back, and no sample of another transport of its group falls between
/// them (interleaved, its ends would wait idle while the others ran, and the scheduler would
/// then keep them on one CPU: a several times faster figure than the same case alone).
#[test]
fn a_free_ping_pong_is_sampled_in_one_block_after_its_lead_in() {
    let _machine = crate::support::shared();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("free.toml");
    std::fs::write(
        &scenario,
        "name = \"free\"\n[[probe]]\nkind = \"ipc\"\n\
         models = [\"pipe\", \"shm-spin\", \"unix-stream\"]\nendpoints = \"processes\"\n\
         size = \"8B\"\nplacement = \"free\"\nduration = \"5ms\"\n\n\
         [[probe]]\nkind = \"ipc\"\nmodels = [\"pipe\", \"shm-spin\"]\nendpoints = \"processes\"\n\
         size = \"8B\"\nplacement = \"same-cpu\"\nduration = \"5ms\"\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = std::process::Command::new(crate::support::exe())
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-wait"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let run = gilbench::results::load_run(&out).unwrap();
    let span = |c: &gilbench::results::CaseRecord| {
        let at: Vec<f64> = c.samples.iter().map(|s| s.at_s.expect("samples are stamped")).collect();
        (at.iter().copied().fold(f64::INFINITY, f64::min), at.iter().copied().fold(0.0, f64::max))
    };
    let placed = |placement: &str| -> Vec<_> {
        run.cases
            .iter()
            .filter(|c| c.params.get("placement").is_some_and(|p| p == placement))
            .collect()
    };
    let free = placed("free");
    assert_eq!(free.len(), 3);
    for c in &free {
        assert_eq!(c.status, gilbench::results::CaseStatus::Ok, "{}: {:?}", c.case, c.reason);
        // 150 ms of lead-in in samples of 5 ms of ping-pong each (and a few ms of overhead).
        assert!(c.warmup >= 10, "{}: only {} warm-up samples", c.case, c.warmup);
        let (first, last) = span(c);
        for other in free.iter().filter(|o| o.case != c.case) {
            for s in &other.samples {
                let at = s.at_s.unwrap();
                assert!(
                    at < first || at > last,
                    "a sample of {} at {at:.4} s fell inside {}'s block {first:.4}-{last:.4} s",
                    other.model,
                    c.model
                );
            }
        }
    }
    // Pinned ends have no placement to settle: they stay interleaved.
    let pinned = placed("same-cpu");
    assert_eq!(pinned.len(), 2);
    let (a, b) = (span(pinned[0]), span(pinned[1]));
    assert!(a.0 < b.1 && b.0 < a.1, "pinned cases were not interleaved: {a:?} {b:?}");
    assert!(pinned.iter().all(|c| c.warmup < 5), "pinned cases ran a lead-in");
}
