//! The keys of a `command` workload: `argv` (the program and its arguments, no shell), `name`
//! (shown in case keys) and `timeout` (per run of the command), checked with errors that point
//! at the value.

use std::time::Duration;

use super::limits::MAX_TIMEOUT;
use super::schema::{RawWorkload, Value};
use super::values::{Read, Reader, name_char};

/// Most arguments in `argv`, program included.
pub(super) const MAX_ARGS: usize = 4096;
/// Most bytes of all arguments together.
pub(super) const MAX_ARGV_BYTES: usize = 128 * 1024;
/// `timeout` when not given.
pub(super) const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads a `command` table: `(name, argv, timeout)`.
pub(super) fn command(
    rd: &Reader<'_>,
    w: &RawWorkload,
    offset: usize,
) -> Read<(String, Vec<String>, Duration)> {
    let Some(v) = w.argv.as_ref() else {
        return Err(rd.src.at(
            offset,
            Some("argv"),
            "missing; a `command` workload needs `argv`, the program and its arguments \
             (e.g. [\"gzip\", \"-c\", \"data/{task}.txt\"])",
        ));
    };
    let items = match v.get_ref() {
        Value::List(items) if items.is_empty() => {
            return Err(rd.err(v, "argv", "empty; expected the program, then its arguments"));
        }
        Value::List(items) => items,
        other => {
            return Err(rd.err(
                v,
                "argv",
                format!(
                    "expected a list of strings (the program, then its arguments), found {}",
                    other.describe()
                ),
            ));
        }
    };
    if items.len() > MAX_ARGS {
        return Err(rd.err(
            v,
            "argv",
            format!("{} arguments; expected at most {MAX_ARGS} (the limit)", items.len()),
        ));
    }
    let mut argv = Vec::with_capacity(items.len());
    for item in items {
        let s = rd.string(item, "argv")?;
        if s.contains('\0') {
            return Err(rd.err(item, "argv", "contains a NUL byte"));
        }
        argv.push(s.to_owned());
    }
    if argv[0].trim().is_empty() {
        return Err(rd.err(&items[0], "argv", "the program (first element) is empty"));
    }
    let total: usize = argv.iter().map(String::len).sum();
    if total > MAX_ARGV_BYTES {
        return Err(rd.err(
            v,
            "argv",
            format!("{total} bytes of arguments; expected at most {MAX_ARGV_BYTES} (the limit)"),
        ));
    }
    let name = match &w.name {
        Some(n) => rd.name(n, "name")?.to_owned(),
        None => default_name(&argv[0]),
    };
    let timeout = match &w.timeout {
        Some(t) => rd.duration(t, "timeout", true, MAX_TIMEOUT)?,
        None => DEFAULT_COMMAND_TIMEOUT,
    };
    Ok((name, argv, timeout))
}

/// The program's file name, with characters that would spoil case keys replaced by `-`.
fn default_name(program: &str) -> String {
    let base = program.rsplit('/').next().unwrap_or(program);
    let name: String = base.chars().take(64).map(|c| if name_char(c) { c } else { '-' }).collect();
    if name.is_empty() { "command".into() } else { name }
}
