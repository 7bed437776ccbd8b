//! Integer Loihi compartments: the neurocore's *compartment update* stage.
//!
//! A structure of arrays over all compartments of all blocks (the emulator concatenates the
//! blocks in `model.blocks` order, `nengo_loihi/emulator/interface.py::BlockInfo`), with
//! the arithmetic of `CompartmentState.update` in integer mode (`target='sim'`), helpers from
//! `nengo_loihi/builder/discretize.py` (`overflow_signed`, `decay_int`, `Q_BITS`, `U_BITS`).

/// Magnitude bits of the dendritic accumulator `q` (`discretize.py::Q_BITS`): it wraps to
/// 21 bits + sign.
pub const Q_BITS: u32 = 21;
/// Magnitude bits of the current `u` and of `u + bias` (`discretize.py::U_BITS`): 23 bits +
/// sign.
pub const U_BITS: u32 = 23;
/// Bits of the decay constants (`discretize.py::DECAY_BITS`); decays are in `0..=4095`.
pub const DECAY_BITS: u32 = 12;
/// Largest decay constant (`discretize.py::MAX_DECAY`).
pub const MAX_DECAY: i32 = (1 << DECAY_BITS) - 1;

/// Two's-complement wrap of `x` to `bits` magnitude bits + sign
/// (`discretize.py::overflow_signed`): `((x + 2^bits) mod 2^(bits+1)) − 2^bits`.
#[inline]
pub fn wrap_signed(x: i64, bits: u32) -> i32 {
    let shift = 64 - (bits + 1);
    ((x << shift) >> shift) as i32
}

/// Magnitude-truncating decay (`discretize.py::decay_int`):
/// `sign(x) · ((|x| · r) >> 12)` with `|x|·r` in `i64`, i.e. rounding toward zero (not
/// floor). The emulator uses `r = 4095 − decay_u` for `u` (offset 1) and `r = 4096 − decay_v`
/// for `v` (offset 0).
#[inline]
pub fn decay_int(x: i32, r: i64) -> i64 {
    let m = (i64::from(x).abs() * r) >> DECAY_BITS;
    if x < 0 { -m } else { m }
}

/// Noise settings of one compartment (`Compartment.enable_noise`, `noise_exp`,
/// `noise_offset`, `noise_at_membrane`), as used by `NoiseState.sample`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoiseParams {
    /// `enable_noise`: when false the sample is multiplied by 0.
    pub enable: bool,
    /// `noise_exp`: the sample is `int32((x + 64·noise_offset) · 2^(noise_exp − 7))`.
    pub exp: i32,
    /// `noise_offset` (mantissa offset, multiplied by 64).
    pub offset: i32,
    /// `noise_at_membrane`: add the noise to `u + bias` (true) or to `q` (false).
    pub at_membrane: bool,
}

/// Integer parameters of one compartment, as the emulator holds them
/// (`CompartmentState.__init__`: `decay_u`, `decay_v`, `vth`, `vmin`, `vmax`, `bias`,
/// `ref` = `refract_delay`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompartmentParams {
    /// 12-bit current decay `decay_u` (`0..=4095`); `u` decays by `(4095 − decay_u)/4096`.
    pub decay_u: i32,
    /// 12-bit voltage decay `decay_v` (`0..=4095`); `v` decays by `(4096 − decay_v)/4096`.
    pub decay_v: i32,
    /// Threshold as the full integer `vth_man · 2⁶`; a spike needs `v > vth` (strict).
    pub vth: i32,
    /// Bias as the full integer `bias_man · 2^bias_exp`, added to `u` every step.
    pub bias: i32,
    /// Refractory delay in steps (`refract_delay`); `v` is held at 0 for
    /// `refract_delay − 1` steps after a spike.
    pub refract_delay: i32,
    /// Lower voltage limit `vmin = −2^vmine + 1`.
    pub vmin: i32,
    /// Upper voltage limit `vmax = 2^(9 + 2·vmaxe) − 1`.
    pub vmax: i32,
    /// Noise settings (off by default).
    pub noise: NoiseParams,
}

