//! Spiking cells of the ngclearn family (ngclearn 3.2.3 semantics).

pub mod integrate;
pub mod lif;
pub mod surrogate;

pub use integrate::IntegrationType;
pub use lif::{LifCell, LifParams};
