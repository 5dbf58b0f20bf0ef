//! Values out of range, of the wrong type, unknown or repeated: each names file, line and key.

use std::time::Duration;

use super::super::*;
use super::{CPU, HEAD, base, fails, ok};

#[test]
fn wrong_types() {
    let e = fails(
        &format!("models = [\"threads\"]\nworkers = 2\ntasks = \"many\"\n{CPU}"),
        3,
        Some("tasks"),
    );
    assert!(e.contains("expected a whole number"), "{e}");
    fails(&format!("models = [\"threads\"]\nworkers = 2.5\ntasks = 1\n{CPU}"), 2, Some("workers"));
    fails(
        &format!("models = [\"threads\"]\nworkers = \"many\"\ntasks = 1\n{CPU}"),
        2,
        Some("workers"),
    );
    fails(
        &format!("models = [\"threads\"]\nworkers = [\"auto\"]\ntasks = 1\n{CPU}"),
        2,
        Some("workers"),
    );
    fails(&format!("models = \"threads\"\nworkers = 1\ntasks = [[1]]\n{CPU}"), 3, Some("tasks"));
    fails(&format!("models = [1]\ntasks = 1\n{CPU}"), 1, Some("models"));
    fails(&format!("{HEAD}name = 3\n{CPU}"), 4, Some("name"));
    fails(&format!("{HEAD}name = \"a/b\"\n{CPU}"), 4, Some("name"));
    fails(&format!("{HEAD}description = [1]\n{CPU}"), 4, Some("description"));
    fails(&format!("{HEAD}workload = 3\n"), 4, Some("workload"));
    fails(
        &base("[[workload]]\nkind = \"io-file\"\nbytes = 1\nfsync = \"yes\"\n"),
        11,
        Some("fsync"),
    );
    fails(&base("[[workload]]\nkind = \"io-file\"\nbytes = \"64 kilobytes\"\n"), 10, Some("bytes"));
    fails(&base("[[workload]]\nkind = \"io-file\"\nbytes = 1.5\n"), 10, Some("bytes"));
    fails(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = \"2 parsecs\"\n"), 10, Some("sleep"));
    fails(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = 2\n"), 10, Some("sleep"));
    fails(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = 1979-05-27\n"), 10, Some("sleep"));
    fails(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = { ms = 2 }\n"), 10, Some("sleep"));
    fails(&base("[[workload]]\nkind = 1\n"), 9, Some("kind"));
    fails(
        &base("[[workload]]\nkind = \"mixed\"\ntask_duration = \"1ms\"\ncpu_fraction = \"half\"\n"),
        11,
        Some("cpu_fraction"),
    );
    fails(&format!("{HEAD}timeout = 60\n{CPU}"), 4, Some("timeout"));
}

#[test]
fn worker_limits() {
    let e = fails(
        &format!("models = [\"threads\"]\nworkers = 0\ntasks = 1\n{CPU}"),
        2,
        Some("workers"),
    );
    assert!(e.contains("0 workers; expected at least 1"), "{e}");
    let e = fails(
        &format!("models = [\"threads\"]\nworkers = 10000000\ntasks = 1\n{CPU}"),
        2,
        Some("workers"),
    );
    assert!(e.contains("4096"), "{e}");
    fails(
        &format!("models = [\"threads\"]\nworkers = [1, 2,\n  0]\ntasks = 1\n{CPU}"),
        3,
        Some("workers"),
    );
    // Overrides inside a workload are checked too.
    fails(
        &base("[[workload]]\nkind = \"io-sleep\"\nsleep = \"1ms\"\nworkers = 5000\n"),
        11,
        Some("workers"),
    );
    ok(&format!("models = [\"threads\"]\nworkers = [1, 4096]\ntasks = 1\n{CPU}"));
}

#[test]
fn size_limits() {
    let e = fails(&format!("{HEAD}payload_bytes = \"1TiB\"\n{CPU}"), 4, Some("payload_bytes"));
    assert!(e.contains("1GiB"), "{e}");
    ok(&format!("{HEAD}payload_bytes = \"1GiB\"\n{CPU}"));
    fails(&format!("{HEAD}payload_bytes = -1\n{CPU}"), 4, Some("payload_bytes"));
    fails(&base("[[workload]]\nkind = \"io-file\"\nbytes = 0\n"), 10, Some("bytes"));
    fails(&base("[[workload]]\nkind = \"io-file\"\nbytes = \"2GiB\"\n"), 10, Some("bytes"));
    fails(
        &base("[[workload]]\nkind = \"io-net\"\ndelay = \"1ms\"\nresponse_bytes = \"257MiB\"\n"),
        11,
        Some("response_bytes"),
    );
    ok(&base(
        "[[workload]]\nkind = \"io-net\"\ndelay = \"1ms\"\nresponse_bytes = [0, \"256MiB\"]\n",
    ));
}

#[test]
fn number_and_duration_limits() {
    let e =
        fails(&format!("models = [\"threads\"]\nworkers = 2\ntasks = -4\n{CPU}"), 3, Some("tasks"));
    assert!(e.contains("negative"), "{e}");
    fails(
        &format!("models = [\"threads\"]\nworkers = 2\ntasks = 10000001\n{CPU}"),
        3,
        Some("tasks"),
    );
    fails(&format!("models = [\"threads\"]\nworkers = 2\ntasks = 0\n{CPU}"), 3, Some("tasks"));
    let cpu = "models = [\"threads\"]\ntasks = 1\n[[workload]]\nkind = \"cpu\"\n";
    fails(&format!("{cpu}iterations = 0\n"), 5, Some("iterations"));
    fails(&format!("{cpu}iterations = 1000000000001\n"), 5, Some("iterations"));
    fails(&format!("{cpu}iterations = 1e6\n"), 5, Some("iterations"));
    ok(&format!("{cpu}iterations = 1000000000000\n"));
    fails(&format!("{cpu}task_duration = \"0ms\"\n"), 5, Some("task_duration"));
    fails(&format!("{cpu}task_duration = \"61s\"\n"), 5, Some("task_duration"));
    ok(&format!("{cpu}task_duration = \"60s\"\n"));
    fails(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = \"2min\"\n"), 10, Some("sleep"));
    ok(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = \"0s\"\n"));
    fails(&base("[[workload]]\nkind = \"io-net\"\ndelay = \"1h\"\n"), 10, Some("delay"));
    fails(&format!("{HEAD}timeout = \"0s\"\n{CPU}"), 4, Some("timeout"));
    fails(&format!("{HEAD}timeout = \"25h\"\n{CPU}"), 4, Some("timeout"));
    ok(&format!("{HEAD}timeout = \"24h\"\n{CPU}"));
}

