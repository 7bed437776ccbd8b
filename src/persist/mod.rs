//! Saving and loading simulation state as numpy `.npz` archives.
//!
//! Every file is written atomically: the data goes to a temporary file in the destination's
//! directory, is flushed to disk with `fsync`, and is then renamed over the destination (after
//! which the directory itself is fsynced); see [`atomic::write_atomic`]. A whole save is
//! atomic too: it is written to a new folder and switched to by rewriting its manifest last
//! ([`folder`]), so a crash or a full disk at any point leaves the previous save complete.
//!
//! Arrays are stored with the dtype of [`cortecs_components::Real`]; loading an archive whose
//! arrays have another dtype fails with [`PersistError::Dtype`] instead of silently converting.

pub mod atomic;
pub mod error;
pub mod folder;
pub mod npy;
pub mod npz;

pub use error::PersistError;