/// Why a compartment's parameters are unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompartmentError {
    /// A decay outside `0..=4095`.
    #[error("compartment {index}: `{field}` = {value} is outside 0..=4095")]
    Decay {
        /// Compartment index.
        index: usize,
        /// `decay_u` or `decay_v`.
        field: &'static str,
        /// The value.
        value: i32,
    },
    /// A negative refractory delay.
    #[error("compartment {index}: `refract_delay` = {value} is negative")]
    RefractDelay {
        /// Compartment index.
        index: usize,
        /// The value.
        value: i32,
    },
    /// `vmin > vmax`.
    #[error("compartment {index}: `vmin` = {vmin} exceeds `vmax` = {vmax}")]
    VoltageRange {
        /// Compartment index.
        index: usize,
        /// Lower limit.
        vmin: i32,
        /// Upper limit.
        vmax: i32,
    },
    /// A noise draw slice of the wrong length.
    #[error("noise: {got} draws for {expected} compartments")]
    NoiseLength {
        /// Number of compartments.
        expected: usize,
        /// Number of draws given.
        got: usize,
    },
}

/// Counts of values changed by a wrap (the emulator only warns "Overflow in q0/current/u2",
/// `EmulatorInterface.strict = False`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OverflowCounts {
    /// Compartment-steps where `q` wrapped (21 bits).
    pub q: u64,
    /// Compartment-steps where `u` wrapped (23 bits).
    pub u: u64,
    /// Compartment-steps where `u + bias (+ noise)` wrapped (23 bits).
    pub u2: u64,
}

/// All compartments of an emulated chip as flat integer arrays (structure of arrays), with
/// the state `q, u, v, spiked, ref_count` of `CompartmentState` (`input[0]`, `current`,
/// `voltage`, `spiked`, `ref_count`).
#[derive(Clone, Debug, Default, bevy_ecs::component::Component)]
pub struct LoihiCompartments {
    decay_u: Vec<i32>,
    decay_v: Vec<i32>,
    vth: Vec<i32>,
    bias: Vec<i32>,
    refract_delay: Vec<i32>,
    vmin: Vec<i32>,
    vmax: Vec<i32>,
    noise: Vec<NoiseParams>,
    noise_mult: Vec<f64>,
    any_noise: bool,
    q: Vec<i32>,
    u: Vec<i32>,
    v: Vec<i32>,
    spiked: Vec<bool>,
    ref_count: Vec<i32>,
    spike_list: Vec<u32>,
    overflows: OverflowCounts,
}

impl LoihiCompartments {
    /// Compartments with the given parameters, all state zero (the chip starts from zero).
    pub fn new(params: &[CompartmentParams]) -> Result<Self, CompartmentError> {
        let mut c = Self::default();
        for p in params {
            c.push(*p)?;
        }
        Ok(c)
    }

    /// Appends one compartment (state zero) and returns its index.
    pub fn push(&mut self, p: CompartmentParams) -> Result<usize, CompartmentError> {
        let index = self.len();
        for (field, value) in [("decay_u", p.decay_u), ("decay_v", p.decay_v)] {
            if !(0..=MAX_DECAY).contains(&value) {
                return Err(CompartmentError::Decay {
                    index,
                    field,
                    value,
                });
            }
        }
        if p.refract_delay < 0 {
            return Err(CompartmentError::RefractDelay {
                index,
                value: p.refract_delay,
            });
        }
        if p.vmin > p.vmax {
            return Err(CompartmentError::VoltageRange {
                index,
                vmin: p.vmin,
                vmax: p.vmax,
            });
        }
        self.decay_u.push(p.decay_u);
        self.decay_v.push(p.decay_v);
        self.vth.push(p.vth);
        self.bias.push(p.bias);
        self.refract_delay.push(p.refract_delay);
        self.vmin.push(p.vmin);
        self.vmax.push(p.vmax);
        self.noise.push(p.noise);
        // NoiseState: mult = 2.0**(noise_exp - 7) where enabled, else 0
        self.noise_mult.push(if p.noise.enable {
            2f64.powi(p.noise.exp - 7)
        } else {
            0.0
        });
        self.any_noise |= p.noise.enable;
        self.q.push(0);
        self.u.push(0);
        self.v.push(0);
        self.spiked.push(false);
        self.ref_count.push(0);
        Ok(index)
    }

    /// Number of compartments.
    pub fn len(&self) -> usize {
        self.decay_u.len()
    }

    /// Whether there are no compartments.
    pub fn is_empty(&self) -> bool {
        self.decay_u.is_empty()
    }

    /// Whether any compartment has noise enabled.
    pub fn has_noise(&self) -> bool {
        self.any_noise
    }