#[test]
fn cpu_fraction_range() {
    let mixed = "[[workload]]\nkind = \"mixed\"\ntask_duration = \"2ms\"\ncpu_fraction = ";
    let e = fails(&base(&format!("{mixed}1.5\n")), 11, Some("cpu_fraction"));
    assert!(e.contains("from 0 to 1"), "{e}");
    fails(&base(&format!("{mixed}[0.5, -0.1]\n")), 11, Some("cpu_fraction"));
    fails(&base(&format!("{mixed}nan\n")), 11, Some("cpu_fraction"));
    fails(&base(&format!("{mixed}inf\n")), 11, Some("cpu_fraction"));
    fails(&base(&format!("{mixed}2\n")), 11, Some("cpu_fraction"));
    let sc = ok(&base(&format!("{mixed}[0, 0.5, 1]\n")));
    assert_eq!(sc.workloads[1].variants.len(), 3);
    // -0.0 is 0 (and must not show as "-0" in case keys).
    fails(&base(&format!("{mixed}[0, -0.0]\n")), 11, Some("cpu_fraction"));
}

#[test]
fn released_fraction_range_kinds_and_keys() {
    let cpu = "[[workload]]\nkind = \"cpu\"\ntask_duration = \"2ms\"\nreleased_fraction = ";
    let e = fails(&base(&format!("{cpu}1.5\n")), 11, Some("released_fraction"));
    assert!(e.contains("from 0 to 1"), "{e}");
    fails(&base(&format!("{cpu}nan\n")), 11, Some("released_fraction"));
    fails(&base(&format!("{cpu}[0.5, -0.1]\n")), 11, Some("released_fraction"));
    fails(&base(&format!("{cpu}\"half\"\n")), 11, Some("released_fraction"));
    // Kinds without a CPU part refuse it, naming the key and what the kind takes.
    for table in ["kind = \"io-sleep\"\nsleep = \"2ms\"", "kind = \"io-net\"\ndelay = \"1ms\""] {
        let e = fails(
            &base(&format!("[[workload]]\n{table}\nreleased_fraction = 0.5\n")),
            11,
            Some("released_fraction"),
        );
        assert!(e.contains("does not apply"), "{e}");
    }
    // A sweep: every point of the other axes at every fraction, the key shown in case keys.
    let mixed =
        "[[workload]]\nkind = \"mixed\"\ntask_duration = \"2ms\"\ncpu_fraction = [0.5, 1]\n";
    let sc = ok(&base(&format!("{mixed}released_fraction = [0, 0.6]\n")));
    let shown: Vec<String> = sc.workloads[1]
        .variants
        .iter()
        .map(|(_, pairs)| {
            pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
        })
        .collect();
    assert_eq!(
        shown,
        [
            "task_duration=2ms,cpu_fraction=0.5,released_fraction=0",
            "task_duration=2ms,cpu_fraction=0.5,released_fraction=0.6",
            "task_duration=2ms,cpu_fraction=1,released_fraction=0",
            "task_duration=2ms,cpu_fraction=1,released_fraction=0.6",
        ]
    );
    assert_eq!(
        sc.workloads[1].variants[3].0,
        WorkloadParams::Mixed {
            task_duration: Duration::from_millis(2),
            cpu_fraction: 1.0,
            released_fraction: 0.6
        }
    );
    // Not given: 0, and the case keys stay as they were.
    let sc = ok(&base(""));
    assert_eq!(sc.workloads[0].variants[0].1, [("task_duration".to_string(), "1ms".to_string())]);
    let sc = ok(&base(&format!("{cpu}1\n")));
    assert!(matches!(
        sc.workloads[1].variants[0].0,
        WorkloadParams::Cpu { released_fraction, .. } if released_fraction == 1.0
    ));
}

