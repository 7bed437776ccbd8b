//! ngclearn's FitzHugh–Nagumo cell (`FitzhughNagumoCell`, ngclearn 3.2.3; FitzHugh 1961,
//! Biophys. J. 1:445; Nagumo et al. 1962, Proc. IRE 50:2061).

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use super::bookkeeping::*;
use super::integrate::Integrator;
use super::two_variable::{TwoVariableCell, TwoVariableChunk, TwoVariableModel};
use crate::Real;

/// Parameters of a FitzHugh–Nagumo population, named and defaulted exactly as ngclearn 3.2.3's
/// `FitzhughNagumoCell` constructor (`fitzhughNagumoCell.py` l.102-135). The model is
/// dimensionless; times are in ms.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitzhughNagumoParams {
    /// Number of units in the population.
    pub n_units: usize,
    /// Membrane time constant τ_m (ms).
    #[serde(default = "d_one")]
    pub tau_m: f64,
    /// Membrane resistance R (multiplies the input current `j`).
    #[serde(default = "d_one")]
    pub resist_m: f64,
    /// Recovery time constant τ_w (ms).
    #[serde(default = "d_tau_w")]
    pub tau_w: f64,
    /// Recovery offset α.
    #[serde(default = "d_alpha")]
    pub alpha: f64,
    /// Recovery decay β.
    #[serde(default = "d_beta")]
    pub beta: f64,
    /// Cubic scale γ of the voltage nonlinearity (≠ 0).
    #[serde(default = "d_gamma")]
    pub gamma: f64,
    /// Initial (and, with `spike_reset`, reset) membrane potential.
    #[serde(default)]
    pub v0: f64,
    /// Initial (and, with `spike_reset`, reset) recovery variable.
    #[serde(default)]
    pub w0: f64,
    /// Spike threshold: `s = [v > v_thr]` every step v is above it.
    #[serde(default = "d_v_thr")]
    pub v_thr: f64,
    /// Snap (v, w) back to (v0, w0) on every step with a spike.
    #[serde(default)]
    pub spike_reset: bool,
    /// `"euler"`, `"midpoint"` (alias `"rk2"`) or `"rk4"`.
    #[serde(default)]
    pub integration_type: Integrator,
}

fn d_one() -> f64 {
    1.0
}
fn d_tau_w() -> f64 {
    12.5
}
fn d_alpha() -> f64 {
    0.7
}
fn d_beta() -> f64 {
    0.8
}
fn d_gamma() -> f64 {
    3.0
}
fn d_v_thr() -> f64 {
    1.07
}

impl FitzhughNagumoParams {
    /// ngclearn's defaults for `n_units` units.
    pub fn new(n_units: usize) -> Self {
        Self {
            n_units,
            tau_m: 1.0,
            resist_m: 1.0,
            tau_w: d_tau_w(),
            alpha: d_alpha(),
            beta: d_beta(),
            gamma: d_gamma(),
            v0: 0.0,
            w0: 0.0,
            v_thr: d_v_thr(),
            spike_reset: false,
            integration_type: Integrator::Euler,
        }
    }

    /// Checks the parameters a user can get wrong; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (name, x) in [("tau_m", self.tau_m), ("tau_w", self.tau_w)] {
            if !(x.is_finite() && x > 0.0) {
                return Err((name, format!("a finite time constant > 0 ms, found {x}")));
            }
        }
        let finite = [
            ("resist_m", self.resist_m),
            ("alpha", self.alpha),
            ("beta", self.beta),
            ("v0", self.v0),
            ("w0", self.w0),
            ("v_thr", self.v_thr),
        ];
        for (name, x) in finite {
            if !x.is_finite() {
                return Err((name, format!("a finite number, found {x}")));
            }
        }
        if !(self.gamma.is_finite() && self.gamma != 0.0) {
            return Err((
                "gamma",
                format!("a finite number ≠ 0, found {}", self.gamma),
            ));
        }
        Ok(())
    }

    /// The compartments after ngclearn's `reset()`: `v = v0`, `w = w0`, `j = s = tols = 0`.
    pub fn initial_state(&self) -> TwoVariableCell {
        TwoVariableCell::new(self.n_units, self.v0, self.w0)
    }
}

/// Step constants of [`fitzhugh_nagumo_kernel`].
#[derive(Clone, Copy, Debug)]
pub struct FitzhughNagumoConsts {
    resist_m: Real,
    inv_tau_m: Real,
    inv_tau_w: Real,
    alpha: Real,
    beta: Real,
    inv_gamma: Real,
    v0: Real,
    w0: Real,
    v_thr: Real,
    spike_reset: bool,
    dt: Real,
    t: Real,
    integration: Integrator,
}

