//! Neuron models.

pub mod nef;
pub mod spiking;
