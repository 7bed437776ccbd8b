//! PES learning in the emulator: the neurocore's *learning epoch*.
//!
//! Sources: `nengo_loihi/emulator/interface.py::SynapseState` (`update_pes_errors`,
//! `update_traces`, `update_weights`, the integer `stochastic_round` / `weight_update`),
//! constants from `nengo_loihi/builder/discretize.py` (`LEARN_FRAC`, `learn_overflow_bits`,
//! `shift`). Randomness comes from the emulator's one NumPy `RandomState` stream
//! ([`NumpyRandomState`]), in the emulator's order.

use super::numpy_rng::NumpyRandomState;
use super::synapse::LoihiSynapse;

/// Extra least-significant weight bits during learning (`discretize.py::LEARN_FRAC`).
pub const LEARN_FRAC: i32 = 7;
/// `discretize.py::learn_overflow_bits(n_factors=2)` = `7·2 + 3 − LEARN_BITS(15)` = 2 in
/// NengoLoihi 1.1.0.
pub const LEARN_OVERFLOW_BITS: i32 = 2;
/// Largest trace magnitude (`trace_round` clips at 127).
pub const TRACE_MAX: i32 = 127;

/// Integer PES parameters of a learning synapse after discretization
/// (`block.py::Synapse.set_learning`, `discretize.py::discretize_synapse`), with the names
/// of `params.json["synapses"][i]["learning_params"]` and `synapse_cfg`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PesParams {
    /// `tracing_tau` in steps (`round(pre_synapse.tau / dt)`); the trace decays by
    /// `exp(−train_epoch / tracing_tau)` per trace update (a float `exp`).
    pub tracing_tau: f64,
    /// `tracing_mag`: added to the trace of an axon that spiked since the last update.
    pub tracing_mag: f64,
    /// Learning-rate mantissa `lr_int` (1 after discretization).
    pub lr_int: i32,
    /// Learning-rate exponent `lr_exp` (−7 after discretization).
    pub lr_exp: i32,
    /// Steps between trace updates (`train_epoch`, 2).
    pub train_epoch: u64,
    /// Steps between weight updates (`learn_epoch = train_epoch · 2^learn_epoch_k`, 4).
    pub learn_epoch: u64,
    /// `synapse_cfg.real_weight_exp` = `6 + weight_exp` (10 for `pes_wgt_exp = 4`).
    pub real_weight_exp: i32,
    /// `synapse_cfg.shift_bits` (1 for the mixed-sign format).
    pub shift_bits: i32,
}

impl PesParams {
    /// Checks ranges that would make the arithmetic meaningless.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.tracing_tau.is_finite() && self.tracing_tau > 0.0) {
            return Err(format!("tracing_tau = {} must be > 0", self.tracing_tau));
        }
        if !self.tracing_mag.is_finite() {
            return Err(format!("tracing_mag = {} is not finite", self.tracing_mag));
        }
        if self.train_epoch == 0 || self.learn_epoch == 0 {
            return Err("train_epoch and learn_epoch must be >= 1".into());
        }
        if !(0..8).contains(&self.shift_bits) {
            return Err(format!("shift_bits = {} outside 0..8", self.shift_bits));
        }
        for (name, s) in [
            ("lr_exp", LEARN_FRAC + self.lr_exp - LEARN_OVERFLOW_BITS),
            ("real_weight_exp", self.real_weight_exp),
        ] {
            if !(-31..=31).contains(&s) {
                return Err(format!("{name} gives a shift of {s} bits"));
            }
        }
        Ok(())
    }
}

/// `discretize.py::shift(x, s)`: `x << s` for `s ≥ 0` (int32, wrapping), else the
/// arithmetic (flooring) `x >> −s`.
#[inline]
pub fn shift(x: i32, s: i32) -> i32 {
    if s >= 0 {
        if s >= 32 { 0 } else { x.wrapping_shl(s as u32) }
    } else {
        x >> (-s).min(31)
    }
}

/// The emulator's integer `stochastic_round(x, clip)`:
/// `sign(x) · min(floor|x| + (frac|x| > p), clip)` with one `p = rng.rand()` drawn per
/// value (also for `x = 0`).
#[inline]
pub fn stochastic_round(x: f64, clip: i32, rng: &mut NumpyRandomState) -> i32 {
    let a = x.abs();
    let whole = a.trunc();
    let frac = a - whole; // np.modf: exact
    let p = rng.rand();
    let y = (whole as i32 + i32::from(frac > p)).min(clip);
    if x > 0.0 {
        y
    } else if x < 0.0 {
        -y
    } else {
        0
    }
}

/// Learning state of one PES synapse: `SynapseState.traces`, `trace_spikes` and
/// `pes_errors`.
#[derive(Clone, Debug, PartialEq, bevy_ecs::component::Component)]
pub struct PesState {
    pub(crate) traces: Vec<i32>,
    pub(crate) pending: Vec<bool>,
    pub(crate) errors: Vec<i32>,
    pub(crate) lost_spikes: u64,
}

impl PesState {
    /// Zero traces for `n_axons` axons and zero errors for `n_error_dims`.
    pub fn new(n_axons: usize, n_error_dims: usize) -> Self {
        Self {
            traces: vec![0; n_axons],
            pending: vec![false; n_axons],
            errors: vec![0; n_error_dims],
            lost_spikes: 0,
        }
    }

