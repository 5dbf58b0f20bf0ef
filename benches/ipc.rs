//! The IPC probes under criterion, on the same probe code the `ipc` scenario runs: round-trip
//! latency of every transport between two threads and between two processes (8-byte and
//! 64 KiB messages), streaming throughput of a few, and the multiprocessing analogues. Each
//! criterion iteration is one message; the time per iteration is the probe's mean round trip
//! (latency) or its inverse message rate (throughput) over a short sample.
//!
//! Run with `cargo bench --bench ipc`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gilbench::measure::placement::Placement;
use gilbench::probe::ipc::{Endpoints, Ipc, IpcConfig, Mode, MpParams, Transport};
use gilbench::probe::{Probe, ProbeEnv};

fn env() -> ProbeEnv {
    ProbeEnv {
        worker_exe: PathBuf::from(env!("CARGO_BIN_EXE_gilbench")),
        cancel: Arc::new(AtomicBool::new(false)),
    }
}

/// Seconds per message of one short sample of `probe`.
fn per_message(probe: &mut dyn Probe, latency: bool) -> f64 {
    match probe.sample(Instant::now() + Duration::from_secs(30)) {
        Ok(s) if latency => s.counters.get("mean_s").copied().unwrap_or(s.value),
        Ok(s) => 1.0 / s.value.max(1e-9),
        Err(e) => panic!("sample failed: {e}"),
    }
}

fn bench(c: &mut Criterion, name: &str, probe: &mut dyn Probe, latency: bool) {
    c.bench_function(name, |b| {
        b.iter_custom(|iters| Duration::from_secs_f64(per_message(probe, latency) * iters as f64))
    });
}

fn transports(c: &mut Criterion) {
    let env = env();
    for endpoints in [Endpoints::Threads, Endpoints::Processes, Endpoints::Tasks] {
        for size in [8usize, 64 * 1024] {
            for (mode, modes) in [(Mode::Latency, "latency"), (Mode::Throughput, "throughput")] {
                for t in Transport::ALL {
                    let cfg = IpcConfig {
                        transport: t,
                        endpoints,
                        size,
                        mode,
                        placement: Placement::Free,
                        duration: Duration::from_millis(5),
                    };
                    if cfg.unsupported().is_some()
                        || (mode == Mode::Throughput
                            && !matches!(
                                t,
                                Transport::Pipe
                                    | Transport::ShmFutex
                                    | Transport::Crossbeam
                                    | Transport::TokioMpsc
                            ))
                    {
                        continue;
                    }
                    let Ok(mut p) = Ipc::with_config(cfg, &env) else { continue };
                    let name =
                        format!("ipc/{modes}/{endpoints:?}/{}/{size}B", t.name()).to_lowercase();
                    bench(c, &name, &mut p, mode == Mode::Latency);
                }
            }
        }
    }
}

fn multiprocessing(c: &mut Criterion) {
    let env = env();
    for variant in ["value", "array", "queue", "manager"] {
        let params = MpParams { clients: 1, size: 64, duration: Duration::from_millis(5) };
        let Ok(mut p) = gilbench::probe::ipc::mp::Mp::new(variant, &params, &env) else { continue };
        bench(c, &format!("mp/{variant}/1-client"), &mut p, false);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(300));
    targets = transports, multiprocessing
}
criterion_main!(benches);
