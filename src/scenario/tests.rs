//! Scenario parsing and validation: the shipped file, axis expansion, every kind of bad
//! input (each error must name the file, line and key), and a never-panic loop.

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::sweep;

const PATH: &str = "dir/bad.toml";

fn ok(text: &str) -> Scenario {
    match parse(text, Path::new(PATH)) {
        Ok(s) => s,
        Err(e) => panic!("expected a valid scenario, got: {e}\n---\n{text}"),
    }
}

/// Parses `text`, expecting an error at `line` about `key` (`None`: a syntax error).
fn fails(text: &str, line: usize, key: Option<&str>) -> String {
    let err = match parse(text, Path::new(PATH)) {
        Ok(s) => panic!("expected an error, got {s:?}\n---\n{text}"),
        Err(e) => e,
    };
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("{PATH}:{line}:")), "wrong place: {shown}\n---\n{text}");
    match (&err, key) {
        (ScenarioError::At { key: got, line: l, column, .. }, want) => {
            assert_eq!(got.as_deref(), want, "wrong key: {shown}");
            assert_eq!(*l, line);
            assert!(*column >= 1);
        }
        (other, _) => panic!("unexpected error kind: {other:?}"),
    }
    match key {
        Some(k) => assert!(shown.contains(&format!("`{k}`")), "key not named: {shown}"),
        None => assert!(shown.contains(": syntax: "), "not shown as syntax: {shown}"),
    }
    shown
}

const HEAD: &str = "models = [\"sequential\", \"threads\"]\nworkers = [1, 2]\ntasks = 8\n";
const CPU: &str = "\n[[workload]]\nkind = \"cpu\"\ntask_duration = \"1ms\"\n";

/// `HEAD` + `CPU` with `extra` appended; lines 1-3 head, 5-7 the cpu table, `extra` from 8.
fn base(extra: &str) -> String {
    format!("{HEAD}{CPU}{extra}")
}

#[test]
fn shipped_scenarios_parse() {
    assert!(!shipped().is_empty());
    assert!(shipped().iter().any(|s| s.default));
    for s in shipped() {
        let sc = match s.load() {
            Ok(sc) => sc,
            Err(e) => panic!("{}: {e}", s.file),
        };
        assert!(!sc.workloads.is_empty() || !sc.probes.is_empty());
        let cases = sweep::plan(&sc, 8);
        assert!(!cases.is_empty() && cases.len() <= super::MAX_CASES);
    }
    let sc = shipped()[0].load().expect("checked above");
    assert_eq!(sc.name, "cpu-vs-io");
    assert_eq!(sc.path, Path::new("scenarios/cpu-vs-io.toml"));
    assert_eq!(sc.workloads.len(), 4);
    let kinds: Vec<&str> = sc.workloads.iter().map(|w| w.variants[0].0.name()).collect();
    assert_eq!(kinds, ["cpu", "io-sleep", "io-net", "mixed"]);
    let w = &sc.workloads[0];
    let all_but_gil: Vec<Model> =
        Model::ALL.into_iter().filter(|m| !matches!(m, Model::Gil | Model::GilProcesses)).collect();
    assert_eq!(w.models, all_but_gil);
    assert_eq!(w.workers, Workers::Auto);
    assert_eq!(w.tasks, vec![16]);
    assert_eq!(w.payload_bytes, vec![1024]);
    assert_eq!(
        w.variants,
        vec![(
            WorkloadParams::Cpu {
                size: CpuSize::Duration(Duration::from_millis(2)),
                released_fraction: 0.0
            },
            vec![("task_duration".to_owned(), "2ms".to_owned())]
        )]
    );
    assert_eq!(
        sc.workloads[2].variants[0].0,
        WorkloadParams::IoNet { delay: Duration::from_millis(2), response_bytes: 4096 }
    );
}

#[test]
fn defaults() {
    let sc =
        ok("models = [\"threads\"]\ntasks = 3\n[[workload]]\nkind = \"io-net\"\ndelay = \"0ms\"\n");
    assert_eq!(sc.name, "bad");
    assert_eq!(sc.description, "");
    assert_eq!(sc.timeout, None);
    let w = &sc.workloads[0];
    assert_eq!(w.workers, Workers::Auto);
    assert_eq!(w.payload_bytes, vec![0]);
    assert_eq!(
        w.variants,
        vec![(
            WorkloadParams::IoNet { delay: Duration::ZERO, response_bytes: 1024 },
            vec![("delay".into(), "0s".into()), ("response_bytes".into(), "1024".into())]
        )]
    );
    let odd = parse(
        "models = [\"threads\"]\ntasks = 3\n[[workload]]\nkind = \"io-sleep\"\nsleep = \"1ms\"\n",
        Path::new("a b/my run.toml"),
    );
    assert_eq!(odd.expect("valid").name, "my-run");
}

