//! Run reports: fingerprint, charts and HTML from a results record.
//!
//! The record is built in code (no measurement), so every number and verdict is exact.

use std::collections::BTreeMap;

use gilbench::plot::{GilChartKind, gil_charts, run_charts, scaling_charts};
use gilbench::report::{gil_verdicts, publish, summary_markdown, verdicts};
use gilbench::results::{
    Calibration, CaseRecord, CaseStatus, Machine, Overhead, RunRecord, RunStatus, SCHEMA_VERSION,
    Speedup, fingerprint,
};
use gilbench::stats::Summary;

const SCRIPT_REASON: &str = "worker 3 died: <script>alert(1)</script>";

fn summary(median: f64, noisy: bool) -> Summary {
    Summary {
        n: 10,
        median,
        mean: median,
        mad: median * if noisy { 0.2 } else { 0.01 },
        min: median * 0.95,
        max: median * 1.1,
        ci_low: median * 0.98,
        ci_high: median * 1.02,
        ci_method: gilbench::stats::IntervalMethod::OrderStatistic,
        ci_level: 0.98,
        cv: if noisy { 0.3 } else { 0.015 },
        noisy,
    }
}

/// One case; `speedup` is `(median, low, high)`; `status` other than ok carries `reason`.
fn case(
    workload: (&str, &str, &str),
    model: &str,
    workers: usize,
    speedup: Option<(f64, f64, f64)>,
    status: CaseStatus,
    reason: Option<&str>,
) -> CaseRecord {
    let (name, key, value) = workload;
    let tail = format!("{name}/{key}={value}/tasks=16/payload_bytes=1024");
    let base_s = 0.032;
    let ok = status == CaseStatus::Ok;
    let mut params = BTreeMap::new();
    params.insert(key.to_string(), value.to_string());
    params.insert("tasks".to_string(), "16".to_string());
    params.insert("payload_bytes".to_string(), "1024".to_string());
    params.insert("workers".to_string(), workers.to_string());
    CaseRecord {
        scenario: "demo".into(),
        case: format!("demo/{model}/{tail}/workers={workers}"),
        group: format!("demo/{tail}"),
        model: model.into(),
        workload: name.into(),
        params,
        param_values: Default::default(),
        workers,
        tasks: 16,
        status,
        reason: reason.map(str::to_string),
        unit: "s".into(),
        summary: ok.then(|| {
            let s = speedup.map(|s| s.0).unwrap_or(1.0);
            summary(base_s / s, model == "async:current")
        }),
        speedup: speedup
            .filter(|_| ok)
            .map(|(median, ci_low, ci_high)| Speedup::paired(median, ci_low, ci_high)),
        cpu_s: ok.then_some(0.031),
        user_s: ok.then_some(0.030),
        sys_s: ok.then_some(0.001),
        voluntary_cs: ok.then_some(12.0),
        involuntary_cs: ok.then_some(3.0),
        peak_rss_bytes: ok.then_some(8 << 20),
        worker_peak_rss_bytes: None,
        checksum: ok.then(|| "00000000deadbeef".to_string()),
        counters: Default::default(),
        load_others: None,
        busy_others: None,
        drift: None,
        warmup: 1,
        samples: Vec::new(),
    }
}

const CPU: (&str, &str, &str) = ("cpu", "task_duration", "2ms");
const IO: (&str, &str, &str) = ("io-sleep", "sleep", "2ms");
const NET: (&str, &str, &str) = ("io-net", "delay", "2ms");

