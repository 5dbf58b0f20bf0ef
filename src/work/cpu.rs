//! The `cpu` workload: a pure integer kernel the optimiser cannot delete.

use std::hint::black_box;

use super::{Character, FreeUnit, Task, TaskResult, Unit, WorkError, Workload, finish};

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
    let mut x = black_box(seed ^ 0x2545_F491_4F6C_DD1D);
    let mut i = 0;
    while i < iterations {
        let end = (i + SLICE_ITERATIONS).min(iterations);
        while i < end {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x = x.wrapping_mul(0x2545_F491_4F6C_DD1D).wrapping_add(i);
            i += 1;
        }
        if i < iterations {
            unit.checkpoint();
        }
    }
    black_box(x)
}

/// CPU-bound work: `iterations` kernel rounds per task.
#[derive(Debug, Clone)]
pub struct CpuWork {
    /// Kernel rounds per task.
    pub iterations: u64,
}

impl Workload for CpuWork {
    fn character(&self) -> Character {
        Character::Cpu
    }

    fn run_in(&self, task: &Task, unit: &dyn Unit) -> Result<TaskResult, WorkError> {
        Ok(finish(task, cpu_kernel_in(task.index, self.iterations, unit)))
    }
}
