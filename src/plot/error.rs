//! The error type of plotting: rendering charts and plotting a run directory.

use std::path::PathBuf;

/// An error rendering a chart or plotting the probe files of a run directory.
///
/// Every variant about files names the directory or file involved, so that the message alone
/// tells the user where to look.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The directory holds no `*.npy` file to plot.
    #[error("no probe files (*.npy) in {}", dir.display())]
    NoProbes {
        /// The directory searched.
        dir: PathBuf,
    },

    /// The directory has probe files but no `model.ron` giving the run's time step, so times
    /// and rates cannot be computed (a run writes `model.ron` when it starts).
    #[error(
        "{}: no `model.ron` with the run's `dt`, so its times and rates are unknown; \
         a run written by `cortecs run --out` (with or without `--stream`) has one — copy the \
         config the run used there as `model.ron`",
        dir.display()
    )]
    NoDt {
        /// The run directory.
        dir: PathBuf,
    },

    /// A directory, probe file or `model.ron` could not be read or is not what it should be
    /// (for a probe, a 1-D or 2-D float32 or float64 `.npy` array).
    #[error("cannot read {}: {message}", path.display())]
    Read {
        /// The directory or file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// A chart could not be rendered as a PNG image (the embedded font could not be read, or
    /// the image could not be allocated or encoded).
    #[error("cannot render PNG: {message}")]
    Png {
        /// What went wrong.
        message: String,
    },

    /// A chart could not be written.
    #[error("cannot write {}: {message}", path.display())]
    Write {
        /// The chart file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}
