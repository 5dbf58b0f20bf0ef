//! The look shared by every chart and by the report: one colour and one marker per execution
//! model (by name, so a model keeps its colour in every chart), model order, and font sizes.

use plotters::style::{FontDesc, IntoFont, RGBColor, TextStyle};

/// Known models in report order; models not listed sort after them, by name.
pub const MODEL_ORDER: [&str; 8] = [
    "sequential",
    "threads",
    "processes:spawn",
    "processes:fork",
    "async:current",
    "async:multi",
    "gil",
    "gil:processes",
];

/// Colours of the known models (Okabe–Ito, readable with colour-blindness and in print).
const KNOWN: [(&str, RGBColor); 8] = [
    ("sequential", RGBColor(85, 85, 85)),
    ("threads", RGBColor(0, 114, 178)),
    ("processes:spawn", RGBColor(230, 159, 0)),
    ("processes:fork", RGBColor(213, 94, 0)),
    ("async:current", RGBColor(0, 158, 115)),
    ("async:multi", RGBColor(86, 180, 233)),
    ("gil", RGBColor(204, 121, 167)),
    ("gil:processes", RGBColor(136, 34, 85)),
];

/// Colours for models without a fixed one, picked by a stable hash of the name.
const FALLBACK: [RGBColor; 6] = [
    RGBColor(140, 86, 75),
    RGBColor(148, 103, 189),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
    RGBColor(31, 119, 180),
];

/// The colour of a model, the same in every chart and in the report.
pub fn model_colour(model: &str) -> RGBColor {
    if let Some(&(_, c)) = KNOWN.iter().find(|(name, _)| *name == model) {
        return c;
    }
    // Variants of a known family (`gil:5ms`) share the family's colour.
    if let Some(&(_, c)) = KNOWN.iter().find(|(name, _)| model.split(':').next() == Some(*name)) {
        return c;
    }
    FALLBACK[(fnv1a(model) % FALLBACK.len() as u64) as usize]
}

/// The colour of a model as CSS hex, `#rrggbb`.
pub fn model_colour_hex(model: &str) -> String {
    let RGBColor(r, g, b) = model_colour(model);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Sort key putting models in report order: known ones first, then the rest by name.
pub fn model_rank(model: &str) -> (usize, &str) {
    (MODEL_ORDER.iter().position(|m| *m == model).unwrap_or(MODEL_ORDER.len()), model)
}

/// The marker shape of a series, so models stay apart without colour too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    Cross,
}

/// The marker of a model: fixed for known models, hashed otherwise.
pub(crate) fn model_marker(model: &str) -> Marker {
    const SHAPES: [Marker; 5] =
        [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];
    let index = MODEL_ORDER
        .iter()
        .position(|m| *m == model)
        .map(|i| i.saturating_sub(1))
        .unwrap_or_else(|| fnv1a(model) as usize);
    SHAPES[index % SHAPES.len()]
}

/// A sans-serif font of `px` CSS pixels. plotters' SVG backend writes sizes divided by 1.24,
/// so the requested size is scaled up to land on `px`.
pub(crate) fn font(px: f64) -> FontDesc<'static> {
    ("sans-serif", px * 1.24).into_font()
}

/// Dark text of `px` CSS pixels.
pub(crate) fn text(px: f64) -> TextStyle<'static> {
    TextStyle::from(font(px)).color(&RGBColor(34, 34, 34))
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}
