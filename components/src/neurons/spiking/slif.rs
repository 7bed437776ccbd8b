//! ngclearn's simplified LIF cell with lateral inhibition and per-unit adaptive thresholds
//! (`SLIFCell`, ngclearn 3.2.3; Samadi, Lillicrap & Tweed 2017, Neural Comput. 29:578).

use std::sync::atomic::{AtomicUsize, Ordering};

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use super::bookkeeping::*;
use crate::chunk::for_chunks;
use crate::compartment::*;
use crate::rng::{StreamKey, uniform};
use crate::{Clock, Real, chunk_struct};

/// ngclearn's SLIFCell keeps its spikes, refractory mask and thresholds in float32 even under
/// `jax_enable_x64` (`spike_fx`, `threshold0` and the masks are cast to `jnp.float32`), and JAX's
/// weak typing keeps every product of those with a Python float in float32: `thr`, `s·dt`
/// (the `rfr` after a spike) and `s·t` (in `tols`). Those values are computed in this type in
/// every build, so the `f64` build matches ngclearn's x64 results too.
pub type Ngc32 = f32;

/// Parameters of an SLIF population, named and defaulted exactly as ngclearn 3.2.3's `SLIFCell`
/// constructor (`sLIFCell.py` l.115-162; `tau_m`, `resist_m` and `thr` have no default there
/// and are required here too; `batch_size` is always 1 in cortecs).
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlifParams {
    /// Number of units in the population.
    pub n_units: usize,
    /// Membrane time constant τ_m (ms).
    pub tau_m: f64,
    /// Membrane resistance R (multiplies the input current `j`).
    pub resist_m: f64,
    /// Base threshold (units of v): each unit starts at `thr` plus a uniform jitter.
    pub thr: f64,
    /// Lateral inhibition strength R_inh (≥ 0; 0 disables inhibition).
    #[serde(default)]
    pub resist_inh: f64,
    /// Whether adapted thresholds survive a reset (ngclearn's `reset()`; cortecs has no reset
    /// operation, so this is kept for configs and saves only).
    #[serde(default)]
    pub thr_persist: bool,
    /// Threshold increment per spike (per step, not scaled by dt).
    #[serde(default)]
    pub thr_gain: f64,
    /// Threshold leak per step: `thr −= thr·thr_leak` (not scaled by dt).
    #[serde(default)]
    pub thr_leak: f64,
    /// Sparsity factor ρ_b: if > 0, thresholds move by `(Σ s − 1)·ρ_b` each step instead of
    /// `thr_gain`/`thr_leak`, floored at 0.025.
    #[serde(default)]
    pub rho_b: f64,
    /// Refractory period (ms).
    #[serde(default)]
    pub refract_time: f64,
    /// Pin `s` to 1 for the whole refractory period after a spike.
    #[serde(default)]
    pub sticky_spikes: bool,
    /// Half-width of the uniform jitter added to `thr` for each unit's initial threshold.
    #[serde(default = "d_thr_jitter")]
    pub thr_jitter: f64,
}

fn d_thr_jitter() -> f64 {
    0.05
}

impl SlifParams {
    /// Parameters with ngclearn's defaults for `n_units` units, membrane constant `tau_m` (ms),
    /// resistance `resist_m` and base threshold `thr`.
    pub fn new(n_units: usize, tau_m: f64, resist_m: f64, thr: f64) -> Self {
        Self {
            n_units,
            tau_m,
            resist_m,
            thr,
            resist_inh: 0.0,
            thr_persist: false,
            thr_gain: 0.0,
            thr_leak: 0.0,
            rho_b: 0.0,
            refract_time: 0.0,
            sticky_spikes: false,
            thr_jitter: d_thr_jitter(),
        }
    }