#[test]
fn axes_expand_as_cartesian_product_in_file_order() {
    let sc = ok(concat!(
        "name = \"grid\"\ndescription = \"d\"\ntimeout = \"90s\"\n",
        "models = [\"sequential\", \"threads\"]\nworkers = [1, 4]\ntasks = [2, 8]\n",
        "payload_bytes = [0, \"64KiB\"]\n",
        "[[workload]]\nkind = \"mixed\"\ntask_duration = [\"1ms\", \"1.5s\"]\ncpu_fraction = [0.25, 0.5, 1]\n",
        "[[workload]]\nkind = \"io-file\"\nbytes = [\"64KiB\", 512]\nfsync = true\nmodels = [\"async:multi\"]\nworkers = \"auto\"\n",
        "[[workload]]\nkind = \"cpu\"\niterations = [10, 1000000]\ntasks = 1\npayload_bytes = \"1MiB\"\n",
    ));
    assert_eq!(sc.name, "grid");
    assert_eq!(sc.timeout, Some(Duration::from_secs(90)));
    let mixed = &sc.workloads[0];
    let shown: Vec<String> = mixed
        .variants
        .iter()
        .map(|(_, kv)| kv.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        shown,
        [
            "task_duration=1ms,cpu_fraction=0.25",
            "task_duration=1ms,cpu_fraction=0.5",
            "task_duration=1ms,cpu_fraction=1",
            "task_duration=1s500ms,cpu_fraction=0.25",
            "task_duration=1s500ms,cpu_fraction=0.5",
            "task_duration=1s500ms,cpu_fraction=1",
        ]
    );
    assert_eq!(
        mixed.variants[4].0,
        WorkloadParams::Mixed {
            task_duration: Duration::from_millis(1500),
            cpu_fraction: 0.5,
            released_fraction: 0.0
        }
    );
    assert_eq!(mixed.tasks, vec![2, 8]);
    assert_eq!(mixed.payload_bytes, vec![0, 65536]);
    assert_eq!(mixed.workers, Workers::List(vec![1, 4]));

    let file = &sc.workloads[1];
    assert_eq!(file.models, vec![Model::AsyncMulti]);
    assert_eq!(file.workers, Workers::Auto);
    assert_eq!(file.variants[0].0, WorkloadParams::IoFile { bytes: 65536, fsync: true });
    assert_eq!(file.variants[0].1[0], ("bytes".into(), "65536".into()));
    assert_eq!(
        file.variants[1].1,
        vec![("bytes".into(), "512".into()), ("fsync".into(), "true".into())]
    );

    let cpu = &sc.workloads[2];
    assert_eq!(cpu.tasks, vec![1]);
    assert_eq!(cpu.payload_bytes, vec![1 << 20]);
    assert_eq!(
        cpu.variants[1].0,
        WorkloadParams::Cpu { size: CpuSize::Iterations(1_000_000), released_fraction: 0.0 }
    );

    // Sweep: mixed 6 variants x 2 tasks x 2 payloads x (1 sequential + 2 thread counts),
    // io-file 2 x 2 x 2 x 3 auto counts (2 CPUs), cpu 2 x 1 x 1 x 3.
    let cases = sweep::expand(&sc, 2);
    assert_eq!(cases.len(), 6 * 2 * 2 * 3 + 2 * 2 * 2 * 3 + 2 * 3);
    let mut keys: Vec<&str> = cases.iter().map(|c| c.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), cases.len(), "case keys must be unique");
    for k in keys {
        assert!(!k.contains(' ') && !k.contains('\\'), "unfriendly key {k}");
    }
}

#[test]
fn display_values_are_stable() {
    use super::values::{parse_size, show_duration, show_fraction};
    assert_eq!(show_duration(Duration::from_millis(2)), "2ms");
    assert_eq!(show_duration(Duration::from_secs(1)), "1s");
    assert_eq!(show_duration(Duration::from_micros(500)), "500us");
    assert_eq!(show_duration(Duration::from_millis(1500)), "1s500ms");
    assert_eq!(show_fraction(0.5), "0.5");
    assert_eq!(show_fraction(1.0), "1");
    assert_eq!(show_fraction(1e-7), "0.0000001");
    assert_eq!(parse_size("512B"), Some(512));
    assert_eq!(parse_size("64KiB"), Some(65536));
    assert_eq!(parse_size("1MiB"), Some(1 << 20));
    assert_eq!(parse_size("1GiB"), Some(1 << 30));
    assert_eq!(parse_size("2 KiB"), Some(2048));
    assert_eq!(parse_size("1.5MiB"), None);
    assert_eq!(parse_size("KiB"), None);
    assert_eq!(parse_size("-1"), None);
    assert_eq!(parse_size("99999999999999TiB"), None);
    assert_eq!(parse_size("99999999999999999999999"), None);
}

