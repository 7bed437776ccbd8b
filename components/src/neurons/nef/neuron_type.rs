//! Nengo's neuron types and their rate math (`nengo/neurons.py`, Nengo 4.1.0): response
//! curves, and gain/bias ↔ (max rate, intercept).
//!
//! Units: time parameters are in **milliseconds** (`tau_rc: 20.0`, `tau_ref: 2.0`), rates in
//! **Hz**. Internally the rate math converts times to seconds (`ms / 1000`, which gives exactly
//! Nengo's constants, e.g. `20.0 / 1000.0 == 0.02`) and then follows Nengo's formulas operation
//! by operation, so results match Nengo to the last bit. Build-time math is always `f64`.
//!
//! The input current of a neuron is `J = gain·x + bias` (dimensionless; the LIF threshold is
//! `J = 1`), where `x` is the encoded input (the represented value projected on the neuron's
//! encoder and divided by the radius).

use serde::{Deserialize, Serialize};

/// A neuron type, with Nengo's names and defaults (times in ms).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum NeuronType {
    /// Spiking leaky integrate-and-fire with sub-step spike timing (`nengo.LIF`).
    LIF {
        /// Membrane RC time constant τ_rc (ms).
        #[serde(default = "d_tau_rc")]
        tau_rc: f64,
        /// Absolute refractory period τ_ref (ms).
        #[serde(default = "d_tau_ref")]
        tau_ref: f64,
        /// Floor of the membrane voltage (dimensionless; ≤ 0).
        #[serde(default)]
        min_voltage: f64,
        /// Output scale: a spike is `amplitude / dt` with dt in seconds.
        #[serde(default = "d_one")]
        amplitude: f64,
    },
    /// The LIF rate approximation (`nengo.LIFRate`).
    LIFRate {
        /// Membrane RC time constant τ_rc (ms).
        #[serde(default = "d_tau_rc")]
        tau_rc: f64,
        /// Absolute refractory period τ_ref (ms).
        #[serde(default = "d_tau_ref")]
        tau_ref: f64,
        /// Output scale.
        #[serde(default = "d_one")]
        amplitude: f64,
    },
    /// `rate = amplitude·max(J, 0)` (`nengo.RectifiedLinear`).
    RectifiedLinear {
        /// Output scale (Hz per unit of current).
        #[serde(default = "d_one")]
        amplitude: f64,
    },
    /// Integrate-and-fire with a rectified-linear rate (`nengo.SpikingRectifiedLinear`).
    SpikingRectifiedLinear {
        /// Output scale (Hz per unit of current).
        #[serde(default = "d_one")]
        amplitude: f64,
    },
    /// `rate = (1/τ_ref)/(1 + e^(−J))` (`nengo.Sigmoid`).
    Sigmoid {
        /// τ_ref (ms): the maximum rate is 1/τ_ref.
        #[serde(default = "d_tau_ref_sigmoid")]
        tau_ref: f64,
    },
    /// `rate = (1/τ_ref)·tanh(J)` (`nengo.Tanh`).
    Tanh {
        /// τ_ref (ms): the maximum rate is 1/τ_ref.
        #[serde(default = "d_tau_ref_sigmoid")]
        tau_ref: f64,
    },
}

fn d_tau_rc() -> f64 {
    20.0
}
fn d_tau_ref() -> f64 {
    2.0
}
fn d_tau_ref_sigmoid() -> f64 {
    2.5
}
fn d_one() -> f64 {
    1.0
}

impl Default for NeuronType {
    /// `LIF { tau_rc: 20, tau_ref: 2, min_voltage: 0, amplitude: 1 }`, Nengo's default.
    fn default() -> Self {
        NeuronType::LIF {
            tau_rc: d_tau_rc(),
            tau_ref: d_tau_ref(),
            min_voltage: 0.0,
            amplitude: 1.0,
        }
    }
}

/// Why gain/bias cannot be computed, or a parameter is out of range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NeuronTypeError {
    /// A parameter of the neuron type is out of range.
    #[error("`{field}`: expected {expected}")]
    Parameter {
        /// Its name.
        field: &'static str,
        /// What was expected and found.
        expected: String,
    },
    /// A requested maximum rate is at or above the type's ceiling 1/τ_ref.
    #[error(
        "max rate of neuron {neuron} is {max_rate} Hz; it must be below 1/tau_ref = {limit} Hz"
    )]
    MaxRate {
        /// Index of the neuron.
        neuron: usize,
        /// The requested rate (Hz).
        max_rate: f64,
        /// The ceiling (Hz).
        limit: f64,
    },
    /// `gain` and `bias` (or max_rates and intercepts) have different lengths.
    #[error("arrays of different lengths: {a} and {b}")]
    Length {
        /// First length.
        a: usize,
        /// Second length.
        b: usize,
    },
}

