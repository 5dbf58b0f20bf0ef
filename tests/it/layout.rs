//! The promise in ARCHITECTURE.md that imports only point one way: the `crate::…` and
//! `super::…` paths of `src/` (comments and in-file tests left out) form no circle between
//! top-level modules, nor between the sub-modules of any module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path of a source file: `src/probe/ipc/shm.rs` → [probe, ipc, shm].
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> =
        rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file: comment lines and everything from the first `#[cfg(test)]` dropped.
fn code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("readable source");
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if !t.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every `prefix` path in `code` as its segments: `crate::a::b` → [a, b].
fn paths(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let mut segs = Vec::new();
        for seg in rest.split("::") {
            let ident: String =
                seg.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let whole = ident.len() == seg.len();
            if !ident.is_empty() {
                segs.push(ident);
            }
            if !whole || segs.is_empty() {
                break;
            }
        }
        out.push(segs);
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src").flatten() {
        let p = entry.path();
        if p.is_dir() {
            // A module's `tests/` folder is test code, like its `tests.rs`.
            if p.file_name().is_some_and(|n| n != "tests") {
                sources(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs")
            && p.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(p);
        }
    }
}

/// The first circle in `graph`, as the nodes along it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut c = stack[i..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The module an import path names, from the file's module `at`: `crate::a::b` → [a, b],
/// `super::c` in [x, y] → [x, c]; `None` for other paths.
fn resolve(at: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = paths(code, "crate::");
    for p in paths(code, "super::") {
        let mut base = at.to_vec();
        base.pop();
        let mut segs = p.into_iter().peekable();
        while segs.peek().is_some_and(|s| s == "super") {
            base.pop();
            segs.next();
        }
        base.extend(segs);
        out.push(base);
    }
    out
}

#[test]
fn imports_form_no_circle_between_modules_or_sub_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: Vec<Vec<String>> = files.iter().map(|f| module_path(&src, f)).collect();
    // The children of every folder module: parent path → child names.
    let mut children: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for m in &modules {
        for k in 0..m.len() {
            children.entry(m[..k].to_vec()).or_default().insert(m[k].clone());
        }
    }
    // One graph per folder module: which of its children import which.
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (file, module) in files.iter().zip(&modules) {
        // The binary's own modules (the command line) and the crate roots import the library.
        if module.first().is_none_or(|m| ["lib", "main", "cli"].contains(&m.as_str())) {
            continue;
        }
        for to in resolve(module, &code(file)) {
            for k in 0..module.len() {
                let (parent, from) = (&module[..k], &module[k]);
                if to.len() <= k || to[..k] != *parent || to[k] == *from {
                    continue;
                }
                if children.get(parent).is_some_and(|c| c.contains(&to[k])) {
                    let graph = graphs.entry(parent.to_vec()).or_default();
                    graph.entry(from.clone()).or_default().insert(to[k].clone());
                }
            }
        }
    }
    let top = graphs.get(&Vec::new()).map(BTreeMap::len).unwrap_or(0);
    assert!(top > 5, "the module graph was not read: {graphs:?}");
    assert!(graphs.contains_key(&vec!["probe".to_string(), "ipc".to_string()]), "{graphs:?}");
    let mut found = Vec::new();
    for (parent, graph) in &graphs {
        let mut graph = graph.clone();
        while let Some(c) = circle(&graph) {
            let at = if parent.is_empty() { "crate".to_string() } else { parent.join("::") };
            found.push(format!("{at}: {}", c.join(" → ")));
            // Cut the circle's last edge and look again, to list every circle at once.
            let (a, b) = (&c[c.len() - 2], &c[c.len() - 1]);
            graph.get_mut(a).map(|to| to.remove(b));
        }
    }
    assert!(found.is_empty(), "modules import each other in a circle:\n{}", found.join("\n"));
}

/// The checker itself finds a circle and ignores what it should.
#[test]
fn the_circle_check_sees_circles_and_skips_comments() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert_eq!(circle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(circle(&g), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let found = paths("use crate::probe::ipc::Thing;\nlet x = my_crate::nope;", "crate::");
    assert_eq!(found, vec![vec!["probe".to_string(), "ipc".into(), "Thing".into()]]);
}

/// Most lines a Rust file of the project may have: a longer one is several things and is
/// split by what each part does.
const MAX_LINES: usize = 500;

#[test]
fn no_source_file_is_over_the_line_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        if root.join(dir).is_dir() {
            walk(&root.join(dir), &mut files);
        }
    }
    assert!(files.len() > 50, "the walk found only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).ok()?.lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}
