//! Neuron models.

pub mod spiking;
