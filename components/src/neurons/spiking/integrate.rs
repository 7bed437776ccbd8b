//! ODE integrators as data: [`Integrator`], in ngclearn's per-variable form, plus a coupled RK4.

use serde::{Deserialize, Serialize};

use crate::Real;

/// How a cell integrates its ODEs (ngclearn's `integration_type`), usable by any cell kernel,
/// built-in or custom: [`Integrator::step`] for one variable, [`Integrator::step2`] for two.
///
/// ngclearn 3.2.3 (`ngclearn/utils/diffeq/ode_utils.py`, `get_integrator_code` l.18-44) maps
/// `"euler"` to forward Euler and both `"midpoint"` and `"rk2"` to the explicit midpoint method
/// (not Heun). `"rk4"` is a cortecs extra: the classical, *coupled* fourth-order Runge–Kutta
/// method, which ngclearn's cells do not offer; use it when accuracy matters more than
/// matching ngclearn. Unlike ngclearn, an unknown name is a config error here instead of a
/// silent fallback to Euler.
///
/// In configs it is a string, as in ngclearn: `integration_type: "midpoint"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Integrator {
    /// Forward Euler: `x' = x + f(x)·dt`.
    #[default]
    Euler,
    /// Explicit midpoint: `x₁ = x + f(x)·(dt/2)`, `x' = x + f(x₁)·dt`. `"rk2"` is an alias.
    Midpoint,
    /// Classical RK4, coupled across variables (not an ngclearn method).
    Rk4,
}

/// The names configs accept, with the integrator each selects.
pub const INTEGRATOR_NAMES: [(&str, Integrator); 4] = [
    ("euler", Integrator::Euler),
    ("midpoint", Integrator::Midpoint),
    ("rk2", Integrator::Midpoint),
    ("rk4", Integrator::Rk4),
];

impl TryFrom<String> for Integrator {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        INTEGRATOR_NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, i)| *i)
            .ok_or_else(|| {
                let near = crate::names::nearest(&s, INTEGRATOR_NAMES.iter().map(|(n, _)| *n))
                    .map(|n| format!(" (did you mean \"{n}\"?)"))
                    .unwrap_or_default();
                format!(
                    "unknown integration_type \"{s}\"{near}; expected \"euler\", \"midpoint\", \"rk2\" or \"rk4\""
                )
            })
    }
}

impl From<Integrator> for String {
    fn from(t: Integrator) -> String {
        match t {
            Integrator::Euler => "euler",
            Integrator::Midpoint => "midpoint",
            Integrator::Rk4 => "rk4",
        }
        .into()
    }
}

impl Integrator {
    /// One step of `dx/dt = f(x)` from `x` with step `dt` (ms), in ngclearn's operation order
    /// (`_step_forward`: `x + dx_dt·dt`).
    ///
    /// `x + f·dt` is one fused multiply-add (`f.mul_add(dt, x)`), as XLA compiles ngclearn's
    /// step on CPU: that is what makes float32 results match ngclearn's to the last bit on
    /// chaotic cells (Izhikevich, FitzHugh–Nagumo), where one rounding difference grows.
    #[inline(always)]
    pub fn step(self, x: Real, dt: Real, f: impl Fn(Real) -> Real) -> Real {
        match self {
            Integrator::Euler => f(x).mul_add(dt, x),
            Integrator::Midpoint => {
                let x1 = f(x).mul_add(dt * 0.5, x);
                f(x1).mul_add(dt, x)
            }
            Integrator::Rk4 => {
                let h = dt * 0.5;
                let k1 = f(x);
                let k2 = f(x + k1 * h);
                let k3 = f(x + k2 * h);
                let k4 = f(x + k3 * dt);
                x + (k1 + (k2 + k3) * 2.0 + k4) * (dt / 6.0)
            }
        }
    }

