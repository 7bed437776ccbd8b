//! Charts of simulation output, as SVG documents and PNG images, in pure Rust.
//!
//! - [`LineChart`] and [`Raster`] render themselves as standalone SVG documents
//!   (`to_svg`), as PNG images (`to_png`), or both side by side (`save`);
//! - [`plot_run_dir`] and [`plot_run_dir_auto`] turn every probe file (`*.npy`) of a run
//!   directory into a chart beside it, as `.svg` and `.png`: spike compartments as rasters,
//!   everything else as traces over time;
//! - [`tuning_chart`] draws tuning curves.
//!
//! Every chart is laid out once as drawing primitives and then rendered by either backend, so
//! the SVG and the PNG show the same picture. SVGs are 800 × 480 pixels; PNGs are rendered at
//! twice that, 1600 × 960, antialiased, with the text set in DejaVu Sans embedded in the
//! binary (no system fonts or libraries are needed).
//!
//! ```no_run
//! # fn main() -> Result<(), cortecs::plot::PlotError> {
//! // After `cortecs run configs/lif_poisson.ron --out runs/lif_poisson`:
//! let charts = cortecs::plot::plot_run_dir_auto(std::path::Path::new("runs/lif_poisson"))?;
//! // runs/lif_poisson/z1.v.svg and z1.v.png, runs/lif_poisson/z1.s.svg and z1.s.png, …
//! # Ok(()) }
//! ```
//!
//! Units: time in ms.

mod axis;
mod drawing;
pub mod error;
mod font;
mod layout;
pub mod line_chart;
mod png;
pub mod raster;
pub mod run_dir;
mod save;
mod svg;
pub mod tuning;

pub use error::PlotError;
pub use line_chart::{LineChart, Series};
pub use raster::Raster;
pub use run_dir::{plot_run_dir, plot_run_dir_auto, run_dir_dt};
pub use tuning::tuning_chart;

/// The most series (units, neurons) one line chart draws; charts of more say so in the title.
pub const MAX_SERIES: usize = 20;
