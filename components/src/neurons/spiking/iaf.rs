//! A current-based leaky integrate-and-fire neuron as Brian2 and NEST write it (Brian2's
//! `examples/CUBA.py` neuron, NEST's `iaf_psc_*` membrane): fixed threshold, reset, an absolute
//! refractory period during which the voltage is frozen, and exact integration of
//!
//! ```text
//! τ_m·dv/dt = (v_rest − v) + R·j
//! ```
//!
//! for an input `j` held constant over a step. Synaptic dynamics (exponential currents, …) live
//! in the synapses that drive `j` (e.g. `Sparse` with `tau_syn`), so any number of synapse
//! types can feed one population.
//!
//! One step (dt in ms), per unit, branch-free so that it vectorizes:
//!
//! ```text
//! rfr ← min(rfr + dt, refract_time)                  time since the last spike, saturating
//! if rfr ≥ refract_time − dt/2:                      not refractory (Brian2: t − t_spike ≥ t_ref)
//!     exact:  v ← v_∞ + (v − v_∞)·e^(−dt/τ_m),  v_∞ = v_rest + R·j
//!     euler:  v ← v + dt/τ_m·(v_∞ − v)
//!     if v > v_thr:  s = 1, v ← v_reset, rfr ← 0
//! ```
//!
//! With `refract_time` a multiple of dt, a unit that spikes at step n is frozen on steps
//! n+1 … n+R−1 and integrates again at step n+R, R = refract_time/dt (Brian2's
//! `timestep(t − lastspike) ≥ timestep(refractory)`).

use std::hint::select_unpredictable;

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use crate::chunk::for_chunks;
use crate::compartment::*;
use crate::rng::{StreamKey, uniform};
use crate::{Clock, Real, chunk_struct};

/// How the membrane equation is stepped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IafIntegration {
    /// Exact for a constant input over the step (Brian2's `method='exact'` for the membrane).
    #[default]
    Exact,
    /// Forward Euler.
    Euler,
}

/// The initial membrane potential.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum VInit {
    /// Every unit at `v` (mV).
    Constant(f64),
    /// Uniform in `[low, high)` (mV), drawn from the population's stream (Brian2's
    /// `v = Vr + rand()*(Vt − Vr)` is `Uniform(low: Vr, high: Vt)`).
    Uniform {
        /// Lower bound (mV).
        low: f64,
        /// Upper bound (mV).
        high: f64,
    },
}

/// Parameters of a current-based LIF population (kind `"IAF"`). Defaults are those of the
/// CUBA benchmark (Vogels & Abbott 2005; Brette et al. 2007).
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IafParams {
    /// Number of units.
    pub n_units: usize,
    /// Membrane time constant τ_m (ms).
    #[serde(default = "d_tau_m")]
    pub tau_m: f64,
    /// Resting (leak reversal) potential v_rest (mV); CUBA's `El`.
    #[serde(default = "d_v_rest")]
    pub v_rest: f64,
    /// Spike threshold v_thr (mV); a spike needs `v > v_thr`.
    #[serde(default = "d_v_thr")]
    pub v_thr: f64,
    /// Reset potential after a spike (mV).
    #[serde(default = "d_v_reset")]
    pub v_reset: f64,
    /// Absolute refractory period (ms); the voltage is frozen during it.
    #[serde(default = "d_refract_time")]
    pub refract_time: f64,
    /// Membrane resistance R (mV per unit of `j`; 1 when synapses deliver millivolts).
    #[serde(default = "d_one")]
    pub resistance: f64,
    /// Initial membrane potential.
    #[serde(default = "d_v_init")]
    pub v_init: VInit,
    /// `exact` (default) or `euler`.
    #[serde(default)]
    pub integration: IafIntegration,
}

fn d_tau_m() -> f64 {
    20.0
}
fn d_v_rest() -> f64 {
    -49.0
}
fn d_v_thr() -> f64 {
    -50.0
}
fn d_v_reset() -> f64 {
    -60.0
}
fn d_refract_time() -> f64 {
    5.0
}
fn d_one() -> f64 {
    1.0
}
fn d_v_init() -> VInit {
    VInit::Uniform {
        low: -60.0,
        high: -50.0,
    }
}

