//! ngclearn's quadratic leaky integrate-and-fire cell (`QuadLIFCell`, ngclearn 3.2.3).

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use super::integrate::Integrator;
use super::lif::{
    LifCell, LifFamily, LifParams, Membrane, d_refract_time, d_tau_theta, d_theta_plus, d_thr,
    d_v_reset, d_v_rest, one,
};
use super::surrogate::SurrogateType;
use crate::Real;

/// Parameters of a QuadLIF population, named and defaulted exactly as ngclearn 3.2.3's
/// `QuadLIFCell` constructor (`quadLIFCell.py` l.121-148): LIFCell's parameters without
/// `conduct_leak` (hard-wired to 1), plus `v_scale` and `critical_v`.
///
/// The membrane follows (ngclearn `_dfv_internal`, l.16-22)
///
/// ```text
/// τ_m dv/dt = (v_rest − v)(v − v_scale)·critical_v + R·j·mask
/// ```
///
/// integrated, thresholded, reset and adapted exactly as LIFCell (see
/// [`lif_kernel`](super::lif::lif_kernel)), except that `surrogate` is never written (stays 1)
/// and `v_thr` is never written (stays `thr`) although `thr_theta` adapts and the spike test
/// uses `thr + thr_theta`. With this sign convention v_rest is an *unstable* fixed point and
/// v_scale (−41.6 mV, above the default threshold) the stable one — the opposite of the
/// textbook QIF, and what ngclearn computes: after one spike a unit with v_reset > v_rest keeps
/// firing without input, and negative input diverges unless `v_min` is set.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuadLifParams {
    /// Number of units in the population.
    pub n_units: usize,
    /// Membrane time constant τ_m (ms).
    pub tau_m: f64,
    /// Membrane resistance R (multiplies the input current `j`).
    #[serde(default = "one")]
    pub resist_m: f64,
    /// Base spike threshold (mV).
    #[serde(default = "d_thr")]
    pub thr: f64,
    /// Resting potential (mV): the unstable fixed point.
    #[serde(default = "d_v_rest")]
    pub v_rest: f64,
    /// Reset potential after a spike (mV).
    #[serde(default = "d_v_reset")]
    pub v_reset: f64,
    /// Critical voltage v_c of the quadratic term (mV; ngclearn's `v_scale`, stored as `v_c`).
    #[serde(default = "d_v_scale")]
    pub v_scale: f64,
    /// Scale a₀ of the quadratic term (1/mV; ngclearn's `critical_v`, stored as `a0`).
    #[serde(default = "one")]
    pub critical_v: f64,
    /// Adaptive-threshold time constant τ_θ (ms); ≤ 0 disables threshold adaptation.
    #[serde(default = "d_tau_theta")]
    pub tau_theta: f64,
    /// Threshold increment per spike θ₊ (mV).
    #[serde(default = "d_theta_plus")]
    pub theta_plus: f64,
    /// Refractory period (ms): the input is masked while `rfr < refract_time`.
    #[serde(default = "d_refract_time")]
    pub refract_time: f64,
    /// Keep at most one spike per step, chosen at random among the spiking units.
    #[serde(default)]
    pub one_spike: bool,
    /// Integration of the membrane ODE: `"euler"`, `"midpoint"` (alias `"rk2"`) or `"rk4"`.
    #[serde(default)]
    pub integration_type: Integrator,
    /// Accepted for compatibility; QuadLIFCell computes no surrogate.
    #[serde(default)]
    pub surrogate_type: SurrogateType,
    /// Lower clamp of the membrane potential (mV), applied after the reset; `None` = no clamp.
    #[serde(default)]
    pub v_min: Option<f64>,
    /// Keep only the spike of the unit with the largest voltage of the previous step.
    #[serde(default)]
    pub max_one_spike: bool,
}

fn d_v_scale() -> f64 {
    -41.6
}

