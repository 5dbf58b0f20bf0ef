//! GIL penalty maps: a heatmap over CPU fraction (x) × workers (y) of one model's speedup
//! divided by another's, as `analysis::penalty_maps` computes it. Cells are coloured on a
//! diverging scale around 1.0 (log scale, symmetric) and carry their value as text.
//!
//! The grid is laid out by hand in pixels (category axes with labels under and beside the
//! cells); `crossover.rs` draws its map on the same [`Grid`].

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontTransform, RGBColor};

use super::style::text;
use crate::analysis::PenaltyMap;

const WIDTH: u32 = 900;
const LEGEND_WIDTH: i32 = 150;
const ROW_HEIGHT: i32 = 54;
const NEUTRAL: RGBColor = RGBColor(247, 247, 247);
/// Below 1 (the numerator is slower): vermillion.
const LOW: RGBColor = RGBColor(213, 94, 0);
/// Above 1 (the numerator is faster): blue.
const HIGH: RGBColor = RGBColor(0, 114, 178);
const MISSING: RGBColor = RGBColor(230, 230, 230);
const INK: RGBColor = RGBColor(34, 34, 34);

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// A category grid in pixels: `cols` columns, `rows` rows, row 0 drawn at the bottom.
#[derive(Debug, Clone, Copy)]
pub(super) struct Grid {
    pub(super) left: i32,
    pub(super) top: i32,
    pub(super) cell_w: i32,
    pub(super) cell_h: i32,
    pub(super) cols: usize,
    pub(super) rows: usize,
}

impl Grid {
    /// The top-left and bottom-right corners of a cell.
    pub(super) fn cell(&self, col: usize, row: usize) -> [(i32, i32); 2] {
        let x = self.left + col as i32 * self.cell_w;
        let y = self.top + (self.rows - 1 - row) as i32 * self.cell_h;
        [(x, y), (x + self.cell_w, y + self.cell_h)]
    }

    /// The centre of a cell.
    pub(super) fn centre(&self, col: usize, row: usize) -> (i32, i32) {
        let [(x0, y0), (x1, y1)] = self.cell(col, row);
        ((x0 + x1) / 2, (y0 + y1) / 2)
    }

    fn bottom(&self) -> i32 {
        self.top + self.rows as i32 * self.cell_h
    }

    /// Column labels under the grid, row labels left of it, and both axis descriptions.
    pub(super) fn draw_axes(
        &self,
        area: &Area<'_>,
        col_labels: &[String],
        row_labels: &[String],
        x_desc: &str,
        y_desc: &str,
    ) -> DrawResult {
        let centred = text(12.0).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, label) in col_labels.iter().enumerate() {
            let (x, _) = self.centre(i, 0);
            area.draw(&Text::new(label.clone(), (x, self.bottom() + 8), centred.clone()))?;
        }
        let right = text(12.0).pos(Pos::new(HPos::Right, VPos::Center));
        for (j, label) in row_labels.iter().enumerate() {
            let (_, y) = self.centre(0, j);
            area.draw(&Text::new(label.clone(), (self.left - 8, y), right.clone()))?;
        }
        let x_mid = self.left + self.cols as i32 * self.cell_w / 2;
        let desc = text(13.0).pos(Pos::new(HPos::Center, VPos::Top));
        area.draw(&Text::new(x_desc.to_string(), (x_mid, self.bottom() + 30), desc))?;
        let y_mid = self.top + self.rows as i32 * self.cell_h / 2;
        let rotated =
            text(13.0).transform(FontTransform::Rotate270).pos(Pos::new(HPos::Center, VPos::Top));
        area.draw(&Text::new(y_desc.to_string(), (14, y_mid), rotated))?;
        Ok(())
    }
}

/// The height of a chart with `rows` grid rows.
pub(super) fn height_for(rows: usize) -> u32 {
    (110 + rows as i32 * ROW_HEIGHT).max(300) as u32
}

/// The colour of `ratio` on the diverging scale reaching full strength at `extent` (log2).
pub(crate) fn diverging(ratio: f64, extent: f64) -> RGBColor {
    if !(ratio.is_finite() && ratio > 0.0) {
        return MISSING;
    }
    let t = (ratio.log2() / extent.max(1e-9)).clamp(-1.0, 1.0);
    let end = if t < 0.0 { LOW } else { HIGH };
    mix(NEUTRAL, end, t.abs())
}

/// `a` moved a fraction `t` of the way to `b`.
pub(super) fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let c = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
}

/// Dark or white text, whichever reads better on `fill`.
pub(super) fn ink_on(fill: RGBColor) -> RGBColor {
    let l = 0.299 * f64::from(fill.0) + 0.587 * f64::from(fill.1) + 0.114 * f64::from(fill.2);
    if l < 140.0 { WHITE } else { INK }
}

