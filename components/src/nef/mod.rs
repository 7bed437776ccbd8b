//! The Neural Engineering Framework (Nengo 4.1.0 semantics): how an ensemble's parameters and
//! decoders are built. Everything here is build-time math and runs in `f64`, whatever
//! [`crate::Real`] is.
//!
//! - [`dists`]: distributions of encoders, intercepts, max rates and eval points.
//! - [`solvers`]: decoder solvers (`LstsqL2`, `Lstsq`, `LstsqL2nz`, `NoSolver`) that turn an
//!   activity matrix `A` (eval points × neurons, Hz) and targets `Y` (eval points × d) into
//!   decoders `D` (neurons × d) with `A·D ≈ Y`.
//! - [`function`]: functions computed across connections (named, or expression strings).
//! - [`process`]: node outputs as functions of time (constant, sine, piecewise, white noise).
//! - [`ensemble`], [`node`], [`connection`]: the NEF objects and their build step;
//!   [`slice`](mod@slice): endpoints such as `A.neurons[:10]`; [`systems`]: the step, in Nengo's order.
//! - [`transform`]: connection transforms (scalar, dense, sparse, convolution, pooling).

pub mod connection;
pub mod dists;
pub mod ensemble;
pub mod function;
pub mod node;
pub mod process;
pub mod slice;
pub mod solvers;
pub mod systems;
pub mod transform;

pub use solvers::{Decoders, Solver, SolverError};
