//! Synapses and the Gather phase that sums their outputs into their targets' currents.

pub mod dense;
pub mod filter;
pub mod gather;
pub mod sparse;

pub use dense::{DenseSynapse, Weights};
pub use filter::{DiscreteFilter, FilterState, Synapse};
pub use gather::{Afferents, Post, Pre};
