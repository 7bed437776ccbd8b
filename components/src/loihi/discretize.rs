//! Discretization of a float Loihi model into the chip's integers, exactly as NengoLoihi 1.1.0
//! does it (`nengo_loihi/builder/discretize.py`, `nengo_loihi/block.py`,
//! `nengo_loihi/neurons.py`; described in `tests/refs/loihi/README.md` §2).
//!
//! Three stages, each a port of the NengoLoihi function named in its doc comment:
//!
//! 1. **Float block** ([`FloatBlock`]): per-compartment `decay_u`, `decay_v`, `vth`, `bias`
//!    (held in `f32`, like NengoLoihi's `np.float32` arrays) and `refract_delay`, set from
//!    Nengo-level parameters by [`FloatBlock::configure_lif`], [`FloatBlock::configure_filter`],
//!    [`FloatBlock::configure_relu`] and [`FloatBlock::configure_nonspiking`]
//!    (`Compartment.configure_*`).
//! 2. **Compartments** ([`discretize_compartments`], `discretize_compartment`): 12-bit decays,
//!    the block's scales `v_scale`, `b_scale`, `w_scale` and weight exponent `w_exp` from the
//!    largest input weight `w_max`, then `vth`/`bias` as mantissa × 2^exponent, `vmin`/`vmax`
//!    and the noise exponent.
//! 3. **Synapses** ([`discretize_synapse`], [`discretize_weights`]): a per-synapse
//!    `weight_exp`, the 8-bit chip weight and the integer `W` that one spike adds to `q`, and the
//!    learning parameters of a PES synapse ([`discretize_learning`]).
//!
//! [`discretize_block`] runs stages 2 and 3 for one block (`discretize_block`). Decoders on
//! Loihi are solved against [`loihi_rates`] (`nengo_loihi.neurons.loihi_rates`), with
//! intercepts limited to [`INTERCEPT_LIMIT`] ([`limit_intercepts`], [`clip_intercepts`]).
//!
//! # Units and exactness
//!
//! Times are in **milliseconds** (`dt_ms`, `tau_rc_ms`, …), like the rest of cortecs.
//! NengoLoihi works in seconds; every function converts with `ms / 1000.0` first (which gives
//! exactly the Python literal: `20.0 / 1000.0 == 0.02`, `1.0 / 1000.0 == 0.001`) and then
//! follows NengoLoihi's operations in the same order. Every `np.round` is
//! [`f64::round_ties_even`] (NumPy rounds half to even). Where NumPy 1.23 computes in `float32`
//! (float32 arrays times Python or NumPy scalars), the same `f32` operations are done here:
//! the decays (`decay_u·4095 − 1`, `decay_v·4095`), the bias in the bias-only branch, the
//! weights `w·w_scale·2^dw_exp` when `w_scale` is one number, and `w_max / max|w_syn|`.
//! Everything else is `f64`.
//!
//! Nothing here panics on user data: NengoLoihi's `assert`s and `BuildError`s are
//! [`DiscretizeError`]s, and its `warnings.warn` are returned as values (`lost_bits`,
//! [`FilterChange`], [`DiscreteLearning::trace_clipped`], the `Option` of
//! [`limit_intercepts`]).

use crate::nef::dists::Distribution;
use crate::neurons::nef::NeuronType;

/// `MAX_DECAY = 4095`: decays are 12-bit (`discretize_compartment` scales by 4095).
pub const MAX_DECAY: i32 = 4095;
/// `VTH_MAN_MAX = 2^17 − 1`: the largest threshold mantissa.
pub const VTH_MAN_MAX: i32 = (1 << 17) - 1;
/// `VTH_EXP = 6`: the fixed threshold exponent (`vth = vth_man · 2^6`).
pub const VTH_EXP: i32 = 6;
/// `VTH_MAX = VTH_MAN_MAX · 2^VTH_EXP = 8 388 544`.
pub const VTH_MAX: i32 = VTH_MAN_MAX << VTH_EXP;
/// `BIAS_MAN_MAX = 4095`: the largest bias mantissa magnitude.
pub const BIAS_MAN_MAX: i32 = 4095;
/// `BIAS_EXP_MAX = 7`: the largest bias exponent.
pub const BIAS_EXP_MAX: i32 = 7;
/// `BIAS_MAX = BIAS_MAN_MAX · 2^BIAS_EXP_MAX = 524 160`.
pub const BIAS_MAX: i32 = BIAS_MAN_MAX << BIAS_EXP_MAX;
/// `Q_BITS = 21`: magnitude bits of the dendritic accumulator `q`.
pub const Q_BITS: u32 = 21;
/// `U_BITS = 23`: magnitude bits of the current `u`.
pub const U_BITS: u32 = 23;
/// `Compartment.DECAY_SCALE_TH = 0.5/4096`: a decay at or below this cannot be input-scaled.
pub const DECAY_SCALE_TH: f64 = 0.5 / 4096.0;
/// `Model.intercept_limit = 0.95`: the largest intercept NengoLoihi lets an ensemble have.
pub const INTERCEPT_LIMIT: f64 = 0.95;
/// `Model.pes_wgt_exp = 4`: the weight exponent of learned (PES) synapses.
pub const PES_WGT_EXP: i32 = 4;
/// `Model.pes_error_scale = 100`: PES errors are sent to the chip as `round(100·e)`.
pub const PES_ERROR_SCALE: f64 = 100.0;
/// `SynapseConfig.shift_bits = 8 − real_weight_bits + is_mixed = 8 − 8 + 1`: NengoLoihi
/// always uses 7-bit weights (`real_weight_bits = 8`) with mixed signs (`fanout_type = 1`).
pub const SHIFT_BITS: i32 = 1;
/// The largest 8-bit weight mantissa magnitude, `2^(8 − SHIFT_BITS) − 1 = 127`.
pub const WEIGHT_MAN_MAX: i32 = (1 << (8 - SHIFT_BITS)) - 1;
/// `x0 = 2^21` of `decay_magnitude` in `discretize_compartment`.
pub const DECAY_MAGNITUDE_X0: f64 = 2_097_152.0;

/// Seconds from milliseconds, exactly NengoLoihi's constants (`20.0/1000.0 == 0.02`).
fn s(ms: f64) -> f64 {
    ms / 1000.0
}

/// `SynapseConfig.get_scale(weight_exp) = 2^(6 + weight_exp)`.
fn weight_scale(weight_exp: i32) -> f64 {
    2f64.powi(6 + weight_exp)
}