/// The compartments of an IAF population (`rfr`: time since the last spike, saturating at
/// `refract_time`).
pub const IAF_COMPARTMENTS: &[&str] = &["j", "v", "s", "rfr"];

impl IafParams {
    /// A population of `n` units with the CUBA defaults.
    pub fn new(n: usize) -> Self {
        Self {
            n_units: n,
            tau_m: d_tau_m(),
            v_rest: d_v_rest(),
            v_thr: d_v_thr(),
            v_reset: d_v_reset(),
            refract_time: d_refract_time(),
            resistance: d_one(),
            v_init: d_v_init(),
            integration: IafIntegration::Exact,
        }
    }

    /// Checks every parameter; the error names the field and what was expected.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let finite = |f: &'static str, x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err((f, format!("a finite number, found {x}")))
            }
        };
        if !(self.tau_m.is_finite() && self.tau_m > 0.0) {
            return Err(("tau_m", format!("a time > 0 ms, found {}", self.tau_m)));
        }
        if !(self.refract_time.is_finite() && self.refract_time >= 0.0) {
            return Err((
                "refract_time",
                format!("a time ≥ 0 ms, found {}", self.refract_time),
            ));
        }
        finite("v_rest", self.v_rest)?;
        finite("v_thr", self.v_thr)?;
        finite("v_reset", self.v_reset)?;
        finite("resistance", self.resistance)?;
        match self.v_init {
            VInit::Constant(v) => finite("v_init", v)?,
            VInit::Uniform { low, high } => {
                if !(low.is_finite() && high.is_finite() && low <= high) {
                    return Err((
                        "v_init",
                        format!("Uniform with finite low ≤ high, found low {low}, high {high}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The initial state: `v` from `v_init` (units draw in order from `key`), no input,
    /// not refractory.
    pub fn initial_state(&self, key: StreamKey) -> IafState {
        let n = self.n_units;
        let mut rng = key.at(0, 0);
        let v = (0..n)
            .map(|_| match self.v_init {
                VInit::Constant(v) => v as Real,
                VInit::Uniform { low, high } => {
                    let u = f64::from(uniform(&mut rng));
                    (low + u * (high - low)) as Real
                }
            })
            .collect();
        (
            Current(vec![0.0; n]),
            Voltage(v),
            Spikes(vec![0.0; n]),
            Refract(vec![self.refract_time as Real; n]),
        )
    }
}

/// The state components of an IAF population.
pub type IafState = (Current, Voltage, Spikes, Refract);

/// Per-step constants of the kernel.
#[derive(Clone, Copy, Debug)]
struct Step {
    /// Weight of the old voltage (`e^(−dt/τ_m)`, or `1 − dt/τ_m` for Euler).
    keep: Real,
    v_rest: Real,
    r: Real,
    v_thr: Real,
    v_reset: Real,
    refract: Real,
    /// `refract_time − dt/2`.
    ready: Real,
    dt: Real,
}

chunk_struct!(
    /// A chunk of an IAF population, for the IAF kernel.
    IafChunk {
        j: &[Real],
        mut v: &mut [Real],
        mut s: &mut [Real],
        mut rfr: &mut [Real],
    }
);

crate::kernel! {
    /// One step of one chunk (the module's equations), branch-free so that it vectorizes;
    /// `v ← (v − v_∞)·keep + v_∞` is one fused multiply-add.
    fn iaf_kernel[](k: &Step, c: IafChunk) -> () {
        let n = c.v.len();
        let (j, v, s, rfr) = (&c.j[..n], &mut c.v[..n], &mut c.s[..n], &mut c.rfr[..n]);
        for i in 0..n {
            let up = rfr[i] + k.dt;
            let r = select_unpredictable(up < k.refract, up, k.refract);
            let active = r >= k.ready;
            let v_inf = k.r.mul_add(j[i], k.v_rest);
            let integrated = (v[i] - v_inf).mul_add(k.keep, v_inf);
            // `select_unpredictable` keeps these selects (and so every store unconditional);
            // as branches they become masked stores, which are slow on some CPUs.
            let vn = select_unpredictable(active, integrated, v[i]);
            let spike = vn > k.v_thr;
            v[i] = select_unpredictable(spike, k.v_reset, vn);
            rfr[i] = select_unpredictable(spike, 0.0, r);
            s[i] = select_unpredictable(spike, 1.0, 0.0);
        }
    }
}

/// Cell phase: every IAF population advances one step.
pub fn iaf_system(
    clock: Res<Clock>,
    mut cells: Query<(
        &IafParams,
        &Current,
        &mut Voltage,
        &mut Spikes,
        &mut Refract,
    )>,
) {
    let dt = clock.dt;
    for (p, j, mut v, mut s, mut rfr) in &mut cells {
        let keep = match p.integration {
            IafIntegration::Exact => (-dt / p.tau_m).exp(),
            IafIntegration::Euler => 1.0 - dt / p.tau_m,
        };
        let k = Step {
            keep: keep as Real,
            v_rest: p.v_rest as Real,
            r: p.resistance as Real,
            v_thr: p.v_thr as Real,
            v_reset: p.v_reset as Real,
            refract: p.refract_time as Real,
            ready: (p.refract_time - 0.5 * dt) as Real,
            dt: dt as Real,
        };
        for_chunks(
            IafChunk {
                j: &j.0,
                v: &mut v.0,
                s: &mut s.0,
                rfr: &mut rfr.0,
            },
            &|c, _| iaf_kernel(&k, c),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(k: &Step, j: Real, v: &mut Real, rfr: &mut Real) -> bool {
        let mut s = [0.0];
        let (mut vv, mut rr) = ([*v], [*rfr]);
        iaf_kernel(
            k,
            IafChunk {
                j: &[j],
                v: &mut vv,
                s: &mut s,
                rfr: &mut rr,
            },
        );
        (*v, *rfr) = (vv[0], rr[0]);
        s[0] == 1.0
    }

    fn cuba_step(dt: f64) -> Step {
        Step {
            keep: (-dt / 20.0).exp() as Real,
            v_rest: -49.0,
            r: 1.0,
            v_thr: -50.0,
            v_reset: -60.0,
            refract: 5.0,
            ready: (5.0 - 0.5 * dt) as Real,
            dt: dt as Real,
        }
    }

    /// Law: with no input the unit relaxes to v_rest = −49 mV > v_thr, so it fires with the
    /// period of the analytic LIF: refractory R steps, then the time to climb from v_reset to
    /// v_thr, τ_m·ln((v_rest − v_reset)/(v_rest − v_thr)) = 20·ln 11 ≈ 47.96 ms.
    #[test]
    fn free_running_period_is_the_analytic_one() {
        let k = cuba_step(0.1);
        let (mut v, mut rfr) = (-60.0, 5.0);
        let mut spikes = vec![];
        for n in 0..20_000 {
            if step(&k, 0.0, &mut v, &mut rfr) {
                spikes.push(n);
            }
        }
        let climb = 20.0 * (11.0f64).ln();
        for w in spikes.windows(2).skip(1) {
            let isi = (w[1] - w[0]) as f64 * 0.1;
            // first step after the refractory period integrates; the climb is then resolved
            // to one step
            assert!((isi - (5.0 + climb)).abs() <= 0.1 + 1e-3, "isi {isi}");
        }
        assert!(spikes.len() > 30);
    }

    /// Law: a unit that spikes at step n is frozen for R − 1 steps and integrates at n + R.
    #[test]
    fn refractory_period_freezes_v_for_r_minus_one_steps() {
        let k = cuba_step(0.1);
        let (mut v, mut rfr) = (-50.0 + 1e-3, 5.0);
        assert!(step(&k, 100.0, &mut v, &mut rfr));
        for _ in 1..50 {
            assert!(!step(&k, 100.0, &mut v, &mut rfr));
            assert_eq!(v, -60.0);
        }
        // step n + 50 integrates again: v leaves v_reset towards v_∞ = 51 mV
        assert!(!step(&k, 100.0, &mut v, &mut rfr));
        let expected = 51.0 + (-60.0 - 51.0) * (-0.1f64 / 20.0).exp();
        assert!((f64::from(v) - expected).abs() < 1e-4, "{v}");
    }
}
