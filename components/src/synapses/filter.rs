//! Nengo's synapse filters (`nengo/synapses.py`, Nengo 4.1.0): `None`, `Lowpass(tau)` and
//! `Alpha(tau)`, discretised with a zero-order hold and run as Nengo's `LinearFilter` steps.

use serde::{Deserialize, Serialize};

use crate::Real;

/// A synapse on a connection or probe (Nengo's `synapse=`). Times in ms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Synapse {
    /// No filter, no state: `y = u` (`synapse=None`).
    #[default]
    None,
    /// First-order lowpass `H(s) = 1/(τs + 1)`, τ in ms (`nengo.Lowpass`).
    Lowpass {
        /// Time constant τ (ms); 0 means `y = u` (still a Nengo "synapse", with its delay).
        tau: f64,
    },
    /// Second-order alpha filter `H(s) = 1/(τs + 1)²`, τ in ms (`nengo.Alpha`).
    Alpha {
        /// Time constant τ (ms), > 0.
        tau: f64,
    },
}

/// The discrete filter of a [`Synapse`] at step dt: a state-space system
/// `x' = A·x + B·u`, `y = C·x'` of order 0, 1 or 2 (Nengo's `OneX` / `NoD` steps, whose output
/// includes this step's input).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DiscreteFilter {
    /// `y = u`.
    Identity,
    /// `x' = a·x + b·u ; y = x'` (C·B folded into b, as Nengo's `OneX`).
    First {
        /// `A_d = exp(−dt/τ)`.
        a: f64,
        /// `C·B_d = 1 − exp(−dt/τ)`.
        b: f64,
    },
    /// `x' = A·x + B·u ; y = C·x'`.
    Second {
        /// 2 × 2 transition matrix, row-major.
        a: [[f64; 2]; 2],
        /// Input column.
        b: [f64; 2],
        /// Output row.
        c: [f64; 2],
    },
}

impl Synapse {
    /// Checks τ (finite, ≥ 0; > 0 for Alpha).
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Synapse::None => Ok(()),
            Synapse::Lowpass { tau } if tau.is_finite() && tau >= 0.0 => Ok(()),
            Synapse::Alpha { tau } if tau.is_finite() && tau > 0.0 => Ok(()),
            Synapse::Lowpass { tau } => Err(format!("Lowpass tau: a time ≥ 0 ms, found {tau}")),
            Synapse::Alpha { tau } => Err(format!("Alpha tau: a time > 0 ms, found {tau}")),
        }
    }

    /// Zero-order-hold discretisation at step `dt` (ms), in closed form:
    ///
    /// - Lowpass: `a = exp(−dt/τ)`, `b = −expm1(−dt/τ)`;
    /// - Alpha (double pole at −1/τ, Nengo's controller canonical form
    ///   `A = [[−2/τ, −1/τ²], [1, 0]]`, `B = [1, 0]ᵀ`, `C = [0, 1/τ²]`):
    ///   `A_d = e^(At) = e^(−h)·[[1 − h, −dt/τ²], [dt, 1 + h]]` with `h = dt/τ`, and
    ///   `B_d = ∫₀^dt e^(As)·B ds = [dt·e^(−h), τ² − τ·(τ + dt)·e^(−h)]ᵀ`.
    ///
    /// Nengo computes the same matrices with a Padé matrix exponential, which can differ from
    /// the closed form in the last bit (`network/synapse/lowpass_coefficients.csv`: a and b of
    /// Lowpass agree within 2 ulp).
    pub fn discretize(&self, dt: f64) -> DiscreteFilter {
        match *self {
            Synapse::None | Synapse::Lowpass { tau: 0.0 } => DiscreteFilter::Identity,
            Synapse::Lowpass { tau } => DiscreteFilter::First {
                a: (-dt / tau).exp(),
                b: -(-dt / tau).exp_m1(),
            },
            Synapse::Alpha { tau } => {
                let h = dt / tau;
                let e = (-h).exp();
                let a = [
                    [e * (1.0 - h), -e * dt / (tau * tau)],
                    [e * dt, e * (1.0 + h)],
                ];
                let b = [dt * e, tau * tau - tau * (tau + dt) * e];
                let c = [0.0, 1.0 / (tau * tau)];
                DiscreteFilter::Second { a, b, c }
            }
        }
    }
}

