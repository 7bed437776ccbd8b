//! Analysis of models and recordings: tuning curves (more to come: rates, ISIs, decoding error).

pub mod tuning;

pub use tuning::tuning_curves;