    /// Checks the parameters a user can get wrong; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(self.tau_m.is_finite() && self.tau_m > 0.0) {
            return Err((
                "tau_m",
                format!("a finite time constant > 0 ms, found {}", self.tau_m),
            ));
        }
        let finite = [
            ("resist_m", self.resist_m),
            ("thr", self.thr),
            ("thr_gain", self.thr_gain),
            ("thr_leak", self.thr_leak),
            ("rho_b", self.rho_b),
        ];
        for (name, x) in finite {
            if !x.is_finite() {
                return Err((name, format!("a finite number, found {x}")));
            }
        }
        let non_negative = [
            ("resist_inh", self.resist_inh, "an inhibition strength"),
            ("refract_time", self.refract_time, "a duration (ms)"),
            ("thr_jitter", self.thr_jitter, "a jitter half-width"),
        ];
        for (name, x, what) in non_negative {
            if !(x.is_finite() && x >= 0.0) {
                return Err((name, format!("{what} ≥ 0, found {x}")));
            }
        }
        Ok(())
    }

    /// The compartments after ngclearn's `reset()` (`v = s = tols = j = 0`,
    /// `rfr = refract_time`, `surrogate = 1`, `thr = threshold0`), with ngclearn's constructor
    /// randomness drawn from `stream` (cortecs' generator, not JAX's):
    /// `threshold0 = thr + U(−thr_jitter, thr_jitter)` per unit, rounded to float32 as ngclearn
    /// stores it.
    pub fn initial_state(&self, stream: StreamKey) -> SlifCell {
        let n = self.n_units;
        let mut rng = stream.derive("threshold0").at(0, 0);
        let threshold0: Vec<Real> = (0..n)
            .map(|_| {
                let u = uniform(&mut rng) as f64;
                (self.thr + (2.0 * u - 1.0) * self.thr_jitter) as Ngc32 as Real
            })
            .collect();
        let c = |x: f64| vec![x as Real; n];
        SlifCell {
            j: Current(c(0.0)),
            v: Voltage(c(0.0)),
            s: Spikes(c(0.0)),
            thr: AdaptiveThreshold(threshold0.clone()),
            rfr: Refract(c(self.refract_time)),
            tols: TimeOfLastSpike(c(0.0)),
            surrogate: Surrogate(c(1.0)),
            threshold0: InitialThreshold(threshold0),
            inhibition: LateralInhibition(c(0.0)),
        }
    }

    /// The hollow inhibition matrix `U(0.025, 1)·(1 − I)` ngclearn draws in its constructor,
    /// from `stream`; `None` when `resist_inh = 0` (ngclearn draws it anyway, but never uses
    /// it: cortecs skips its n² memory).
    pub fn inhibition_weights(&self, stream: StreamKey) -> Option<InhibitionWeights> {
        if self.resist_inh <= 0.0 {
            return None;
        }
        let n = self.n_units;
        let mut rng = stream.derive("inh_weights").at(0, 0);
        let mut values = Vec::with_capacity(n * n);
        for pre in 0..n {
            for post in 0..n {
                let u = uniform(&mut rng) as f64;
                let x = 0.025 + u * (1.0 - 0.025);
                values.push(if pre == post { 0.0 } else { x as Real });
            }
        }
        Some(InhibitionWeights { values, n })
    }
}

/// SLIF's lateral inhibition matrix `n × n`, row = spiking (pre) unit, column = inhibited unit,
/// with a zero diagonal; persisted as `inh_weights`.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct InhibitionWeights {
    /// Row-major values.
    pub values: Vec<Real>,
    /// Units (rows = columns).
    pub n: usize,
}

impl MatrixArray for InhibitionWeights {
    const NAME: &'static str = "inh_weights";
    fn shape(&self) -> [usize; 2] {
        [self.n, self.n]
    }
    fn values(&self) -> &[Real] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [Real] {
        &mut self.values
    }
}

/// Scratch: `s_prev @ inh_weights` for this step (recomputed every step, not persisted; stays
/// 0 without inhibition).
#[derive(Component, Clone, Debug, Default, PartialEq)]
pub struct LateralInhibition(pub Vec<Real>);

/// The compartments (and constants) of an SLIF population.
#[derive(Bundle, Clone, Debug)]
pub struct SlifCell {
    /// `j` — input current; overwritten each step with the effective current.
    pub j: Current,
    /// `v` — membrane potential.
    pub v: Voltage,
    /// `s` — output spikes (sticky if configured).
    pub s: Spikes,
    /// `thr` — per-unit adaptive threshold.
    pub thr: AdaptiveThreshold,
    /// `rfr` — time since the last spike (ms).
    pub rfr: Refract,
    /// `tols` — time of the last spike (ms).
    pub tols: TimeOfLastSpike,
    /// `surrogate` — secant-LIF surrogate derivative.
    pub surrogate: Surrogate,
    /// `threshold0` — initial thresholds.
    pub threshold0: InitialThreshold,
    /// Scratch for the inhibition sums.
    pub inhibition: LateralInhibition,
}

/// Reference names of the SLIF compartments, in ngclearn's order.
pub const SLIF_COMPARTMENTS: &[&str] = &["j", "s", "tols", "v", "thr", "rfr", "surrogate"];

chunk_struct!(
    /// One chunk of an SLIF population's state, for [`slif_kernel`].
    SlifChunk {
        inhibition: &[Real],
        mut j: &mut [Real],
        mut v: &mut [Real],
        mut s: &mut [Real],
        mut thr: &mut [Real],
        mut rfr: &mut [Real],
        mut tols: &mut [Real],
        mut surrogate: &mut [Real],
    }
);

