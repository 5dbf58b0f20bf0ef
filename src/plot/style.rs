//! The look shared by every chart and by the report: one colour and one marker per execution
//! model (by name, so a model keeps its colour in every chart), model order, and font sizes.

use plotters::chart::MeshStyle;
use plotters::coord::CoordTranslate;
use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::prelude::{
    Circle, Cross, DrawingArea, DrawingAreaErrorKind, DrawingBackend, EmptyElement, PathElement,
    Polygon, Rectangle, Text, TriangleMarker,
};
use plotters::style::{Color, FontDesc, IntoFont, RGBColor, TextStyle};

use crate::exec::Model;

/// Position of a known model in report order ([`Model::ALL`]).
fn known_position(model: &str) -> Option<usize> {
    Model::ALL.iter().position(|m| m.name() == model)
}

/// Colours of the known models (Okabe–Ito, readable with colour-blindness and in print).
const KNOWN: [(&str, RGBColor); 9] = [
    ("sequential", RGBColor(85, 85, 85)),
    ("threads", RGBColor(0, 114, 178)),
    ("processes:spawn", RGBColor(230, 159, 0)),
    ("processes:fork", RGBColor(213, 94, 0)),
    ("async:current", RGBColor(0, 158, 115)),
    ("async:multi", RGBColor(86, 180, 233)),
    ("async:blocking", RGBColor(0, 90, 70)),
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
    (known_position(model).unwrap_or(Model::ALL.len()), model)
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
    let index =
        known_position(model).map(|i| i.saturating_sub(1)).unwrap_or_else(|| fnv1a(model) as usize);
    SHAPES[index % SHAPES.len()]
}

/// Fifteen colours far apart (Tableau 10 and five more), for series that are not execution
/// models: every lock kind gets its own.
const SERIES: [RGBColor; 15] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(50, 50, 50),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(106, 61, 154),
    RGBColor(150, 150, 150),
    RGBColor(0, 0, 140),
];

/// The colour and marker of the `index`-th series of a chart whose series are not models
/// (lock kinds, transports): no two of the first 75 share both.
pub(crate) fn series_style(index: usize) -> (RGBColor, Marker) {
    const SHAPES: [Marker; 5] =
        [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];
    let colour = SERIES[index % SERIES.len()];
    (colour, SHAPES[(index + index / SERIES.len()) % SHAPES.len()])
}

/// Draws `marker` centred on `at` (in the area's own coordinates).
pub(crate) fn draw_marker<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    marker: Marker,
    colour: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let fill = colour.filled();
    let p = EmptyElement::at(at);
    match marker {
        Marker::Circle => area.draw(&(p + Circle::new((0, 0), 4, fill))),
        Marker::Triangle => area.draw(&(p + TriangleMarker::new((0, 0), 5, fill))),
        Marker::Square => area.draw(&(p + Rectangle::new([(-4, -4), (4, 4)], fill))),
        Marker::Diamond => {
            area.draw(&(p + Polygon::new(vec![(0, -5), (5, 0), (0, 5), (-5, 0)], fill)))
        }
        Marker::Cross => area.draw(&(p + Cross::new((0, 0), 4, colour.stroke_width(2)))),
    }
}

/// The grid and label look every chart shares, as one call in a mesh's builder chain.
pub(crate) trait HouseMesh {
    /// 12 px tick labels, 13 px axis names, pale grid lines and at most one light line
    /// between two bold ones.
    fn house(&mut self) -> &mut Self;
}

impl<X: Ranged, Y: Ranged, DB: DrawingBackend> HouseMesh for MeshStyle<'_, '_, X, Y, DB> {
    fn house(&mut self) -> &mut Self {
        self.label_style(text(12.0))
            .axis_desc_style(text(13.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(RGBColor(245, 245, 245))
            .max_light_lines(1)
    }
}

/// One row of a legend drawn beside a plot: a 28 px line sample at (`x`, `y`) with `marker`
/// in its middle, and `label` after it in `px`-pixel text.
pub(crate) fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    colour: RGBColor,
    marker: Marker,
    label: &str,
    px: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.draw(&PathElement::new(vec![(x, y), (x + 28, y)], colour.stroke_width(2)))?;
    draw_marker(area, (x + 14, y), marker, colour)?;
    area.draw(&Text::new(label.to_string(), (x + 36, y - 7), text(px)))
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