    /// Pre traces, one per axon (`SynapseState.traces[synapse]`).
    pub fn traces(&self) -> &[i32] {
        &self.traces
    }

    /// The integer error now in use (`SynapseState.pes_errors[synapse]`).
    pub fn errors(&self) -> &[i32] {
        &self.errors
    }

    /// Spikes on an axon that already had one since the last trace update (the emulator
    /// warns "Synaptic trace spikes lost"; only one is counted in the trace).
    pub fn lost_spikes(&self) -> u64 {
        self.lost_spikes
    }

    /// Records a spike on `axon` for the next trace update (`update_traces`, first loop).
    #[inline]
    pub(crate) fn mark(&mut self, axon: usize) {
        if self.pending[axon] {
            self.lost_spikes += 1;
        }
        self.pending[axon] = true;
    }

    /// Trace update (`update_traces`, on steps with `t % train_epoch == 0`):
    /// `trace = stochastic_round(exp(−train_epoch/tracing_tau)·trace + tracing_mag·[spiked],
    /// clip 127)`, one `rng.rand()` per axon, then the spike set is cleared.
    pub(crate) fn update_traces(&mut self, p: &PesParams, rng: &mut NumpyRandomState) {
        let decay = (-(p.train_epoch as f64) / p.tracing_tau).exp();
        for (tr, pend) in self.traces.iter_mut().zip(self.pending.iter_mut()) {
            let mut x = decay * f64::from(*tr);
            if *pend {
                x += p.tracing_mag;
            }
            *tr = stochastic_round(x, TRACE_MAX, rng);
            *pend = false;
        }
    }

    /// Weight update (`update_weights` + integer `weight_update`, on steps with
    /// `t % learn_epoch == 0`). With `e = [−err, +err]` and `dW = outer(trace, e)`, for weight
    /// entry `k` (paired with axon `k`) and every atom row:
    ///
    /// ```text
    /// product = shift(dW[k]·lr_int, LEARN_FRAC + lr_exp − learn_overflow_bits(2))
    /// learn_w = shift(W, LEARN_FRAC − real_weight_exp) + product
    /// learn_w = stochastic_round(learn_w · 2^(−LEARN_FRAC − shift_bits), clip 2^(8−shift_bits) − 1)
    /// W       = learn_w << (real_weight_exp + shift_bits)
    /// ```
    ///
    /// with one `rng.rand()` per weight, row-major, entries paired with traces as
    /// `zip(synapse.weights, delta_ws)` does (rows are `2·n_error_dims` wide).
    pub(crate) fn update_weights(
        &self,
        p: &PesParams,
        synapse: &mut LoihiSynapse,
        rng: &mut NumpyRandomState,
    ) {
        let d = self.errors.len();
        let s_product = LEARN_FRAC + p.lr_exp - LEARN_OVERFLOW_BITS;
        let s_w = LEARN_FRAC - p.real_weight_exp;
        let scale = 2f64.powi(-LEARN_FRAC - p.shift_bits);
        let clip = (1 << (8 - p.shift_bits)) - 1;
        let s_back = p.real_weight_exp + p.shift_bits;
        let width = 2 * d;
        if width == 0 {
            return;
        }
        for (k, &tr) in self.traces.iter().enumerate().take(synapse.n_entries()) {
            for row in synapse.entry_weights_mut(k).chunks_exact_mut(width) {
                for (j, wj) in row.iter_mut().enumerate() {
                    let e = if j < d {
                        self.errors[j].wrapping_neg()
                    } else {
                        self.errors[j - d]
                    };
                    let dw = tr.wrapping_mul(e);
                    let product = shift(dw.wrapping_mul(p.lr_int), s_product);
                    let learn_w = shift(*wj, s_w).wrapping_add(product);
                    let r = stochastic_round(f64::from(learn_w) * scale, clip, rng);
                    *wj = shift(r, s_back);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_floors_negative() {
        assert_eq!(shift(-5, -1), -3);
        assert_eq!(shift(5, -1), 2);
        assert_eq!(shift(3, 11), 3 << 11);
        assert_eq!(shift(-1, -40), -1);
    }

    #[test]
    fn stochastic_round_bounds_and_sign() {
        let mut rng = NumpyRandomState::new(0);
        for k in 0..200 {
            let x = -3.0 + 0.03 * f64::from(k);
            let y = f64::from(stochastic_round(x, 127, &mut rng));
            let lo = x.abs().floor().copysign(x);
            assert!(y == lo || y == lo + x.signum(), "{x} -> {y}");
        }
        assert_eq!(stochastic_round(1000.5, 127, &mut rng), 127);
        assert_eq!(stochastic_round(-1000.5, 127, &mut rng), -127);
        // first rand() of seed 0 is 0.5488...: 0.5 rounds down, 0.6 rounds up
        assert_eq!(stochastic_round(0.5, 127, &mut NumpyRandomState::new(0)), 0);
        assert_eq!(stochastic_round(0.6, 127, &mut NumpyRandomState::new(0)), 1);
    }
}
