//! Tuning curves of an ensemble (Nengo's `nengo.utils.ensemble.tuning_curves` /
//! `builder.ensemble.get_activities`).

use ndarray::{Array2, ArrayView2};

use crate::components::neurons::nef::NeuronType;
use crate::error::Error;

/// The steady firing rate (Hz) of every neuron at every input point:
/// `activities[p, i] = rate(gain_i · (inputs[p] · encoders[i]) / radius + bias_i)`.
///
/// `inputs` is points × dimensions, `encoders` neurons × dimensions (unit length, as built),
/// `gain`/`bias` one per neuron. Spiking types use their rate approximation, as Nengo's
/// `rates` does. Mismatched shapes are an [`Error::Build`] naming them.
pub fn tuning_curves(
    neuron_type: &NeuronType,
    encoders: ArrayView2<f64>,
    gain: &[f64],
    bias: &[f64],
    radius: f64,
    inputs: ArrayView2<f64>,
) -> Result<Array2<f64>, Error> {
    if encoders.ncols() != inputs.ncols() {
        return Err(Error::Build(format!(
            "tuning curves: encoders have {} dimensions, inputs {}",
            encoders.ncols(),
            inputs.ncols()
        )));
    }
    if encoders.nrows() != gain.len() || gain.len() != bias.len() {
        return Err(Error::Build(format!(
            "tuning curves: {} encoders, {} gains, {} biases (one each per neuron)",
            encoders.nrows(),
            gain.len(),
            bias.len()
        )));
    }
    let x = inputs.dot(&encoders.t()) / radius;
    let mut a = Array2::zeros(x.dim());
    for ((p, i), xi) in x.indexed_iter() {
        a[[p, i]] = neuron_type.rates(*xi, gain[i], bias[i]);
    }
    Ok(a)
}
