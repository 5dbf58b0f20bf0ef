//! Scenario parsing and validation: the shipped file, axis expansion, every kind of bad
//! input (each error must name the file, line and key), and a never-panic loop.

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::sweep;

pub(super) const PATH: &str = "dir/bad.toml";

pub(super) fn ok(text: &str) -> Scenario {
    match parse(text, Path::new(PATH)) {
        Ok(s) => s,
        Err(e) => panic!("expected a valid scenario, got: {e}\n---\n{text}"),
    }
}

/// Parses `text`, expecting an error at `line` about `key` (`None`: a syntax error).
pub(super) fn fails(text: &str, line: usize, key: Option<&str>) -> String {
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

pub(super) const HEAD: &str =
    "models = [\"sequential\", \"threads\"]\nworkers = [1, 2]\ntasks = 8\n";
pub(super) const CPU: &str = "\n[[workload]]\nkind = \"cpu\"\ntask_duration = \"1ms\"\n";

/// `HEAD` + `CPU` with `extra` appended; lines 1-3 head, 5-7 the cpu table, `extra` from 8.
pub(super) fn base(extra: &str) -> String {
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

mod errors;
mod limits;
mod probes;
