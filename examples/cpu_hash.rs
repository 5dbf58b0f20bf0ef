//! A CPU-bound workload of real work through every execution model: each task generates
//! `kib` KiB of data from its index and hashes it `rounds` times with the standard library's
//! SipHash. Run it with `cargo run --release --example cpu_hash [-- OUT_DIR]`.
//!
//! `main_entry` comes first: the `processes` models re-execute this program as workers.

use std::hash::Hasher;

use anyhow::{Context, Result};
use gilbench::api::{Bench, Character, FnWorkload, Model, Params, Registry, main_entry};

/// A parameter of the workload, with a default.
fn number(params: &Params, key: &str, default: u64) -> Result<u64, String> {
    params.get(key).map_or(Ok(default), |v| v.parse().map_err(|e| format!("{key}={v}: {e}")))
}

/// Deterministic data of `len` bytes for task `index`.
fn generate(index: u64, len: usize) -> Vec<u8> {
    let mut state = index.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn registry() -> Registry {
    Registry::new().with("siphash", |params| {
        let len = number(params, "kib", 256)? as usize * 1024;
        let rounds = number(params, "rounds", 4)?;
        Ok(FnWorkload::new(Character::Cpu, move |task| {
            let data = generate(task.index, len);
            let mut digest = 0u64;
            for round in 0..rounds {
                #[expect(deprecated, reason = "SipHasher is the stable, seedable SipHash")]
                let mut h = std::hash::SipHasher::new_with_keys(round, digest);
                h.write(&data);
                h.write(&task.input);
                digest = h.finish();
            }
            Ok(digest.to_le_bytes().to_vec())
        }))
    })
}

fn main() -> Result<()> {
    main_entry(&registry());
    let out = std::env::args().nth(1).unwrap_or_else(|| "reports/example-cpu-hash".into());
    let run = Bench::new(&registry(), "siphash")
        .param("kib", 256)
        .param("rounds", 4)
        .models([
            Model::Sequential,
            Model::Threads,
            Model::Gil,
            Model::ProcessesSpawn,
            Model::ProcessesFork,
            Model::AsyncCurrent,
            Model::AsyncMulti,
        ])
        .workers([1, 2, 4])
        .tasks(32)
        .payload_bytes(1024)
        .out(&out)
        .run()
        .context("running the siphash benchmark")?;
    for (case, reason) in run.failures() {
        eprintln!("{case}: {reason}");
    }
    println!("{}", run.index.display());
    Ok(())
}
