//! Dependency-free SVG charts of simulation output.
//!
//! - [`LineChart`] and [`Raster`] render themselves as standalone SVG documents;
//! - [`plot_run_dir`] and [`plot_run_dir_auto`] turn every probe file (`*.npy`) of a run
//!   directory into a chart beside it: spike compartments as rasters, everything else as
//!   traces over time;
//! - [`tuning_chart`] draws tuning curves.
//!
//! ```no_run
//! # fn main() -> Result<(), cortecs::plot::PlotError> {
//! // After `cortecs run configs/lif_poisson.ron --out runs/lif_poisson`:
//! let charts = cortecs::plot::plot_run_dir_auto(std::path::Path::new("runs/lif_poisson"))?;
//! // runs/lif_poisson/z1.v.svg, runs/lif_poisson/z1.s.svg, …
//! # Ok(()) }
//! ```
//!
//! Units: time in ms.

mod axis;
pub mod error;
pub mod run_dir;
pub mod svg;
pub mod tuning;

pub use error::PlotError;
pub use run_dir::{plot_run_dir, plot_run_dir_auto, run_dir_dt};
pub use svg::{LineChart, Raster, Series};
pub use tuning::tuning_chart;

/// The most series (units, neurons) one line chart draws; charts of more say so in the title.
pub const MAX_SERIES: usize = 20;
