//! Loihi emulation (NengoLoihi 1.1.0's emulator, bit for bit): integer compartments, spike
//! routing through axons and synapses, the neurocore step, and the discretization of NEF
//! models into integers. Semantics: `tests/refs/loihi/README.md`.

pub mod compartment;
pub mod decode_neurons;
pub mod discretize;
pub mod emulator;
pub mod learning;
pub mod mapping;
pub mod network;
pub mod numpy_rng;
pub mod schedule;
pub mod synapse;