#[test]
fn syntax_error() {
    fails(&base("[[workload]]\nkind = \"io-sleep\"\nsleep = \"2ms\n"), 10, None);
    fails(&base("tasks = \n"), 8, None);
}

#[test]
fn unknown_top_level_key() {
    let e = fails(
        "models = [\"threads\"]\nwokers = 4\ntasks = 8\n[[workload]]\nkind = \"cpu\"\niterations = 5\n",
        2,
        Some("wokers"),
    );
    assert!(e.contains("expected one of"), "{e}");
    fails(&format!("{HEAD}[extra]\nx = 1\n{CPU}"), 4, Some("extra"));
}

#[test]
fn unknown_workload_key() {
    fails(&base("\n[[workload]]\nkind = \"io-sleep\"\nsleeep = \"2ms\"\n"), 11, Some("sleeep"));
}

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

#[test]
fn byte_offsets_become_lines_and_character_columns() {
    use super::error::line_column;
    assert_eq!(line_column("abc", 0), (1, 1));
    assert_eq!(line_column("a\nbc", 3), (2, 2));
    assert_eq!(line_column("a\u{e9}\nb", 4), (2, 1));
    assert_eq!(line_column("\u{e9}\u{e9} x", 5), (1, 4));
    // Inside a character or past the end: clamped, never a panic.
    assert_eq!(line_column("\u{e9}", 1), (1, 1));
    assert_eq!(line_column("ab\n", 99), (2, 1));
    let e = fails(
        &format!("{HEAD}description = \"\u{fc}n\u{ef}c\u{f6}d\u{e9}\"  ; oops\n{CPU}"),
        4,
        None,
    );
    assert!(e.starts_with(&format!("{PATH}:4:26:")), "{e}");
}

#[test]
fn load_reports_unreadable_files() {
    let err = load(Path::new("/nonexistent/gilbench/x.toml")).expect_err("no such file");
    assert!(matches!(err, ScenarioError::Read { .. }));
    assert!(err.to_string().contains("/nonexistent/gilbench/x.toml"));
}

