//! The one writer of chart files: each chart `plot` drew for a page goes to
//! `plots/<name>.svg` under the page's folder, atomically, under a name no other chart of the
//! page took. The page inlines the same text, so no chart is read back from disk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::results::{ResultsError, write_atomic};

/// A chart with the path of its file, relative to the page's folder.
pub(super) type Written<'c, C> = (&'c C, PathBuf);

/// Writes the charts of one page into `dir/plots/`, each file name once.
#[derive(Debug)]
pub(super) struct ChartFiles<'d> {
    dir: &'d Path,
    used: HashSet<String>,
}

impl<'d> ChartFiles<'d> {
    /// A writer into `dir/plots/`, with no name taken yet.
    pub(super) fn new(dir: &'d Path) -> Self {
        ChartFiles { dir, used: HashSet::new() }
    }

    /// Writes each chart's SVG text (`file` gives its wanted name and its text) as
    /// `plots/<safe name>.svg`, a name taken before by this writer getting `-2`, `-3`, …;
    /// returns each chart with its path, in order. Creates `plots/` only for a first chart.
    pub(super) fn write<'c, C>(
        &mut self,
        charts: &'c [C],
        file: impl Fn(&C) -> (&str, &str),
    ) -> Result<Vec<Written<'c, C>>, ResultsError> {
        let mut out = Vec::with_capacity(charts.len());
        for chart in charts {
            let (name, svg) = file(chart);
            out.push((chart, self.write_one(name, svg)?));
        }
        Ok(out)
    }

    fn write_one(&mut self, name: &str, svg: &str) -> Result<PathBuf, ResultsError> {
        let plots = self.dir.join("plots");
        std::fs::create_dir_all(&plots)
            .map_err(|cause| ResultsError::Write { path: plots.clone(), cause })?;
        let base = safe_file_name(name);
        let mut file = base.clone();
        let mut n = 2;
        while !self.used.insert(file.clone()) {
            file = format!("{base}-{n}");
            n += 1;
        }
        let path = PathBuf::from("plots").join(format!("{file}.svg"));
        write_atomic(&self.dir.join(&path), svg.as_bytes())?;
        Ok(path)
    }
}

/// A path as a relative URL (forward slashes on every platform).
pub(super) fn href(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The SVG element itself, without any XML prolog, ready to inline.
pub(super) fn svg_body(svg: &str) -> &str {
    svg.find("<svg").map(|i| &svg[i..]).unwrap_or(svg)
}

/// A file name (without extension) for `key` that is safe on every file system and in a
/// relative URL: ASCII letters, digits, `-`, `_` and `.` only, never starting with a dot,
/// at most 100 characters (longer keys end in a hash so they stay distinct).
pub(super) fn safe_file_name(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        let c = match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' => c,
            '=' => '-',
            _ => '_',
        };
        let repeat = matches!(c, '_' | '-' | '.') && out.ends_with(c);
        if !repeat {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches(|c| matches!(c, '_' | '-' | '.'));
    let mut name = if trimmed.is_empty() { "chart".to_string() } else { trimmed.to_string() };
    const MAX: usize = 100;
    if name.len() > MAX {
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        name.truncate(MAX - 17);
        name = format!("{name}-{hash:016x}");
    }
    name
}
