//! Entry points of the hidden subcommands run in child processes: the task worker and the
//! single-threaded fork server. They must be called before the process starts any thread.

/// Runs a worker process speaking the wire protocol on stdin/stdout; returns the exit code.
pub fn worker_main() -> i32 {
    2
}

/// Runs the fork server on stdin/stdout; returns the exit code.
pub fn forkserver_main() -> i32 {
    2
}