    /// The parameters of compartment `i`.
    pub fn params(&self, i: usize) -> Option<CompartmentParams> {
        (i < self.len()).then(|| CompartmentParams {
            decay_u: self.decay_u[i],
            decay_v: self.decay_v[i],
            vth: self.vth[i],
            bias: self.bias[i],
            refract_delay: self.refract_delay[i],
            vmin: self.vmin[i],
            vmax: self.vmax[i],
            noise: self.noise[i],
        })
    }

    /// Dendritic input `q` (`input[0]`): the accumulated weights of this step, wrapped to
    /// 21 bits + sign by [`update`](Self::update).
    pub fn q(&self) -> &[i32] {
        &self.q
    }

    /// Mutable `q`, for spike delivery (dendritic accumulation).
    pub fn q_mut(&mut self) -> &mut [i32] {
        &mut self.q
    }

    /// Current `u` (`current`).
    pub fn u(&self) -> &[i32] {
        &self.u
    }

    /// Voltage `v` (`voltage`), after the spike reset.
    pub fn v(&self) -> &[i32] {
        &self.v
    }

    /// Spike flags of the last update (`spiked`).
    pub fn spiked(&self) -> &[bool] {
        &self.spiked
    }

    /// Indices of the compartments that spiked in the last update, ascending.
    pub fn spike_list(&self) -> &[u32] {
        &self.spike_list
    }

    /// Refractory counters (`ref_count`), after the decrement.
    pub fn ref_count(&self) -> &[i32] {
        &self.ref_count
    }

    /// Wrap counts so far.
    pub fn overflows(&self) -> OverflowCounts {
        self.overflows
    }

    /// Zeroes all state (`q, u, v, spiked, ref_count`) and the overflow counts.
    pub fn reset(&mut self) {
        self.q.fill(0);
        self.u.fill(0);
        self.v.fill(0);
        self.spiked.fill(false);
        self.ref_count.fill(0);
        self.spike_list.clear();
        self.overflows = OverflowCounts::default();
    }

    /// `CompartmentState.advance_input` with `MAX_DELAY = 1`: `input[0] = 0`.
    pub fn advance_input(&mut self) {
        self.q.fill(0);
    }

    /// One noise-free compartment update (`CompartmentState.update`, noise multiplier 0):
    ///
    /// ```text
    /// q   = wrap(q, 21)
    /// u   = wrap(sign(u)·((|u|·(4095 − decay_u)) >> 12) + q, 23)
    /// u2  = wrap(u + bias, 23)
    /// v   = clip(sign(v)·((|v|·(4096 − decay_v)) >> 12) + u2, vmin, vmax)
    /// v   = 0                    where ref_count > 0   (u keeps integrating)
    /// spiked = v > vth;  v = 0 and ref_count = refract_delay where spiked
    /// ref_count = max(ref_count − 1, 0)
    /// ```
    pub fn update(&mut self) {
        self.update_impl(None);
    }

    /// The compartment update with noise: `x` are the uniform draws
    /// `rng.randint(-127, 128, size=n, dtype=int32)` of `NoiseState.sample`, turned into
    /// `int32((x + 64·noise_offset) · 2^(noise_exp − 7))` (0 where noise is disabled) and
    /// added to `q` before its wrap, or to `u2` before its wrap where `noise_at_membrane`.
    pub fn update_with_noise(&mut self, x: &[i32]) -> Result<(), CompartmentError> {
        if x.len() != self.len() {
            return Err(CompartmentError::NoiseLength {
                expected: self.len(),
                got: x.len(),
            });
        }
        self.update_impl(Some(x));
        Ok(())
    }

    /// [`update_with_noise`](Self::update_with_noise) for draws of the right length.
    pub(crate) fn update_drawn(&mut self, x: &[i32]) {
        debug_assert_eq!(x.len(), self.len());
        self.update_impl(Some(x));
    }

