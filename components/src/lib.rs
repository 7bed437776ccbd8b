//! # cortecs-components — the cortecs model library
//!
//! Compartments (ECS components holding one value per unit), cell kernels (pure functions over
//! slices), synapses, input encoders and current sources. This crate knows nothing of configs,
//! files or the command line: the `cortecs` crate builds models out of these pieces.
//!
//! Units everywhere: time in milliseconds, voltage in mV where the reference library uses mV,
//! rates in Hz.

#![warn(missing_docs)]
// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

pub mod chunk;
pub mod clock;
pub mod compartment;
pub mod currents;
pub mod input_encoders;
pub mod loihi;
pub mod names;
pub mod nef;
pub mod neurons;
pub mod real;
pub mod rng;
pub mod synapses;

pub use clock::Clock;
pub use compartment::Compartment;
pub use real::Real;