/// Why a model cannot be discretized (NengoLoihi's `BuildError`s and `assert`s).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DiscretizeError {
    /// No weight exponent in `0, −1, …, −7` keeps every threshold ≤ `VTH_MAX` and every bias
    /// ≤ `BIAS_MAX` (`discretize_compartment`: "Could not find appropriate weight exponent").
    #[error(
        "could not find appropriate weight exponent: with w_max = {w_max}, even at w_exp = -7 \
         the largest vth is {max_vth} (limit VTH_MAX = {VTH_MAX}) and the largest |bias| is \
         {max_bias} (limit BIAS_MAX = {BIAS_MAX})"
    )]
    NoWeightExponent {
        /// The block's largest input weight.
        w_max: f64,
        /// The largest scaled threshold at `w_exp = −7`.
        max_vth: f64,
        /// The largest scaled |bias| at `w_exp = −7`.
        max_bias: f64,
    },
    /// The bias-only branch halved `b_scale` until `b_scale·max|bias| ≤ 1` without the
    /// thresholds fitting (`discretize_compartment`: "Could not find appropriate bias scaling").
    #[error(
        "could not find appropriate bias scaling: no b_scale with b_scale*max|bias| > 1 keeps \
         vth <= VTH_MAX = {VTH_MAX} (max |bias| = {b_max})"
    )]
    NoBiasScaling {
        /// The block's largest |bias|.
        b_max: f64,
    },
    /// The compartments of one block got different `v_scale`s (different decays in a scaled
    /// block; `discretize_compartment` asserts `v_scale[0] == v_scale`).
    #[error("v_scale of compartment {index} is {other}, but {first} in compartment 0")]
    NonUniformVScale {
        /// The first differing compartment.
        index: usize,
        /// `v_scale[0]`.
        first: f64,
        /// `v_scale[index]`.
        other: f64,
    },
    /// A threshold mantissa `round(vth/64)` outside `1..=VTH_MAN_MAX` (`vth_to_manexp`).
    #[error("vth mantissa {mantissa} of compartment {index} is outside 1..={VTH_MAN_MAX}")]
    VthMantissa {
        /// The compartment.
        index: usize,
        /// The mantissa.
        mantissa: f64,
    },
    /// A bias needing an exponent outside `0..=7` or a mantissa above 4095 (`bias_to_manexp`).
    #[error(
        "bias {bias} of compartment {index} gives exponent {exponent} and mantissa {mantissa} \
         (limits 0..={BIAS_EXP_MAX}, |mantissa| <= {BIAS_MAN_MAX})"
    )]
    BiasRange {
        /// The compartment.
        index: usize,
        /// The scaled bias.
        bias: f64,
        /// Its exponent.
        exponent: f64,
        /// Its mantissa.
        mantissa: f64,
    },
    /// A NaN or infinite parameter.
    #[error("`{field}` of entry {index} is not finite")]
    NonFinite {
        /// The field.
        field: &'static str,
        /// The entry.
        index: usize,
    },
    /// A per-compartment array of the wrong length.
    #[error("`{field}` has {len} entries, but the block has {n} compartments")]
    Length {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The number of compartments.
        n: usize,
    },
    /// A synapse weight whose target index is outside the block.
    #[error("weight {index} targets compartment {target}, but the block has {n} compartments")]
    Target {
        /// The weight.
        index: usize,
        /// Its target compartment.
        target: usize,
        /// The number of compartments.
        n: usize,
    },
    /// The input filter decays too slowly to be input-scaled (`_configure_filter`: "Current (U)
    /// scaling is required").
    #[error(
        "current (U) scaling is required: tau_s = {tau_s_ms} ms gives decay_u = {decay_u} <= \
         0.5/4096; the synapse time constant is too large"
    )]
    FilterTooSlow {
        /// The filter time constant (ms).
        tau_s_ms: f64,
        /// Its decay.
        decay_u: f64,
    },
    /// The membrane decays too slowly to be scaled (`configure_lif`: "Voltage (V) scaling is
    /// required with LIF neurons").
    #[error(
        "voltage (V) scaling is required with LIF neurons: tau_rc = {tau_rc_ms} ms gives \
         decay_v <= 0.5/4096; the membrane time constant is too large"
    )]
    MembraneTooSlow {
        /// The membrane time constant (ms).
        tau_rc_ms: f64,
    },
    /// A synapse weight exponent outside the chip's `−7..=7` (`validate_synapse_cfg`).
    #[error("weight exponent {weight_exp} is outside -7..=7")]
    WeightExponent {
        /// The exponent.
        weight_exp: i32,
    },
    /// A learned synapse in a block whose compartments have different `w_scale`s
    /// (`discretize_synapse` asserts `w_scale == w_scale[0]`).
    #[error("learned synapse: w_scale differs between the compartments of its block")]
    NonUniformWScale,
    /// The discretized learning rate exponent is below −7 (`discretize_synapse` asserts
    /// `lr_exp >= -7`).
    #[error("learning rate {learning_rate} has exponent {lr_exp} < -7")]
    LearningRate {
        /// The learning rate after scaling.
        learning_rate: f64,
        /// Its exponent.
        lr_exp: i32,
    },
}

// ---------------------------------------------------------------------------------------------
// Float block
// ---------------------------------------------------------------------------------------------

/// What [`FloatBlock::configure_filter`] did with an existing filter (NengoLoihi warns in the
/// last two cases: a block has one `tau_s`, and the larger one wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterChange {
    /// No filter was set (or the same `tau_s`): set.
    Set,
    /// A larger `tau_s` was already set and is kept ("tau_s is already set to …").
    KeptLarger,
    /// A smaller `tau_s` was replaced ("tau_s is currently …, which is smaller").
    Replaced,
}

/// The float parameters of one block of compartments before discretization (NengoLoihi's
/// `Compartment`: per-compartment `np.float32` arrays and per-block settings).
///
/// Build it with [`FloatBlock::new`] (`Compartment.__init__`: no filter, `decay_u = 1`,
/// integrator `decay_v = 0`), then set the bias and call the `configure_*` methods, or fill the
/// fields directly.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatBlock {
    /// Input (synaptic current) decay per step, `1 − e^(−dt/τ_s)` (`decay_u`).
    pub decay_u: Vec<f32>,
    /// Voltage decay per step, `1 − e^(−dt/τ_rc)` (`decay_v`).
    pub decay_v: Vec<f32>,
    /// Refractory delay in steps (`refract_delay`, already an integer in the float block).
    pub refract_delay: Vec<i32>,
    /// Threshold in Nengo units (1 for LIF).
    pub vth: Vec<f32>,
    /// Bias in Nengo units (the ensemble's bias current).
    pub bias: Vec<f32>,
    /// Whether noise is enabled per compartment (`enable_noise`).
    pub enable_noise: Vec<bool>,
    /// The input filter time constant in ms (`tau_s`; `None` until a filter is configured).
    pub tau_s_ms: Option<f64>,
    /// Scale the input by `1/decay_magnitude(decay_u)` (`scale_u`).
    pub scale_u: bool,
    /// Scale the voltage by `1/decay_magnitude(decay_v)` (`scale_v`).
    pub scale_v: bool,
    /// Lowest voltage, Nengo units (`vmin`).
    pub vmin: f64,
    /// Highest voltage, Nengo units (`vmax`; `inf` for LIF).
    pub vmax: f64,
    /// Noise exponent, base 10, in units of current or voltage (`noise_exp`).
    pub noise_exp: f64,
    /// Noise offset (`noise_offset`).
    pub noise_offset: f64,
    /// Noise at the membrane (1) or at the input (0) (`noise_at_membrane`).
    pub noise_at_membrane: i32,
}

impl FloatBlock {
    /// `Compartment.__init__(n)`: `decay_u = 1` (no filter), `decay_v = 0` (integrator),
    /// `vth = bias = 0`, `refract_delay = 0`, `tau_s = None`, `scale_u = True`,
    /// `scale_v = False`, `vmin = 0`, `vmax = inf`, no noise.
    pub fn new(n: usize) -> Self {
        FloatBlock {
            decay_u: vec![1.0; n],
            decay_v: vec![0.0; n],
            refract_delay: vec![0; n],
            vth: vec![0.0; n],
            bias: vec![0.0; n],
            enable_noise: vec![false; n],
            tau_s_ms: None,
            scale_u: true,
            scale_v: false,
            vmin: 0.0,
            vmax: f64::INFINITY,
            noise_exp: 0.0,
            noise_offset: 0.0,
            noise_at_membrane: 0,
        }
    }

    /// The number of compartments.
    pub fn len(&self) -> usize {
        self.decay_u.len()
    }

    /// Whether the block has no compartments.
    pub fn is_empty(&self) -> bool {
        self.decay_u.is_empty()
    }

    /// `block.compartment.bias[:] = bias` (`build_ensemble`): stored as `f32`.
    pub fn set_bias(&mut self, bias: &[f64]) -> Result<(), DiscretizeError> {
        check_len("bias", bias.len(), self.len())?;
        for (b, &x) in self.bias.iter_mut().zip(bias) {
            *b = x as f32;
        }
        Ok(())
    }

    /// `Compartment.configure_lif(tau_rc, tau_ref, vth, dt, min_voltage)`:
    /// `decay_v = −expm1(−dt/τ_rc)` ([`lif_decay_v`]),
    /// `refract_delay = round(τ_ref/dt) + 1` ([`refract_delay`]), `vth`, `vmin = min_voltage`,
    /// `vmax = inf`, `scale_v = all(decay_v > 0.5/4096)` (else [`DiscretizeError::MembraneTooSlow`]).
    pub fn configure_lif(
        &mut self,
        tau_rc_ms: f64,
        tau_ref_ms: f64,
        vth: f64,
        dt_ms: f64,
        min_voltage: f64,
    ) -> Result<(), DiscretizeError> {
        let decay_v = lif_decay_v(dt_ms, tau_rc_ms) as f32;
        self.decay_v.fill(decay_v);
        self.refract_delay.fill(refract_delay(dt_ms, tau_ref_ms));
        self.vth.fill(vth as f32);
        self.vmin = min_voltage;
        self.vmax = f64::INFINITY;
        self.scale_v = self.decay_v.iter().all(|&d| f64::from(d) > DECAY_SCALE_TH);
        if !self.scale_v {
            return Err(DiscretizeError::MembraneTooSlow { tau_rc_ms });
        }
        Ok(())
    }

