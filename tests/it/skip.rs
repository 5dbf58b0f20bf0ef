//! How a test says it is skipped: on standard error, and as a line in
//! `$CARGO_TARGET_TMPDIR/skipped.txt`, which `.ci/run` counts and prints (standard error of a
//! passing test is only shown with `--nocapture`).

use std::io::Write;

/// Records that the running test is skipped, and why.
pub(crate) fn skip(why: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    eprintln!("{test}: skipped: {why}");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped.txt");
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(file, "{test}: {why}");
    }
}
