//! On/off decode neurons (NengoLoihi 1.1.0 `decode_neurons.py`): how a decoded value crosses a
//! spike link. Each represented dimension gets `pairs` on/off pairs of spiking rectified-linear
//! neurons; the on neuron of a pair is driven by `+x`, the off neuron by `−x`, and the post
//! ensemble reads `on − off` through its `±encoders·scale` synapse.
//!
//! Two presets are used by the builder:
//!
//! | preset | where | pairs/dim | gain, bias (Hz) | post scale |
//! |---|---|---|---|---|
//! | [`DecodeNeurons::preset10`] | chip → chip decoded connections | 10 | from intercepts `linspace(−1.171, 0.484, 10)`, max rates `linspace(171.186, 74.620, 10)` | `1.02/(dt·Σ rates(1))` |
//! | [`DecodeNeurons::host_input`] | host → chip (node values), run on the host | 1 | `0.5/dt` each (intercept −1) | `1` |
//!
//! Times are in ms at the interface (dt is converted to seconds inside, as NengoLoihi computes
//! in seconds).

use super::discretize::{FloatBlock, loihi_rates};
use crate::neurons::nef::NeuronType;

/// `Preset10DecodeNeurons.scale_factor`: outputs are scaled up 2 % ("best for both a plain
/// channel and summed inputs", NengoLoihi's comment).
pub const PRESET_SCALE_FACTOR: f64 = 1.02;

/// A family of on/off decode neurons (NengoLoihi's `OnOffDecodeNeurons`).
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeNeurons {
    /// On/off pairs per dimension.
    pub pairs: usize,
    /// Gain per neuron of one dimension's group, on/off repeated (`2·pairs` values, Hz).
    pub gain: Vec<f64>,
    /// Bias per neuron of one dimension's group, on/off repeated (`2·pairs` values, Hz).
    pub bias: Vec<f64>,
    /// The factor on the post ensemble's encoders (`scale`).
    pub scale: f64,
    /// The step (ms).
    pub dt_ms: f64,
}

impl DecodeNeurons {
    /// `Preset10DecodeNeurons(dt)`: 10 pairs with `gain, bias =
    /// SpikingRectifiedLinear.gain_bias(linspace(171.186, 74.620, 10), linspace(−1.171, 0.484, 10))`
    /// and `scale = 1.02·1/(dt·Σ_k loihi_rates(1, gain_k, bias_k))`.
    pub fn preset10(dt_ms: f64) -> Self {
        let n = 10;
        let lin = |a: f64, b: f64| -> Vec<f64> {
            // numpy.linspace: a + k·step, the last point exactly b
            let step = (b - a) / (n - 1) as f64;
            (0..n)
                .map(|k| if k == n - 1 { b } else { a + k as f64 * step })
                .collect()
        };
        let intercepts = lin(-1.171, 0.484);
        let max_rates = lin(171.186, 74.620);
        let relu = NeuronType::SpikingRectifiedLinear { amplitude: 1.0 };
        let (gain, bias) = relu
            .gain_bias(&max_rates, &intercepts)
            .expect("the preset's rates and intercepts are valid");
        let target_rate: f64 = gain
            .iter()
            .zip(&bias)
            .map(|(g, b)| loihi_rates(&relu, 1.0, *g, *b, dt_ms))
            .sum();
        let scale = PRESET_SCALE_FACTOR * 1.0 / (dt_ms / 1000.0 * target_rate);
        let rep = |v: Vec<f64>| v.iter().flat_map(|x| [*x, *x]).collect();
        Self {
            pairs: n,
            gain: rep(gain),
            bias: rep(bias),
            scale,
            dt_ms,
        }
    }

    /// `OnOffDecodeNeurons(pairs_per_dim=1, rate=1/dt, is_input=True)` (`Model.node_neurons`):
    /// one pair per dimension with `gain = bias = 0.5·rate` and `scale = 1/(dt·rate) = 1`.
    pub fn host_input(dt_ms: f64) -> Self {
        let dt = dt_ms / 1000.0;
        let rate = 1.0 / dt;
        let g = 0.5 * rate;
        Self {
            pairs: 1,
            gain: vec![g, g],
            bias: vec![g, g],
            scale: 1.0 / (dt * rate),
            dt_ms,
        }
    }

