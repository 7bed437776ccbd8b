//! The Neural Engineering Framework (Nengo 4.1.0 semantics): how an ensemble's decoders are
//! built. Everything here is build-time math and runs in `f64`, whatever [`crate::Real`] is.
//!
//! - [`solvers`]: decoder solvers (`LstsqL2`, `Lstsq`, `LstsqL2nz`, `NoSolver`) that turn an
//!   activity matrix `A` (eval points × neurons, Hz) and targets `Y` (eval points × d) into
//!   decoders `D` (neurons × d) with `A·D ≈ Y`.

pub mod solvers;

pub use solvers::{Decoders, Solver, SolverError};
