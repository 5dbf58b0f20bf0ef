//! What a run exports for other tools, from one real small run: `samples.csv` with each
//! case's own figure, its group and its parameters; typed parameters in `run.json`; Bencher
//! Metric Format from `run --export-bmf` and `report --export-bmf`; and the JSON Schema of
//! `run.json`, which the shipped copy must equal and a real `run.json` must satisfy (checked
//! by a small validator of the keywords the generated schema uses, below).

use std::path::Path;
use std::process::Command;

use gilbench::results::{CaseRecord, RunRecord, load_run, run_schema};
use gilbench::sweep::ParamValue;
use serde_json::Value;

use crate::support::{exe, shared};

/// One real run of the gate scenario into `dir/out`, with its BMF export in `dir/bmf.json`.
fn real_run(dir: &Path) -> RunRecord {
    let _machine = shared();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios/gate.toml");
    let o = Command::new(exe())
        .current_dir(dir)
        .args(["run", scenario.to_str().unwrap(), "--no-wait", "--samples", "4"])
        .args(["--warmup", "1", "--out", "out", "--export-bmf", "bmf.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    load_run(&dir.join("out")).unwrap()
}

fn lock_case(run: &RunRecord) -> &CaseRecord {
    run.cases.iter().find(|c| c.case.contains("mode=uncontended")).expect("the lock case")
}

#[test]
fn samples_csv_and_run_json_carry_figures_groups_and_typed_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let run = real_run(tmp.path());
    let lock = lock_case(&run);
    assert_eq!(lock.param_values["duration"], ParamValue::Number(0.01));
    assert_eq!(lock.param_values["contenders"], ParamValue::Count(1));
    assert_eq!(lock.param_values["mode"], ParamValue::Text("uncontended".into()));
    let cpu = run.cases.iter().find(|c| c.workload == "cpu").unwrap();
    assert_eq!(cpu.param_values["iterations"], ParamValue::Count(20000));
    for c in &run.cases {
        let keys: Vec<_> = c.param_values.keys().collect();
        assert_eq!(keys, c.params.keys().collect::<Vec<_>>(), "{}", c.case);
    }

    let mut csv = csv::Reader::from_path(tmp.path().join("out/samples.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let col =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"));
    let (case, group, unit, value, wall) =
        (col("case"), col("group"), col("unit"), col("value"), col("wall_s"));
    let (duration, iterations) = (col("param_duration"), col("param_iterations"));
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let lock_rows: Vec<_> = rows.iter().filter(|r| r[case] == lock.case).collect();
    assert_eq!(lock_rows.len(), lock.samples.len());
    for r in &lock_rows {
        let (v, w): (f64, f64) = (r[value].parse().unwrap(), r[wall].parse().unwrap());
        // The lock's own figure (ns range), not its 10 ms sampling window.
        assert!(v > 0.0 && v < 1e-6 && w > 0.005, "value {v}, wall_s {w}");
        assert_eq!((&r[group], &r[unit], &r[duration]), (lock.group.as_str(), "s", "0.01"));
        assert_eq!(&r[iterations], "", "a lock case has no iterations");
    }
    let cpu_row = rows.iter().find(|r| r[case] == cpu.case).unwrap();
    assert_eq!(&cpu_row[iterations], "20000");
    assert_eq!(cpu_row[value].parse::<f64>().unwrap(), cpu.samples[0].wall_s);
}

#[test]
fn bmf_export_has_one_measure_per_ok_case() {
    let tmp = tempfile::tempdir().unwrap();
    let run = real_run(tmp.path());
    let bmf: Value = serde_json::from_slice(&std::fs::read(tmp.path().join("bmf.json")).unwrap())
        .expect("BMF is JSON");
    let cases = bmf.as_object().expect("an object keyed by case");
    assert_eq!(cases.len(), run.cases.len(), "every case of the run is ok");
    for c in &run.cases {
        let measures = cases[&c.case].as_object().unwrap();
        assert_eq!(measures.len(), 1, "{}: {measures:?}", c.case);
        let (name, figure) = measures.iter().next().unwrap();
        let want = match c.unit.as_str() {
            "s" => "latency",
            "ops/s" | "msg/s" => "throughput",
            "B" => "memory",
            other => panic!("unit {other}"),
        };
        assert_eq!(name, want, "{}", c.case);
        let f = |k: &str| figure[k].as_f64().unwrap_or_else(|| panic!("{k} in {figure}"));
        assert!(f("lower_value") <= f("value") && f("value") <= f("upper_value"), "{figure}");
        let scale = if name == "latency" { 1e9 } else { 1.0 };
        let median = c.summary.unwrap().median * scale;
        assert!((f("value") - median).abs() <= 1e-9 * median.abs(), "{figure} vs {median}");
    }
    // `report` writes the same export from the run directory.
    let o = Command::new(exe())
        .current_dir(tmp.path())
        .args(["report", "out", "--export-bmf", "again.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let again: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("again.json")).unwrap()).unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios/gate.toml");
    for sub in ["run", "report"] {
        let target = if sub == "run" { scenario.to_str().unwrap() } else { "out" };
        let o = Command::new(exe())
            .current_dir(tmp.path())
            .args([sub, target, "--export-bmf", "/no/such/folder/bmf.json"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{sub}: {err}");
        assert!(err.contains("--export-bmf") && !err.contains("panicked"), "{sub}: {err}");
    }
    // The same figures, to the last digit or so (run.json is read back with serde_json's
    // fast float parser).
    for (key, measures) in cases {
        for (name, figure) in measures.as_object().unwrap() {
            for k in ["value", "lower_value", "upper_value"] {
                let (a, b) = (figure[k].as_f64().unwrap(), again[key][name][k].as_f64().unwrap());
                assert!((a - b).abs() <= 1e-12 * a.abs(), "{key} {name} {k}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn the_shipped_schema_is_generated_from_the_types_and_a_real_run_satisfies_it() {
    let shipped_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(gilbench::results::SCHEMA_PATH);
    let shipped = std::fs::read_to_string(&shipped_path).expect("the schema is shipped");
    assert!(
        shipped == run_schema(),
        "{} is stale: cargo run --example run_schema > {}",
        shipped_path.display(),
        gilbench::results::SCHEMA_PATH
    );
    let schema: Value = serde_json::from_str(&shipped).unwrap();

    let tmp = tempfile::tempdir().unwrap();
    real_run(tmp.path());
    let text = std::fs::read_to_string(tmp.path().join("out/run.json")).unwrap();
    let run: Value = serde_json::from_str(&text).unwrap();
    let mut errors = Vec::new();
    validate(&schema, &schema, &run, "", &mut errors);
    assert!(errors.is_empty(), "run.json against the schema: {errors:#?}");
    // The validator can fail: a case without its key, a sample with a text wall time.
    let mut broken = run.clone();
    broken["cases"][0].as_object_mut().unwrap().remove("case");
    broken["cases"][1]["samples"][0]["wall_s"] = Value::from("fast");
    let mut errors = Vec::new();
    validate(&schema, &schema, &broken, "", &mut errors);
    assert_eq!(errors.len(), 2, "{errors:#?}");

    // A run.json written before typed parameters and per-sample figures still loads.
    let mut old = run;
    for c in old["cases"].as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("param_values");
        for s in c["samples"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("value");
        }
    }
    let file = tmp.path().join("old.json");
    std::fs::write(&file, serde_json::to_vec(&old).unwrap()).unwrap();
    let loaded = load_run(&file).expect("an older run.json loads");
    assert!(loaded.cases.iter().all(|c| c.param_values.is_empty()));
}

/// Checks `value` against `schema` (`root` resolves `$ref`s), for the keywords schemars
/// writes: `$ref`, `type`, `properties`, `required`, `additionalProperties`, `items`,
/// `minItems`, `maxItems`, `anyOf`, `oneOf`, `const`, `minimum`. Appends one line per error.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/$defs/").expect("local references only");
        validate(root, &root["$defs"][name], value, at, errors);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = |t: &str| match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "number" => value.is_number(),
            "integer" => value.is_u64() || value.is_i64(),
            other => panic!("type {other}"),
        };
        if !types.iter().any(|t| fits(t)) {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let (Some(min), Some(x)) = (schema["minimum"].as_f64(), value.as_f64())
        && x < min
    {
        errors.push(format!("{at}: {x} < {min}"));
    }
    if let Some(c) = schema.get("const").filter(|c| *c != value) {
        errors.push(format!("{at}: {value} is not {c}"));
    }
    for (key, one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(options) = schema[key].as_array() {
            let fitting = options
                .iter()
                .filter(|o| {
                    let mut e = Vec::new();
                    validate(root, o, value, at, &mut e);
                    e.is_empty()
                })
                .count();
            if fitting == 0 || (one && fitting > 1) {
                errors.push(format!("{at}: {value} fits {fitting} of the {key} options"));
            }
        }
    }
    if let Some(obj) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            if !obj.contains_key(name.as_str().unwrap()) {
                errors.push(format!("{at}: `{name}` is missing"));
            }
        }
        let props = schema["properties"].as_object();
        for (k, v) in obj {
            let path = format!("{at}/{k}");
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, v, &path, errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{path}: not in the schema")),
                    Some(s) if s.is_object() => validate(root, s, v, &path, errors),
                    _ => {}
                },
            }
        }
    }
    if let Some(items) = value.as_array() {
        let n = items.len() as u64;
        if schema["minItems"].as_u64().is_some_and(|m| n < m)
            || schema["maxItems"].as_u64().is_some_and(|m| n > m)
        {
            errors.push(format!("{at}: {n} items"));
        }
        if let Some(s) = schema.get("items").filter(|s| s.is_object()) {
            for (i, v) in items.iter().enumerate() {
                validate(root, s, v, &format!("{at}/{i}"), errors);
            }
        }
    }
}
