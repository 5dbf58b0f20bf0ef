//! The workload kinds as written in scenario files and the keys a `[[workload]]` table of
//! each kind takes: its own, and those it shares with the top of the file.

/// Workload kinds as written in scenario files.
pub(super) const KINDS: [&str; 6] = ["cpu", "io-sleep", "io-file", "io-net", "mixed", "command"];

/// The keys a workload table shares with the top of the file (each overrides it there).
pub(super) const SHARED_KEYS: [&str; 4] = ["models", "workers", "tasks", "payload_bytes"];

/// The keys each kind takes, beyond `kind` and the shared ones.
pub(super) fn kind_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "cpu" => &["task_duration", "iterations", "released_fraction"],
        "io-sleep" => &["sleep"],
        "io-file" => &["bytes", "fsync"],
        "io-net" => &["delay", "response_bytes"],
        "command" => &["argv", "name", "timeout"],
        _ => &["task_duration", "cpu_fraction", "released_fraction"],
    }
}