/// Random edits of every shipped file: `parse` must return, never panic, and errors must
/// point inside the file; what still parses must also plan (expand to cases) without a panic.
#[test]
fn mutated_input_never_panics() {
    const TOKENS: [&str; 24] = [
        "=",
        "[",
        "]",
        "[[",
        "]]",
        "\"",
        "'",
        ",",
        "{",
        "}",
        "\n",
        "#",
        "-1",
        "0",
        "1.5",
        "nan",
        "1e400",
        "99999999999999999999",
        "\"1TiB\"",
        "\"auto\"",
        "[[workload]]\n",
        "é",
        "\u{0}",
        "kind = \"mixed\"\n",
    ];
    let files = shipped();
    let mut rng = fastrand::Rng::with_seed(0x5ce7a210);
    let mut ok_count = 0;
    for round in 0..3000 {
        let mut text = files[round % files.len()].text.to_owned();
        for _ in 0..rng.usize(1..=3) {
            let mut at = rng.usize(0..=text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.u8(0..5) {
                0 => text.truncate(at),
                1 => {
                    let mut end = (at + rng.usize(1..20)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                2 => text.insert_str(at, TOKENS[rng.usize(0..TOKENS.len())]),
                3 => {
                    let digit = char::from(b'0' + rng.u8(0..10));
                    if let Some(pos) = text[at..].find(|c: char| c.is_ascii_digit()) {
                        text.replace_range(at + pos..at + pos + 1, &digit.to_string());
                    }
                }
                _ => {
                    let lines: Vec<&str> = text.lines().collect();
                    let i = rng.usize(0..lines.len().max(1));
                    let j = rng.usize(0..lines.len().max(1));
                    let mut lines: Vec<String> = lines.into_iter().map(str::to_owned).collect();
                    if i < lines.len() && j < lines.len() {
                        lines.swap(i, j);
                    }
                    text = lines.join("\n");
                }
            }
        }
        let outcome = std::panic::catch_unwind(|| {
            parse(&text, Path::new(PATH)).map(|sc| crate::sweep::plan(&sc, 2).len())
        });
        match outcome {
            Err(_) => panic!("round {round}: parse or plan panicked on:\n{text}"),
            Ok(Ok(_)) => ok_count += 1,
            Ok(Err(ScenarioError::At { line, column, .. })) => {
                let lines = text.split('\n').count();
                assert!(
                    (1..=lines).contains(&line) && column >= 1,
                    "round {round}: {line}:{column} of {lines}\n{text}"
                );
            }
            Ok(Err(e)) => panic!("round {round}: unexpected {e:?}"),
        }
    }
    // Some edits (in comments, descriptions) keep the file valid; most must not.
    assert!(ok_count > 0 && ok_count < 3000, "{ok_count} valid");
}

#[test]
fn probe_tables_expand_and_reject_bad_keys() {
    let text = "name = \"p\"\n\n[[probe]]\nkind = \"convoy\"\nhogs = [0, 1, 2]\nswitch_interval = [\"1ms\", \"5ms\"]\n";
    let sc = parse(text, Path::new("p.toml")).unwrap();
    assert!(sc.workloads.is_empty());
    let p = &sc.probes[0];
    assert_eq!(p.kind, "convoy");
    assert_eq!(p.variants, ["gil", "threads", "processes"]);
    assert_eq!(p.points.len(), 6);
    assert_eq!(p.points[5].0.count("hogs"), 2);
    assert_eq!(p.points[5].0.duration("switch_interval"), std::time::Duration::from_millis(5));
    assert_eq!(p.points[0].0.choice("io"), "sleep", "defaults fill unset parameters");
    let cases = crate::sweep::expand_probes(&sc, 2);
    assert_eq!(cases.len(), 18);
    let keys: std::collections::HashSet<_> = cases.iter().map(|c| &c.key).collect();
    assert_eq!(keys.len(), 18);
    assert!(!cases[0].key.contains("io="), "unset parameters stay out of keys: {}", cases[0].key);

    for (bad, line, key) in [
        ("[[probe]]\nkind = \"convoy\"\nhogz = 1\n", 3, "hogz"),
        ("[[probe]]\nkind = \"convoi\"\n", 2, "kind"),
        ("[[probe]]\nkind = \"convoy\"\nmodels = [\"gil\", \"fibers\"]\n", 3, "models"),
        ("[[probe]]\nkind = \"convoy\"\nhogs = -1\n", 3, "hogs"),
        ("[[probe]]\nkind = \"convoy\"\nio = \"disk\"\n", 3, "io"),
        ("[[probe]]\nkind = \"convoy\"\nswitch_interval = \"0ms\"\n", 3, "switch_interval"),
        ("[[probe]]\nhogs = 1\n", 1, "kind"),
    ] {
        let e = parse(bad, Path::new("bad.toml")).unwrap_err().to_string();
        assert!(e.starts_with(&format!("bad.toml:{line}:")), "{bad:?}: {e}");
        assert!(e.contains(&format!("`{key}`")), "{bad:?}: {e}");
    }
}

#[test]
fn auto_contenders_follow_the_machine_and_stand_alone() {
    let text =
        "name = \"l\"\n\n[[probe]]\nkind = \"lock\"\nmodels = [\"std\"]\ncontenders = \"auto\"\n";
    let sc = parse(text, Path::new("l.toml")).unwrap();
    assert_eq!(sc.probes[0].points[0].0.values["contenders"], crate::scenario::ProbeValue::Auto);
    let counts = |cpus| -> Vec<u64> {
        crate::sweep::expand_probes(&sc, cpus).iter().map(|c| c.probe.count("contenders")).collect()
    };
    assert_eq!(counts(2), [1, 2, 4]);
    assert_eq!(counts(16), [1, 2, 4, 8, 16, 32]);
    let keys: Vec<String> =
        crate::sweep::expand_probes(&sc, 2).into_iter().map(|c| c.key).collect();
    assert!(keys[2].contains("contenders=4") && !keys[2].contains("auto"), "{keys:?}");

    // Two tables naming the same case: it is planned once.
    let twice = format!("{text}\n[[probe]]\nkind = \"lock\"\nmodels = [\"std\"]\ncontenders = 2\n");
    let sc2 = parse(&twice, Path::new("l.toml")).unwrap();
    assert_eq!(crate::sweep::expand_probes(&sc2, 2).len(), 3);

    for (bad, key, words) in [
        ("contenders = [1, \"auto\"]", "contenders", "alone"),
        ("contenders = \"many\"", "contenders", "\"auto\""),
        ("contenders = 0", "contenders", "1"),
    ] {
        let text = format!("name = \"l\"\n\n[[probe]]\nkind = \"lock\"\n{bad}\n");
        let e = parse(&text, Path::new("l.toml")).expect_err(bad).to_string();
        assert!(e.starts_with("l.toml:5:") && e.contains(key) && e.contains(words), "{bad}: {e}");
    }
}

/// `scenarios/README.md` documents every probe kind: a heading ``### `KIND` ``, and under it
/// (up to the next heading) a table row for every declared parameter, and no other, whose
/// default column holds the declared default.
#[test]
fn scenario_guide_documents_every_probe_parameter() {
    let guide = include_str!("../../scenarios/README.md");
    for decl in super::probe::PROBES {
        let heading = format!("### `{}`", decl.kind);
        let start = guide
            .lines()
            .position(|l| l.trim_end() == heading)
            .unwrap_or_else(|| panic!("scenarios/README.md has no heading {heading}"));
        let section: Vec<&str> =
            guide.lines().skip(start + 1).take_while(|l| !l.starts_with("##")).collect();
        for p in decl.params {
            let row = format!("| `{}` |", p.name);
            let line = section.iter().find(|l| l.starts_with(&row)).unwrap_or_else(|| {
                panic!("scenarios/README.md, `{}`: no table row for `{}`", decl.kind, p.name)
            });
            // | parameter | type | default | limits | meaning |; the default as a code span,
            // quoted or not (`0`, `"5ms"`).
            let default = line.split('|').nth(3).unwrap_or("");
            assert!(
                default.contains(&format!("`{}`", p.default))
                    || default.contains(&format!("`\"{}\"`", p.default)),
                "scenarios/README.md, `{}`: `{}` is documented with default {default:?}, \
                 declared {:?}",
                decl.kind,
                p.name,
                p.default
            );
        }
        for line in section.iter().filter(|l| l.starts_with("| `")) {
            let name = line.split('`').nth(1).unwrap_or("");
            assert!(
                decl.params.iter().any(|p| p.name == name),
                "scenarios/README.md, `{}`: `{name}` is documented but not declared",
                decl.kind
            );
        }
    }
}

#[test]
fn an_uncontended_lock_needs_one_contender() {
    let head = "name = \"l\"\n\n[[probe]]\nkind = \"lock\"\nmode = \"uncontended\"\n";
    assert!(parse(&format!("{head}contenders = 1\n"), Path::new("l.toml")).is_ok());
    for (extra, line) in [("", 4), ("contenders = 2\n", 6), ("contenders = \"auto\"\n", 6)] {
        let e = parse(&format!("{head}{extra}"), Path::new("l.toml")).expect_err(extra).to_string();
        assert!(
            e.starts_with(&format!("l.toml:{line}:")) && e.contains("contenders = 1"),
            "{extra:?}: {e}"
        );
    }
}

#[test]
fn suggestions_pick_the_closest_known_word_or_none() {
    use super::closest;
    let keys = ["task_duration", "iterations", "sleep", "models", "workers"];
    assert_eq!(closest("task_duraton", keys), Some("task_duration"));
    assert_eq!(closest("sleeep", keys), Some("sleep"));
    assert_eq!(closest("wokrers", keys), Some("workers"));
    assert_eq!(closest("gli", ["gil", "gil-granularity", "ipc"]), Some("gil"));
    assert_eq!(closest("bananas", keys), None);
}

#[test]
fn shipped_scenarios_are_found_by_name_and_their_errors_name_the_file() {
    let names: Vec<&str> = super::shipped().iter().map(|s| s.name()).collect();
    assert!(names.contains(&"gil") && names.contains(&"gil-granularity"), "{names:?}");
    assert_eq!(super::find_shipped("gil").unwrap().file, "scenarios/gil.toml");
    let e = super::find_shipped("gill").unwrap_err().to_string();
    assert!(e.contains("did you mean `gil`?") && e.contains("cpu-vs-io"), "{e}");
    let bad = super::Shipped {
        file: "scenarios/bad.toml",
        text: "models = [\"threads\"]\ntasks = 0\n[[workload]]\nkind = \"cpu\"\niterations = 5\n",
        default: false,
    };
    let e = bad.load().unwrap_err().to_string();
    assert!(e.starts_with("scenarios/bad.toml:2:") && e.contains("key `tasks`"), "{e}");
}