#[test]
fn empty_sweeps() {
    for (key, text) in [
        ("models", "models = []\nworkers = 1\ntasks = 1\n"),
        ("workers", "models = [\"threads\"]\nworkers = []\ntasks = 1\n"),
        ("tasks", "models = [\"threads\"]\nworkers = 1\ntasks = []\n"),
        ("payload_bytes", "models = [\"threads\"]\ntasks = 1\npayload_bytes = []\n"),
    ] {
        let line = text.lines().position(|l| l.contains("[]")).expect("test text") + 1;
        let e = fails(&format!("{text}{CPU}"), line, Some(key));
        assert!(e.contains("empty sweep"), "{e}");
    }
    let e = fails(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = []\n"), 10, Some("sleep"));
    assert!(e.contains("empty sweep"), "{e}");
    fails(&format!("{HEAD}workload = []\n"), 4, Some("workload"));
    fails(HEAD, 3, Some("workload"));
}

#[test]
fn duplicate_values() {
    let e = fails(
        &format!("models = [\"threads\"]\nworkers = [1, 2, 1]\ntasks = 1\n{CPU}"),
        2,
        Some("workers"),
    );
    assert!(e.contains("duplicate value 1"), "{e}");
    fails(&format!("models = [\"threads\", \"threads\"]\ntasks = 1\n{CPU}"), 1, Some("models"));
    // 1000ms and 1s are the same duration.
    fails(
        &base("[[workload]]\nkind = \"io-sleep\"\nsleep = [\"1s\",\n \"1000ms\"]\n"),
        11,
        Some("sleep"),
    );
    fails(&format!("{HEAD}payload_bytes = [1024, \"1KiB\"]\n{CPU}"), 4, Some("payload_bytes"));
    // Two identical workloads would give colliding case keys.
    fails(&base(CPU), 9, Some("workload"));
    // Distinct worker counts do not collide.
    ok(&base(
        "\n[[workload]]\nkind = \"cpu\"\ntask_duration = \"1ms\"\nmodels = [\"threads\"]\nworkers = 3\n",
    ));
    // Duplicate keys are a TOML error, naming the key.
    fails(&format!("{HEAD}tasks = 9\n{CPU}"), 4, Some("tasks"));
}

#[test]
fn unknown_names() {
    let e = fails(
        &format!("models = [\"sequential\", \"thread\"]\ntasks = 1\n{CPU}"),
        1,
        Some("models"),
    );
    assert!(e.contains("unknown model `thread`"), "{e}");
    assert!(e.contains("expected one of sequential, threads, processes:spawn"), "{e}");
    let e = fails(&base("\n[[workload]]\nkind = \"gpu\"\n"), 10, Some("kind"));
    assert!(e.contains("unknown workload kind `gpu`; expected one of cpu, io-sleep"), "{e}");
}

#[test]
fn workload_shape() {
    let e = fails(&base("\n[[workload]]\nsleep = \"2ms\"\n"), 9, Some("kind"));
    assert!(e.contains("missing"), "{e}");
    let e = fails(&base("iterations = 100000\n"), 8, Some("iterations"));
    assert!(e.contains("not both"), "{e}");
    fails(
        &format!("{HEAD}\n[[workload]]\niterations = 5\nkind = \"cpu\"\ntask_duration = \"1ms\"\n"),
        8,
        Some("task_duration"),
    );
    fails(&format!("{HEAD}\n[[workload]]\nkind = \"cpu\"\n"), 5, Some("task_duration"));
    fails(&base("\n[[workload]]\nkind = \"io-sleep\"\n"), 9, Some("sleep"));
    fails(&base("\n[[workload]]\nkind = \"io-file\"\n"), 9, Some("bytes"));
    fails(&base("\n[[workload]]\nkind = \"io-net\"\n"), 9, Some("delay"));
    fails(
        &base("\n[[workload]]\nkind = \"mixed\"\ncpu_fraction = 0.5\n"),
        9,
        Some("task_duration"),
    );
    fails(
        &base("\n[[workload]]\nkind = \"mixed\"\ntask_duration = \"1ms\"\n"),
        9,
        Some("cpu_fraction"),
    );
    let e = fails(&base("sleep = \"1ms\"\n"), 8, Some("sleep"));
    assert!(e.contains("does not apply to a `cpu` workload"), "{e}");
    fails(&format!("tasks = 1\n{CPU}"), 3, Some("models"));
    fails(&format!("models = [\"threads\"]\n{CPU}"), 3, Some("tasks"));
    // A workload may supply what the top level leaves out.
    ok("[[workload]]\nkind = \"cpu\"\niterations = 5\nmodels = [\"threads\"]\ntasks = 2\n");
}

#[test]
fn sweep_size_limit() {
    // 8 iterations x 16 tasks x (2 models x 40 workers) = 10240 cases.
    let tasks: Vec<String> = (1..=16).map(|t| t.to_string()).collect();
    let workers: Vec<String> = (1..=40).map(|w| w.to_string()).collect();
    let text = format!(
        "models = [\"threads\", \"processes:spawn\"]\ntasks = [{}]\n\n[[workload]]\nkind = \"cpu\"\nworkers = [{}]\niterations = [1, 2, 3, 4, 5, 6, 7, 8]\n",
        tasks.join(", "),
        workers.join(", ")
    );
    let e = fails(&text, 6, Some("workers"));
    assert!(e.contains("10240 cases") && e.contains("10000"), "{e}");
    // "auto" counts as 12: 7 x 12 x 120 = 10080.
    let tasks: Vec<String> = (1..=120).map(|t| t.to_string()).collect();
    let text = format!(
        "models = [\"threads\"]\nworkers = \"auto\"\ntasks = [{}]\n[[workload]]\nkind = \"cpu\"\niterations = [1, 2, 3, 4, 5, 6, 7]\n",
        tasks.join(", ")
    );
    fails(&text, 3, Some("tasks"));
    ok(&text.replace("6, 7]", "6]"));
}