    /// `Compartment.configure_relu(tau_ref, vth, dt)`: `decay_v = 0` (pure integrator),
    /// `refract_delay = round(τ_ref/dt) + 1`, `vth`, `vmin = 0`, `vmax = inf`,
    /// `scale_v = False`. A Nengo `SpikingRectifiedLinear` ensemble uses `vth = 1/dt` with dt
    /// in seconds (`build_relu`: 1000 at dt = 1 ms); decode neurons use `vth = 1`.
    pub fn configure_relu(&mut self, tau_ref_ms: f64, vth: f64, dt_ms: f64) {
        self.decay_v.fill(0.0);
        self.refract_delay.fill(refract_delay(dt_ms, tau_ref_ms));
        self.vth.fill(vth as f32);
        self.vmin = 0.0;
        self.vmax = f64::INFINITY;
        self.scale_v = false;
    }

    /// `Compartment.configure_nonspiking(vth)`: `decay_v = 1` (v follows the input each step),
    /// `refract_delay = 1`, `vth` (`Model.vth_nonspiking = 10` for decoded probes),
    /// `vmin = 0`, `vmax = inf`, `scale_v = False`.
    pub fn configure_nonspiking(&mut self, vth: f64) {
        self.decay_v.fill(1.0);
        self.refract_delay.fill(1);
        self.vth.fill(vth as f32);
        self.vmin = 0.0;
        self.vmax = f64::INFINITY;
        self.scale_v = false;
    }

    /// `Compartment.configure_filter(tau_s, dt)`: the input filter of a block is set by its
    /// incoming connections' `Lowpass` synapse; a block has one `tau_s`, and the larger one
    /// wins ([`FilterChange`]). The decay is [`filter_decay_u`]; `scale_u = decay_u > 0.5/4096`
    /// (else [`DiscretizeError::FilterTooSlow`]).
    pub fn configure_filter(
        &mut self,
        tau_s_ms: f64,
        dt_ms: f64,
    ) -> Result<FilterChange, DiscretizeError> {
        let change = match self.tau_s_ms {
            Some(current) if tau_s_ms < current => return Ok(FilterChange::KeptLarger),
            Some(current) if tau_s_ms > current => FilterChange::Replaced,
            _ => FilterChange::Set,
        };
        self.set_filter(tau_s_ms, dt_ms)?;
        self.tau_s_ms = Some(tau_s_ms);
        Ok(change)
    }

    /// `Compartment.configure_default_filter(tau_s, dt)`: sets the filter's decay only if no
    /// filter was configured, without recording `tau_s` (`build_ensemble` calls it with
    /// `Model.decode_tau = 5 ms`).
    pub fn configure_default_filter(
        &mut self,
        tau_s_ms: f64,
        dt_ms: f64,
    ) -> Result<(), DiscretizeError> {
        if self.tau_s_ms.is_none() {
            self.set_filter(tau_s_ms, dt_ms)?;
        }
        Ok(())
    }

    /// `Compartment._configure_filter`.
    fn set_filter(&mut self, tau_s_ms: f64, dt_ms: f64) -> Result<(), DiscretizeError> {
        let decay_u = filter_decay_u(dt_ms, tau_s_ms);
        self.decay_u.fill(decay_u as f32);
        self.scale_u = decay_u > DECAY_SCALE_TH;
        if !self.scale_u {
            return Err(DiscretizeError::FilterTooSlow { tau_s_ms, decay_u });
        }
        Ok(())
    }

    /// Lengths agree and every per-compartment float is finite.
    fn check(&self) -> Result<(), DiscretizeError> {
        let n = self.len();
        check_len("decay_v", self.decay_v.len(), n)?;
        check_len("refract_delay", self.refract_delay.len(), n)?;
        check_len("vth", self.vth.len(), n)?;
        check_len("bias", self.bias.len(), n)?;
        check_len("enable_noise", self.enable_noise.len(), n)?;
        for (field, values) in [
            ("decay_u", &self.decay_u),
            ("decay_v", &self.decay_v),
            ("vth", &self.vth),
            ("bias", &self.bias),
        ] {
            if let Some(index) = values.iter().position(|x| !x.is_finite()) {
                return Err(DiscretizeError::NonFinite { field, index });
            }
        }
        Ok(())
    }
}

fn check_len(field: &'static str, len: usize, n: usize) -> Result<(), DiscretizeError> {
    if len == n {
        Ok(())
    } else {
        Err(DiscretizeError::Length { field, len, n })
    }
}

/// LIF voltage decay per step, `decay_v = −expm1(−dt/τ_rc)` (`Compartment.configure_lif`),
/// computed in seconds (`f64`; the block stores it as `f32`).
pub fn lif_decay_v(dt_ms: f64, tau_rc_ms: f64) -> f64 {
    -(-s(dt_ms) / s(tau_rc_ms)).exp_m1()
}

/// Input filter decay per step, `decay_u = −expm1(−dt/τ_s)`, or 1 when `τ_s = 0`
/// (`Compartment._configure_filter`), computed in seconds.
pub fn filter_decay_u(dt_ms: f64, tau_s_ms: f64) -> f64 {
    if tau_s_ms == 0.0 {
        1.0
    } else {
        -(-s(dt_ms) / s(tau_s_ms)).exp_m1()
    }
}

/// Refractory delay in steps, `round(τ_ref/dt) + 1` (`Compartment.configure_lif` /
/// `configure_relu`; `np.round`, half to even), with both times in seconds: 3 for
/// τ_ref = 2 ms at dt = 1 ms. A spike at step t holds v at 0 on steps t+1 … t+delay−1.
pub fn refract_delay(dt_ms: f64, tau_ref_ms: f64) -> i32 {
    (s(tau_ref_ms) / s(dt_ms)).round_ties_even() as i32 + 1
}

// ---------------------------------------------------------------------------------------------
// Compartments
// ---------------------------------------------------------------------------------------------

/// Estimated sum of the integer decay series of `x0`, divided by `x0`
/// (`discretize.py::decay_magnitude`, with `bits = 12`): with `r = (4096 − offset − decay)/4096`
/// and the empirical rounding loss `q = 0.494` per step,
///
/// ```text
/// n = −log1p(x0·(1 − r)/q) / ln r                    (the step where y_n = 0)
/// decay_magnitude = (1 − r^(n+1))/(1 − r) − q/((1 − r)·x0) · (n + 1 − (1 − r^(n+1))/(1 − r))
/// ```
///
/// about `1/(1 − r)`. `decay` is the **integer** decay (0..=4095); the current uses
/// `offset = 1` (the chip adds 1 to `decay_u`), the voltage `offset = 0`. Returns NaN for
/// `r = 1` (`decay = 0, offset = 0`), as NumPy does.
pub fn decay_magnitude(decay: i32, x0: f64, offset: i32) -> f64 {
    let q = 0.494;
    let r = f64::from(4096 - offset - decay) / 4096.0;
    let n = -(x0 * (1.0 - r) / q).ln_1p() / r.ln();
    let rn1 = r.powf(n + 1.0);
    let principal_sum = (1.0 - rn1) / (1.0 - r);
    let loss_sum = q / ((1.0 - r) * x0) * (n + 1.0 - (1.0 - rn1) / (1.0 - r));
    principal_sum - loss_sum
}

/// Integer input decay, `round(clip(decay_u·4095 − 1, 0, 4095))`, in `f32` like NumPy on the
/// `float32` array (`discretize_compartment`; the 1 is added back by the chip, whose current
/// decays by `4095 − decay_u`).
pub fn decay_u_int(decay_u: f32) -> i32 {
    let x = decay_u * MAX_DECAY as f32 - 1.0;
    x.clamp(0.0, MAX_DECAY as f32).round_ties_even() as i32
}

/// Integer voltage decay, `round(decay_v·4095)`, in `f32` (`discretize_compartment`; the chip's
/// voltage decays by `4096 − decay_v`).
pub fn decay_v_int(decay_v: f32) -> i32 {
    (decay_v * MAX_DECAY as f32).round_ties_even() as i32
}

/// The weight scale of a block (`w_scale` of `discretize_compartment`): one number when the
/// block has input weights (`255/w_max`), one per compartment otherwise (`b_scale·u_infactor/64`
/// or `v_scale·v_infactor·u_infactor/64`). The kind matters: NumPy multiplies the `float32`
/// weights by one number in `float32`, and by a per-compartment array in `float64`.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightScale {
    /// `255/w_max` for every compartment.
    Uniform(f64),
    /// One scale per compartment.
    PerCompartment(Vec<f64>),
}

