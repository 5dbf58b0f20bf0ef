//! SVG charts drawn with plotters from the results model only; one file per chart kind.
//! Computes no statistics: it draws what `results` carries.

mod scaling;

pub use scaling::{ChartFile, scaling_charts};

/// A chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {chart}: {message}")]
pub struct PlotError {
    /// Which chart.
    pub chart: String,
    /// What went wrong.
    pub message: String,
}