impl QuadLifParams {
    /// Parameters with ngclearn's defaults for `n_units` units and membrane constant `tau_m` (ms).
    pub fn new(n_units: usize, tau_m: f64) -> Self {
        Self {
            n_units,
            tau_m,
            resist_m: 1.0,
            thr: d_thr(),
            v_rest: d_v_rest(),
            v_reset: d_v_reset(),
            v_scale: d_v_scale(),
            critical_v: 1.0,
            tau_theta: d_tau_theta(),
            theta_plus: d_theta_plus(),
            refract_time: d_refract_time(),
            one_spike: false,
            integration_type: Integrator::Euler,
            surrogate_type: SurrogateType::StraightThrough,
            v_min: None,
            max_one_spike: false,
        }
    }

    /// Checks the parameters a user can get wrong; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        self.lif().validate()?;
        for (name, x) in [("v_scale", self.v_scale), ("critical_v", self.critical_v)] {
            if !x.is_finite() {
                return Err((name, format!("a finite number, found {x}")));
            }
        }
        Ok(())
    }

    /// The compartments after ngclearn's `reset()`: as LIFCell's.
    pub fn initial_state(&self) -> LifCell {
        self.lif().initial_state()
    }
}

/// QuadLIFCell's quadratic leak `((v_rest − v)·(v − v_c))·a₀` (mV).
#[derive(Clone, Copy, Debug)]
pub struct QuadraticLeak {
    /// Resting potential (mV).
    pub v_rest: Real,
    /// Critical voltage v_c (`v_scale`, mV).
    pub v_c: Real,
    /// Scale a₀ (`critical_v`).
    pub a0: Real,
}

impl Membrane for QuadraticLeak {
    const WRITES_SURROGATE: bool = false;
    const WRITES_V_THR: bool = false;
    #[inline(always)]
    fn leak(&self, v: Real) -> Real {
        ((self.v_rest - v) * (v - self.v_c)) * self.a0
    }
    /// `leak(v) + input` as XLA compiles it: one fused multiply-add, and with a₀ = 1 (the
    /// default) XLA drops the multiplication by one first.
    #[inline(always)]
    fn leak_plus(&self, v: Real, input: Real) -> Real {
        let (a, b) = (self.v_rest - v, v - self.v_c);
        if self.a0 == 1.0 {
            a.mul_add(b, input)
        } else {
            (a * b).mul_add(self.a0, input)
        }
    }
}

impl LifFamily for QuadLifParams {
    type Membrane = QuadraticLeak;
    fn lif(&self) -> LifParams {
        LifParams {
            n_units: self.n_units,
            tau_m: self.tau_m,
            resist_m: self.resist_m,
            thr: self.thr,
            v_rest: self.v_rest,
            v_reset: self.v_reset,
            conduct_leak: 1.0,
            tau_theta: self.tau_theta,
            theta_plus: self.theta_plus,
            refract_time: self.refract_time,
            one_spike: self.one_spike,
            integration_type: self.integration_type,
            surrogate_type: self.surrogate_type,
            v_min: self.v_min,
            max_one_spike: self.max_one_spike,
        }
    }
    fn membrane(&self) -> QuadraticLeak {
        QuadraticLeak {
            v_rest: self.v_rest as Real,
            v_c: self.v_scale as Real,
            a0: self.critical_v as Real,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quadratic leak's fixed points: zero at v_rest and at v_c, pushing v away from
    /// v_rest (unstable) and towards v_c (stable).
    #[test]
    fn fixed_points_of_the_quadratic_leak() {
        let m = QuadLifParams::new(1, 10.0).membrane();
        assert_eq!(m.leak(-65.0), 0.0);
        assert!(m.leak(-41.6).abs() < 1e-4);
        assert!(
            m.leak(-64.0) > 0.0 && m.leak(-66.0) < 0.0,
            "v_rest is unstable"
        );
        assert!(m.leak(-42.0) > 0.0 && m.leak(-41.0) < 0.0, "v_c is stable");
    }
}
