//! Start-up cost by unit kind through the spawn probe's own code: start + join/wait of a
//! thread, fork + exit + wait, fork + exec, posix_spawn, `Command::status`, a gilbench worker
//! to ready, a tokio task, and one task on a warm thread pool and process pool. One criterion
//! iteration is one start. Run with `cargo bench --bench spawn`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gilbench::probe::{self, ProbeEnv};
use gilbench::{scenario, sweep};

fn env() -> ProbeEnv {
    ProbeEnv {
        worker_exe: PathBuf::from(env!("CARGO_BIN_EXE_gilbench")),
        cancel: Arc::new(AtomicBool::new(false)),
    }
}

fn starts(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    for variant in gilbench::probe::spawn::SPAWN_VARIANTS {
        // One start per sample: the probe repeats its unit for at least `duration` or twice.
        let text =
            format!("[[probe]]\nkind = \"spawn\"\nmodels = [\"{variant}\"]\nduration = \"1us\"\n");
        let Ok(sc) = scenario::parse(&text, Path::new("bench.toml")) else { continue };
        let cases = sweep::expand_probes(&sc, 2);
        let Some(case) = cases.first() else { continue };
        let Ok(mut p) = probe::build(&case.variant, &case.config, &env()) else {
            continue; // unsupported here
        };
        group.bench_function(format!("{variant}/start"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut done = 0u64;
                while done < iters {
                    let s = p.sample(Instant::now() + Duration::from_secs(60)).expect("sample");
                    let n = s.counters.get("starts").copied().unwrap_or(1.0) as u64;
                    total += Duration::from_secs_f64(s.value * n as f64);
                    done += n;
                }
                total.mul_f64(iters as f64 / done as f64)
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(2));
    targets = starts
}
criterion_main!(benches);