/// Step constants of [`slif_kernel`].
#[derive(Clone, Copy, Debug)]
pub struct SlifConsts {
    resist_m: Real,
    resist_inh: Option<Real>,
    inv_tau_m: Real,
    refract_t: Real,
    dt: Real,
    /// `s·dt` as ngclearn computes it (in [`Ngc32`]).
    dt_32: Real,
    /// `s·t` as ngclearn computes it (in [`Ngc32`]).
    t_32: Real,
    /// `(thr_gain, thr_leak)` when `rho_b = 0`; `None` when the sparsity rule applies.
    gain_leak: Option<(Ngc32, Ngc32)>,
    sticky: bool,
}

impl SlifConsts {
    /// Constants for a step of size `dt` (ms) starting at time `t` (ms).
    pub fn new(p: &SlifParams, dt: f64, t: f64) -> Self {
        let r = |x: f64| x as Real;
        let r32 = |x: f64| x as Ngc32 as Real;
        Self {
            resist_m: r(p.resist_m),
            resist_inh: (p.resist_inh > 0.0).then(|| r(p.resist_inh)),
            inv_tau_m: r(1.0 / p.tau_m),
            refract_t: r(p.refract_time),
            dt: r(dt),
            dt_32: r32(dt),
            t_32: r32(t),
            gain_leak: (p.rho_b <= 0.0).then_some((p.thr_gain as Ngc32, p.thr_leak as Ngc32)),
            sticky: p.sticky_spikes,
        }
    }
}

/// ngclearn's `secant_lif_estimator` surrogate with `omit_scale` (`surrogate_fx.py` l.146-214):
/// `sech(0.08·j)·[j > 0]`, with `cosh` computed as `(eˣ + e⁻ˣ)/2`.
#[inline(always)]
pub fn secant_lif(j: Real) -> Real {
    let dj = j * 0.08;
    let sech = 1.0 / ((dj.exp() + (-dj).exp()) / 2.0);
    sech * if j > 0.0 { 1.0 } else { 0.0 }
}

crate::kernel! {
    /// The element-wise part of one SLIF step (ngclearn 3.2.3 `SLIFCell.advance_state`,
    /// l.164-217), in ngclearn's order; `inh = s_prev @ inh_weights` is computed beforehand from
    /// the previous step's output spikes (sticky ones included):
    ///
    /// ```text
    /// j_eff  = j·R − inh·R_inh                         (if R_inh > 0)
    /// surrogate' = sech(0.08·j_eff)·[j_eff > 0]
    /// mask   = [rfr ≥ refract_time]                     (the whole derivative is masked: no leak)
    /// v'     = v + ((−v + j_eff)/τ_m · mask)·dt         (Euler only, as in ngclearn)
    /// s_raw  = [v' > thr] ;  v' = (1 − s_raw)·v'         (reset to 0)
    /// thr'   = thr + s_raw·thr_gain − thr·thr_leak      (per step; when ρ_b = 0)
    /// rfr'   = (rfr + dt)·(1 − s_raw) + s_raw·dt        (= dt on the spike step)
    /// s'     = s_raw, or s_raw·mask + (1 − mask) with sticky spikes
    /// tols'  = (1 − s')·tols + s'·t ;  j' = j_eff
    /// ```
    ///
    /// `a·b + c` patterns are fused multiply-adds where XLA fuses them (see
    /// [`Integrator`](super::integrate::Integrator)). Returns the number of raw spikes in the chunk
    /// (for the ρ_b rule).
    pub fn slif_kernel[](k: &SlifConsts, c: SlifChunk) -> usize {
        let SlifChunk {
            inhibition,
            j,
            v,
            s,
            thr,
            rfr,
            tols,
            surrogate,
        } = c;
        let mut raw_spikes = 0;
        for i in 0..v.len() {
            let mut je = j[i] * k.resist_m;
            if let Some(r_inh) = k.resist_inh {
                je = (-inhibition[i]).mul_add(r_inh, je);
            }
            surrogate[i] = secant_lif(je);
            let mask = refract_mask(rfr[i], k.refract_t);
            let vi = (((-v[i] + je) * k.inv_tau_m) * mask).mul_add(k.dt, v[i]);
            let s_raw = spike(vi, thr[i]);
            raw_spikes += s_raw as usize;
            v[i] = (1.0 - s_raw) * vi;
            if let Some((gain, leak)) = k.gain_leak {
                let th = thr[i] as Ngc32;
                thr[i] = (-th).mul_add(leak, th + s_raw as Ngc32 * gain) as Real;
            }
            rfr[i] = (rfr[i] + k.dt) * (1.0 - s_raw) + s_raw * k.dt_32;
            let si = if k.sticky {
                s_raw * mask + (1.0 - mask)
            } else {
                s_raw
            };
            s[i] = si;
            tols[i] = time_of_last_spike(tols[i], si, k.t_32);
            j[i] = je;
        }
        raw_spikes
    }
}