pub(crate) fn fixture() -> RunRecord {
    use CaseStatus::{Failed, Ok, Timeout};
    let cases = vec![
        // cpu: threads at 2 workers clearly ahead; one fork case failed; async noisy.
        case(CPU, "sequential", 1, None, Ok, None),
        case(CPU, "threads", 1, Some((0.98, 0.95, 1.01)), Ok, None),
        case(CPU, "threads", 2, Some((1.9, 1.8, 2.0)), Ok, None),
        case(CPU, "threads", 4, Some((1.85, 1.7, 1.95)), Ok, None),
        case(CPU, "processes:fork", 2, Some((1.6, 1.5, 1.7)), Ok, None),
        case(CPU, "processes:fork", 4, None, Failed, Some(SCRIPT_REASON)),
        case(CPU, "async:current", 2, Some((0.97, 0.9, 1.05)), Ok, None),
        // io-sleep: threads and async:multi overlap; one case timed out.
        case(IO, "sequential", 1, None, Ok, None),
        case(IO, "threads", 2, Some((1.95, 1.8, 2.1)), Ok, None),
        case(IO, "threads", 4, Some((3.7, 3.4, 4.0)), Ok, None),
        case(IO, "processes:spawn", 4, None, Timeout, Some("timed out after 120 s")),
        case(IO, "async:multi", 4, Some((3.6, 3.3, 3.9)), Ok, None),
        // io-net: every parallel case failed, so there is nothing to chart.
        case(NET, "sequential", 1, None, Ok, None),
        case(NET, "threads", 2, None, Failed, Some("connection refused")),
    ];
    RunRecord {
        seed: 7,
        sampling: None,
        groups: Vec::new(),
        sentinel: Vec::new(),
        schema_version: SCHEMA_VERSION,
        gilbench_version: "0.1.0".into(),
        started_at: "2026-05-01T10:00:00Z".into(),
        finished_at: Some("2026-05-01T10:05:00Z".into()),
        status: RunStatus::Interrupted,
        profile: "quick".into(),
        command: vec!["gilbench".into(), "run".into(), "--profile".into(), "quick".into()],
        scenario_files: vec!["scenarios/demo.toml".into()],
        machine: Machine {
            hostname: "bench-host".into(),
            cpu_brand: "Example CPU".into(),
            arch: "x86_64".into(),
            physical_cores: Some(4),
            logical_cpus: 8,
            usable_cpus: 4,
            cpu_mhz: Some(2100),
            memory_bytes: 16 << 30,
            os: "Debian GNU/Linux 12".into(),
            kernel: "6.1.0".into(),
            virtualization: Some("kvm".into()),
            load_avg: [0.1, 0.2, 0.3],
            rustc: "rustc 1.95.0".into(),
            gilbench_version: "0.1.0".into(),
            git_rev: Some("abc123".into()),
            environment: Default::default(),
        },
        overhead: Overhead {
            clock_read_ns: 21.5,
            empty_task_ns: BTreeMap::from([
                ("threads".to_string(), 4_200.0),
                ("processes:fork".to_string(), 38_000.0),
            ]),
        },
        calibration: Calibration { cpu_iterations_per_s: 1.25e8 },
        cases,
    }
}

/// The text content of every `<text>` element, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

const CPU_TITLE: &str = "cpu (task_duration=2ms, tasks=16, payload_bytes=1024)";
const IO_TITLE: &str = "io-sleep (sleep=2ms, tasks=16, payload_bytes=1024)";

#[test]
fn one_chart_per_group_with_drawable_cases() {
    let run = fixture();
    let charts = scaling_charts(&run).expect("charts");
    // io-net has no successful parallel case: no chart.
    let titles: Vec<&str> = charts.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, [CPU_TITLE, IO_TITLE]);
    let expected_models: [&[&str]; 2] =
        [&["threads", "processes:fork", "async:current"], &["threads", "async:multi"]];
    for (chart, models) in charts.iter().zip(expected_models) {
        assert_eq!(chart.name, chart.group);
        let svg = &chart.svg;
        assert!(svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        let texts = svg_texts(svg);
        let has = |t: &str| texts.iter().any(|x| x == t);
        assert!(has(&chart.title), "title missing: {texts:?}");
        assert!(has("workers"), "x axis label missing");
        assert!(has("speedup vs sequential (×)"), "y axis label missing");
        assert!(has("sequential (baseline)") && has("ideal (≤ tasks)"));
        for model in models {
            assert!(has(model), "legend lacks {model}: {texts:?}");
        }
    }
    // The x axis is labelled with the worker counts; failed and timed-out models are not drawn.
    let io = svg_texts(&charts[1].svg);
    for w in ["1", "2", "4"] {
        assert!(io.iter().any(|t| t == w), "no tick {w}: {io:?}");
    }
    assert!(!io.iter().any(|t| t == "processes:spawn"));
}