impl WeightScale {
    /// The scale of compartment `i` (`w_scale[idxs]`), `None` outside the block.
    pub fn at(&self, i: usize) -> Option<f64> {
        match self {
            WeightScale::Uniform(w) => Some(*w),
            WeightScale::PerCompartment(v) => v.get(i).copied(),
        }
    }

    /// The first scale (what NengoLoihi reports as `np.ravel(w_scale)[0]`); NaN when empty.
    pub fn first(&self) -> f64 {
        self.at(0).unwrap_or(f64::NAN)
    }
}

/// The scales chosen for a block (`Compartment.discretize_info` of NengoLoihi 1.1.0).
#[derive(Clone, Debug, PartialEq)]
pub struct DiscretizeInfo {
    /// Largest |weight| over all synapses into the block (0 without synapses, −inf when all
    /// its synapses are empty).
    pub w_max: f64,
    /// The block weight exponent (0 … −7).
    pub w_exp: i32,
    /// Integer voltage units per Nengo voltage unit (one per block).
    pub v_scale: f64,
    /// Integer bias units per Nengo bias unit, per compartment (`≈ v_scale·decay_v`).
    pub b_scale: Vec<f64>,
    /// Integer weight units (before `2^(6 + weight_exp)`) per Nengo weight unit.
    pub w_scale: WeightScale,
}

/// A discretized block: the integer parameters the chip (and the emulator) uses.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscreteBlock {
    /// 12-bit input decay (the current decays by `4095 − decay_u` per 4096).
    pub decay_u: Vec<i32>,
    /// 12-bit voltage decay (the voltage decays by `4096 − decay_v` per 4096).
    pub decay_v: Vec<i32>,
    /// Refractory delay in steps.
    pub refract_delay: Vec<i32>,
    /// Threshold `vth_man · 2^vth_exp`.
    pub vth: Vec<i32>,
    /// Threshold mantissa (1 ..= 2^17 − 1).
    pub vth_man: Vec<i32>,
    /// Threshold exponent (always 6).
    pub vth_exp: Vec<i32>,
    /// Bias `bias_man · 2^bias_exp`.
    pub bias: Vec<i32>,
    /// Bias mantissa (|·| ≤ 4095).
    pub bias_man: Vec<i32>,
    /// Bias exponent (0 ..= 7).
    pub bias_exp: Vec<i32>,
    /// Lowest voltage, `−2^vmine + 1` (0 for LIF).
    pub vmin: i32,
    /// Highest voltage, `2^(9 + 2·vmaxe) − 1` (2^23 − 1 for LIF).
    pub vmax: i32,
    /// Noise exponent, base 2, clipped to 1 ..= 23.
    pub noise_exp: i32,
    /// Noise offset, `round(2·noise_offset)`.
    pub noise_offset: i32,
    /// Noise enabled per compartment, as in the float block (NengoLoihi only warns when the
    /// noise amplitude falls outside `2^1 ..= 2^23`; its flags stay as they are).
    pub enable_noise: Vec<bool>,
    /// The scales.
    pub info: DiscretizeInfo,
}

/// Threshold and bias scaled to integer units, before mantissa/exponent splitting.
struct Scaled {
    w_exp: i32,
    v_scale: Vec<f64>,
    b_scale: Vec<f64>,
    w_scale: WeightScale,
    vth: Vec<f64>,
    bias: Vec<f64>,
    /// Whether `bias` came out of a `float32` product (the bias-only branch).
    bias_f32: bool,
}

/// Discretizes the compartments of a block whose largest input weight is `w_max`
/// (`discretize.py::discretize_compartment`; README §2.2):
///
/// ```text
/// decay_u = round(clip(decay_u·4095 − 1, 0, 4095)),  decay_v = round(decay_v·4095)
/// u_infactor = 1/decay_magnitude(decay_u, 2^21, offset 1)  (1 unless scale_u)
/// v_infactor = 1/decay_magnitude(decay_v, 2^21, offset 0)  (1 unless scale_v)
/// if w_max > 1e-8:                         w_scale = 255/w_max; s_scale = 1/(u_inf·v_inf)
///     for w_exp in 0, −1, …, −7:           v_scale = s_scale·w_scale·2^(6+w_exp)
///         b_scale = v_scale·v_inf; vth = round(vth·v_scale); bias = round(bias·b_scale)
///         stop at the first with all vth ≤ VTH_MAX and all |bias| ≤ BIAS_MAX
/// elif max|bias| > 1e-8:                   b_scale = BIAS_MAX/max|bias|
///     while b_scale·max|bias| > 1:         v_scale = b_scale/v_inf; w_scale = b_scale·u_inf/64
///         vth, bias as above; stop when all vth ≤ VTH_MAX, else b_scale /= 2
/// else:                                    v_scale = (2^21 − 1)/(max vth + 1), vth, bias as above
///                                          b_scale = v_scale·v_inf, w_scale = b_scale·u_inf/64
/// vth = round(vth/64)·64;   bias_exp = ceil(log2(max(|bias|/4095, 1))), bias = round(bias/2^e)·2^e
/// vmin = −2^clip(round(log2(−v_scale·vmin + 1)), 0, 31) + 1
/// vmax = 2^(9 + 2·clip(round((log2(v_scale·vmax + 1) − 9)/2), 0, 7)) − 1
/// noise_exp = clip(round(log2(10^noise_exp·v_scale)), 1, 23)
/// ```
pub fn discretize_compartments(
    block: &FloatBlock,
    w_max: f64,
) -> Result<DiscreteBlock, DiscretizeError> {
    block.check()?;
    let n = block.len();
    let decay_u: Vec<i32> = block.decay_u.iter().map(|&d| decay_u_int(d)).collect();
    let decay_v: Vec<i32> = block.decay_v.iter().map(|&d| decay_v_int(d)).collect();
    let u_infactor: Vec<f64> = decay_u
        .iter()
        .map(|&d| {
            if block.scale_u {
                1.0 / decay_magnitude(d, DECAY_MAGNITUDE_X0, 1)
            } else {
                1.0
            }
        })
        .collect();
    let v_infactor: Vec<f64> = decay_v
        .iter()
        .map(|&d| {
            if block.scale_v {
                1.0 / decay_magnitude(d, DECAY_MAGNITUDE_X0, 0)
            } else {
                1.0
            }
        })
        .collect();
    // `np.abs(comp.bias).max()` of a float32 array
    let b_max = f64::from(block.bias.iter().fold(0f32, |m, b| m.max(b.abs())));

    let scaled = if w_max > 1e-8 {
        scale_by_weights(block, w_max, &u_infactor, &v_infactor)?
    } else if b_max > 1e-8 {
        scale_by_bias(block, b_max, &u_infactor, &v_infactor)?
    } else {
        scale_unit(block, &u_infactor, &v_infactor)
    };

    let mut out = DiscreteBlock {
        decay_u,
        decay_v,
        refract_delay: block.refract_delay.clone(),
        vth: Vec::with_capacity(n),
        vth_man: Vec::with_capacity(n),
        vth_exp: Vec::with_capacity(n),
        bias: Vec::with_capacity(n),
        bias_man: Vec::with_capacity(n),
        bias_exp: Vec::with_capacity(n),
        vmin: 0,
        vmax: 0,
        noise_exp: 0,
        noise_offset: 0,
        enable_noise: block.enable_noise.clone(),
        info: DiscretizeInfo {
            w_max,
            w_exp: scaled.w_exp,
            v_scale: f64::NAN,
            b_scale: scaled.b_scale,
            w_scale: scaled.w_scale,
        },
    };
    // vth_to_manexp
    for (index, &vth) in scaled.vth.iter().enumerate() {
        let mantissa = (vth / 64.0).round_ties_even();
        if !(mantissa > 0.0 && mantissa <= f64::from(VTH_MAN_MAX)) {
            return Err(DiscretizeError::VthMantissa { index, mantissa });
        }
        let man = mantissa as i32;
        out.vth_man.push(man);
        out.vth_exp.push(VTH_EXP);
        out.vth.push(man << VTH_EXP);
    }
    // bias_to_manexp
    for (index, &bias) in scaled.bias.iter().enumerate() {
        let exponent = if scaled.bias_f32 {
            // float32 array: |bias|/4095, maximum and log2 stay float32
            f64::from(
                ((bias as f32).abs() / BIAS_MAN_MAX as f32)
                    .max(1.0)
                    .log2()
                    .ceil(),
            )
        } else {
            (bias.abs() / f64::from(BIAS_MAN_MAX))
                .max(1.0)
                .log2()
                .ceil()
        };
        let mantissa = (bias / 2f64.powf(exponent)).round_ties_even();
        if !((0.0..=f64::from(BIAS_EXP_MAX)).contains(&exponent)
            && mantissa.abs() <= f64::from(BIAS_MAN_MAX))
        {
            return Err(DiscretizeError::BiasRange {
                index,
                bias,
                exponent,
                mantissa,
            });
        }
        let (man, exp) = (mantissa as i32, exponent as i32);
        out.bias_man.push(man);
        out.bias_exp.push(exp);
        out.bias.push(man << exp);
    }
    // assert (v_scale[0] == v_scale).all()
    let v_scale = scaled.v_scale.first().copied().unwrap_or(f64::NAN);
    if let Some((index, &other)) = scaled
        .v_scale
        .iter()
        .enumerate()
        .find(|(_, v)| **v != v_scale)
    {
        return Err(DiscretizeError::NonUniformVScale {
            index,
            first: v_scale,
            other,
        });
    }
    out.info.v_scale = v_scale;

    // noise
    let noise_exp = (10f64.powf(block.noise_exp) * v_scale)
        .log2()
        .round_ties_even();
    out.noise_exp = noise_exp.clamp(1.0, 23.0) as i32;
    out.noise_offset = (2.0 * block.noise_offset).round_ties_even() as i32;

    // vmin and vmax
    let vmin = v_scale * block.vmin;
    let vmax = v_scale * block.vmax;
    let vmine = (-vmin + 1.0).log2().round_ties_even().clamp(0.0, 31.0);
    out.vmin = (-(2f64.powf(vmine)) + 1.0) as i32;
    let vmaxe = (((vmax + 1.0).log2() - 9.0) * 0.5)
        .round_ties_even()
        .clamp(0.0, 7.0);
    out.vmax = (2f64.powf(9.0 + 2.0 * vmaxe) - 1.0) as i32;
    Ok(out)
}

