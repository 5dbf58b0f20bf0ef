//! Faults through the executable: a hung case times out and the run goes on, SIGTERM keeps
//! what finished, an unwritable output directory is a clear error, and no run leaves a
//! private temp directory behind. Also: broken `run.json` files never panic the loader.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gilbench::results::{CaseStatus, RunStatus, load_run};
use nix::sys::signal::Signal;

use crate::leftovers::Snapshot;
use crate::support::{exclusive, exe, interrupt_run, shared, start_run, wait_for};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios").join(name)
}

#[test]
fn a_hung_case_times_out_and_the_run_goes_on() {
    // Exclusive: the process table, /dev/shm and the temp folder are compared before and after.
    let _machine = exclusive();
    let before = Snapshot::take();
    let out = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let o = Command::new(exe())
        .args(["run", data("hang.toml").to_str().unwrap(), "--no-wait", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(start.elapsed() < Duration::from_secs(30), "the timeouts did not stop the cases");
    let run = load_run(out.path()).unwrap();
    assert_eq!(run.status, RunStatus::Complete);
    let by = |status| run.cases.iter().filter(|c| c.status == status).count();
    assert_eq!(by(CaseStatus::Timeout), 2, "{:#?}", run.cases);
    assert_eq!(by(CaseStatus::Ok), 2, "the cases after the hang still ran");
    for c in run.cases.iter().filter(|c| c.status == CaseStatus::Timeout) {
        assert!(c.reason.as_deref().unwrap_or("").contains("timed out"), "{:?}", c.reason);
    }
    before.assert_nothing_left("two cases timed out");
}

#[test]
fn sigterm_keeps_what_finished_and_cleans_up() {
    // Exclusive: other tests' probes create temp directories of their own meanwhile.
    let _machine = exclusive();
    let before = Snapshot::take();
    let out = tempfile::tempdir().unwrap();
    let child = start_run(&data("kill.toml"), out.path());
    // Let it get past calibration into the first group.
    wait_for("run.json", || out.path().join("run.json").exists().then_some(()));
    std::thread::sleep(Duration::from_millis(800));
    interrupt_run(child, Signal::SIGTERM, out.path());
    before.assert_nothing_left("SIGTERM");
}

#[test]
fn an_unwritable_output_directory_is_a_clear_error() {
    let _machine = exclusive();
    let before = Snapshot::take();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let target = file.join("run");
    let o = Command::new(exe())
        .args(["run", data("tiny.toml").to_str().unwrap(), "--out"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(target.to_str().unwrap()), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    before.assert_nothing_left("an unwritable --out");
}

#[test]
fn broken_run_json_never_panics_the_loader() {
    let dir = tempfile::tempdir().unwrap();
    // A real record, then thousands of truncations and byte flips of it.
    let run = gilbench::results::RunRecord {
        schema_version: gilbench::results::SCHEMA_VERSION,
        cases: vec![gilbench::results::CaseRecord {
            case: "s/threads/cpu/workers=2".into(),
            summary: gilbench::stats::summarize(&[1.0, 1.1, 0.9]),
            ..Default::default()
        }],
        ..Default::default()
    };
    let good = serde_json::to_vec_pretty(&run).unwrap();
    let path = dir.path().join("run.json");
    std::fs::write(&path, &good).unwrap();
    assert!(load_run(&path).is_ok());
    let mut rng = fastrand::Rng::with_seed(11);
    let mut errors = 0;
    for i in 0..3000 {
        let mut bytes = good.clone();
        if i % 2 == 0 {
            bytes.truncate(rng.usize(..bytes.len()));
        } else {
            for _ in 0..rng.usize(1..6) {
                let at = rng.usize(..bytes.len());
                bytes[at] = rng.u8(..);
            }
        }
        std::fs::write(&path, &bytes).unwrap();
        if let Err(e) = load_run(&path) {
            errors += 1;
            assert!(e.to_string().contains("run.json"), "the error names the file: {e}");
        }
    }
    assert!(errors > 1500, "most mutations must be refused, {errors} were");
}

/// A small tmpfs mounted for the test and unmounted on drop (needs root; `None` otherwise).
struct SmallDisk {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(bytes: u64) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(&path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { path, _dir: dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_last_results_stay_valid() {
    let _machine = exclusive();
    let before = Snapshot::take();
    // Room for the first groups' files but not for the whole run: tiny.toml's run.json and
    // samples.csv end near 80 KB, and each write needs the old file and its replacement.
    let Some(disk) = SmallDisk::mount(96 * 1024) else {
        crate::skip::skip("cannot mount a small tmpfs here (needs root)");
        return;
    };
    let out = disk.path.join("run");
    let o = Command::new(exe())
        .args(["run", data("tiny.toml").to_str().unwrap(), "--no-wait", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "the run cannot have succeeded: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains(out.to_str().unwrap()),
        "the error names the file it could not write: {stderr}"
    );
    // What was written before the disk filled is still a valid record.
    let run = load_run(&out).expect("the last complete run.json is still valid");
    assert_eq!(run.status, RunStatus::Running, "it stopped before the end");
    assert!(
        std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().starts_with(".tmp-")),
        "no half-written temp file is left"
    );
    before.assert_nothing_left("a full disk");
}

#[test]
fn a_run_of_large_messages_keeps_its_memory_flat() {
    let _machine = shared();
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(exe())
        .args(["run", data("big-messages.toml").to_str().unwrap(), "--no-wait", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let run = load_run(out.path()).unwrap();
    assert!(run.cases.iter().all(|c| c.status == CaseStatus::Ok), "{:#?}", run.cases);
    let rss: Vec<u64> = run.sentinel.iter().filter_map(|p| p.rss_bytes).collect();
    if rss.len() < 2 {
        return; // the platform does not report RSS
    }
    let (first, last) = (rss[0], rss[rss.len() - 1]);
    // Each case moves 4 MiB messages; allocator retention used to leave 8 MiB per thread arena.
    assert!(
        last < first + 24 * 1024 * 1024,
        "gilbench's own RSS grew from {} to {} MiB: {rss:?}",
        first >> 20,
        last >> 20
    );
}

#[test]
fn sigint_during_ipc_between_processes_leaves_no_peer_socket_or_segment() {
    let _machine = exclusive();
    let before = Snapshot::take();
    let out = tempfile::tempdir().unwrap();
    let child = start_run(&data("interrupt-ipc.toml"), out.path());
    // Interrupt once peers and the private socket directory exist.
    let during = wait_for("IPC peer with its private socket directory", || {
        let now = Snapshot::take().since(&before);
        (now.has_helpers() && now.has_scratch()).then_some(now)
    });
    std::thread::sleep(Duration::from_millis(200));
    interrupt_run(child, Signal::SIGINT, out.path());
    before.assert_nothing_left(&format!("SIGINT with {during:?} live"));
}