#[test]
fn verdicts_name_the_winner_or_say_there_is_none() {
    let sentences: Vec<String> = verdicts(&fixture()).iter().map(|v| v.sentence()).collect();
    assert_eq!(
        sentences[0],
        format!(
            "{CPU_TITLE}: threads with 2 workers is fastest, 1.90× [1.80, 2.00] faster than \
             sequential; next: processes:fork with 2 workers at 1.60×"
        )
    );
    assert!(sentences[1].starts_with(&format!("{IO_TITLE}: no clear winner: threads with 4")));
    assert!(sentences[1].contains("async:multi with 4 workers"), "{}", sentences[1]);
    assert_eq!(sentences.len(), 3);
}

#[test]
fn report_is_self_contained_and_escaped() {
    let run = fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let index = publish(&run, dir.path(), &[]).expect("report");
    assert_eq!(index, dir.path().join("index.html"));
    let html = std::fs::read_to_string(&index).expect("index.html");

    // The answer table comes first: a clear pick, a tie named as a tie, what to avoid.
    let first_table = html.find("<table").expect("a table");
    assert_eq!(html.find("<table class=\"answer\">"), Some(first_table));
    assert!(html.contains("free threads, 1.90×; avoid async:current: 0.970×, 2.0× slower"));
    assert!(html.contains("free threads or async:multi — within 5 % of each other"));
    for c in &run.cases {
        assert!(html.contains(&c.case), "case {} missing", c.case);
    }
    assert!(html.contains("worker 3 died: &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(html.matches("<script").count(), 1, "a raw script tag besides the sorter");
    assert!(html.contains("timed out after 120 s"));
    assert!(html.contains("noisy"));
    assert!(html.contains("interrupted"));
    // Charts are inlined, and the files stay beside the page.
    let charts = scaling_charts(&run).expect("charts");
    assert_eq!(html.matches("<svg").count(), charts.len());
    for chart in &charts {
        let file = format!("plots/{}.svg", chart.name.replace('/', "_").replace('=', "-"));
        assert!(html.contains(&format!("href=\"{file}\"")), "{file} not linked");
        assert!(dir.path().join(&file).is_file(), "{file} not written");
    }
    // Machine card and run information.
    for text in ["bench-host", "Example CPU", "16.0 GiB", "kvm", "rustc 1.95.0", "abc123"] {
        assert!(html.contains(text), "{text} missing");
    }
    assert!(html.contains("21.5 ns") && html.contains("4.20 µs") && html.contains("38.0 µs"));
    assert!(html.contains("32.0 ms [31.4, 32.6]"), "median with interval");
    // No network.
    let without_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_svg_ns.contains("http") && !html.contains("src=") && !html.contains("<link"));

    let md = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary.md");
    assert_eq!(md, summary_markdown(&run));
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert!(
        rows[0].starts_with("| work | free threads |") && rows[0].contains("pick"),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with("|---"));
    assert!(md.contains("| group | threads |"), "a compact table per scenario: {md}");
    // A row per answer shape and one per comparison group, each with two header lines.
    let mut groups: Vec<&str> = run.cases.iter().map(|c| c.group.as_str()).collect();
    groups.dedup();
    let shapes = md
        .split("## Each scenario")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| "))
        .count()
        - 1;
    assert_eq!(rows.len() - 4, shapes + groups.len(), "{md}");
    assert!(!md.contains(SCRIPT_REASON));
}

#[test]
fn fingerprint_describes_this_machine() {
    let m = fingerprint();
    assert!(m.logical_cpus >= 1);
    assert!(m.usable_cpus >= 1 && m.usable_cpus <= m.logical_cpus);
    assert!(m.rustc.starts_with("rustc"), "{}", m.rustc);
    assert_eq!(m.gilbench_version, env!("CARGO_PKG_VERSION"));
    assert!(!m.hostname.is_empty() && !m.arch.is_empty());
    if cfg!(target_os = "linux") {
        assert!(!m.kernel.is_empty() && m.kernel != "unknown", "{}", m.kernel);
        assert!(!m.os.is_empty() && m.os != "unknown", "{}", m.os);
        assert!(m.memory_bytes > 0);
    }
}

/// A `gil` scenario case: the mixed workload at `fraction`, with samples around the speedup.
fn gil_case(fraction: &str, model: &str, workers: usize, speedup: (f64, f64, f64)) -> CaseRecord {
    let tail =
        format!("mixed/task_duration=2ms/cpu_fraction={fraction}/tasks=16/payload_bytes=1024");
    let mut params = BTreeMap::new();
    for (k, v) in [
        ("task_duration", "2ms"),
        ("cpu_fraction", fraction),
        ("tasks", "16"),
        ("payload_bytes", "1024"),
    ] {
        params.insert(k.to_string(), v.to_string());
    }
    params.insert("workers".to_string(), workers.to_string());
    let sequential = model == "sequential";
    let median = 0.032 / speedup.0;
    let mut counters = BTreeMap::new();
    if model == "gil" {
        params.insert("switch_interval".to_string(), "5ms".to_string());
        counters.insert("gil_switches".to_string(), 40.0 * workers as f64);
        counters.insert("gil_drop_requests".to_string(), 12.0);
        counters.insert("gil_wait_s".to_string(), 0.0042);
    }
    CaseRecord {
        scenario: "gil".into(),
        case: format!("gil/{model}/{tail}/workers={workers}"),
        group: format!("gil/{tail}"),
        model: model.into(),
        workload: "mixed".into(),
        params,
        param_values: Default::default(),
        workers,
        tasks: 16,
        status: CaseStatus::Ok,
        reason: None,
        unit: "s".into(),
        summary: Some(summary(median, false)),
        speedup: (!sequential).then_some(Speedup::paired(speedup.0, speedup.1, speedup.2)),
        cpu_s: Some(0.031),
        user_s: Some(0.030),
        sys_s: Some(0.001),
        voluntary_cs: Some(12.0),
        involuntary_cs: Some(3.0),
        peak_rss_bytes: Some(8 << 20),
        worker_peak_rss_bytes: None,
        checksum: Some("00000000deadbeef".to_string()),
        counters,
        load_others: None,
        busy_others: None,
        drift: None,
        warmup: 1,
        samples: (0..8)
            .map(|i| gilbench::measure::Sample {
                wall_s: median * (1.0 + (i % 3) as f64 * 0.005),
                ..Default::default()
            })
            .collect(),
    }
}

/// gil, threads and processes:fork over CPU fractions 0, 0.5, 1 at 1 and 2 workers.
pub(crate) fn gil_fixture() -> RunRecord {
    gil_fixture_of(&[
        ("0", (1.96, 1.9, 2.0), (1.96, 1.9, 2.02), (1.96, 1.9, 2.0)),
        ("0.5", (1.9, 1.8, 2.0), (1.2, 1.1, 1.3), (1.9, 1.8, 2.0)),
        ("1", (2.0, 1.9, 2.1), (1.0, 0.95, 1.05), (2.0, 1.9, 2.1)),
    ])
}

/// Speedups (median, CI low, CI high) at 2 workers of threads, gil and processes:fork, per CPU
/// fraction.
type GilRow = (&'static str, (f64, f64, f64), (f64, f64, f64), (f64, f64, f64));

fn gil_fixture_of(rows: &[GilRow]) -> RunRecord {
    let one = (1.0, 0.97, 1.03);
    let mut cases = Vec::new();
    for &(f, threads, gil, procs) in rows {
        cases.push(gil_case(f, "sequential", 1, one));
        for (model, two) in [("threads", threads), ("gil", gil), ("processes:fork", procs)] {
            cases.push(gil_case(f, model, 1, one));
            cases.push(gil_case(f, model, 2, two));
        }
    }
    RunRecord { cases, scenario_files: vec!["scenarios/gil.toml".into()], ..fixture() }
}

#[test]
fn gil_maps_show_their_axes_and_cells() {
    let run = gil_fixture();
    let charts = gil_charts(&run).expect("gil charts");
    let kinds: Vec<&GilChartKind> = charts.iter().map(|c| &c.kind).collect();
    assert_eq!(
        kinds,
        [
            &GilChartKind::Penalty { numerator: "gil".into(), denominator: "threads".into() },
            &GilChartKind::Penalty {
                numerator: "processes:fork".into(),
                denominator: "gil".into()
            },
        ]
    );
    let svg = &charts[0].svg;
    assert!(svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let texts = svg_texts(svg);
    let has = |t: &str| texts.iter().any(|x| x == t);
    assert!(has("CPU fraction of each task") && has("workers"), "axis labels: {texts:?}");
    assert!(has(&charts[0].title), "title: {texts:?}");
    for tick in ["0", "0.5", "1", "2"] {
        assert!(has(tick), "tick {tick}: {texts:?}");
    }
    // gil / threads at 2 workers: 1.96/1.96, 1.2/1.9, 1.0/2.0; at 1 worker all 1.
    for cell in ["1.00", "0.63", "0.50"] {
        assert!(has(cell), "cell {cell}: {texts:?}");
    }
    let procs = svg_texts(&charts[1].svg);
    assert!(procs.iter().any(|t| t == "2.00") && procs.iter().any(|t| t == "1.58"), "{procs:?}");
    // A run without gil cases draws none.
    assert!(gil_charts(&fixture()).expect("no charts").is_empty());
}

#[test]
fn a_gap_under_ten_percent_names_no_winner() {
    // Processes 4 % ahead of GIL threads, intervals apart: real, but not worth a verdict.
    let run = gil_fixture_of(&[("0", (2.0, 1.99, 2.01), (1.92, 1.91, 1.93), (2.0, 1.99, 2.01))]);
    assert_eq!(
        gil_verdicts(&run),
        ["mixed (cpu_fraction=0, task_duration=2ms, tasks=16, payload_bytes=1024): processes \
          (processes:fork, 2.0×) and GIL threads (1.9×) are within 10 % of each other; GIL \
          threads scale like free threads, 1.9× vs 2.0×"]
    );
    // 20 % ahead: a winner.
    let run = gil_fixture_of(&[("0", (2.0, 1.99, 2.01), (1.66, 1.65, 1.67), (2.0, 1.99, 2.01))]);
    let v = gil_verdicts(&run);
    assert!(v[0].contains("use processes (processes:fork), 1.2× over GIL threads"), "{v:?}");
    assert!(v[0].contains("the GIL costs 1.2× against free threads"), "{v:?}");
}

#[test]
fn report_answers_the_gil_question() {
    let run = gil_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let index = publish(&run, dir.path(), &[]).expect("report");
    let html = std::fs::read_to_string(&index).expect("index.html");
    assert!(html.contains("Where a GIL hurts"));
    let cpu_bound = "CPU-bound (CPU fraction ≥ 0.5) with 2 ms tasks: use processes \
                     (processes:fork), 1.6–2.0× over GIL threads on this machine; the GIL costs \
                     1.6–2.0× against free threads (1.0–1.2× vs 1.9–2.0×)";
    let io_bound = "IO-bound (CPU fraction 0) with 2 ms tasks: no clear winner between processes \
                    (processes:fork, 2.0×) and GIL threads (2.0×); GIL threads scale like free \
                    threads, 2.0× vs 2.0×";
    assert_eq!(gil_verdicts(&run), [io_bound, cpu_bound]);
    // The answer table says per shape what the lock costs; the prose is not repeated.
    assert!(html.contains("GIL cost") && !html.contains(cpu_bound));
    assert!(html.contains("avoid GIL threads"));
    // Amdahl: pure CPU work under the GIL is all serial, with a bootstrap interval.
    assert!(html.contains("Serial fraction (Amdahl"));
    assert!(
        html.contains(
            "mixed (cpu_fraction=1, task_duration=2ms, tasks=16, payload_bytes=1024): under the \
             GIL this workload is 100% serial ["
        ),
        "no Amdahl sentence"
    );
    // Both penalty maps are inlined next to the scaling charts, and the files exist.
    let drawn = run_charts(&run, None).expect("charts");
    assert_eq!(drawn.gil.len(), 2);
    assert_eq!(html.matches("<svg").count(), drawn.charts.len() + 2);
    assert!(html.contains("speedup(gil) / speedup(threads)"));
    for entry in std::fs::read_dir(dir.path().join("plots")).expect("plots") {
        let name = entry.expect("entry").file_name().to_string_lossy().to_string();
        assert!(html.contains(&name), "{name} not linked");
    }
    // GIL counters.
    assert!(html.contains("GIL switches") && html.contains("drop requests"));
    assert!(html.contains("4.20 ms"), "lock wait per sample");

    let md = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary.md");
    assert!(md.contains("## The answer") && md.contains("GIL cost"), "{md}");
    assert!(md.contains("avoid GIL threads"), "{md}");
}