    /// One step of the two-variable system `dv/dt = fv(v, w)`, `dw/dt = fw(v, w)`.
    ///
    /// Euler and midpoint follow ngclearn's two-variable cells (Izhikevich, FitzHugh–Nagumo):
    /// each variable is integrated **separately**, with the other frozen at its start-of-step
    /// value — `v' = step(v ↦ fv(v, w₀))`, `w' = step(w ↦ fw(v₀, w))`. For Euler that is the
    /// ordinary coupled method; for midpoint it is not a coupled RK2 (v's half step uses the
    /// old w and w's the old v). [`Integrator::Rk4`] is the coupled classical method.
    #[inline(always)]
    pub fn step2(
        self,
        v: Real,
        w: Real,
        dt: Real,
        fv: impl Fn(Real, Real) -> Real,
        fw: impl Fn(Real, Real) -> Real,
    ) -> (Real, Real) {
        match self {
            Integrator::Euler | Integrator::Midpoint => (
                self.step(v, dt, |x| fv(x, w)),
                self.step(w, dt, |y| fw(v, y)),
            ),
            Integrator::Rk4 => {
                let h = dt * 0.5;
                let (k1v, k1w) = (fv(v, w), fw(v, w));
                let (v2, w2) = (v + k1v * h, w + k1w * h);
                let (k2v, k2w) = (fv(v2, w2), fw(v2, w2));
                let (v3, w3) = (v + k2v * h, w + k2w * h);
                let (k3v, k3w) = (fv(v3, w3), fw(v3, w3));
                let (v4, w4) = (v + k3v * dt, w + k3w * dt);
                let (k4v, k4w) = (fv(v4, w4), fw(v4, w4));
                let sixth = dt / 6.0;
                (
                    v + (k1v + (k2v + k3v) * 2.0 + k4v) * sixth,
                    w + (k1w + (k2w + k3w) * 2.0 + k4w) * sixth,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Error at t = 1 of dx/dt = −x from x = 1 with n steps.
    fn err(m: Integrator, n: usize) -> f64 {
        let dt = 1.0 / n as Real;
        let mut x: Real = 1.0;
        for _ in 0..n {
            x = m.step(x, dt, |x| -x);
        }
        (x as f64 - (-1.0f64).exp()).abs()
    }

    /// Error at t = 1 of the harmonic oscillator v' = w, w' = −v from (1, 0) with n steps.
    fn err2(m: Integrator, n: usize) -> f64 {
        let dt = 1.0 / n as Real;
        let (mut v, mut w): (Real, Real) = (1.0, 0.0);
        for _ in 0..n {
            (v, w) = m.step2(v, w, dt, |_, w| w, |v, _| -v);
        }
        (v as f64 - 1.0f64.cos()).abs() + (w as f64 + 1.0f64.sin()).abs()
    }

    #[test]
    fn convergence_orders() {
        // Halving dt divides the error by 2^order: Euler 1, midpoint 2, RK4 4.
        let ratio = |m, n| err(m, n) / err(m, 2 * n);
        assert!((ratio(Integrator::Euler, 50) - 2.0).abs() < 0.1);
        assert!((ratio(Integrator::Midpoint, 50) - 4.0).abs() < 0.3);
        if cfg!(feature = "f64") {
            assert!((ratio(Integrator::Rk4, 10) - 16.0).abs() < 1.5);
        }
        // Two variables: ngclearn's per-variable form keeps Euler first order; its midpoint
        // freezes the other variable and is only first order on a coupled system, while the
        // coupled RK4 is fourth order.
        let ratio2 = |m, n| err2(m, n) / err2(m, 2 * n);
        assert!((ratio2(Integrator::Euler, 50) - 2.0).abs() < 0.2);
        assert!((ratio2(Integrator::Midpoint, 50) - 2.0).abs() < 0.2);
        if cfg!(feature = "f64") {
            assert!((ratio2(Integrator::Rk4, 10) - 16.0).abs() < 1.5);
        }
    }

    #[test]
    fn names_round_trip_and_unknown_is_an_error() {
        for (name, i) in INTEGRATOR_NAMES {
            assert_eq!(Integrator::try_from(name.to_string()), Ok(i));
        }
        assert_eq!(String::from(Integrator::Midpoint), "midpoint");
        let e = Integrator::try_from("heun".to_string()).unwrap_err();
        assert!(e.contains("\"rk4\""), "{e}");
    }
}