    /// Neurons per represented dimension (`2·pairs`).
    pub fn per_dim(&self) -> usize {
        2 * self.pairs
    }

    /// `get_block(weights)`: a block of `2·pairs·d` ReLU compartments (`configure_relu`,
    /// `vth = 1`, no refractory period) with bias `bias·dt` (dt in s), ordered neuron-major
    /// (compartment `k·d + j` is neuron `k` of dimension `j`), and the weights of its input
    /// synapse: `weights` (`n × d`, inputs × dimensions) times `+gain_k·dt` for on neurons and
    /// `−gain_k·dt` for off ones, row-major `n × 2·pairs·d`, in `f32`.
    pub fn block(&self, weights: &[f64], n: usize, d: usize) -> (FloatBlock, Vec<f32>) {
        let dt = self.dt_ms / 1000.0;
        let k = self.per_dim();
        let mut block = FloatBlock::new(k * d);
        block.configure_relu(0.0, 1.0, self.dt_ms);
        let bias: Vec<f64> = self
            .bias
            .iter()
            .flat_map(|b| std::iter::repeat_n(b * dt, d))
            .collect();
        block
            .set_bias(&bias)
            .expect("one bias per compartment by construction");
        let cols = k * d;
        let mut w = vec![0.0f32; n * cols];
        for (i, row) in w.chunks_exact_mut(cols).enumerate() {
            for (m, g) in self.gain.iter().enumerate() {
                let g = if m % 2 == 0 { g * dt } else { -(g * dt) };
                for j in 0..d {
                    row[m * d + j] = (weights[i * d + j] * g) as f32;
                }
            }
        }
        (block, w)
    }

    /// `get_post_encoders(E)`: the weights of the post ensemble's synapse that reads these
    /// neurons, `vstack([(E·scale)ᵀ, −(E·scale)ᵀ])` (`2·post_d × n_post`, row-major, `f32`);
    /// `scaled_encoders` is `n_post × post_d` (NengoLoihi's, without the radius).
    pub fn post_encoders(&self, scaled_encoders: &[f64], n_post: usize, post_d: usize) -> Vec<f32> {
        let mut w = vec![0.0f32; 2 * post_d * n_post];
        for i in 0..n_post {
            for j in 0..post_d {
                let e = scaled_encoders[i * post_d + j] * self.scale;
                w[j * n_post + i] = e as f32;
                w[(post_d + j) * n_post + i] = (-e) as f32;
            }
        }
        w
    }

    /// `get_post_inds(inds, post_d)`: the post synapse axon of each decode neuron,
    /// `concatenate([inds, inds + post_d] · pairs)` — on neurons of dimension `j` go to axon
    /// `inds[j]`, off neurons to `inds[j] + post_d`.
    pub fn post_inds(&self, inds: &[usize], post_d: usize) -> Vec<usize> {
        (0..self.per_dim())
            .flat_map(|m| inds.iter().map(move |i| i + (m % 2) * post_d))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_input_neurons_fire_at_half_the_step_rate_at_zero() {
        let d = DecodeNeurons::host_input(1.0);
        assert_eq!(d.gain, vec![500.0, 500.0]);
        assert_eq!(d.scale, 1.0);
    }

    #[test]
    fn preset10_post_inds_alternate_on_and_off() {
        let d = DecodeNeurons::preset10(1.0);
        assert_eq!(d.per_dim(), 20);
        let inds = d.post_inds(&[1], 3);
        assert_eq!(&inds[..4], &[1, 4, 1, 4]);
        // Σ of the 10 pairs' rates at x = 1 is about 1/dt/1.02 after scaling
        assert!(d.scale > 0.0 && d.scale < 1.0);
    }
}
