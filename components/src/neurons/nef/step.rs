//! One step of a population of Nengo neurons of any type: the dispatch the NEF Cell phase and
//! the empirical tuning curves share.

use super::NeuronType;
use super::lif::{NefLifChunk, NefLifConsts, nef_lif_kernel};
use super::spiking_relu::{SpikingReluChunk, spiking_relu_kernel};
use crate::Real;
use crate::chunk::for_chunks;

/// The state one step of a population reads and writes. `voltage` is used by the spiking
/// types, `refractory_time` (ms) by LIF only; rate types need neither (pass empty slices).
pub struct PopulationState<'a> {
    /// Input current `J` (dimensionless).
    pub j: &'a [Real],
    /// Membrane voltage (spiking types).
    pub voltage: &'a mut [Real],
    /// Remaining refractory time, ms (LIF).
    pub refractory_time: &'a mut [Real],
    /// Output: `amplitude/dt_s` per spike for spiking types, the rate (Hz) for rate types.
    pub output: &'a mut [Real],
}

/// Advances `state` by one step of `dt_ms` with `neuron_type`'s kernel
/// ([`nef_lif_kernel`], [`spiking_relu_kernel`], or the rate formula), splitting large
/// populations across threads ([`for_chunks`]). A spiking type whose `voltage` (or, for LIF,
/// `refractory_time`) is shorter than `j` is stepped on that shorter prefix only — callers
/// size the arrays from the same population.
pub fn step_population(neuron_type: &NeuronType, dt_ms: f64, state: PopulationState) {
    let PopulationState {
        j,
        voltage,
        refractory_time,
        output,
    } = state;
    match *neuron_type {
        NeuronType::LIF {
            tau_rc,
            tau_ref,
            min_voltage,
            amplitude,
        } => {
            let k = NefLifConsts::new(tau_rc, tau_ref, min_voltage, amplitude, dt_ms);
            let n = j.len().min(voltage.len()).min(refractory_time.len());
            let chunk = NefLifChunk {
                j: &j[..n],
                voltage: &mut voltage[..n],
                refractory_time: &mut refractory_time[..n],
                output: &mut output[..n],
            };
            for_chunks(chunk, &|c: NefLifChunk, _| nef_lif_kernel(&k, c));
        }
        NeuronType::SpikingRectifiedLinear { amplitude } => {
            let n = j.len().min(voltage.len());
            let chunk = SpikingReluChunk {
                j: &j[..n],
                voltage: &mut voltage[..n],
                output: &mut output[..n],
            };
            for_chunks(chunk, &|c: SpikingReluChunk, _| {
                spiking_relu_kernel(dt_ms, amplitude, c)
            });
        }
        NeuronType::LIFRate { .. }
        | NeuronType::RectifiedLinear { .. }
        | NeuronType::Sigmoid { .. }
        | NeuronType::Tanh { .. } => {
            for (o, ji) in output.iter_mut().zip(j) {
                *o = neuron_type.rate(f64::from(*ji)) as Real;
            }
        }
    }
}