/// The `w_max > 1e-8` branch of `discretize_compartment`.
fn scale_by_weights(
    block: &FloatBlock,
    w_max: f64,
    u_infactor: &[f64],
    v_infactor: &[f64],
) -> Result<Scaled, DiscretizeError> {
    let w_scale = 255.0 / w_max;
    let s_scale: Vec<f64> = u_infactor
        .iter()
        .zip(v_infactor)
        .map(|(u, v)| 1.0 / (u * v))
        .collect();
    let (mut max_vth, mut max_bias) = (f64::NAN, f64::NAN);
    for w_exp in (-7..=0).rev() {
        let v_scale: Vec<f64> = s_scale
            .iter()
            .map(|s| s * w_scale * weight_scale(w_exp))
            .collect();
        let b_scale: Vec<f64> = v_scale.iter().zip(v_infactor).map(|(v, f)| v * f).collect();
        let vth: Vec<f64> = block
            .vth
            .iter()
            .zip(&v_scale)
            .map(|(&t, v)| (f64::from(t) * v).round_ties_even())
            .collect();
        let bias: Vec<f64> = block
            .bias
            .iter()
            .zip(&b_scale)
            .map(|(&b, s)| (f64::from(b) * s).round_ties_even())
            .collect();
        if vth.iter().all(|&t| t <= f64::from(VTH_MAX))
            && bias.iter().all(|b| b.abs() <= f64::from(BIAS_MAX))
        {
            return Ok(Scaled {
                w_exp,
                v_scale,
                b_scale,
                w_scale: WeightScale::Uniform(w_scale),
                vth,
                bias,
                bias_f32: false,
            });
        }
        max_vth = vth.iter().fold(f64::NEG_INFINITY, |m, &t| m.max(t));
        max_bias = bias.iter().fold(0f64, |m, b| m.max(b.abs()));
    }
    Err(DiscretizeError::NoWeightExponent {
        w_max,
        max_vth,
        max_bias,
    })
}

/// The bias-only branch (`elif b_max > 1e-8`) of `discretize_compartment`.
fn scale_by_bias(
    block: &FloatBlock,
    b_max: f64,
    u_infactor: &[f64],
    v_infactor: &[f64],
) -> Result<Scaled, DiscretizeError> {
    let mut b_scale = f64::from(BIAS_MAX) / b_max;
    while b_scale * b_max > 1.0 {
        let v_scale: Vec<f64> = v_infactor.iter().map(|f| b_scale / f).collect();
        let w_scale: Vec<f64> = u_infactor
            .iter()
            .map(|u| b_scale * u / weight_scale(0))
            .collect();
        let vth: Vec<f64> = block
            .vth
            .iter()
            .zip(&v_scale)
            .map(|(&t, v)| (f64::from(t) * v).round_ties_even())
            .collect();
        if vth.iter().all(|&t| t <= f64::from(VTH_MAX)) {
            // float32 array times a NumPy float64 scalar: a float32 product
            let b32 = b_scale as f32;
            let bias = block
                .bias
                .iter()
                .map(|&b| f64::from((b * b32).round_ties_even()))
                .collect();
            return Ok(Scaled {
                w_exp: 0,
                v_scale,
                b_scale: vec![b_scale; block.len()],
                w_scale: WeightScale::PerCompartment(w_scale),
                vth,
                bias,
                bias_f32: true,
            });
        }
        b_scale /= 2.0;
    }
    Err(DiscretizeError::NoBiasScaling { b_max })
}

/// The last branch of `discretize_compartment` (no input weights, no bias): `vth_max` is
/// lowered to `2^21 − 1` to avoid overflow (all thresholds end up near it).
fn scale_unit(block: &FloatBlock, u_infactor: &[f64], v_infactor: &[f64]) -> Scaled {
    let vth_max = f64::from(VTH_MAX.min((1 << Q_BITS) - 1));
    let vth_top = block.vth.iter().fold(f32::NEG_INFINITY, |m, &t| m.max(t));
    let v_scale = vth_max / (f64::from(vth_top) + 1.0);
    let vth = block
        .vth
        .iter()
        .map(|&t| (f64::from(t) * v_scale).round_ties_even())
        .collect();
    let b_scale: Vec<f64> = v_infactor.iter().map(|f| v_scale * f).collect();
    let bias = block
        .bias
        .iter()
        .zip(&b_scale)
        .map(|(&b, s)| (f64::from(b) * s).round_ties_even())
        .collect();
    let w_scale = v_infactor
        .iter()
        .zip(u_infactor)
        .map(|(f, u)| v_scale * f * u / weight_scale(0))
        .collect();
    Scaled {
        w_exp: 0,
        v_scale: vec![v_scale; block.len()],
        b_scale,
        w_scale: WeightScale::PerCompartment(w_scale),
        vth,
        bias,
        bias_f32: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Synapses
// ---------------------------------------------------------------------------------------------

/// Float PES learning parameters of a synapse (what `Synapse.set_learning` stores).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FloatLearning {
    /// Learning rate, already multiplied by `learn_epoch = 4`.
    pub learning_rate: f64,
    /// Trace time constant in steps (`pre_synapse.tau / dt`).
    pub tracing_tau: f64,
    /// Trace increment per spike.
    pub tracing_mag: f64,
    /// Weight exponent of the learned synapse (`Model.pes_wgt_exp = 4`).
    pub wgt_exp: i32,
}

/// `Synapse.set_learning`: `train_epoch = 2` steps between trace updates.
pub const TRAIN_EPOCH: i32 = 2;
/// `Synapse.set_learning`: `learn_epoch_k = 1`.
pub const LEARN_EPOCH_K: i32 = 1;
/// `learn_epoch = train_epoch·2^learn_epoch_k = 4` steps between weight updates.
pub const LEARN_EPOCH: i32 = TRAIN_EPOCH << LEARN_EPOCH_K;

impl FloatLearning {
    /// The PES branch of `build_full_chip_connection` followed by `Synapse.set_learning`
    /// (times in seconds inside):
    ///
    /// ```text
    /// tracing_tau   = pre_tau/dt                               (steps)
    /// learning_rate = learning_rate·dt/n_pre / pes_error_scale · learn_epoch
    /// tracing_mag   = −expm1(−1/tracing_tau) / dt²
    /// ```
    ///
    /// `learning_rate` is Nengo's `PES.learning_rate`, `pre_tau_ms` the `pre_synapse`
    /// Lowpass tau, `n_pre` the pre ensemble's neuron count, `pes_error_scale` normally
    /// [`PES_ERROR_SCALE`], `wgt_exp` normally [`PES_WGT_EXP`].
    pub fn pes(
        learning_rate: f64,
        pre_tau_ms: f64,
        n_pre: usize,
        dt_ms: f64,
        pes_error_scale: f64,
        wgt_exp: i32,
    ) -> Self {
        let dt = s(dt_ms);
        let tracing_tau = s(pre_tau_ms) / dt;
        let mut lr = learning_rate * dt / n_pre as f64;
        lr /= pes_error_scale;
        let tracing_mag = -(-1.0 / tracing_tau).exp_m1() / (dt * dt);
        FloatLearning {
            learning_rate: lr * f64::from(LEARN_EPOCH),
            tracing_tau,
            tracing_mag,
            wgt_exp,
        }
    }
}

/// Discretized PES learning parameters (the learning part of `discretize_synapse`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiscreteLearning {
    /// Trace time constant in steps, `round(tracing_tau)`.
    pub tracing_tau: i32,
    /// Trace increment, `mag_int + mag_frac/128`.
    pub tracing_mag: f64,
    /// Integer part of the trace increment (≤ 127).
    pub mag_int: i32,
    /// Fraction of the trace increment in 1/128 (≤ 127).
    pub mag_frac: i32,
    /// The learning rate after discretization, `lr_int·2^lr_exp` (NengoLoihi fixes it at 2^−7).
    pub learning_rate: f64,
    /// Learning rate mantissa.
    pub lr_int: i32,
    /// Learning rate exponent (≥ −7).
    pub lr_exp: i32,
    /// The trace increment exceeded 127 and was clipped to 127 + 127/128 (NengoLoihi warns
    /// "Trace increment exceeds upper limit").
    pub trace_clipped: bool,
}

