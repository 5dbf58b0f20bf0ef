//! The `cpu` workload: a pure integer kernel the optimiser cannot delete.

use std::hint::black_box;

use super::{Character, Task, TaskResult, WorkError, Workload, finish};

/// `iterations` rounds of a multiply-xorshift mix, seeded by `seed`. Each round depends on
/// the previous one, so the loop can be neither vectorised nor skipped.
pub fn cpu_kernel(seed: u64, iterations: u64) -> u64 {
    let mut x = black_box(seed ^ 0x2545_F491_4F6C_DD1D);
    for i in 0..iterations {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x = x.wrapping_mul(0x2545_F491_4F6C_DD1D).wrapping_add(i);
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

    fn run(&self, task: &Task) -> Result<TaskResult, WorkError> {
        Ok(finish(task, cpu_kernel(task.index, self.iterations)))
    }
}
