//! The error type of plotting a run directory.

use std::path::PathBuf;

/// An error plotting the probe files of a run directory.
///
/// Every variant names the directory or file involved, so that the message alone tells the
/// user where to look.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The directory holds no `*.npy` file to plot.
    #[error("no probe files (*.npy) in {}", dir.display())]
    NoProbes {
        /// The directory searched.
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

    /// A chart could not be written.
    #[error("cannot write {}: {message}", path.display())]
    Write {
        /// The chart file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}
