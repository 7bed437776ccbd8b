//! ODE integrators as data, in ngclearn's per-variable form.

use serde::{Deserialize, Serialize};

use crate::Real;

/// How a cell integrates its ODEs (ngclearn's `integration_type`).
///
/// ngclearn (`ngclearn/utils/diffeq/ode_utils.py`) maps `"euler"` to forward Euler and both
/// `"midpoint"` and `"rk2"` to the explicit midpoint method (not Heun). Unlike ngclearn, an
/// unknown name is a config error here instead of a silent fallback to Euler.
///
/// In configs it is a string, as in ngclearn: `integration_type: "midpoint"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum IntegrationType {
    /// Forward Euler: `x' = x + f(x)·dt`.
    #[default]
    Euler,
    /// Explicit midpoint: `x₁ = x + f(x)·(dt/2)`, `x' = x + f(x₁)·dt`. `"rk2"` is an alias.
    Midpoint,
}

impl TryFrom<String> for IntegrationType {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "euler" => Ok(Self::Euler),
            "midpoint" | "rk2" => Ok(Self::Midpoint),
            other => Err(format!(
                "unknown integration_type \"{other}\"; expected \"euler\", \"midpoint\" or \"rk2\""
            )),
        }
    }
}

impl From<IntegrationType> for String {
    fn from(t: IntegrationType) -> String {
        match t {
            IntegrationType::Euler => "euler".into(),
            IntegrationType::Midpoint => "midpoint".into(),
        }
    }
}

impl IntegrationType {
    /// One step of `dx/dt = f(x)` from `x` with step `dt`, in ngclearn's operation order.
    #[inline(always)]
    pub fn step(self, x: Real, dt: Real, f: impl Fn(Real) -> Real) -> Real {
        match self {
            IntegrationType::Euler => x + f(x) * dt,
            IntegrationType::Midpoint => {
                let x1 = x + f(x) * (dt * 0.5);
                x + f(x1) * dt
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midpoint_is_second_order_and_euler_first() {
        // dx/dt = -x from 1 over [0, 1]; error ratio when dt halves: ~2 (Euler), ~4 (midpoint).
        let err = |m: IntegrationType, n: usize| {
            let dt = 1.0 / n as Real;
            let mut x: Real = 1.0;
            for _ in 0..n {
                x = m.step(x, dt, |x| -x);
            }
            (f64::from(x) - (-1.0f64).exp()).abs()
        };
        let r_euler = err(IntegrationType::Euler, 50) / err(IntegrationType::Euler, 100);
        let r_mid = err(IntegrationType::Midpoint, 50) / err(IntegrationType::Midpoint, 100);
        assert!((r_euler - 2.0).abs() < 0.1, "{r_euler}");
        assert!((r_mid - 4.0).abs() < 0.3, "{r_mid}");
    }
}
