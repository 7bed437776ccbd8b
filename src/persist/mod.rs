//! Saving and loading simulation state as numpy `.npz` archives.
//!
//! Every save is atomic: the data is written to a temporary file in the destination's
//! directory, flushed to disk with `fsync`, and then renamed over the destination (after which
//! the directory itself is fsynced). A crash or error mid-save therefore leaves the previous
//! file intact, never a half-written one; see [`atomic::write_atomic`].
//!
//! Arrays are stored with the dtype of [`cortecs_components::Real`]; loading an archive whose
//! arrays have another dtype fails with [`PersistError::Dtype`] instead of silently converting.

pub mod atomic;
pub mod error;
pub mod npz;

pub use error::PersistError;