/// `inh[c] = Σ_p s[p]·W[p, c]` over the spiking units `p` in ascending order (s is 0/1, so
/// silent rows are skipped).
pub fn lateral_inhibition(s: &[Real], w: &InhibitionWeights, inh: &mut [Real]) {
    inh.fill(0.0);
    for (p, &sp) in s.iter().enumerate() {
        if sp != 0.0 {
            let row = &w.values[p * w.n..(p + 1) * w.n];
            for (x, &wi) in inh.iter_mut().zip(row) {
                *x += sp * wi;
            }
        }
    }
}

/// The Cell-phase system of every SLIF population: lateral inhibition from the previous
/// spikes, [`slif_kernel`] over chunks in parallel, then the ρ_b threshold rule if it is on:
/// `thr' = max(thr + (Σ s_raw − 1)·ρ_b, 0.025)`.
#[allow(clippy::type_complexity)]
pub fn slif_system(
    clock: Res<Clock>,
    mut cells: Query<(
        &SlifParams,
        Option<&InhibitionWeights>,
        &mut LateralInhibition,
        &mut Current,
        &mut Voltage,
        &mut Spikes,
        &mut AdaptiveThreshold,
        &mut Refract,
        &mut TimeOfLastSpike,
        &mut Surrogate,
    )>,
) {
    for (p, w, mut inh, mut j, mut v, mut s, mut thr, mut rfr, mut tols, mut sg) in &mut cells {
        let k = SlifConsts::new(p, clock.dt, clock.t());
        if let (Some(_), Some(w)) = (k.resist_inh, w) {
            lateral_inhibition(&s.0, w, &mut inh.0);
        }
        let chunk = SlifChunk {
            inhibition: &inh.0,
            j: &mut j.0,
            v: &mut v.0,
            s: &mut s.0,
            thr: &mut thr.0,
            rfr: &mut rfr.0,
            tols: &mut tols.0,
            surrogate: &mut sg.0,
        };
        let raw = AtomicUsize::new(0);
        for_chunks(chunk, &|c, _| {
            raw.fetch_add(slif_kernel(&k, c), Ordering::Relaxed);
        });
        if k.gain_leak.is_none() {
            let d = (raw.into_inner() as Ngc32 - 1.0) * p.rho_b as Ngc32;
            for t in thr.0.iter_mut() {
                *t = (*t as Ngc32 + d).max(0.025) as Real;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secant_surrogate_is_sech_for_positive_current_only() {
        assert_eq!(secant_lif(0.0), 0.0);
        assert_eq!(secant_lif(-1.0), 0.0);
        let x: f64 = 0.08 * 2.0;
        assert!((secant_lif(2.0) as f64 - 1.0 / x.cosh()).abs() < 1e-6);
    }

    #[test]
    fn initial_state_is_jittered_and_hollow() {
        let mut p = SlifParams::new(50, 10.0, 1.0, 0.5);
        p.thr_jitter = 0.05;
        let c = p.initial_state(StreamKey::new(3, "z"));
        assert!(c.thr.0.iter().all(|&t| (t - 0.5).abs() <= 0.05));
        assert!(
            c.thr.0.iter().any(|&t| t != c.thr.0[0]),
            "jitter differs per unit"
        );
        assert!(p.inhibition_weights(StreamKey::new(3, "z")).is_none());
        p.resist_inh = 0.3;
        let w = p.inhibition_weights(StreamKey::new(3, "z")).unwrap();
        for pre in 0..50 {
            for post in 0..50 {
                let w = w.values[pre * 50 + post];
                if pre == post {
                    assert_eq!(w, 0.0);
                } else {
                    assert!((0.025..1.0).contains(&w));
                }
            }
        }
    }

    #[test]
    fn sparsity_rule_moves_thresholds_by_population_count() {
        // Two units spike in one step under ρ_b = 0.1: every threshold rises by (2 − 1)·0.1.
        let mut p = SlifParams::new(3, 1.0, 1.0, 0.5);
        p.rho_b = 0.1;
        p.thr_jitter = 0.0;
        let mut world = World::new();
        world.insert_resource(Clock { step: 0, dt: 1.0 });
        let mut cell = p.initial_state(StreamKey::new(1, "z"));
        cell.j.0 = vec![1.0, 1.0, 0.0];
        world.spawn((p, cell));
        let mut schedule = Schedule::default();
        schedule.add_systems(slif_system);
        schedule.run(&mut world);
        let thr = world.query::<&AdaptiveThreshold>().single(&world).unwrap();
        let expected = (0.5f32 + 0.1) as Real;
        assert_eq!(thr.0, vec![expected; 3]);
    }
}