/// A discretized synapse.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscreteSynapse {
    /// The synapse weight exponent (`synapse_cfg.weight_exp`).
    pub weight_exp: i32,
    /// The exponent folded into the weights, `w·w_scale·2^dw_exp`.
    pub dw_exp: i32,
    /// The integer each weight adds to `q` per spike.
    pub weights: Vec<i32>,
    /// The 8-bit weights written to the chip, `weight // 2^(6 + weight_exp)`.
    pub chip_weights: Vec<i32>,
    /// Low bits lost by a negative `1 + weight_exp` (NengoLoihi warns "Lost N extra bits in
    /// weight rounding").
    pub lost_bits: Option<u32>,
    /// The learning parameters, for a learned synapse.
    pub learning: Option<DiscreteLearning>,
}

/// The per-synapse exponents of `discretize_synapse`: `(weight_exp, dw_exp)`.
///
/// ```text
/// learned:              weight_exp = learning_wgt_exp,                dw_exp = w_exp − weight_exp
/// max|w_syn| > 1e-16:   dw_exp = floor(log2(w_max/max|w_syn|)),        weight_exp = max(w_exp − dw_exp, −6)
/// otherwise:            weight_exp = −6,                              dw_exp = w_exp − weight_exp
/// ```
///
/// `w_max/max|w_syn|` and its `log2` are `float32` (both maxima are `np.float32`). When
/// `weight_exp` is clamped at −6, `dw_exp` is not adjusted (as in NengoLoihi).
pub fn synapse_exponents(
    w_max: f64,
    w_max_syn: f32,
    learning_wgt_exp: Option<i32>,
    w_exp: i32,
) -> (i32, i32) {
    if let Some(wgt_exp) = learning_wgt_exp {
        (wgt_exp, w_exp - wgt_exp)
    } else if f64::from(w_max_syn) > 1e-16 {
        let dw_exp = ((w_max as f32) / w_max_syn).log2().floor() as i32;
        ((w_exp - dw_exp).max(-6), dw_exp)
    } else {
        (-6, w_exp + 6)
    }
}

/// Quantizes scaled weights `w' = w·w_scale·2^dw_exp` (|w'| ≤ 255 up to rounding) into the
/// integers added to `q` (`discretize.py::discretize_weights` with `lossy_shift=True`):
///
/// ```text
/// w8 = clip(round(w'/2^SHIFT_BITS), −127, 127)             SHIFT_BITS = 1
/// s2 = SHIFT_BITS + weight_exp
/// if s2 < 0: w8 = clip(round(w8·2^s2)/2^s2, −127, 127)      ("Lost −s2 extra bits")
/// W  = (w8 << s2, or >> −s2) << 6
/// ```
///
/// Returns the integers and the lost bit count. NaN weights give 0.
pub fn discretize_weights(scaled: &[f64], weight_exp: i32) -> (Vec<i32>, Option<u32>) {
    let m = f64::from(WEIGHT_MAN_MAX);
    let s2 = SHIFT_BITS + weight_exp;
    let lost = (s2 < 0).then(|| s2.unsigned_abs());
    let weights = scaled
        .iter()
        .map(|&w| {
            let mut w8 = (w / 2f64.powi(SHIFT_BITS)).round_ties_even().clamp(-m, m) as i32;
            if s2 < 0 {
                let f = 2f64.powi(s2);
                w8 = ((f64::from(w8) * f).round_ties_even() / f).clamp(-m, m) as i32;
            }
            let shifted = if s2 < 0 { w8 >> -s2 } else { w8 << s2 };
            shifted << 6
        })
        .collect();
    (weights, lost)
}

/// The 8-bit chip weight of an integer weight, `weight // 2^(6 + weight_exp)` (floor division,
/// as `synapses.csv` computes `chip_wgt`): `2·w8` unless bits were lost.
pub fn chip_weight(weight: i32, weight_exp: i32) -> i32 {
    let e = 6 + weight_exp;
    if e >= 0 {
        weight.div_euclid(1 << e)
    } else {
        weight << -e
    }
}

/// The largest |w| of a synapse (`Synapse.max_abs_weight`, `float32`; −inf when empty).
pub fn max_abs_weight(weights: &[f32]) -> f32 {
    weights
        .iter()
        .fold(f32::NEG_INFINITY, |m, &w| m.max(w.abs()))
}

/// Discretizes one synapse into a block with scales `info` (`discretize.py::discretize_synapse`,
/// README §2.3): exponents from [`synapse_exponents`], scaled weights
/// `w·w_scale[target]·2^dw_exp` (`float32` when `w_scale` is [`WeightScale::Uniform`], `f64`
/// otherwise), [`discretize_weights`], [`chip_weight`], and for a learned synapse
/// [`discretize_learning`]. `targets[k]` is the block compartment of `weights[k]` (the synapse's
/// `indices`, which select `w_scale[idxs]`).
pub fn discretize_synapse(
    weights: &[f32],
    targets: &[usize],
    learning: Option<&FloatLearning>,
    info: &DiscretizeInfo,
) -> Result<DiscreteSynapse, DiscretizeError> {
    check_len("targets", targets.len(), weights.len())?;
    if let Some(index) = weights.iter().position(|w| !w.is_finite()) {
        return Err(DiscretizeError::NonFinite {
            field: "weights",
            index,
        });
    }
    let (weight_exp, dw_exp) = synapse_exponents(
        info.w_max,
        max_abs_weight(weights),
        learning.map(|l| l.wgt_exp),
        info.w_exp,
    );
    if !(-7..=7).contains(&weight_exp) {
        return Err(DiscretizeError::WeightExponent { weight_exp });
    }
    let scaled: Vec<f64> = match &info.w_scale {
        WeightScale::Uniform(ws) => {
            let (ws, p) = (*ws as f32, 2f32.powi(dw_exp));
            weights.iter().map(|&w| f64::from(w * ws * p)).collect()
        }
        WeightScale::PerCompartment(v) => {
            let p = 2f64.powi(dw_exp);
            let mut out = Vec::with_capacity(weights.len());
            for (index, (&w, &t)) in weights.iter().zip(targets).enumerate() {
                let ws = *v.get(t).ok_or(DiscretizeError::Target {
                    index,
                    target: t,
                    n: v.len(),
                })?;
                out.push(f64::from(w) * ws * p);
            }
            out
        }
    };
    let (ints, lost_bits) = discretize_weights(&scaled, weight_exp);
    let chip_weights = ints.iter().map(|&w| chip_weight(w, weight_exp)).collect();
    let learning = match learning {
        Some(l) => Some(discretize_learning(l, &info.w_scale, dw_exp)?),
        None => None,
    };
    Ok(DiscreteSynapse {
        weight_exp,
        dw_exp,
        weights: ints,
        chip_weights,
        lost_bits,
        learning,
    })
}

/// `learn_overflow_bits(n_factors) = 7·n_factors + 3 − 15` (2 for PES's two factors).
pub fn learn_overflow_bits(n_factors: i32) -> i32 {
    7 * n_factors + 3 - 15
}

