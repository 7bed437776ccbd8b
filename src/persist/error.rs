//! The error type of saving and loading state.

use std::path::PathBuf;

/// An error saving or loading persisted state.
///
/// Every variant names the file involved and, where relevant, the entity and the array, so that
/// the message alone tells the user what to fix.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// An I/O error reading or writing `path`.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// `path` is not a valid `.npz` archive (corrupt or truncated).
    #[error("entity `{entity}`: {} is not a valid .npz archive (corrupt or truncated?): {message}", path.display())]
    Npz {
        /// The archive.
        path: PathBuf,
        /// The entity whose state it holds.
        entity: String,
        /// What is wrong with it.
        message: String,
    },

    /// The state file of `entity` does not exist.
    #[error("no saved state for entity `{entity}`: {} does not exist", path.display())]
    MissingFile {
        /// The file that was expected.
        path: PathBuf,
        /// The entity whose state it should hold.
        entity: String,
    },

    /// The archive of `entity` lacks an array it must have.
    #[error("{}: saved state of entity `{entity}` lacks array `{array}`", path.display())]
    MissingArray {
        /// The archive.
        path: PathBuf,
        /// The entity whose state it holds.
        entity: String,
        /// The missing array.
        array: String,
    },

    /// The archive of `entity` holds an array the entity does not have.
    #[error(
        "{}: saved state of entity `{entity}` has unknown array `{array}` (expected one of: {})",
        path.display(),
        expected.join(", ")
    )]
    UnknownArray {
        /// The archive.
        path: PathBuf,
        /// The entity whose state it holds.
        entity: String,
        /// The unexpected array.
        array: String,
        /// The arrays the entity has.
        expected: Vec<String>,
    },

    /// An array of the archive has the wrong shape.
    #[error(
        "{}: array `{array}` of entity `{entity}` has shape {found:?}, expected {expected:?}",
        path.display()
    )]
    Shape {
        /// The archive.
        path: PathBuf,
        /// The entity whose state it holds.
        entity: String,
        /// The array with the wrong shape.
        array: String,
        /// The shape the entity needs.
        expected: Vec<usize>,
        /// The shape in the archive.
        found: Vec<usize>,
    },

    /// An array of the archive has the wrong element type.
    #[error(
        "{}: array `{array}` of entity `{entity}` has dtype {found}, expected {expected}",
        path.display()
    )]
    Dtype {
        /// The archive.
        path: PathBuf,
        /// The entity whose state it holds.
        entity: String,
        /// The array with the wrong dtype.
        array: String,
        /// The dtype this build reads (that of `Real`).
        expected: String,
        /// The dtype in the archive.
        found: String,
    },

    /// The manifest `model.ron` of a save directory is not valid.
    #[error("{}: not a valid save manifest: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },

    /// An array of the archive holds a value that is not finite (NaN or ±inf): no compartment,
    /// weight or filter state of a running model can hold one.
    #[error(
        "{}: array `{array}` of entity `{entity}` holds {value} at index {index:?} \
         ({count} of its values are not finite): the save is damaged",
        path.display()
    )]
    NonFinite {
        /// The archive.
        path: PathBuf,
        /// The entity whose state it holds.
        entity: String,
        /// The array.
        array: String,
        /// The index of the first value that is not finite.
        index: Vec<usize>,
        /// That value (`NaN`, `inf`, `-inf`).
        value: f64,
        /// How many values of the array are not finite.
        count: usize,
    },
}