    fn update_impl(&mut self, noise_draws: Option<&[i32]>) {
        self.spike_list.clear();
        let mut ovf = self.overflows;
        for i in 0..self.len() {
            let (mut noise_q, mut noise_u2) = (0i64, 0i64);
            if let Some(x) = noise_draws {
                let nz = &self.noise[i];
                // NoiseState.sample: ((x + 64*offset) * mult).astype(int32) (toward zero)
                let s =
                    ((f64::from(x[i]) + 64.0 * f64::from(nz.offset)) * self.noise_mult[i]) as i32;
                if nz.at_membrane {
                    noise_u2 = i64::from(s);
                } else {
                    noise_q = i64::from(s);
                }
            }
            // q0 += noise (int32 arithmetic), then overflow_signed(q0, Q_BITS)
            let q_raw = i64::from(self.q[i].wrapping_add(noise_q as i32));
            let q = wrap_signed(q_raw, Q_BITS);
            ovf.q += u64::from(i64::from(q) != q_raw);
            self.q[i] = q;

            let u_raw = decay_int(self.u[i], i64::from(4095 - self.decay_u[i])) + i64::from(q);
            let u = wrap_signed(u_raw, U_BITS);
            ovf.u += u64::from(i64::from(u) != u_raw);
            self.u[i] = u;

            let u2_raw = i64::from(u.wrapping_add(self.bias[i]).wrapping_add(noise_u2 as i32));
            let u2 = wrap_signed(u2_raw, U_BITS);
            ovf.u2 += u64::from(i64::from(u2) != u2_raw);

            // voltage[:] = decay_int(v) + u2: int64 result stored into int32 (never wrapped
            // to a bit width, issue #130), then clipped to [vmin, vmax]
            let v_raw =
                (decay_int(self.v[i], i64::from(4096 - self.decay_v[i])) + i64::from(u2)) as i32;
            let mut v = v_raw.clamp(self.vmin[i], self.vmax[i]);
            if self.ref_count[i] > 0 {
                v = 0;
            }
            let spiked = v > self.vth[i];
            let mut rc = self.ref_count[i];
            if spiked {
                v = 0;
                rc = self.refract_delay[i];
                self.spike_list.push(i as u32);
            }
            self.v[i] = v;
            self.spiked[i] = spiked;
            self.ref_count[i] = (rc - 1).max(0);
        }
        self.overflows = ovf;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lif() -> CompartmentParams {
        CompartmentParams {
            decay_u: 741,
            decay_v: 200,
            vth: 19328,
            bias: 0,
            refract_delay: 3,
            vmin: 0,
            vmax: (1 << 23) - 1,
            noise: NoiseParams::default(),
        }
    }

    #[test]
    fn wrap_is_twos_complement() {
        assert_eq!(wrap_signed((1 << 21) - 1, Q_BITS), (1 << 21) - 1);
        assert_eq!(wrap_signed(1 << 21, Q_BITS), -(1 << 21));
        assert_eq!(wrap_signed(-(1 << 21) - 1, Q_BITS), (1 << 21) - 1);
        assert_eq!(wrap_signed(3 << 23, U_BITS), -(1 << 23));
    }

    #[test]
    fn decay_truncates_toward_zero() {
        // floor would give -1 for -1 * 4095 >> 12
        assert_eq!(decay_int(-1, 4095), 0);
        assert_eq!(decay_int(1, 4095), 0);
        assert_eq!(decay_int(-4096, 4095), -4095);
        assert_eq!(decay_int(i32::MIN, 4096), i64::from(i32::MIN));
    }

    #[test]
    fn refractory_period_and_strict_threshold() {
        let mut p = lif();
        p.bias = p.vth + 1; // spikes whenever not refractory (u stays 0, v = bias)
        let mut c = LoihiCompartments::new(&[p]).unwrap();
        let mut spikes = Vec::new();
        for _ in 0..9 {
            c.advance_input();
            c.update();
            spikes.push(c.spiked()[0]);
        }
        // refract_delay 3: spike, then v held at 0 for 2 steps, next spike 3 steps later
        assert_eq!(
            spikes,
            [true, false, false, true, false, false, true, false, false]
        );
        let mut p = lif();
        p.bias = p.vth; // v == vth is not a spike
        let mut c = LoihiCompartments::new(&[p]).unwrap();
        c.update();
        assert!(!c.spiked()[0]);
        assert_eq!(c.v()[0], p.vth);
    }

    #[test]
    fn q_wraps_and_is_counted() {
        let mut c = LoihiCompartments::new(&[lif()]).unwrap();
        c.q_mut()[0] = 1 << 21;
        c.update();
        assert_eq!(c.q()[0], -(1 << 21));
        assert_eq!(c.u()[0], -(1 << 21));
        assert_eq!(c.overflows().q, 1);
    }

    #[test]
    fn rejects_bad_params() {
        let mut p = lif();
        p.decay_u = 4096;
        assert!(matches!(
            LoihiCompartments::new(&[p]),
            Err(CompartmentError::Decay { .. })
        ));
        let mut p = lif();
        p.vmin = 1;
        p.vmax = 0;
        assert!(LoihiCompartments::new(&[p]).is_err());
        let mut c = LoihiCompartments::new(&[lif()]).unwrap();
        assert!(c.update_with_noise(&[1, 2]).is_err());
    }
}