/// The learning part of `discretize_synapse`:
///
/// ```text
/// tracing_tau = round(tracing_tau)
/// lr *= w_scale[0]·2^dw_exp;  lr *= 2^learn_overflow_bits(2)
/// lscale = 2^−7/lr;  lr *= lscale;  tracing_mag /= lscale        (the rate is fixed at 2^−7)
/// lr_exp = floor(log2 lr);  lr_int = round(lr·2^−lr_exp);  lr = lr_int·2^lr_exp
/// mag_int = trunc(mag);  mag_frac = trunc(128·(mag − mag_int));  clipped to 127 + 127/128
/// ```
pub fn discretize_learning(
    learning: &FloatLearning,
    w_scale: &WeightScale,
    dw_exp: i32,
) -> Result<DiscreteLearning, DiscretizeError> {
    let w_scale_i = w_scale.first();
    if let WeightScale::PerCompartment(v) = w_scale
        && v.iter().any(|&w| w != w_scale_i)
    {
        return Err(DiscretizeError::NonUniformWScale);
    }
    let mut lr = learning.learning_rate;
    lr *= w_scale_i * 2f64.powi(dw_exp);
    lr *= 2f64.powi(learn_overflow_bits(2));
    let lscale = 2f64.powi(-7) / lr;
    lr *= lscale;
    let mut mag = learning.tracing_mag / lscale;
    let lr_exp = lr.log2().floor() as i32;
    let lr_int = (lr * 2f64.powi(-lr_exp)).round_ties_even() as i32;
    let learning_rate = f64::from(lr_int) * 2f64.powi(lr_exp);
    if lr_exp < -7 {
        return Err(DiscretizeError::LearningRate {
            learning_rate,
            lr_exp,
        });
    }
    let mut mag_int = mag.trunc() as i32;
    let mut mag_frac = (128.0 * (mag - f64::from(mag_int))).trunc() as i32;
    let trace_clipped = mag_int > 127;
    if trace_clipped {
        (mag_int, mag_frac) = (127, 127);
    }
    mag = f64::from(mag_int) + f64::from(mag_frac) / 128.0;
    Ok(DiscreteLearning {
        tracing_tau: learning.tracing_tau.round_ties_even() as i32,
        tracing_mag: mag,
        mag_int,
        mag_frac,
        learning_rate,
        lr_int,
        lr_exp,
        trace_clipped,
    })
}

/// A synapse into a block, before discretization (`block.py::Synapse`, flattened): the float
/// weights, the block compartment each targets, and the PES parameters of a learned synapse.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatSynapse {
    /// The weights (`float32`, as `Synapse.set_weights` stores them).
    pub weights: Vec<f32>,
    /// The target compartment of each weight (`indices`).
    pub targets: Vec<usize>,
    /// Learning parameters, for a learned synapse.
    pub learning: Option<FloatLearning>,
}

/// Discretizes a block and its input synapses (`discretize.py::discretize_block`):
/// `w_max = max(max_abs_weight(s) for s in synapses)` (0 without synapses), then
/// [`discretize_compartments`] and [`discretize_synapse`] for each synapse.
pub fn discretize_block(
    block: &FloatBlock,
    synapses: &[FloatSynapse],
) -> Result<(DiscreteBlock, Vec<DiscreteSynapse>), DiscretizeError> {
    let w_max = synapses
        .iter()
        .map(|s| max_abs_weight(&s.weights))
        .reduce(f32::max)
        .map_or(0.0, f64::from);
    let discrete = discretize_compartments(block, w_max)?;
    let synapses = synapses
        .iter()
        .map(|s| discretize_synapse(&s.weights, &s.targets, s.learning.as_ref(), &discrete.info))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((discrete, synapses))
}

// ---------------------------------------------------------------------------------------------
// Rates for decoder solving
// ---------------------------------------------------------------------------------------------

/// The membrane time constant the chip effectively has, in ms
/// (`neurons.py::discretize_tau_rc`): `decay = round(−expm1(−dt/τ_rc)·4095)/4095`,
/// `τ_rc' = −dt/log1p(−decay)` (in seconds inside, `f64` decay, unlike the `f32` block).
pub fn discretize_tau_rc(tau_rc_ms: f64, dt_ms: f64) -> f64 {
    discretize_tau_rc_s(s(tau_rc_ms), s(dt_ms)) * 1000.0
}

fn discretize_tau_rc_s(tau_rc: f64, dt: f64) -> f64 {
    let decay = -(-dt / tau_rc).exp_m1();
    let decay = (decay * 4095.0).round_ties_even() / 4095.0;
    -dt / (-decay).ln_1p()
}

/// The refractory period the chip effectively has, in ms (`neurons.py::discretize_tau_ref`):
/// `dt·round(τ_ref/dt)`.
pub fn discretize_tau_ref(tau_ref_ms: f64, dt_ms: f64) -> f64 {
    let dt = s(dt_ms);
    dt * (s(tau_ref_ms) / dt).round_ties_even() * 1000.0
}

/// The rate (Hz) NengoLoihi solves decoders against (`neurons.py::loihi_rates`): the
/// inter-spike interval is a whole number of steps.
///
/// - LIF (`loihi_lif_rates`): `j = gain·x + bias − 1`;
///   `period = dt·round(τ_ref/dt) + τ_rc'·log1p(1/j)` with `τ_rc'` from [`discretize_tau_rc`];
///   `rate = (amplitude/dt)/ceil(period/dt)` for `j > 0`, else 0.
/// - SpikingRectifiedLinear (`loihi_spikingrectifiedlinear_rates`): `j = gain·x + bias`;
///   `rate = (amplitude/dt)/ceil((1/j)/dt)` for `j > 0`, else 0.
/// - Any other type: its Nengo rate ([`NeuronType::rates`]), as `loihi_rates` falls back to
///   `neuron_type.rates` (this includes LIFRate, which is not a LIF subclass).
///
/// dt is converted to seconds, so at dt = 1 ms every spiking rate is `1000·amplitude/k` Hz for a
/// whole number of steps `k`.
pub fn loihi_rates(neuron: &NeuronType, x: f64, gain: f64, bias: f64, dt_ms: f64) -> f64 {
    let dt = s(dt_ms);
    match *neuron {
        NeuronType::LIF {
            tau_rc,
            tau_ref,
            amplitude,
            ..
        } => {
            let tau_ref = dt * (s(tau_ref) / dt).round_ties_even();
            let tau_rc = discretize_tau_rc_s(s(tau_rc), dt);
            let j = NeuronType::current(x, gain, bias) - 1.0;
            if j > 0.0 {
                let period = tau_ref + tau_rc * (1.0 / j).ln_1p();
                (amplitude / dt) / (period / dt).ceil()
            } else {
                0.0
            }
        }
        NeuronType::SpikingRectifiedLinear { amplitude } => {
            let j = NeuronType::current(x, gain, bias);
            if j > 0.0 {
                let period = 1.0 / j;
                (amplitude / dt) / (period / dt).ceil()
            } else {
                0.0
            }
        }
        _ => neuron.rates(x, gain, bias),
    }
}

/// The intercept distribution NengoLoihi samples (`builder/ensemble.py::get_gain_bias`): a
/// `Uniform(low, high)` with `high > limit` becomes `Uniform(min(low, limit), min(high, limit))`
/// (NengoLoihi warns "Intercepts are larger than intercept limit"). Returns `None` when the
/// distribution is kept. The limit is [`INTERCEPT_LIMIT`] (`Model.intercept_limit`).
pub fn limit_intercepts(dist: &Distribution, limit: f64) -> Option<Distribution> {
    match *dist {
        Distribution::Uniform { low, high } if high > limit => Some(Distribution::Uniform {
            low: low.min(limit),
            high: high.min(limit),
        }),
        _ => None,
    }
}

