//! The `cargo bench` helper on a user's workload: one criterion group per model and worker
//! count for a small CPU job (checksumming a task's payload many times), built with
//! `Bench::criterion` (gilbench's `criterion` feature). `cargo bench --bench custom_workload`.

use criterion::Criterion;
use gilbench::api::{Bench, Character, FnWorkload, Model, Registry, main_entry};

fn registry() -> Registry {
    Registry::new().with("checksum", |_| {
        Ok(FnWorkload::new(Character::Cpu, |task| {
            let mut h = 0xcbf2_9ce4_8422_2325u64;
            for _ in 0..64 {
                for b in &task.input {
                    h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3);
                }
            }
            Ok(h.to_le_bytes().to_vec())
        }))
    })
}

fn main() {
    // First: the processes models re-execute this bench binary as their workers.
    main_entry(&registry());
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1))
        .configure_from_args();
    let outcome = Bench::new(&registry(), "checksum")
        .models([Model::Sequential, Model::Threads, Model::ProcessesSpawn, Model::AsyncMulti])
        .workers([1, 2])
        .tasks(32)
        .payload_bytes(4096)
        .criterion(&mut c);
    if let Err(e) = outcome {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    c.final_summary();
}
