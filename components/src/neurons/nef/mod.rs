//! Nengo's neuron types (Nengo 4.1.0 semantics): rate math for building ensembles
//! ([`NeuronType`]) and the per-step kernels of the spiking types.
//!
//! Units: time in ms (τ_rc = 20 ms, τ_ref = 2 ms, dt = 1 ms), rates in Hz. A spiking neuron's
//! output on a spike step is `amplitude / dt` with dt in **seconds** (1000 at dt = 1 ms), so
//! decoded values equal Nengo's.

pub mod lif;
pub mod neuron_type;
pub mod spiking_relu;
pub mod step;

pub use neuron_type::{NeuronType, NeuronTypeError};
pub use step::{PopulationState, step_population};
