//! The library API from a test: a closure workload runs through the in-process models with
//! results checked; a worker executable that never installed the workload refuses it with an
//! error naming the entry-point call, quickly; bad benchmark settings are refused. The
//! processes models with a user's own `main` are tested by `tests/entry.rs`.

use std::time::{Duration, Instant};

use gilbench::api::{ApiError, Bench, Character, FnWorkload, Model, Registry};
use gilbench::exec::{self, ExecError};
use gilbench::work::{Params, WorkSpec};

use crate::support::{env, shared, tasks};

fn registry() -> Registry {
    Registry::new().with("xor", |params| {
        let key: u8 = params.get("key").map_or(Ok(0), |k| k.parse()).map_err(|e| format!("{e}"))?;
        Ok(FnWorkload::new(Character::Cpu, move |task| {
            Ok(task.input.iter().map(|b| b ^ key).collect())
        }))
    })
}

#[test]
fn closure_workload_runs_through_threads_and_async_with_equal_checksums() {
    let _machine = shared();
    let out = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    let run = Bench::new(&registry(), "xor")
        .param("key", 5)
        .setting("scratch", "/tmp/any path")
        .models([
            Model::Sequential,
            Model::Threads,
            Model::Gil,
            Model::AsyncCurrent,
            Model::AsyncMulti,
        ])
        .workers([1, 3])
        .tasks(10)
        .payload_bytes(100)
        .out(out.path())
        .run_with_events(&mut |e| events.push(e.clone()))
        .unwrap();
    assert!(run.failures().is_empty(), "{:?}", run.failures());
    assert_eq!(run.record.cases.len(), 9);
    // Progress comes round by round, each round further into its group, before the cases end.
    let fractions: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            gilbench::api::Event::RoundFinished { fraction, .. } => Some(*fraction),
            _ => None,
        })
        .collect();
    assert!(fractions.len() >= 3, "{events:?}");
    assert!(fractions.iter().all(|f| (0.0..=1.0).contains(f)), "{fractions:?}");
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    let first_case =
        events.iter().position(|e| matches!(e, gilbench::api::Event::CaseFinished { .. }));
    let first_round =
        events.iter().position(|e| matches!(e, gilbench::api::Event::RoundFinished { .. }));
    assert!(first_round < first_case, "{events:?}");
    let sums: std::collections::BTreeSet<_> =
        run.record.cases.iter().map(|c| c.checksum.clone().unwrap()).collect();
    assert_eq!(sums.len(), 1, "{sums:?}");
    assert!(run.record.cases.iter().all(|c| c.case.starts_with("xor/")
        && c.case.contains("/xor/key=5/")
        && !c.case.contains("scratch")));
    assert!(run.index.is_file() && run.dir.join("run.json").is_file());
}

#[test]
fn a_worker_without_the_workload_names_the_entry_call_quickly() {
    let _machine = shared();
    let spec = WorkSpec::Custom { name: "xor".into(), params: Params::new() };
    for model in [Model::ProcessesSpawn, Model::ProcessesFork] {
        let start = Instant::now();
        // The gilbench executable registers no custom workload.
        let Err(err) = exec::build(model, 2, &spec, &env()) else { panic!("{model}: started") };
        assert!(start.elapsed() < Duration::from_secs(10), "{model}: {:?}", start.elapsed());
        assert!(matches!(err, ExecError::Setup { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("workload `xor` is not registered"), "{text}");
        assert!(text.contains("gilbench::api::main_entry(&registry) first in main"), "{text}");
    }
    // In-process units report the same reason on the first task.
    let mut ex = exec::build(
        Model::Threads,
        1,
        &WorkSpec::Custom { name: "nope".into(), params: Params::new() },
        &env(),
    )
    .unwrap();
    let err =
        ex.run_batch(&tasks(1, 0), Instant::now() + Duration::from_secs(10)).expect_err("fails");
    assert!(err.to_string().contains("workload `nope` is not registered"), "{err}");
}

#[test]
fn bad_settings_are_refused_before_anything_runs() {
    let refused = |b: Bench, words: &str| match b.run() {
        Err(ApiError::Invalid(m)) => assert!(m.contains(words), "{m}"),
        other => panic!("{words}: {other:?}"),
    };
    refused(Bench::new(&registry(), "unknown"), "not registered");
    refused(
        Bench::new(
            &Registry::new()
                .with("cpu", |_| Ok(FnWorkload::new(Character::Cpu, |t| Ok(t.input.clone())))),
            "cpu",
        ),
        "built-in",
    );
    refused(Bench::new(&registry(), "xor").param("key", "a/b"), "without `/`");
    refused(Bench::new(&registry(), "xor").workers([0]), "above 0");
    refused(Bench::new(&registry(), "xor").profile("slow"), "profile");
}
