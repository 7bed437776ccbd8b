//! Surrogate derivatives of the spike function.

use serde::{Deserialize, Serialize};

use crate::Real;

/// ngclearn's `surrogate_type` argument. ngclearn 3.2.3's LIFCell accepts it but always uses
/// the arctan estimator with alpha = 0.2 (`LIFCell.py` l.139); cortecs does the same and keeps
/// the value only so configs written for ngclearn load unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum SurrogateType {
    /// Straight-through estimator (ngclearn's default name).
    #[default]
    StraightThrough,
    /// Triangular estimator.
    Triangular,
    /// Arc-tangent estimator.
    Arctan,
    /// LIF-specialised secant estimator.
    SecantLif,
}

const SURROGATE_NAMES: [(&str, SurrogateType); 4] = [
    ("straight_through", SurrogateType::StraightThrough),
    ("triangular", SurrogateType::Triangular),
    ("arctan", SurrogateType::Arctan),
    ("secant_lif", SurrogateType::SecantLif),
];

impl TryFrom<String> for SurrogateType {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        SURROGATE_NAMES.iter().find(|(n, _)| *n == s).map(|(_, t)| *t).ok_or_else(|| {
            format!(
                "unknown surrogate_type \"{s}\"; expected one of \"straight_through\", \"triangular\", \"arctan\", \"secant_lif\""
            )
        })
    }
}

impl From<SurrogateType> for String {
    fn from(t: SurrogateType) -> String {
        SURROGATE_NAMES
            .iter()
            .find(|(_, x)| *x == t)
            .map_or("straight_through", |(n, _)| n)
            .into()
    }
}

/// Derivative of the arctan spike surrogate (`surrogate_fx.py` l.113-118):
/// `∂s/∂v = 1 / (1 + ((v − thr)·π·α/2)²) · 1/π`.
#[inline(always)]
pub fn d_arctan(v: Real, thr: Real, alpha: Real) -> Real {
    let pi = std::f64::consts::PI as Real;
    // 1/π rounded once from double, as ngclearn writes it (`1.0 / math.pi`, a Python float).
    let inv_pi = (1.0 / std::f64::consts::PI) as Real;
    let x = (v - thr) * pi * (alpha * 0.5);
    (1.0 / x.mul_add(x, 1.0)) * inv_pi
}
