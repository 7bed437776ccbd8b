//! Tuning and response curves of an ensemble (Nengo's `nengo.utils.ensemble.tuning_curves`,
//! `response_curves` and `builder.ensemble.get_activities`), analytic and simulated.
//!
//! - [`tuning_curves`]: the rate (Hz) of each neuron at each point of the represented space,
//!   from the neuron type's rate formula (what the decoder solver sees);
//! - [`response_curves`]: the rate of each neuron against the input along its own encoder;
//! - [`empirical_tuning_curves`]: the same as [`tuning_curves`], but for spiking types the
//!   rate is measured by running the type's own per-step kernel at constant input and counting
//!   spikes (Nengo's LIF fires `floor((T + τ_ref)·rate)` spikes in T from rest, so the two
//!   agree within one spike, 1/T Hz).
//!
//! Units: time in ms, rates in Hz. Every function returns points × neurons.
//!
//! ```
//! use cortecs::analysis::{empirical_tuning_curves, tuning_curves};
//! use cortecs::components::nef::ensemble::{BuiltEnsemble, EnsembleParams};
//! use cortecs::components::rng::StreamKey;
//! use ndarray::Array2;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ens = BuiltEnsemble::build(&EnsembleParams::new(50, 1), StreamKey::new(0, "A"))?;
//! let xs = Array2::from_shape_fn((21, 1), |(p, _)| -1.0 + 0.1 * p as f64);
//! let args = (&ens.neuron_type, ens.encoders.view(), &ens.gain[..], &ens.bias[..]);
//! let analytic = tuning_curves(args.0, args.1, args.2, args.3, ens.radius, xs.view())?;
//! // 1 s of simulation at dt = 1 ms per input point.
//! let counted =
//!     empirical_tuning_curves(args.0, args.1, args.2, args.3, ens.radius, xs.view(), 1.0, 1000.0)?;
//! assert_eq!(counted.dim(), (21, 50));
//! // Within one spike over the second (f32 rounding of the current adds a little).
//! assert!(analytic.iter().zip(&counted).all(|(a, c)| (a - c).abs() <= 1.01));
//! # Ok(())
//! # }
//! ```

use ndarray::{Array2, ArrayView2};

use crate::Real;
use crate::components::neurons::nef::NeuronType;
use crate::components::neurons::nef::lif::{NefLifChunk, NefLifConsts, nef_lif_kernel};
use crate::components::neurons::nef::spiking_relu::{SpikingReluChunk, spiking_relu_kernel};
use crate::error::Error;

/// The steady firing rate (Hz) of every neuron at every input point:
/// `activities[p, i] = rate(gain_i · (inputs[p] · encoders[i]) / radius + bias_i)`.
///
/// `inputs` is points × dimensions, `encoders` neurons × dimensions (unit length, as built),
/// `gain`/`bias` one per neuron, `radius` finite and > 0. Spiking types use their rate
/// approximation, as Nengo's `rates` does. Mismatched shapes are an [`Error::Build`] naming
/// them.
pub fn tuning_curves(
    neuron_type: &NeuronType,
    encoders: ArrayView2<f64>,
    gain: &[f64],
    bias: &[f64],
    radius: f64,
    inputs: ArrayView2<f64>,
) -> Result<Array2<f64>, Error> {
    let x = encoded("tuning curves", encoders, gain, bias, radius, inputs)?;
    Ok(analytic_rates(neuron_type, &x, gain, bias))
}

/// The rate (Hz) of every neuron against the input along its own encoder (Nengo's
/// `nengo.utils.ensemble.response_curves`): `activities[p, i] = rate(gain_i · inputs[p] +
/// bias_i)`, points × neurons. Encoders and radius play no part: `inputs` are already the
/// encoded, radius-normalised values (Nengo's default range is −1 … 1).
///
/// `gain` and `bias` of different lengths are an [`Error::Build`].
pub fn response_curves(
    neuron_type: &NeuronType,
    gain: &[f64],
    bias: &[f64],
    inputs: &[f64],
) -> Result<Array2<f64>, Error> {
    if gain.len() != bias.len() {
        return Err(Error::Build(format!(
            "response curves: {} gains, {} biases (one each per neuron)",
            gain.len(),
            bias.len()
        )));
    }
    Ok(Array2::from_shape_fn(
        (inputs.len(), gain.len()),
        |(p, i)| neuron_type.rates(inputs[p], gain[i], bias[i]),
    ))
}

