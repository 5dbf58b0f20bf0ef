//! Time per context switch by ping-pong, through the switch probe's own code: each mechanism
//! with both ends on one CPU and left to the scheduler. One criterion iteration is one round
//! trip (two switches). Run with `cargo bench --bench switch`.

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

fn switches(c: &mut Criterion) {
    let mut group = c.benchmark_group("switch");
    for placement in ["same-cpu", "free"] {
        for variant in gilbench::probe::switch::VARIANTS {
            let text = format!(
                "[[probe]]\nkind = \"switch\"\nmodels = [\"{variant}\"]\nplacement = \"{placement}\"\n"
            );
            let Ok(sc) = scenario::parse(&text, Path::new("bench.toml")) else { continue };
            let cases = sweep::expand_probes(&sc, 2);
            let Some(case) = cases.first() else { continue };
            let Ok(mut p) = probe::build(&case.variant, &case.config, &env()) else {
                continue; // unsupported here
            };
            // The probe runs round_trips (2000) per sample; scale to one round trip.
            group.bench_function(format!("{variant}/{placement}/round_trip"), |b| {
                b.iter_custom(|iters| {
                    let samples = iters.div_ceil(2000).max(1);
                    let mut total = Duration::ZERO;
                    for _ in 0..samples {
                        let s = p
                            .sample(Instant::now() + Duration::from_secs(60))
                            .expect("ping-pong sample");
                        total += s.wall;
                    }
                    total.mul_f64(iters as f64 / (samples * 2000) as f64)
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(2));
    targets = switches
}
criterion_main!(benches);