/// The state of one filtered signal: one or two values per dimension, stored as two rows
/// (`x0` then `x1`, each `n` long) so it can be saved and restored as one array.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterState {
    x: Vec<Real>,
}

impl FilterState {
    /// Zero state for `n` dimensions.
    pub fn new(n: usize) -> Self {
        Self {
            x: vec![0.0; 2 * n],
        }
    }

    /// Dimensions filtered.
    pub fn len(&self) -> usize {
        self.x.len() / 2
    }

    /// Whether it filters nothing.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The state, `2 × n` row-major (`x0` row, then `x1`).
    pub fn values(&self) -> &[Real] {
        &self.x
    }

    /// The state, mutable (to restore a saved one).
    pub fn values_mut(&mut self) -> &mut [Real] {
        &mut self.x
    }
}

/// A float type a filter can run in (`f32` or `f64`).
pub trait Sample: Copy + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> {
    /// A coefficient, rounded to this type.
    fn coef(v: f64) -> Self;
}

impl Sample for f32 {
    fn coef(v: f64) -> Self {
        v as f32
    }
}

impl Sample for f64 {
    fn coef(v: f64) -> Self {
        v
    }
}

impl DiscreteFilter {
    /// One step: advances `state` with input `u` and writes the output `y` (all length n).
    pub fn step(&self, state: &mut FilterState, u: &[Real], y: &mut [Real]) {
        self.step_slices(&mut state.x, u, y);
    }

    /// One step on raw state `x` (`2n` values: `x0` then `x1`) in any [`Sample`] type, with
    /// the coefficients rounded to it: Lowpass `x = a·x + b·u, y = x`; Alpha
    /// `x' = A·x + B·u, y = C·x'`.
    pub fn step_slices<T: Sample>(&self, x: &mut [T], u: &[T], y: &mut [T]) {
        match *self {
            DiscreteFilter::Identity => y.copy_from_slice(u),
            DiscreteFilter::First { a, b } => {
                let (a, b) = (T::coef(a), T::coef(b));
                for ((x, &ui), yi) in x.iter_mut().zip(u).zip(y.iter_mut()) {
                    *x = a * *x + b * ui;
                    *yi = *x;
                }
            }
            DiscreteFilter::Second { a, b, c } => {
                let r = T::coef;
                let n = u.len();
                let (s0, s1) = x.split_at_mut(n);
                for i in 0..n {
                    let (x0, x1) = (s0[i], s1[i]);
                    let n0 = r(a[0][0]) * x0 + r(a[0][1]) * x1 + r(b[0]) * u[i];
                    let n1 = r(a[1][0]) * x0 + r(a[1][1]) * x1 + r(b[1]) * u[i];
                    s0[i] = n0;
                    s1[i] = n1;
                    y[i] = r(c[0]) * n0 + r(c[1]) * n1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Law: the steady-state gain of both filters is 1 (a constant input passes unchanged).
    #[test]
    fn unit_dc_gain() {
        for syn in [Synapse::Lowpass { tau: 5.0 }, Synapse::Alpha { tau: 5.0 }] {
            let f = syn.discretize(1.0);
            let mut s = FilterState::new(1);
            let mut y = [0.0];
            for _ in 0..2000 {
                f.step(&mut s, &[1.0], &mut y);
            }
            assert!((y[0] as f64 - 1.0).abs() < 1e-5, "{syn:?}: {}", y[0]);
        }
    }

    /// Law: the alpha filter's impulse response (continuous) is t·e^(−t/τ)/τ², peaking at t = τ;
    /// the discrete one samples the response to a step-held pulse, which tends to it as dt → 0.
    #[test]
    fn alpha_impulse_response_peaks_at_tau() {
        let tau = 5.0;
        let dt = 0.01;
        let f = Synapse::Alpha { tau }.discretize(dt);
        let mut s = FilterState::new(1);
        let mut y = [0.0];
        let mut best = (0.0, 0);
        for k in 0..5000 {
            let u = if k == 0 { 1.0 / dt as Real } else { 0.0 };
            f.step(&mut s, &[u], &mut y);
            if y[0] as f64 > best.0 {
                best = (y[0] as f64, k);
            }
        }
        let t_peak = best.1 as f64 * dt;
        assert!((t_peak - tau).abs() < 0.05, "peak at {t_peak} ms");
        let peak = tau * (-1.0f64).exp() / (tau * tau);
        assert!((best.0 - peak).abs() / peak < 1e-2, "{} vs {peak}", best.0);
    }
}