/// [`tuning_curves`] measured by simulation (Hz, points × neurons).
///
/// For each input point every neuron's current is held at
/// `J_i = gain_i · (inputs[p] · encoders[i]) / radius + bias_i` (computed in `f64`, then
/// rounded to [`Real`]) and the neuron type's own per-step kernel runs for
/// `K = round(duration_ms / dt_ms)` steps from voltage 0 and refractory time 0; the rate is
/// the spike count over the simulated time, `spikes / (K · dt_ms / 1000)`:
///
/// - `LIF`: [`nef_lif_kernel`] (Nengo's `LIF.step`, sub-step spike timing), one spike per
///   step with a non-zero output. From rest at constant `J` it fires
///   `floor((T + τ_ref) · rate(J))` spikes in `T`, so the result is within 1/T Hz of the
///   analytic rate;
/// - `SpikingRectifiedLinear`: [`spiking_relu_kernel`]; an output of `n · amplitude/dt_s`
///   is `n` spikes, `floor(rate(J) · T)` in all;
/// - rate types (`LIFRate`, `RectifiedLinear`, `Sigmoid`, `Tanh`) have no spikes to count and
///   return their rate formula, exactly [`tuning_curves`].
///
/// All neurons of a point are stepped together (the kernels take slices).
///
/// Errors ([`Error::Build`]): shapes as in [`tuning_curves`]; `radius` not finite and > 0;
/// `dt_ms` not finite and > 0; `duration_ms` not finite or shorter than one step `dt_ms`;
/// invalid neuron-type parameters.
#[allow(clippy::too_many_arguments)]
pub fn empirical_tuning_curves(
    neuron_type: &NeuronType,
    encoders: ArrayView2<f64>,
    gain: &[f64],
    bias: &[f64],
    radius: f64,
    inputs: ArrayView2<f64>,
    dt_ms: f64,
    duration_ms: f64,
) -> Result<Array2<f64>, Error> {
    const WHAT: &str = "empirical tuning curves";
    if !(dt_ms.is_finite() && dt_ms > 0.0) {
        return Err(Error::Build(format!(
            "{WHAT}: dt_ms must be a finite number of milliseconds > 0, found {dt_ms}"
        )));
    }
    if !(duration_ms.is_finite() && duration_ms >= dt_ms) {
        return Err(Error::Build(format!(
            "{WHAT}: duration_ms must be finite and at least one step (dt_ms = {dt_ms}), \
             found {duration_ms}"
        )));
    }
    neuron_type
        .validate()
        .map_err(|e| Error::Build(format!("{WHAT}: neuron type: {e}")))?;
    let x = encoded(WHAT, encoders, gain, bias, radius, inputs)?;
    // ≥ 1 because duration_ms ≥ dt_ms.
    let steps = (duration_ms / dt_ms).round() as usize;
    let seconds = steps as f64 * dt_ms / 1000.0;

    let n = gain.len();
    let mut j: Vec<Real> = vec![0.0; n];
    let mut voltage: Vec<Real> = vec![0.0; n];
    let mut output: Vec<Real> = vec![0.0; n];
    let mut spikes: Vec<u64> = vec![0; n];
    let mut rates = Array2::zeros(x.dim());

    match *neuron_type {
        NeuronType::LIF {
            tau_rc,
            tau_ref,
            min_voltage,
            amplitude,
        } => {
            let k = NefLifConsts::new(tau_rc, tau_ref, min_voltage, amplitude, dt_ms);
            let mut refractory: Vec<Real> = vec![0.0; n];
            for (p, xs) in x.outer_iter().enumerate() {
                fill_currents(&mut j, xs.iter(), gain, bias);
                voltage.fill(0.0);
                refractory.fill(0.0);
                spikes.fill(0);
                for _ in 0..steps {
                    nef_lif_kernel(
                        &k,
                        NefLifChunk {
                            j: &j,
                            voltage: &mut voltage,
                            refractory_time: &mut refractory,
                            output: &mut output,
                        },
                    );
                    // The output is amplitude/dt_s > 0 on a spike step, 0 otherwise.
                    for (s, &o) in spikes.iter_mut().zip(&output) {
                        *s += u64::from(o != 0.0);
                    }
                }
                store(&mut rates, p, &spikes, amplitude / seconds);
            }
        }
        NeuronType::SpikingRectifiedLinear { amplitude } => {
            // Output per spike, exactly as the kernel computes its scale.
            let per_spike = (amplitude / (dt_ms / 1000.0)) as Real;
            for (p, xs) in x.outer_iter().enumerate() {
                fill_currents(&mut j, xs.iter(), gain, bias);
                voltage.fill(0.0);
                spikes.fill(0);
                for _ in 0..steps {
                    spiking_relu_kernel(
                        dt_ms,
                        amplitude,
                        SpikingReluChunk {
                            j: &j,
                            voltage: &mut voltage,
                            output: &mut output,
                        },
                    );
                    // The output is n·amplitude/dt_s for n spikes this step.
                    for (s, &o) in spikes.iter_mut().zip(&output) {
                        *s += (o / per_spike).round() as u64;
                    }
                }
                store(&mut rates, p, &spikes, amplitude / seconds);
            }
        }
        NeuronType::LIFRate { .. }
        | NeuronType::RectifiedLinear { .. }
        | NeuronType::Sigmoid { .. }
        | NeuronType::Tanh { .. } => rates = analytic_rates(neuron_type, &x, gain, bias),
    }
    Ok(rates)
}

