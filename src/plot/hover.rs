//! Hover values: an invisible target with an SVG `<title>` over every point, bar or cell a
//! chart draws, so a browser shows the figure (median and interval) under the pointer. The
//! targets are collected in pixel coordinates while drawing and added to the SVG text after
//! plotters has written it; nothing is computed here.

use std::fmt::Write as _;

/// One target: a circle around a point or a rectangle over a bar or cell.
#[derive(Debug, Clone, PartialEq)]
enum Spot {
    Point { x: i32, y: i32, text: String },
    Rect { x0: i32, y0: i32, x1: i32, y1: i32, text: String },
}

/// The hover targets of one chart.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Hovers {
    spots: Vec<Spot>,
}

impl Hovers {
    /// A target of radius 7 px centred on (`x`, `y`), in the SVG's pixels.
    pub(crate) fn point(&mut self, (x, y): (i32, i32), text: impl Into<String>) {
        self.spots.push(Spot::Point { x, y, text: text.into() });
    }

    /// A target over the rectangle between two corners, in the SVG's pixels.
    pub(crate) fn rect(&mut self, [a, b]: [(i32, i32); 2], text: impl Into<String>) {
        let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
        let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
        self.spots.push(Spot::Rect { x0, y0, x1, y1, text: text.into() });
    }

    /// `svg` with the targets added as its last group (drawn on top, fully transparent).
    pub(crate) fn add_to(&self, svg: &str) -> String {
        if self.spots.is_empty() {
            return svg.to_string();
        }
        let mut group = String::from("<g class=\"hover\" fill=\"#000\" fill-opacity=\"0\">\n");
        for spot in &self.spots {
            match spot {
                Spot::Point { x, y, text } => {
                    let _ = writeln!(
                        group,
                        "<circle cx=\"{x}\" cy=\"{y}\" r=\"7\"><title>{}</title></circle>",
                        escape(text)
                    );
                }
                Spot::Rect { x0, y0, x1, y1, text } => {
                    let _ = writeln!(
                        group,
                        "<rect x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
                        (x1 - x0).max(1),
                        (y1 - y0).max(1),
                        escape(text)
                    );
                }
            }
        }
        group.push_str("</g>\n");
        match svg.rfind("</svg>") {
            Some(end) => format!("{}{group}{}", &svg[..end], &svg[end..]),
            None => svg.to_string(),
        }
    }
}

/// Text safe inside an SVG element.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `1.90× [1.80, 2.00]`: a speedup and its interval, for a hover.
pub(crate) fn speedup_text(median: f64, low: f64, high: f64) -> String {
    format!("{median:.3}× [{low:.3}, {high:.3}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_land_inside_the_svg_with_escaped_titles() {
        let mut h = Hovers::default();
        h.point((10, 20), "a <b> & c");
        h.rect([(30, 40), (5, 8)], "cell");
        let svg = h.add_to("<svg width=\"50\"><rect/></svg>\n");
        assert!(svg.ends_with("</g>\n</svg>\n"), "{svg}");
        assert!(
            svg.contains("<circle cx=\"10\" cy=\"20\" r=\"7\"><title>a &lt;b&gt; &amp; c</title>")
        );
        assert!(
            svg.contains("<rect x=\"5\" y=\"8\" width=\"25\" height=\"32\"><title>cell</title>")
        );
        assert_eq!(Hovers::default().add_to("<svg></svg>"), "<svg></svg>");
    }
}