/// Clips sampled intercepts above `limit` to `limit` (`get_gain_bias`, after sampling; NengoLoihi
/// warns when any changed). Returns how many were clipped.
pub fn clip_intercepts(intercepts: &mut [f64], limit: f64) -> usize {
    let mut clipped = 0;
    for c in intercepts.iter_mut().filter(|c| **c > limit) {
        *c = limit;
        clipped += 1;
    }
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lif_float_block_matches_nengo_loihi() {
        let mut b = FloatBlock::new(3);
        b.configure_lif(20.0, 2.0, 1.0, 1.0, 0.0).unwrap();
        b.configure_default_filter(5.0, 1.0).unwrap();
        // the f32 values of compartments.csv (decay_*_float)
        assert_eq!(f64::from(b.decay_v[0]), 0.04877057671546936);
        assert_eq!(f64::from(b.decay_u[0]), 0.18126924335956573);
        assert_eq!(b.refract_delay, vec![3; 3]);
        assert!(b.scale_u && b.scale_v && b.tau_s_ms.is_none());
        assert_eq!(decay_u_int(b.decay_u[0]), 741);
        assert_eq!(decay_v_int(b.decay_v[0]), 200);
        assert_eq!(decay_u_int(1.0), 4094);
        assert_eq!(decay_v_int(1.0), 4095);
        assert_eq!(refract_delay(1.0, 0.0), 1);
    }

    #[test]
    fn filter_keeps_the_larger_tau() {
        let mut b = FloatBlock::new(1);
        assert_eq!(b.configure_filter(5.0, 1.0), Ok(FilterChange::Set));
        assert_eq!(b.configure_filter(2.0, 1.0), Ok(FilterChange::KeptLarger));
        assert_eq!(b.tau_s_ms, Some(5.0));
        assert_eq!(b.configure_filter(10.0, 1.0), Ok(FilterChange::Replaced));
        assert_eq!(b.tau_s_ms, Some(10.0));
        assert_eq!(b.configure_filter(0.0, 1.0), Ok(FilterChange::KeptLarger));
        let mut c = FloatBlock::new(1);
        assert!(matches!(
            c.configure_filter(1e7, 1.0),
            Err(DiscretizeError::FilterTooSlow { .. })
        ));
        assert!(matches!(
            c.configure_lif(1e7, 2.0, 1.0, 1.0, 0.0),
            Err(DiscretizeError::MembraneTooSlow { .. })
        ));
    }

    #[test]
    fn decay_magnitude_is_about_the_geometric_sum() {
        // sum of r^k = 1/(1 − r) = 4096/(decay + offset), less the rounding losses
        for (decay, offset) in [(200, 0), (741, 1), (50, 0)] {
            let m = decay_magnitude(decay, DECAY_MAGNITUDE_X0, offset);
            let ideal = 4096.0 / f64::from(decay + offset);
            assert!(m < ideal && m > 0.99 * ideal, "{decay}: {m} vs {ideal}");
        }
        // no decay at all (r = 0): just x0 itself
        assert_eq!(decay_magnitude(4095, DECAY_MAGNITUDE_X0, 1), 1.0);
    }

    #[test]
    fn readme_worked_example_single_block_neuron_0() {
        // README §2.2: gain 95.594 (= w_max), bias −68.5617
        let mut b = FloatBlock::new(1);
        b.configure_lif(20.0, 2.0, 1.0, 1.0, 0.0).unwrap();
        b.configure_default_filter(5.0, 1.0).unwrap();
        b.set_bias(&[-68.5617213416648]).unwrap(); // Nengo bias, stored as f32
        let d = discretize_compartments(&b, 95.59394073486328).unwrap();
        assert_eq!(d.info.w_exp, 0);
        assert!((d.info.v_scale - 19299.40096680953).abs() < 1e-9);
        assert_eq!((d.vth_man[0], d.vth[0]), (302, 19328));
        assert_eq!(
            (d.bias_man[0], d.bias_exp[0], d.bias[0]),
            (-4038, 4, -64608)
        );
        assert_eq!((d.vmin, d.vmax), (0, (1 << 23) - 1));
    }

    #[test]
    fn weight_exponent_search_stops_at_the_first_fit_and_errors_past_minus_7() {
        // a non-spiking probe block (vth 10) with tiny weights needs w_exp < 0
        let mut b = FloatBlock::new(2);
        b.configure_nonspiking(10.0);
        b.configure_filter(0.0, 1.0).unwrap();
        let d = discretize_compartments(&b, 0.00863).unwrap();
        assert_eq!(d.info.w_exp, -2);
        let s = discretize_synapse(&[0.00863, -0.004], &[0, 1], None, &d.info).unwrap();
        assert_eq!(s.weight_exp, -2);
        assert_eq!(s.lost_bits, Some(1));
        // 127 → round(63.5) = 64 → ·2 = 128 → clip 127 → >> 1 = 63 → << 6
        assert_eq!(s.weights[0], 63 << 6);
        assert_eq!(s.chip_weights[0], (63 << 6) / 16);
        let err = discretize_compartments(&b, 1e-7).unwrap_err();
        assert!(matches!(err, DiscretizeError::NoWeightExponent { .. }));
        assert!(
            err.to_string()
                .contains("could not find appropriate weight exponent")
        );
        assert!(err.to_string().contains("8388544"));
    }

    #[test]
    fn weights_saturate_at_127() {
        let (w, lost) = discretize_weights(&[255.0, -255.0, 1.0, 3.0, 0.0], 0);
        assert_eq!(lost, None);
        assert_eq!(w, vec![127 << 7, -127 << 7, 0, 2 << 7, 0]);
        assert_eq!(chip_weight(127 << 7, 0), 254);
        assert_eq!(chip_weight(-6272, 0), -98);
        assert_eq!(chip_weight(127 << 11, 4), 254);
    }

    #[test]
    fn learned_synapse_uses_pes_wgt_exp_and_fixed_rate() {
        let l = FloatLearning::pes(1e-3, 5.0, 50, 1.0, PES_ERROR_SCALE, PES_WGT_EXP);
        assert_eq!(l.learning_rate, 1e-3 * 0.001 / 50.0 / 100.0 * 4.0);
        let mut b = FloatBlock::new(2);
        b.configure_nonspiking(10.0);
        b.configure_filter(0.0, 1.0).unwrap();
        let syn = FloatSynapse {
            weights: vec![0.0; 4],
            targets: vec![0, 1, 0, 1],
            learning: Some(l),
        };
        let (d, s) = discretize_block(&b, &[syn]).unwrap();
        assert_eq!(d.info.w_max, 0.0);
        assert_eq!(s[0].weight_exp, 4);
        assert_eq!(s[0].dw_exp, -4);
        let dl = s[0].learning.unwrap();
        assert_eq!((dl.lr_int, dl.lr_exp, dl.tracing_tau), (1, -7, 5));
        assert_eq!(dl.tracing_mag, 13.8125);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mut b = FloatBlock::new(2);
        b.bias[1] = f32::NAN;
        assert_eq!(
            discretize_compartments(&b, 1.0),
            Err(DiscretizeError::NonFinite {
                field: "bias",
                index: 1
            })
        );
        let b = FloatBlock::new(1); // vth = 0: mantissa 0
        assert!(matches!(
            discretize_compartments(&b, 1.0),
            Err(DiscretizeError::VthMantissa { .. })
        ));
        let info = DiscretizeInfo {
            w_max: 0.0,
            w_exp: 0,
            v_scale: 1.0,
            b_scale: vec![1.0],
            w_scale: WeightScale::PerCompartment(vec![1.0]),
        };
        assert!(matches!(
            discretize_synapse(&[1e-20], &[3], None, &info),
            Err(DiscretizeError::Target { target: 3, .. })
        ));
    }

    #[test]
    fn loihi_lif_rates_are_whole_step_periods() {
        let lif = NeuronType::default();
        // J = 10.084… (single_block_bias neuron 0): ISI 5 steps → 200 Hz
        assert_eq!(loihi_rates(&lif, 0.0, 1.0, 10.084466723503583, 1.0), 200.0);
        assert_eq!(loihi_rates(&lif, 0.0, 1.0, 1.0, 1.0), 0.0);
        let relu = NeuronType::SpikingRectifiedLinear { amplitude: 1.0 };
        assert_eq!(loihi_rates(&relu, 1.0, 300.0, 0.0, 1.0), 1000.0 / 4.0);
        assert!((discretize_tau_rc(20.0, 1.0) - 20.0).abs() < 0.05);
        assert_eq!(discretize_tau_ref(2.0, 1.0), 2.0);
    }

    #[test]
    fn intercept_limit() {
        let d = Distribution::Uniform {
            low: -1.0,
            high: 1.0,
        };
        assert_eq!(
            limit_intercepts(&d, INTERCEPT_LIMIT),
            Some(Distribution::Uniform {
                low: -1.0,
                high: 0.95
            })
        );
        let kept = Distribution::Uniform {
            low: -1.0,
            high: 0.95,
        };
        assert_eq!(limit_intercepts(&kept, INTERCEPT_LIMIT), None);
        let mut c = [0.2, 0.97, 0.95, 1.0];
        assert_eq!(clip_intercepts(&mut c, INTERCEPT_LIMIT), 2);
        assert_eq!(c, [0.2, 0.95, 0.95, 0.95]);
    }
}
