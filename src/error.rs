//! The library's error type.

use thiserror::Error;

use crate::config::ConfigError;
use crate::persist::PersistError;
use crate::registry::human_bytes;

/// Anything that can go wrong building, running, saving or loading a model.
#[derive(Debug, Error)]
pub enum Error {
    /// A config (file or text) is invalid.
    #[error(transparent)]
    Config(#[from] Box<ConfigError>),
    /// A saved model cannot be read or written.
    #[error(transparent)]
    Persist(Box<PersistError>),
    /// No entity has this name.
    #[error("no entity named `{name}`{}", suggest(.suggestion))]
    UnknownEntity {
        /// The name asked for.
        name: String,
        /// The nearest existing name.
        suggestion: Option<String>,
    },
    /// The entity has no such compartment or array.
    #[error("entity `{entity}` has no array `{array}`; it has: {}", .available.join(", "))]
    UnknownArray {
        /// The entity.
        entity: String,
        /// The array asked for.
        array: String,
        /// What it has.
        available: Vec<String>,
    },
    /// No probe records this compartment.
    #[error("no probe records `{entity}.{compartment}`; add it to `probes` in the config")]
    NoProbe {
        /// The entity.
        entity: String,
        /// The compartment.
        compartment: String,
    },
    /// An array given to [`Model::set_array`](crate::Model::set_array) has the wrong shape.
    #[error("entity `{entity}`, array `{array}`: expected shape {expected:?}, found {found:?}")]
    Shape {
        /// The entity.
        entity: String,
        /// The array.
        array: String,
        /// Expected shape.
        expected: Vec<usize>,
        /// Found shape.
        found: Vec<usize>,
    },
    /// A parameter cannot be set by [`Model::set_param`](crate::Model::set_param).
    #[error("entity `{entity}`, parameter `{param}`: {message}")]
    Param {
        /// The entity.
        entity: String,
        /// The parameter.
        param: String,
        /// What is wrong.
        message: String,
    },
    /// A run's probe buffers would take the model past its memory limit
    /// ([`Model::check_probe_memory`](crate::Model::check_probe_memory)).
    #[error(
        "{what} need {} ({needed} bytes), but the model may use {} ({limit} bytes) and {} of \
         it are taken; stream the probes (`--stream`), record less (`sample_every`, `start`, \
         `end`, fewer steps) or raise the limit (`--max-memory`)",
        human_bytes(*.needed), human_bytes(*.limit), human_bytes(*.in_use)
    )]
    Memory {
        /// What the bytes are for.
        what: String,
        /// Bytes needed.
        needed: u64,
        /// The model's memory limit (bytes).
        limit: u64,
        /// Bytes already taken (entities, and the probes before this one).
        in_use: u64,
    },
    /// A model-level problem found while building (named entity, message).
    #[error("{0}")]
    Build(String),
}

impl From<PersistError> for Error {
    fn from(e: PersistError) -> Self {
        Error::Persist(Box::new(e))
    }
}

/// `", did you mean `x`?"` or nothing.
pub(crate) fn suggest(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

pub use crate::components::names::nearest;