/// Checks the shapes and radius and returns the encoded inputs
/// `x[p, i] = (inputs[p] · encoders[i]) / radius` (points × neurons).
fn encoded(
    what: &str,
    encoders: ArrayView2<f64>,
    gain: &[f64],
    bias: &[f64],
    radius: f64,
    inputs: ArrayView2<f64>,
) -> Result<Array2<f64>, Error> {
    if encoders.ncols() != inputs.ncols() {
        return Err(Error::Build(format!(
            "{what}: encoders have {} dimensions, inputs {}",
            encoders.ncols(),
            inputs.ncols()
        )));
    }
    if encoders.nrows() != gain.len() || gain.len() != bias.len() {
        return Err(Error::Build(format!(
            "{what}: {} encoders, {} gains, {} biases (one each per neuron)",
            encoders.nrows(),
            gain.len(),
            bias.len()
        )));
    }
    if !(radius.is_finite() && radius > 0.0) {
        return Err(Error::Build(format!(
            "{what}: radius must be finite and > 0, found {radius}"
        )));
    }
    Ok(inputs.dot(&encoders.t()) / radius)
}

/// `rates(x[p, i], gain_i, bias_i)` for every element.
fn analytic_rates(
    neuron_type: &NeuronType,
    x: &Array2<f64>,
    gain: &[f64],
    bias: &[f64],
) -> Array2<f64> {
    Array2::from_shape_fn(x.dim(), |(p, i)| {
        neuron_type.rates(x[[p, i]], gain[i], bias[i])
    })
}

/// `j[i] = gain_i·x_i + bias_i`, computed in `f64` and rounded to [`Real`].
fn fill_currents<'a>(
    j: &mut [Real],
    xs: impl Iterator<Item = &'a f64>,
    gain: &[f64],
    bias: &[f64],
) {
    for (((ji, &x), &g), &b) in j.iter_mut().zip(xs).zip(gain).zip(bias) {
        *ji = NeuronType::current(x, g, b) as Real;
    }
}

/// Row `p` of `rates`: spike counts over `seconds`.
fn store(rates: &mut Array2<f64>, p: usize, spikes: &[u64], seconds: f64) {
    for (r, &s) in rates.row_mut(p).iter_mut().zip(spikes) {
        *r = s as f64 / seconds;
    }
}