/// Milliseconds → seconds, exactly as Nengo's constants (`20.0 / 1000.0 == 0.02`).
fn s(ms: f64) -> f64 {
    ms / 1000.0
}

impl NeuronType {
    /// Checks the parameters (positive time constants, `min_voltage ≤ 0`, positive amplitude).
    pub fn validate(&self) -> Result<(), NeuronTypeError> {
        let positive = |field: &'static str, x: f64, unit: &str| {
            if x.is_finite() && x > 0.0 {
                Ok(())
            } else {
                Err(NeuronTypeError::Parameter {
                    field,
                    expected: format!("a finite value > 0{unit}, found {x}"),
                })
            }
        };
        match *self {
            NeuronType::LIF {
                tau_rc,
                tau_ref,
                min_voltage,
                amplitude,
            } => {
                // −∞ (never clip) is allowed, as in Nengo.
                if min_voltage.is_nan() || min_voltage > 0.0 {
                    return Err(NeuronTypeError::Parameter {
                        field: "min_voltage",
                        expected: format!("a value ≤ 0, found {min_voltage}"),
                    });
                }
                NeuronType::LIFRate {
                    tau_rc,
                    tau_ref,
                    amplitude,
                }
                .validate()
            }
            NeuronType::LIFRate {
                tau_rc,
                tau_ref,
                amplitude,
            } => {
                positive("tau_rc", tau_rc, " ms")?;
                if !(tau_ref.is_finite() && tau_ref >= 0.0) {
                    return Err(NeuronTypeError::Parameter {
                        field: "tau_ref",
                        expected: format!("a finite value ≥ 0 ms, found {tau_ref}"),
                    });
                }
                positive("amplitude", amplitude, "")
            }
            NeuronType::RectifiedLinear { amplitude }
            | NeuronType::SpikingRectifiedLinear { amplitude } => {
                positive("amplitude", amplitude, "")
            }
            NeuronType::Sigmoid { tau_ref } | NeuronType::Tanh { tau_ref } => {
                positive("tau_ref", tau_ref, " ms")
            }
        }
    }

    /// Whether the type emits spikes (its output is `amplitude / dt` per spike).
    pub fn is_spiking(&self) -> bool {
        matches!(
            self,
            NeuronType::LIF { .. } | NeuronType::SpikingRectifiedLinear { .. }
        )
    }

    /// The input current `J = gain·x + bias` (`NeuronType.current`).
    pub fn current(x: f64, gain: f64, bias: f64) -> f64 {
        gain * x + bias
    }

    /// The steady firing rate (Hz) at constant current `j` — the response curve, as Nengo's
    /// `rates` computes it (LIF uses the LIFRate formula, SpikingRectifiedLinear the
    /// RectifiedLinear one):
    ///
    /// - LIF / LIFRate: `amplitude / (τ_ref + τ_rc·log1p(1/(J − 1)))` for `J > 1`, else 0 (so
    ///   the singularity at J = 1 gives 0, and J → 1⁺ a rate → 0, never NaN or ∞);
    /// - (Spiking)RectifiedLinear: `amplitude·max(J, 0)`;
    /// - Sigmoid: `(1/τ_ref)/(1 + e^(−J))`; Tanh: `(1/τ_ref)·tanh(J)`.
    pub fn rate(&self, j: f64) -> f64 {
        match *self {
            NeuronType::LIF {
                tau_rc,
                tau_ref,
                amplitude,
                ..
            }
            | NeuronType::LIFRate {
                tau_rc,
                tau_ref,
                amplitude,
            } => {
                let j = j - 1.0;
                if j > 0.0 {
                    amplitude / (s(tau_ref) + s(tau_rc) * (1.0 / j).ln_1p())
                } else {
                    0.0
                }
            }
            NeuronType::RectifiedLinear { amplitude }
            | NeuronType::SpikingRectifiedLinear { amplitude } => amplitude * j.max(0.0),
            NeuronType::Sigmoid { tau_ref } => (1.0 / s(tau_ref)) / (1.0 + (-j).exp()),
            NeuronType::Tanh { tau_ref } => (1.0 / s(tau_ref)) * j.tanh(),
        }
    }

    /// `rates` for every (point, neuron) of `x` (points × neurons, the encoded input
    /// `e_i·x/radius`): `A[p, i] = rate(gain_i·x[p, i] + bias_i)` (Hz) — Nengo's
    /// `get_activities` once the input is encoded.
    pub fn rates_matrix(
        &self,
        x: ndarray::ArrayView2<f64>,
        gain: &[f64],
        bias: &[f64],
    ) -> ndarray::Array2<f64> {
        ndarray::Array2::from_shape_fn(x.dim(), |(p, i)| self.rates(x[[p, i]], gain[i], bias[i]))
    }

    /// `rates(x, gain, bias)` for one neuron: [`rate`](Self::rate) of `gain·x + bias` (Hz).
    pub fn rates(&self, x: f64, gain: f64, bias: f64) -> f64 {
        self.rate(Self::current(x, gain, bias))
    }

    /// Gain and bias that give each neuron its maximum rate (Hz) at x = 1 and its threshold at
    /// x = intercept (`gain_bias`):
    ///
    /// - LIF / LIFRate: `x₁ = 1/(1 − exp((τ_ref − 1/max_rate)/τ_rc))` is the current where the
    ///   rate is max_rate; `gain = (1 − x₁)/(intercept − 1)`, `bias = 1 − gain·intercept`;
    /// - (Spiking)RectifiedLinear: `gain = max_rate/(1 − intercept)`, `bias = −intercept·gain`;
    /// - Sigmoid: `inverse = −ln(1/(τ_ref·max_rate) − 1)`, `gain = inverse/(1 − intercept)`,
    ///   `bias = inverse − gain`;
    /// - Tanh: `inverse = artanh(max_rate·τ_ref)`, `gain = inverse/(1 − intercept)`,
    ///   `bias = −gain·intercept`.
    ///
    /// Max rates must be below 1/τ_ref for LIF, LIFRate, Sigmoid and Tanh.
    pub fn gain_bias(
        &self,
        max_rates: &[f64],
        intercepts: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>), NeuronTypeError> {
        if max_rates.len() != intercepts.len() {
            return Err(NeuronTypeError::Length {
                a: max_rates.len(),
                b: intercepts.len(),
            });
        }
        let ceiling = match *self {
            NeuronType::LIF { tau_ref, .. } | NeuronType::LIFRate { tau_ref, .. } => {
                (tau_ref > 0.0).then(|| 1.0 / s(tau_ref))
            }
            NeuronType::Sigmoid { tau_ref } | NeuronType::Tanh { tau_ref } => {
                Some(1.0 / s(tau_ref))
            }
            _ => None,
        };
        if let Some(limit) = ceiling
            && let Some((neuron, &max_rate)) = max_rates
                .iter()
                .enumerate()
                .find(|(_, r)| r.partial_cmp(&&limit) != Some(std::cmp::Ordering::Less))
        {
            return Err(NeuronTypeError::MaxRate {
                neuron,
                max_rate,
                limit,
            });
        }
        let pairs = max_rates.iter().zip(intercepts);
        let (gain, bias): (Vec<f64>, Vec<f64>) = match *self {
            NeuronType::LIF {
                tau_rc, tau_ref, ..
            }
            | NeuronType::LIFRate {
                tau_rc, tau_ref, ..
            } => pairs
                .map(|(&r, &c)| {
                    let x = 1.0 / (1.0 - ((s(tau_ref) - (1.0 / r)) / s(tau_rc)).exp());
                    let gain = (1.0 - x) / (c - 1.0);
                    (gain, 1.0 - gain * c)
                })
                .unzip(),
            NeuronType::RectifiedLinear { .. } | NeuronType::SpikingRectifiedLinear { .. } => pairs
                .map(|(&r, &c)| {
                    let gain = r / (1.0 - c);
                    (gain, -c * gain)
                })
                .unzip(),
            NeuronType::Sigmoid { tau_ref } => pairs
                .map(|(&r, &c)| {
                    let inverse = -((1.0 / s(tau_ref)) / r - 1.0).ln();
                    let gain = inverse / (1.0 - c);
                    (gain, inverse - gain)
                })
                .unzip(),
            NeuronType::Tanh { tau_ref } => pairs
                .map(|(&r, &c)| {
                    let inverse = (r * s(tau_ref)).atanh();
                    let gain = inverse / (1.0 - c);
                    (gain, -gain * c)
                })
                .unzip(),
        };
        Ok((gain, bias))
    }

    /// The inverse of [`gain_bias`](Self::gain_bias) (`max_rates_intercepts`): each neuron's
    /// maximum rate (Hz, at x = 1) and intercept.
    pub fn max_rates_intercepts(
        &self,
        gain: &[f64],
        bias: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>), NeuronTypeError> {
        if gain.len() != bias.len() {
            return Err(NeuronTypeError::Length {
                a: gain.len(),
                b: bias.len(),
            });
        }
        let pairs = gain.iter().zip(bias);
        Ok(match *self {
            NeuronType::LIF {
                tau_rc, tau_ref, ..
            }
            | NeuronType::LIFRate {
                tau_rc, tau_ref, ..
            } => pairs
                .map(|(&g, &b)| {
                    let c = (1.0 - b) / g;
                    let r = 1.0 / (s(tau_ref) - s(tau_rc) * (1.0 / (g * (c - 1.0) - 1.0)).ln_1p());
                    (r, c)
                })
                .unzip(),
            NeuronType::RectifiedLinear { .. } | NeuronType::SpikingRectifiedLinear { .. } => pairs
                .map(|(&g, &b)| {
                    let c = -b / g;
                    (g * (1.0 - c), c)
                })
                .unzip(),
            NeuronType::Sigmoid { tau_ref } => pairs
                .map(|(&g, &b)| {
                    let inverse = g + b;
                    let c = 1.0 - inverse / g;
                    ((1.0 / s(tau_ref)) / (1.0 + (-inverse).exp()), c)
                })
                .unzip(),
            NeuronType::Tanh { tau_ref } => pairs
                .map(|(&g, &b)| {
                    let c = -b / g;
                    ((1.0 / s(tau_ref)) * (g + b).tanh(), c)
                })
                .unzip(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lif_rate_has_no_singularity_at_threshold() {
        let lif = NeuronType::default();
        assert_eq!(lif.rate(1.0), 0.0);
        assert_eq!(lif.rate(0.3), 0.0);
        for j in [1.0 + 1e-15, 1.0 + 1e-12, 1.0 + 1e-9] {
            let r = lif.rate(j);
            assert!((0.0..10.0).contains(&r), "J = {j}: {r}");
        }
        // Rate is increasing and approaches 1/τ_ref = 500 Hz.
        assert!(lif.rate(2.0) < lif.rate(3.0));
        assert!(lif.rate(1e9) < 500.0 && lif.rate(1e9) > 499.0);
    }

    #[test]
    fn gain_bias_round_trips_and_hits_its_targets() {
        for nt in [
            NeuronType::default(),
            NeuronType::RectifiedLinear { amplitude: 1.0 },
            NeuronType::Sigmoid { tau_ref: 2.5 },
            NeuronType::Tanh { tau_ref: 2.5 },
        ] {
            let (g, b) = nt.gain_bias(&[100.0, 250.0], &[-0.5, 0.3]).unwrap();
            // The rate at x = 1 is the max rate.
            assert!((nt.rates(1.0, g[0], b[0]) - 100.0).abs() < 1e-9, "{nt:?}");
            let (r, c) = nt.max_rates_intercepts(&g, &b).unwrap();
            assert!(
                (r[1] - 250.0).abs() < 1e-9 && (c[1] - 0.3).abs() < 1e-12,
                "{nt:?}"
            );
        }
    }

    #[test]
    fn validate_names_the_field() {
        let bad = NeuronType::LIF {
            tau_rc: 20.0,
            tau_ref: -1.0,
            min_voltage: 0.0,
            amplitude: 1.0,
        };
        assert!(matches!(
            bad.validate(),
            Err(NeuronTypeError::Parameter {
                field: "tau_ref",
                ..
            })
        ));
        let bad = NeuronType::LIF {
            tau_rc: 20.0,
            tau_ref: 2.0,
            min_voltage: 0.5,
            amplitude: 1.0,
        };
        assert!(matches!(
            bad.validate(),
            Err(NeuronTypeError::Parameter {
                field: "min_voltage",
                ..
            })
        ));
        assert!(NeuronType::Tanh { tau_ref: 0.0 }.validate().is_err());
        assert!(NeuronType::default().validate().is_ok());
    }

    #[test]
    fn max_rate_at_the_ceiling_is_an_error() {
        let e = NeuronType::default()
            .gain_bias(&[100.0, 500.0], &[0.0, 0.0])
            .unwrap_err();
        assert_eq!(
            e,
            NeuronTypeError::MaxRate {
                neuron: 1,
                max_rate: 500.0,
                limit: 500.0
            }
        );
        assert!(e.to_string().contains("1/tau_ref"));
    }
}
