//! SVG charts drawn with plotters from the results model only; one file per chart kind.
//! Computes no statistics: it draws what `results` carries, and only chooses what to show.

mod cpython;
mod scaling;
mod style;

pub use cpython::{comparison_charts, cpython_charts};
pub use scaling::{ChartFile, group_title, scaling_charts};
pub use style::{MODEL_ORDER, model_colour, model_colour_hex, model_rank};

/// A chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {chart}: {message}")]
pub struct PlotError {
    /// Which chart.
    pub chart: String,
    /// What went wrong.
    pub message: String,
}

/// A file name (without extension) for `key` that is safe on every file system and in a
/// relative URL: ASCII letters, digits, `-`, `_` and `.` only, never starting with a dot,
/// at most 100 characters (longer keys end in a hash so they stay distinct).
pub fn safe_file_name(key: &str) -> String {
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

#[cfg(test)]
mod tests;
