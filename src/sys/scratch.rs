//! Private scratch directories in the temp folder, named `gilbench-<kind>-<pid>-<random>`: the
//! pid of the process that made one tells a directory a live run still uses from one that a
//! finished run left behind. Removed when dropped.

/// A new private directory for `kind` (`run`, `ipc`, `mgr`, `check`, `peer`).
pub fn private_dir(kind: &str) -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(&format!("gilbench-{kind}-{}-", std::process::id())).tempdir()
}
