//! The message for a key its table does not take: the closest key it does take ("did you
//! mean `task_duration`?") and, in a `[[workload]]` table, only the keys of that workload's
//! kind rather than every key of every kind.

use super::kinds::{KINDS, SHARED_KEYS, kind_keys};
use super::suggest::closest;

/// The message for `key`, found at byte `offset` of `text`, which serde rejected with the
/// `expected` keys of its struct.
pub(super) fn message(text: &str, offset: usize, key: &str, expected: &[String]) -> String {
    let all: Vec<&str> = expected.iter().map(String::as_str).collect();
    let kind = workload_kind(text, offset);
    let takes: Vec<&str> = match kind {
        Some(kind) => {
            ["kind"].into_iter().chain(kind_keys(kind).iter().copied()).chain(SHARED_KEYS).collect()
        }
        None => all.clone(),
    };
    // A key of the table first; else any key of the struct (a key of another kind).
    let mut msg = String::from("unknown key");
    match closest(key, takes.iter().copied()).or_else(|| closest(key, all.iter().copied())) {
        Some(near) if takes.contains(&near) => msg += &format!(" (did you mean `{near}`?)"),
        Some(near) => msg += &format!(" (did you mean `{near}`, a key of another kind?)"),
        None => {}
    }
    match kind {
        Some(kind) => msg += &format!("; a workload of kind `{kind}` takes {}", takes.join(", ")),
        None => msg += &format!("; expected one of {}", takes.join(", ")),
    }
    msg
}

/// The `kind` of the `[[workload]]` table that byte `offset` lies in, when it is one of the
/// known kinds.
fn workload_kind(text: &str, offset: usize) -> Option<&'static str> {
    let offset = (0..=offset.min(text.len())).rev().find(|&i| text.is_char_boundary(i))?;
    let header_at = text[..offset].rfind("\n[").map_or(0, |i| i + 1);
    let table = &text[header_at..];
    let mut lines = table.lines();
    if lines.next()?.trim() != "[[workload]]" {
        return None;
    }
    let kind = lines.take_while(|l| !l.trim_start().starts_with('[')).find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "kind").then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
    })?;
    KINDS.iter().copied().find(|k| *k == kind)
}