/// The scale's extent in log2 units: the largest |log2 ratio| of the map rounded up to a half,
/// at least 1 (so the scale spans at least 0.5 … 2).
pub(crate) fn extent(map: &PenaltyMap) -> f64 {
    let max = map
        .cells
        .iter()
        .flatten()
        .flatten()
        .map(|c| c.ratio)
        .filter(|r| r.is_finite() && *r > 0.0)
        .map(|r| r.log2().abs())
        .fold(0.0_f64, f64::max);
    ((max * 2.0).ceil() / 2.0).max(1.0)
}

/// A cell's text: the ratio with two decimals.
pub(crate) fn cell_text(ratio: f64) -> String {
    format!("{ratio:.2}")
}

/// A CPU fraction as a column label: `0`, `0.25`, `1`.
pub fn fraction_label(f: f64) -> String {
    let s = format!("{f:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The chart's title.
pub(crate) fn penalty_title(map: &PenaltyMap) -> String {
    format!("speedup({}) / speedup({}): {}", map.numerator, map.denominator, map.title)
}

/// Draws one penalty map and returns the SVG text.
pub(super) fn draw(map: &PenaltyMap) -> Result<String, String> {
    let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let rows = map.workers.len();
    let height = height_for(rows);
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let title = text(17.0).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(penalty_title(map), (WIDTH as i32 / 2, 10), title)).map_err(err)?;
        let left = 90;
        let plot_w = WIDTH as i32 - LEGEND_WIDTH - left - 20;
        let cols = map.fractions.len().max(1);
        let grid = Grid {
            left,
            top: 50,
            cell_w: plot_w / cols as i32,
            cell_h: ROW_HEIGHT,
            cols,
            rows: rows.max(1),
        };
        let extent = extent(map);
        for (j, row) in map.cells.iter().enumerate() {
            for (i, cell) in row.iter().enumerate() {
                let fill = cell.map(|c| diverging(c.ratio, extent)).unwrap_or(MISSING);
                root.draw(&Rectangle::new(grid.cell(i, j), fill.filled())).map_err(err)?;
                root.draw(&Rectangle::new(grid.cell(i, j), WHITE.stroke_width(2))).map_err(err)?;
                let label = cell.map(|c| cell_text(c.ratio)).unwrap_or_else(|| "–".into());
                let ink = ink_on(fill);
                let style = text(14.0).color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw(&Text::new(label, grid.centre(i, j), style)).map_err(err)?;
                if let Some(c) = cell {
                    let (n, d) = (&c.numerator, &c.denominator);
                    hovers.rect(
                        grid.cell(i, j),
                        format!(
                            "{} / {} = {:.3} at CPU fraction {}, {} workers: {} {}, {} {}",
                            map.numerator,
                            map.denominator,
                            c.ratio,
                            fraction_label(map.fractions[i]),
                            map.workers[j],
                            map.numerator,
                            super::hover::speedup_text(n.median, n.ci_low, n.ci_high),
                            map.denominator,
                            super::hover::speedup_text(d.median, d.ci_low, d.ci_high),
                        ),
                    );
                }
            }
        }
        let cols_text: Vec<String> = map.fractions.iter().map(|f| fraction_label(*f)).collect();
        let rows_text: Vec<String> = map.workers.iter().map(|w| w.to_string()).collect();
        grid.draw_axes(&root, &cols_text, &rows_text, "CPU fraction of each task", "workers")
            .map_err(err)?;
        legend(&root, grid, extent, map).map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}

/// A vertical colour bar right of the grid, labelled at powers of two.
fn legend(area: &Area<'_>, grid: Grid, extent: f64, map: &PenaltyMap) -> DrawResult {
    let x = WIDTH as i32 - LEGEND_WIDTH + 20;
    let top = grid.top + 22;
    let h = (grid.rows as i32 * grid.cell_h - 30).max(120);
    area.draw(&Text::new(
        format!("{} / {}", map.numerator, map.denominator),
        (x - 8, grid.top),
        text(12.0),
    ))?;
    const STEPS: i32 = 48;
    for k in 0..STEPS {
        let v = extent * (1.0 - 2.0 * (f64::from(k) + 0.5) / f64::from(STEPS));
        let y0 = top + h * k / STEPS;
        let y1 = top + h * (k + 1) / STEPS;
        area.draw(&Rectangle::new([(x, y0), (x + 22, y1)], diverging(v.exp2(), extent).filled()))?;
    }
    area.draw(&Rectangle::new([(x, top), (x + 22, top + h)], RGBColor(190, 190, 190)))?;
    let whole = extent.floor() as i32;
    for p in -whole..=whole {
        let y = top + ((extent - f64::from(p)) / (2.0 * extent) * f64::from(h)).round() as i32;
        area.draw(&PathElement::new(vec![(x + 22, y), (x + 27, y)], INK))?;
        let label = fraction_label(f64::from(p).exp2());
        let style = text(12.0).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(label, (x + 31, y), style))?;
    }
    let note = text(11.0);
    area.draw(&Text::new("1 = no difference", (x - 8, top + h + 12), note.clone()))?;
    Ok(())
}