impl FitzhughNagumoConsts {
    /// Constants for a step of size `dt` (ms) starting at time `t` (ms).
    pub fn new(p: &FitzhughNagumoParams, dt: f64, t: f64) -> Self {
        let r = |x: f64| x as Real;
        Self {
            resist_m: r(p.resist_m),
            inv_tau_m: r(1.0 / p.tau_m),
            inv_tau_w: r(1.0 / p.tau_w),
            alpha: r(p.alpha),
            beta: r(p.beta),
            inv_gamma: 1.0 / r(p.gamma),
            v0: r(p.v0),
            w0: r(p.w0),
            v_thr: r(p.v_thr),
            spike_reset: p.spike_reset,
            dt: r(dt),
            t: r(t),
            integration: p.integration_type,
        }
    }
}

crate::kernel! {
    /// One FitzHugh–Nagumo step (ngclearn 3.2.3 `FitzhughNagumoCell.advance_state`, l.137-164), in
    /// ngclearn's order:
    ///
    /// ```text
    /// dv/dt = (v − v³/γ − w + R·j) / τ_m       (w frozen at its start-of-step value)
    /// dw/dt = (v + α − β·w) / τ_w              (v frozen at its start-of-step value)
    /// s     = [v' > v_thr]                     (on the NEW v: a level, not an event)
    /// (v', w') = (v', w')·(1 − s) + s·(v0, w0)  (only with spike_reset)
    /// tols' = (1 − s)·tols + s·t
    /// ```
    pub fn fitzhugh_nagumo_kernel[](k: &FitzhughNagumoConsts, c: TwoVariableChunk) -> () {
        let TwoVariableChunk { j, v, w, s, tols } = c;
        for i in 0..v.len() {
            let jm = j[i] * k.resist_m;
            // As XLA compiles ngclearn's step: `x³/γ` is a multiplication by the reciprocal, and
            // `a·b + c` patterns are fused multiply-adds (see `Integrator`).
            let fv =
                |x: Real, w: Real| (((-(x * x * x)).mul_add(k.inv_gamma, x) - w) + jm) * k.inv_tau_m;
            let fw = |v: Real, y: Real| (-k.beta).mul_add(y, v + k.alpha) * k.inv_tau_w;
            let (mut v1, mut w1) = k.integration.step2(v[i], w[i], k.dt, fv, fw);
            let si = spike(v1, k.v_thr);
            if k.spike_reset {
                v1 = reset(v1, si, k.v0);
                w1 = reset(w1, si, k.w0);
            }
            v[i] = v1;
            w[i] = w1;
            s[i] = si;
            tols[i] = time_of_last_spike(tols[i], si, k.t);
        }
    }
}

impl TwoVariableModel for FitzhughNagumoParams {
    type Consts = FitzhughNagumoConsts;
    fn consts(&self, dt: f64, t: f64) -> FitzhughNagumoConsts {
        FitzhughNagumoConsts::new(self, dt, t)
    }
    fn kernel(k: &FitzhughNagumoConsts, c: TwoVariableChunk) {
        fitzhugh_nagumo_kernel(k, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Law: without input the defaults relax to the unique fixed point of
    /// v − v³/3 − w = 0, v + 0.7 − 0.8·w = 0 (v* ≈ −1.1994, w* ≈ −0.6243), under every
    /// integrator.
    #[test]
    fn relaxes_to_the_resting_fixed_point() {
        // v* solves v − v³/3 − (v + 0.7)/0.8 = 0 (bisection in f64).
        let g = |v: f64| v - v * v * v / 3.0 - (v + 0.7) / 0.8;
        let (mut lo, mut hi) = (-2.0, 0.0);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if g(lo) * g(mid) <= 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let v_star = lo;
        for integ in [Integrator::Euler, Integrator::Midpoint, Integrator::Rk4] {
            let mut p = FitzhughNagumoParams::new(1);
            p.integration_type = integ;
            let mut c = p.initial_state();
            for step in 0..5000 {
                let k = FitzhughNagumoConsts::new(&p, 0.2, step as f64 * 0.2);
                fitzhugh_nagumo_kernel(
                    &k,
                    TwoVariableChunk {
                        j: &c.j.0,
                        v: &mut c.v.0,
                        w: &mut c.w.0,
                        s: &mut c.s.0,
                        tols: &mut c.tols.0,
                    },
                );
            }
            let (v, w) = (c.v.0[0] as f64, c.w.0[0] as f64);
            assert!((v - v_star).abs() < 1e-4, "{integ:?}: v {v} vs {v_star}");
            assert!((w - (v_star + 0.7) / 0.8).abs() < 1e-4, "{integ:?}: w {w}");
        }
    }
}
