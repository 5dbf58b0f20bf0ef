//! Where errors point (lines and columns), unreadable files, and mutated input that must
//! never panic.

use std::path::Path;

use super::super::*;
use super::{CPU, HEAD, PATH, fails};

#[test]
fn byte_offsets_become_lines_and_character_columns() {
    use super::error::line_column;
    assert_eq!(line_column("abc", 0), (1, 1));
    assert_eq!(line_column("a\nbc", 3), (2, 2));
    assert_eq!(line_column("a\u{e9}\nb", 4), (2, 1));
    assert_eq!(line_column("\u{e9}\u{e9} x", 5), (1, 4));
    // Inside a character or past the end: clamped, never a panic.
    assert_eq!(line_column("\u{e9}", 1), (1, 1));
    assert_eq!(line_column("ab\n", 99), (2, 1));
    let e = fails(
        &format!("{HEAD}description = \"\u{fc}n\u{ef}c\u{f6}d\u{e9}\"  ; oops\n{CPU}"),
        4,
        None,
    );
    assert!(e.starts_with(&format!("{PATH}:4:26:")), "{e}");
}

#[test]
fn load_reports_unreadable_files() {
    let err = load(Path::new("/nonexistent/gilbench/x.toml")).expect_err("no such file");
    assert!(matches!(err, ScenarioError::Read { .. }));
    assert!(err.to_string().contains("/nonexistent/gilbench/x.toml"));
}

/// Random edits of every shipped file: `parse` must return, never panic, and errors must
/// point inside the file; what still parses must also plan (expand to cases) without a panic.
#[test]
fn mutated_input_never_panics() {
    const TOKENS: [&str; 24] = [
        "=",
        "[",
        "]",
        "[[",
        "]]",
        "\"",
        "'",
        ",",
        "{",
        "}",
        "\n",
        "#",
        "-1",
        "0",
        "1.5",
        "nan",
        "1e400",
        "99999999999999999999",
        "\"1TiB\"",
        "\"auto\"",
        "[[workload]]\n",
        "é",
        "\u{0}",
        "kind = \"mixed\"\n",
    ];
    let files = shipped();
    let mut rng = fastrand::Rng::with_seed(0x5ce7a210);
    let mut ok_count = 0;
    for round in 0..3000 {
        let mut text = files[round % files.len()].text.to_owned();
        for _ in 0..rng.usize(1..=3) {
            let mut at = rng.usize(0..=text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.u8(0..5) {
                0 => text.truncate(at),
                1 => {
                    let mut end = (at + rng.usize(1..20)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                2 => text.insert_str(at, TOKENS[rng.usize(0..TOKENS.len())]),
                3 => {
                    let digit = char::from(b'0' + rng.u8(0..10));
                    if let Some(pos) = text[at..].find(|c: char| c.is_ascii_digit()) {
                        text.replace_range(at + pos..at + pos + 1, &digit.to_string());
                    }
                }
                _ => {
                    let lines: Vec<&str> = text.lines().collect();
                    let i = rng.usize(0..lines.len().max(1));
                    let j = rng.usize(0..lines.len().max(1));
                    let mut lines: Vec<String> = lines.into_iter().map(str::to_owned).collect();
                    if i < lines.len() && j < lines.len() {
                        lines.swap(i, j);
                    }
                    text = lines.join("\n");
                }
            }
        }
        let outcome = std::panic::catch_unwind(|| {
            parse(&text, Path::new(PATH)).map(|sc| crate::sweep::plan(&sc, 2).len())
        });
        match outcome {
            Err(_) => panic!("round {round}: parse or plan panicked on:\n{text}"),
            Ok(Ok(_)) => ok_count += 1,
            Ok(Err(ScenarioError::At { line, column, .. })) => {
                let lines = text.split('\n').count();
                assert!(
                    (1..=lines).contains(&line) && column >= 1,
                    "round {round}: {line}:{column} of {lines}\n{text}"
                );
            }
            Ok(Err(e)) => panic!("round {round}: unexpected {e:?}"),
        }
    }
    // Some edits (in comments, descriptions) keep the file valid; most must not.
    assert!(ok_count > 0 && ok_count < 3000, "{ok_count} valid");
}
