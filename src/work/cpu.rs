//! The `cpu` workload: a pure integer kernel the optimiser cannot delete, optionally with a
//! share of it run with the interpreter lock released, as a C extension (hashlib, zlib, numpy)
//! computes outside the interpreter.

use std::hint::black_box;

use super::{Character, FreeUnit, Task, TaskResult, Unit, WorkError, Workload, blocking, finish};

/// Kernel rounds between two checkpoints: a few microseconds of work, the analogue of the
/// interpreter's periodic check between bytecodes.
pub const SLICE_ITERATIONS: u64 = 1024;

/// `iterations` rounds of a multiply-xorshift mix, seeded by `seed`. Each round depends on
/// the previous one, so the loop can be neither vectorised nor skipped.
pub fn cpu_kernel(seed: u64, iterations: u64) -> u64 {
    cpu_kernel_in(seed, iterations, &FreeUnit)
}

/// [`cpu_kernel`] in slices of [`SLICE_ITERATIONS`], calling `unit.checkpoint()` between
/// them; the result is the same as the unsliced kernel's.
pub fn cpu_kernel_in(seed: u64, iterations: u64, unit: &dyn Unit) -> u64 {
    black_box(rounds(start(seed), 0, iterations, Some(unit)))
}

/// [`cpu_kernel`] whose last `released` rounds (at most `iterations`) run as one blocking call
/// of `unit`, with the lock released and no checkpoint, as a C extension's call does; the
/// rounds before it run as [`cpu_kernel_in`] does. The result is the same as the unsplit
/// kernel's, whatever the split.
pub fn cpu_kernel_split(seed: u64, iterations: u64, released: u64, unit: &dyn Unit) -> u64 {
    let held = iterations - released.min(iterations);
    let mut x = rounds(start(seed), 0, held, Some(unit));
    if held < iterations {
        x = blocking(unit, || rounds(x, held, iterations, None));
    }
    black_box(x)
}

fn start(seed: u64) -> u64 {
    black_box(seed ^ 0x2545_F491_4F6C_DD1D)
}

/// Rounds `from..to` of the kernel from state `x`; with a unit, a checkpoint between slices.
fn rounds(mut x: u64, from: u64, to: u64, unit: Option<&dyn Unit>) -> u64 {
    let mut i = from;
    while i < to {
        let end = (i + SLICE_ITERATIONS).min(to);
        while i < end {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x = x.wrapping_mul(0x2545_F491_4F6C_DD1D).wrapping_add(i);
            i += 1;
        }
        if let Some(unit) = unit
            && i < to
        {
            unit.checkpoint();
        }
    }
    x
}

/// CPU-bound work: `iterations` kernel rounds per task, the last `released_iterations` of them
/// with the lock released.
#[derive(Debug, Clone)]
pub struct CpuWork {
    /// Kernel rounds per task.
    pub iterations: u64,
    /// Of those, the rounds run with the lock released (0: all of them hold it).
    pub released_iterations: u64,
}

impl Workload for CpuWork {
    fn character(&self) -> Character {
        Character::Cpu
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        let work = cpu_kernel_split(task.index, self.iterations, self.released_iterations, unit);
        Ok(finish(task, work))
    }
}
