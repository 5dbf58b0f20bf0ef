//! The crossover map: over task size (x, log-spaced sizes as categories) × payload (y), which
//! model wins, as `analysis::crossover_maps` ranks them. A cell takes the winner's model colour
//! (pale when its interval overlaps the runner-up's) and names the winner and its margin.

use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::heatmap::{Grid, height_for, ink_on, mix};
use super::style::{model_colour, model_rank, text};
use crate::analysis::{CrossoverCell, CrossoverMap};

const WIDTH: u32 = 1000;
const LEGEND_WIDTH: i32 = 170;
const MISSING: RGBColor = RGBColor(230, 230, 230);

/// A task size as a column label: `1 µs`, `100 ms`, `1.5 s`.
pub fn task_label(seconds: f64) -> String {
    let (v, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        (seconds * 1e6, "µs")
    } else {
        (seconds * 1e9, "ns")
    };
    let s = format!("{v:.1}");
    format!("{} {unit}", s.trim_end_matches('0').trim_end_matches('.'))
}

/// A payload as a row label: `0 B`, `1 KiB`, `64 KiB`, `1 MiB`.
pub fn payload_label(bytes: u64) -> String {
    for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= size {
            let v = bytes as f64 / size as f64;
            let s = format!("{v:.1}");
            return format!("{} {unit}", s.trim_end_matches('0').trim_end_matches('.'));
        }
    }
    format!("{bytes} B")
}

/// The two lines of a cell: the winner, then its margin over the runner-up (`1.35× vs gil`,
/// or `≈ gil` when their intervals overlap).
pub(crate) fn cell_lines(cell: &CrossoverCell) -> (String, String) {
    let winner = cell.winner().model.clone();
    let margin = match cell.runner_up() {
        None => "only result".to_string(),
        Some(next) if !cell.clear => format!("≈ {}", next.model),
        Some(next) => format!("{:.2}× vs {}", cell.margin, next.model),
    };
    (winner, margin)
}

/// The chart's title.
pub(crate) fn crossover_title(map: &CrossoverMap) -> String {
    format!("fastest model by task size and payload: {}", map.title)
}

/// Draws one crossover map and returns the SVG text.
pub(super) fn draw(map: &CrossoverMap) -> Result<String, String> {
    let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let rows = map.payloads.len().max(1);
    let height = height_for(rows) + 10;
    let mut svg = String::new();
    let mut hovers = super::hover::Hovers::default();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let title = text(17.0).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(crossover_title(map), (WIDTH as i32 / 2, 10), title)).map_err(err)?;
        let left = 100;
        let cols = map.tasks.len().max(1);
        let grid = Grid {
            left,
            top: 50,
            cell_w: (WIDTH as i32 - LEGEND_WIDTH - left - 10) / cols as i32,
            cell_h: 54,
            cols,
            rows,
        };
        for (j, row) in map.cells.iter().enumerate() {
            for (i, cell) in row.iter().enumerate() {
                let corners = grid.cell(i, j);
                let (cx, cy) = grid.centre(i, j);
                let Some(cell) = cell else {
                    root.draw(&Rectangle::new(corners, MISSING.filled())).map_err(err)?;
                    let style = text(13.0).pos(Pos::new(HPos::Center, VPos::Center));
                    root.draw(&Text::new("–", (cx, cy), style)).map_err(err)?;
                    continue;
                };
                let colour = model_colour(&cell.winner().model);
                let fill = if cell.clear { colour } else { mix(colour, WHITE, 0.6) };
                root.draw(&Rectangle::new(corners, fill.filled())).map_err(err)?;
                root.draw(&Rectangle::new(corners, WHITE.stroke_width(2))).map_err(err)?;
                let ink = ink_on(fill);
                let (first, second) = cell_lines(cell);
                let top_line = text(12.0).color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw(&Text::new(first, (cx, cy - 8), top_line)).map_err(err)?;
                let bottom = text(11.0).color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw(&Text::new(second, (cx, cy + 9), bottom)).map_err(err)?;
                let ranking: Vec<String> = cell
                    .ranking
                    .iter()
                    .map(|b| {
                        let s = &b.speedup;
                        format!(
                            "{} ({}w) {}",
                            b.model,
                            b.workers,
                            super::hover::speedup_text(s.median, s.ci_low, s.ci_high)
                        )
                    })
                    .collect();
                hovers.rect(corners, ranking.join("; "));
            }
        }
        let cols_text: Vec<String> = map.tasks.iter().map(|t| task_label(*t)).collect();
        let rows_text: Vec<String> = map.payloads.iter().map(|p| payload_label(*p)).collect();
        grid.draw_axes(&root, &cols_text, &rows_text, "CPU time per task", "payload per task")
            .map_err(err)?;
        legend(&root, grid.top, map).map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(hovers.add_to(&svg))
}

/// The winners' colours, beside the grid.
fn legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    top: i32,
    map: &CrossoverMap,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let x = WIDTH as i32 - LEGEND_WIDTH + 16;
    let mut winners: Vec<&str> =
        map.cells.iter().flatten().flatten().map(|c| c.winner().model.as_str()).collect();
    winners.sort_by_key(|m| model_rank(m));
    winners.dedup();
    area.draw(&Text::new("fastest", (x, top), text(13.0)))?;
    let mut y = top + 24;
    for model in winners {
        area.draw(&Rectangle::new([(x, y - 6), (x + 14, y + 8)], model_colour(model).filled()))?;
        area.draw(&Text::new(model.to_string(), (x + 22, y - 6), text(12.0)))?;
        y += 22;
    }
    y += 8;
    for line in ["pale: no clear winner", "(intervals overlap)"] {
        area.draw(&Text::new(line, (x, y), text(11.0)))?;
        y += 15;
    }
    Ok(())
}
