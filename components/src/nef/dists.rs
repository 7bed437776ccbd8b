//! Distributions of per-neuron values and of points: Nengo 4.1.0's `nengo/dists.py`.
//!
//! A [`Distribution`] is what a config writes for an ensemble's encoders, intercepts, max rates,
//! eval points or initial voltages; [`Distribution::sample`] turns it into an `n × d` array.
//! Values carry whatever units the field they fill has (Hz for max rates, fractions of the radius
//! for intercepts and eval points, dimensionless unit vectors for encoders).
//!
//! | variant | Nengo class | one row |
//! | --- | --- | --- |
//! | `Uniform { low, high }` | `Uniform` | `low + (high − low)·u`, `u ~ U[0, 1)` per entry |
//! | `Gaussian { mean, std }` | `Gaussian` | `mean + std·z`, `z ~ N(0, 1)` per entry |
//! | `Choice { options }` | `Choice` (uniform weights) | one of the options, each with probability `1/len` |
//! | `UniformHypersphere { surface }` | `UniformHypersphere` | uniform on the unit sphere `S^(d−1)` or in the unit ball |
//! | `ScatteredHypersphere { surface }` | `ScatteredHypersphere` | a quasirandom, evenly scattered point of the sphere or ball |
//! | `QuasirandomSequence` | `QuasirandomSequence` | a point of the randomly shifted `R_d` sequence in `[0, 1)^d` |
//! | `Values([...])` | `Samples` (`n × 1`) | the given value of that row |
//! | `Matrix([[...], ...])` | `Samples` (`n × d`) | the given row |
//!
//! Nengo's defaults for an ensemble are `ScatteredHypersphere(surface: true)` for encoders and
//! `ScatteredHypersphere(surface: false)` for eval points (see `nef::ensemble`).
//!
//! # Where this differs from Nengo (on purpose)
//!
//! - Random numbers come from cortecs' ChaCha8 streams ([`crate::rng`]), not numpy's
//!   `RandomState`, so samples are not Nengo's numbers; the draws happen in Nengo's order and the
//!   distributions are the same.
//! - `ScatteredHypersphere` in `d > 1` uses Nengo's exact spherical coordinate transform
//!   (`method="sct"`); Nengo's default `"sct-approx"` is the same map with the inverse incomplete
//!   beta function read from a lookup table. Here the inverse is solved by Newton's method on a
//!   closed form of the angle's CDF (see [`Distribution::ScatteredHypersphere`]).
//! - Bad parameters are a typed [`DistError`], never a panic: NaN/±inf, `low > high`, `std < 0`,
//!   empty or ragged `Choice`/`Matrix`, and explicit arrays of the wrong shape. Nengo requires
//!   `std > 0`; `std = 0` (a constant) is allowed here.

use std::f64::consts::{FRAC_PI_2, PI, TAU};

use ndarray::Array2;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::Rng;
use serde::{Deserialize, Serialize};

use crate::rng::normal;

/// A distribution of per-neuron values or of points, as written in configs (Nengo 4.1.0,
/// `nengo/dists.py`). The values have the units of the field the distribution fills.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Distribution {
    /// Nengo `Uniform(low, high)`: every entry is `low + (high − low)·u` with `u` uniform in
    /// `[0, 1)` (53 random bits), so entries lie in `[low, high)` (all equal `low` when
    /// `low == high`).
    Uniform {
        /// Lower bound (inclusive).
        low: f64,
        /// Upper bound (exclusive, unless equal to `low`).
        high: f64,
    },
    /// Nengo `Gaussian(mean, std)`: every entry is `mean + std·z`, `z` standard normal
    /// (Box–Muller, [`crate::rng::normal`]). `std = 0` gives the constant `mean`.
    Gaussian {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        std: f64,
    },
    /// Nengo `Choice(options)` with uniform weights: each row is one of the options, picked
    /// independently with probability `1/len`. Each option is a point of `d` values
    /// (`d = 1`: `[[1.0], [2.0]]`).
    Choice {
        /// The points to choose between; all of the same length, which must be `d`.
        options: Vec<Vec<f64>>,
    },
    /// Nengo `UniformHypersphere(surface)`: uniformly distributed on the unit sphere
    /// `S^(d−1)` (`surface: true`) or in the unit ball (`surface: false`). A row is a standard
    /// normal vector `g` (d draws) normalised, `g/|g|`; in the ball it is then scaled by
    /// `u^(1/d)`, `u` uniform in `[0, 1)`, so that `P(|x| ≤ r) = r^d`. In `d = 1` this gives `±1`
    /// (surface) or uniform values in `(−1, 1)` (ball).
    UniformHypersphere {
        /// On the sphere (`true`) or in the ball (`false`, the default).
        #[serde(default)]
        surface: bool,
    },
    /// Nengo `ScatteredHypersphere(surface)`: like [`Distribution::UniformHypersphere`], but the
    /// points are a quasirandom set scattered more evenly than independent draws (discrepancy
    /// `~1/n` rather than `~1/√n`). Nengo's default for encoders (`surface: true`) and eval
    /// points (`surface: false`).
    ///
    /// - `d = 1`, surface: `sign(q − 1/2)` for the points `q` of a 1-D
    ///   [`Distribution::QuasirandomSequence`], i.e. a shuffled, balanced set of `±1`
    ///   (`⌊n/2⌋` of one sign, `⌈n/2⌉` of the other; an exact `q = 1/2` maps to `+1`).
    /// - `d = 1`, ball: `⌊n/2⌋` points of a 1-D sequence stacked on the negatives of
    ///   `n − ⌊n/2⌋` points of another, then the rows shuffled.
    /// - `d > 1`: the spherical coordinate transform (SCT) of Fang & Wang, *Number-Theoretic
    ///   Methods in Statistics* (1994), §1.5.2–1.5.3, as Nengo's `spherical_transform_sct`:
    ///   `k = d − 1` coordinates `y_j` of a quasirandom point become angles — `θ_j` for
    ///   `j < k − 1` solves `F_m(θ_j) = y_j`, where `F_m(θ) = ∫₀^θ sin^m t dt / ∫₀^π sin^m t dt`
    ///   with `m = k − 1 − j` (the marginal law of the j-th angle of a uniform point), and the
    ///   last angle is `2π·y_(k−1)` — and the point is
    ///   `x_0 = cos θ_0, x_i = sin θ_0 ⋯ sin θ_(i−1) · cos θ_i, x_(d−1) = sin θ_0 ⋯ sin θ_(k−1)`.
    ///   For the ball the quasirandom point has one more coordinate `y_(d−1)` and the point is
    ///   scaled by `y_(d−1)^(1/d)`. Finally every point is multiplied by one random orthogonal
    ///   `d × d` matrix (Gram–Schmidt QR of a standard normal matrix, Haar distributed like
    ///   Nengo's `u·v` from its SVD), so different seeds give different sets. Surface points are
    ///   renormalised after the rotation so that `|x| = 1` to rounding.
    ///
    /// Nengo's default `method="sct-approx"` reads the inverse of `F_m` (via `betaincinv`) from
    /// a lookup table; here it is solved by safeguarded Newton iteration on the closed form
    /// `F_m(θ) = F_(m mod 2)(θ) − cos θ · Σ sin^(m'−1)θ / (m'·W_m')`, the sum over
    /// `m' = m mod 2 + 2, …, m` in steps of 2, `W_m' = ∫₀^π sin^m' t dt`.
    ScatteredHypersphere {
        /// On the sphere (`true`) or in the ball (`false`, the default).
        #[serde(default)]
        surface: bool,
    },
    /// Nengo `QuasirandomSequence`: `n` points in `[0, 1)^d`, evenly spread, with a random
    /// offset `s` (uniform in `[0, 1)^d`) and the rows shuffled (Fisher–Yates).
    ///
    /// - `d = 1`: `z_i = (s + i/n) mod 1`, `i = 0 … n−1`: a grid of spacing `1/n` shifted by `s`.
    /// - `d > 1`: the `R_d` sequence of M. Roberts, "The Unreasonable Effectiveness of
    ///   Quasirandom Sequences" (2018): `z_ij = (s_j + (i + 1)·α_j) mod 1` with
    ///   `α_j = φ_d^−(j+1)`, `j = 0 … d−1`, where `φ_d` is the positive root of
    ///   `x^(d+1) = x + 1` (Newton's method from `x = 1`).
    QuasirandomSequence,
    /// Explicit per-neuron values (Nengo `Samples` of shape `n × 1`): exactly `n` entries, and
    /// only for 1-dimensional samples.
    Values(Vec<f64>),
    /// Explicit points (Nengo `Samples` of shape `n × d`): exactly `n` rows of `d` values.
    Matrix(Vec<Vec<f64>>),
}

/// Why a distribution cannot be sampled. Messages state what was expected and what was found;
/// the caller adds which object and field it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    /// A parameter or explicit value is NaN or ±infinity.
    #[error("{what} is not a finite number (found {value})")]
    NotFinite {
        /// Which value, e.g. `"Uniform: low"` or `"Matrix row 2, column 0"`.
        what: String,
        /// The value found.
        value: f64,
    },
    /// `Uniform` with `low > high`.
    #[error("Uniform: low ({low}) > high ({high})")]
    LowAboveHigh {
        /// The lower bound.
        low: f64,
        /// The upper bound.
        high: f64,
    },
    /// `Gaussian` with a negative standard deviation.
    #[error("Gaussian: std ({std}) < 0, expected a standard deviation ≥ 0")]
    NegativeStd {
        /// The standard deviation found.
        std: f64,
    },
    /// `Choice` without options.
    #[error("Choice has no options, expected at least 1")]
    EmptyChoice,
    /// A `Choice` option or `Matrix` row has the wrong number of values.
    #[error("{what} {index} has {found} values, expected {expected} ({reason})")]
    RowLength {
        /// `"Choice option"` or `"Matrix row"`.
        what: &'static str,
        /// The option or row (from 0).
        index: usize,
        /// Its number of values.
        found: usize,
        /// The number expected.
        expected: usize,
        /// Where the expected number comes from (`"dimensions"`, `"the length of row 0"`).
        reason: &'static str,
    },
    /// `Values` or `Matrix` holds a different number of rows than requested.
    #[error("{what} has {found} {unit}, expected {expected} (one per neuron or point)")]
    Count {
        /// `"Values"` or `"Matrix"`.
        what: &'static str,
        /// `"entries"` or `"rows"`.
        unit: &'static str,
        /// The number held.
        found: usize,
        /// The number requested.
        expected: usize,
    },
    /// `Values` asked for more than one dimension.
    #[error(
        "Values holds one value per neuron or point (1 dimension), expected {dimensions} \
         dimensions; write a Matrix instead"
    )]
    ValuesNotScalar {
        /// The dimensions requested.
        dimensions: usize,
    },
    /// A distribution of points asked for 0 dimensions.
    #[error("{what} needs at least 1 dimension, found 0")]
    ZeroDimensions {
        /// The distribution.
        what: &'static str,
    },
}

impl Distribution {
    /// Checks the parameters on their own (no `n`, `d`): every number finite, `low ≤ high`
    /// (`low == high` is allowed), `std ≥ 0`, `Choice` non-empty, and `Choice` options and
    /// `Matrix` rows all of one length.
    pub fn validate(&self) -> Result<(), DistError> {
        match self {
            Self::Uniform { low, high } => {
                finite("Uniform: low", *low)?;
                finite("Uniform: high", *high)?;
                if low > high {
                    return Err(DistError::LowAboveHigh {
                        low: *low,
                        high: *high,
                    });
                }
            }
            Self::Gaussian { mean, std } => {
                finite("Gaussian: mean", *mean)?;
                finite("Gaussian: std", *std)?;
                if *std < 0.0 {
                    return Err(DistError::NegativeStd { std: *std });
                }
            }
            Self::Choice { options } => {
                let first = options.first().ok_or(DistError::EmptyChoice)?;
                check_rows("Choice option", options, first.len())?;
            }
            Self::Values(values) => {
                for (i, v) in values.iter().enumerate() {
                    if !v.is_finite() {
                        return Err(DistError::NotFinite {
                            what: format!("Values entry {i}"),
                            value: *v,
                        });
                    }
                }
            }
            Self::Matrix(rows) => {
                if let Some(first) = rows.first() {
                    check_rows("Matrix row", rows, first.len())?;
                }
            }
            Self::UniformHypersphere { .. }
            | Self::ScatteredHypersphere { .. }
            | Self::QuasirandomSequence => {}
        }
        Ok(())
    }

    /// The number of rows an explicit `Values` or `Matrix` holds; `None` for the random
    /// distributions, which give any number.
    pub fn n_points(&self) -> Option<usize> {
        match self {
            Self::Values(values) => Some(values.len()),
            Self::Matrix(rows) => Some(rows.len()),
            _ => None,
        }
    }

    /// Draws `n` samples of `d` values each: an `n × d` array (rows are neurons or points),
    /// Nengo's `Distribution.sample(n, d, rng)`. The parameters are [validated](Self::validate)
    /// first. Explicit `Values` need `d = 1` and `n` entries, `Matrix` `n` rows of `d`; `Choice`
    /// options must have `d` values; the hyperspheres and `QuasirandomSequence` need `d ≥ 1`.
    /// The same `rng` state gives the same array.
    pub fn sample(
        &self,
        n: usize,
        d: usize,
        rng: &mut ChaCha8Rng,
    ) -> Result<Array2<f64>, DistError> {
        self.validate()?;
        match self {
            Self::Uniform { low, high } => Ok(Array2::from_shape_simple_fn((n, d), || {
                uniform_between(*low, *high, rng)
            })),
            Self::Gaussian { mean, std } => Ok(Array2::from_shape_simple_fn((n, d), || {
                mean + std * normal(rng)
            })),
            Self::Choice { options } => {
                let width = options.first().map_or(0, Vec::len);
                if width != d {
                    return Err(DistError::RowLength {
                        what: "Choice option",
                        index: 0,
                        found: width,
                        expected: d,
                        reason: "dimensions",
                    });
                }
                let mut out = Array2::zeros((n, d));
                for mut row in out.rows_mut() {
                    let pick = &options[index_below(rng, options.len())];
                    for (o, v) in row.iter_mut().zip(pick) {
                        *o = *v;
                    }
                }
                Ok(out)
            }
            Self::UniformHypersphere { surface } => {
                need_dimensions("UniformHypersphere", d)?;
                Ok(uniform_hypersphere(n, d, *surface, rng))
            }
            Self::ScatteredHypersphere { surface } => {
                need_dimensions("ScatteredHypersphere", d)?;
                Ok(scattered_hypersphere(n, d, *surface, rng))
            }
            Self::QuasirandomSequence => {
                need_dimensions("QuasirandomSequence", d)?;
                Ok(quasirandom(n, d, rng))
            }
            Self::Values(values) => {
                if d != 1 {
                    return Err(DistError::ValuesNotScalar { dimensions: d });
                }
                if values.len() != n {
                    return Err(DistError::Count {
                        what: "Values",
                        unit: "entries",
                        found: values.len(),
                        expected: n,
                    });
                }
                Ok(Array2::from_shape_fn((n, 1), |(i, _)| values[i]))
            }
            Self::Matrix(rows) => {
                if rows.len() != n {
                    return Err(DistError::Count {
                        what: "Matrix",
                        unit: "rows",
                        found: rows.len(),
                        expected: n,
                    });
                }
                for (i, row) in rows.iter().enumerate() {
                    if row.len() != d {
                        return Err(DistError::RowLength {
                            what: "Matrix row",
                            index: i,
                            found: row.len(),
                            expected: d,
                            reason: "dimensions",
                        });
                    }
                }
                Ok(Array2::from_shape_fn((n, d), |(i, j)| rows[i][j]))
            }
        }
    }
}

/// Nengo's default number of eval points for an ensemble (`nengo/utils/builder.py`,
/// `default_n_eval_points`): `max(clip(500·dimensions, 750, 2500), 2·n_neurons)`.
pub fn default_n_eval_points(n_neurons: usize, dimensions: usize) -> usize {
    dimensions
        .saturating_mul(500)
        .clamp(750, 2500)
        .max(n_neurons.saturating_mul(2))
}

fn finite(what: &str, value: f64) -> Result<(), DistError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(DistError::NotFinite {
            what: what.to_string(),
            value,
        })
    }
}

/// All rows of length `expected` (that of row 0) and finite.
fn check_rows(what: &'static str, rows: &[Vec<f64>], expected: usize) -> Result<(), DistError> {
    for (i, row) in rows.iter().enumerate() {
        if row.len() != expected {
            return Err(DistError::RowLength {
                what,
                index: i,
                found: row.len(),
                expected,
                reason: "the length of row 0",
            });
        }
        for (j, v) in row.iter().enumerate() {
            if !v.is_finite() {
                return Err(DistError::NotFinite {
                    what: format!("{what} {i}, value {j}"),
                    value: *v,
                });
            }
        }
    }
    Ok(())
}

fn need_dimensions(what: &'static str, d: usize) -> Result<(), DistError> {
    if d == 0 {
        Err(DistError::ZeroDimensions { what })
    } else {
        Ok(())
    }
}

/// A uniform number in `[0, 1)` with 53 random bits (one 64-bit word).
fn uniform01(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `low + (high − low)·u`, kept inside `[low, high)` against rounding (and against an
/// overflowing `high − low`).
fn uniform_between(low: f64, high: f64, rng: &mut ChaCha8Rng) -> f64 {
    let u = uniform01(rng);
    let width = high - low;
    let x = if width.is_finite() {
        low + width * u
    } else {
        low * (1.0 - u) + high * u
    };
    if x >= high && low < high {
        high.next_down()
    } else {
        x.max(low)
    }
}

/// A uniform index in `0..bound` (`bound ≥ 1`), without modulo bias (Lemire's method).
fn index_below(rng: &mut ChaCha8Rng, bound: usize) -> usize {
    let b = bound as u64;
    let threshold = b.wrapping_neg() % b;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(b);
        if (m as u64) >= threshold {
            return (m >> 64) as usize;
        }
    }
}

/// Shuffles the rows in place (Fisher–Yates), as numpy's `rng.shuffle` on a 2-D array.
fn shuffle_rows(z: &mut Array2<f64>, rng: &mut ChaCha8Rng) {
    let (n, d) = z.dim();
    for i in (1..n).rev() {
        let j = index_below(rng, i + 1);
        if j != i {
            for c in 0..d {
                z.swap((i, c), (j, c));
            }
        }
    }
}

/// `φ_d`, the positive root of `x^(d+1) = x + 1` (Nengo `QuasirandomSequence._phi`): Newton's
/// method from `x = 1`, which converges monotonically from the right after the first step.
fn phi(d: usize) -> f64 {
    let p = d as f64;
    let mut x: f64 = 1.0;
    for _ in 0..100 {
        let dx = (x.powf(p + 1.0) - x - 1.0) / ((p + 1.0) * x.powf(p) - 1.0);
        x -= dx;
        if dx.abs() < 1e-15 {
            break;
        }
    }
    x
}

/// Nengo `QuasirandomSequence.sample(n, d)` (see [`Distribution::QuasirandomSequence`]).
fn quasirandom(n: usize, d: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let offset: Vec<f64> = (0..d).map(|_| uniform01(rng)).collect();
    let mut z = Array2::zeros((n, d));
    if d == 1 {
        let step = 1.0 / n as f64;
        for (i, v) in z.iter_mut().enumerate() {
            *v = (offset[0] + i as f64 * step) % 1.0;
        }
    } else {
        let g = 1.0 / phi(d);
        let mut alpha = Vec::with_capacity(d);
        let mut a = 1.0;
        for _ in 0..d {
            a *= g;
            alpha.push(a);
        }
        for ((i, j), v) in z.indexed_iter_mut() {
            *v = (offset[j] + (i + 1) as f64 * alpha[j]) % 1.0;
        }
    }
    shuffle_rows(&mut z, rng);
    z
}

/// Nengo `UniformHypersphere.sample(n, d)` (see [`Distribution::UniformHypersphere`]): all
/// normal draws first, then the radii.
fn uniform_hypersphere(n: usize, d: usize, surface: bool, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let mut out = Array2::zeros((n, d));
    for mut row in out.rows_mut() {
        loop {
            row.iter_mut().for_each(|v| *v = normal(rng));
            let norm = row.dot(&row).sqrt();
            // |g| = 0 has probability 0; draw again rather than divide by it
            if norm > 0.0 && norm.is_finite() {
                row /= norm;
                break;
            }
        }
    }
    if !surface {
        let inv_d = 1.0 / d as f64;
        for mut row in out.rows_mut() {
            row *= uniform01(rng).powf(inv_d);
        }
    }
    out
}

/// Nengo `ScatteredHypersphere.sample(n, d)` (see [`Distribution::ScatteredHypersphere`]).
fn scattered_hypersphere(n: usize, d: usize, surface: bool, rng: &mut ChaCha8Rng) -> Array2<f64> {
    if d == 1 {
        if surface {
            return quasirandom(n, 1, rng).mapv(|q| if q < 0.5 { -1.0 } else { 1.0 });
        }
        let half = n / 2;
        let pos = quasirandom(half, 1, rng);
        let neg = quasirandom(n - half, 1, rng);
        let mut s = Array2::zeros((n, 1));
        for (o, v) in s
            .iter_mut()
            .zip(pos.iter().copied().chain(neg.iter().map(|v| -v)))
        {
            *o = v;
        }
        shuffle_rows(&mut s, rng);
        return s;
    }

    // k = d − 1 angle coordinates; the ball has one more (the radius) as the last coordinate.
    let k = d - 1;
    let cube = quasirandom(n, if surface { k } else { d }, rng);
    // the CDF of angle j (j < k − 1) has exponent m = k − 1 − j, stored at index m − 1
    let cdfs: Vec<SinPowerCdf> = (1..k).map(SinPowerCdf::new).collect();
    let inv_d = 1.0 / d as f64;
    let mut mapped = Array2::zeros((n, d));
    let mut angles = vec![0.0; k];
    for (y, mut x) in cube.rows().into_iter().zip(mapped.rows_mut()) {
        for (j, cdf) in cdfs.iter().rev().enumerate() {
            angles[j] = cdf.ppf(y[j]);
        }
        angles[k - 1] = TAU * y[k - 1];
        let mut sin_product = 1.0;
        for (j, theta) in angles.iter().enumerate() {
            let (s, c) = theta.sin_cos();
            x[j] = sin_product * c;
            sin_product *= s;
        }
        x[k] = sin_product;
        if !surface {
            x *= y[d - 1].powf(inv_d);
        }
    }

    let mut out = mapped.dot(&random_orthogonal(d, rng));
    if surface {
        for mut row in out.rows_mut() {
            let norm = row.dot(&row).sqrt();
            if norm > 0.0 {
                row /= norm;
            }
        }
    }
    out
}

/// A random `d × d` orthogonal matrix, Haar distributed: the `Q` of the QR decomposition (by
/// Gram–Schmidt, each column orthogonalised twice) of a matrix of standard normal draws, with
/// `R`'s diagonal positive. Nengo (`random_orthogonal`) takes `u·v` from the SVD of the same
/// kind of matrix, which has the same (Haar) distribution.
fn random_orthogonal(d: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    'draw: loop {
        let mut q = Array2::from_shape_simple_fn((d, d), || normal(rng));
        for j in 0..d {
            let start = q.column(j).dot(&q.column(j)).sqrt();
            for _ in 0..2 {
                for i in 0..j {
                    let proj = q.column(i).dot(&q.column(j));
                    for r in 0..d {
                        let qi = q[(r, i)];
                        q[(r, j)] -= proj * qi;
                    }
                }
            }
            let norm = q.column(j).dot(&q.column(j)).sqrt();
            // a (numerically) dependent column has probability 0: draw a new matrix
            if norm.is_nan() || norm <= 1e-8 * start {
                continue 'draw;
            }
            q.column_mut(j).mapv_inplace(|v| v / norm);
        }
        return q;
    }
}

/// The law of an angle `θ ∈ [0, π]` with density `sin^m θ / W_m`, `W_m = ∫₀^π sin^m t dt`: the
/// marginal of the SCT angles (Fang & Wang 1994, §1.5.2; Nengo `spherical_coords_ppf`, whose
/// `betaincinv(dims/2, 1/2, ·)` is this law in `z = sin²θ`, with `m = dims − 1`).
struct SinPowerCdf {
    m: usize,
    inv_norm: f64,
    /// `1/(m'·W_m')` for `m' = m mod 2 + 2, m mod 2 + 4, …, m`.
    coeffs: Vec<f64>,
}

impl SinPowerCdf {
    fn new(m: usize) -> Self {
        // W_0 = π, W_1 = 2, W_m = W_(m−2)·(m−1)/m
        let mut w = if m.is_multiple_of(2) { PI } else { 2.0 };
        let mut coeffs = Vec::with_capacity(m / 2);
        let mut mm = m % 2 + 2;
        while mm <= m {
            w *= (mm - 1) as f64 / mm as f64;
            coeffs.push(1.0 / (mm as f64 * w));
            mm += 2;
        }
        Self {
            m,
            inv_norm: 1.0 / w,
            coeffs,
        }
    }

    /// `(F_m(θ), sin^m θ / W_m)`: the CDF and the density. From
    /// `J_m = −sin^(m−1)θ·cosθ/m + (m−1)/m·J_(m−2)` (`J_m = ∫₀^θ sin^m`), unrolled and divided
    /// by `W_m`: `F_m = F_(m mod 2) − cosθ·Σ sin^(m'−1)θ/(m'·W_m')`, with `F_0 = θ/π` and
    /// `F_1 = (1 − cosθ)/2 = sin²(θ/2)`. For `θ ∈ [0, π]`.
    fn cdf_pdf(&self, theta: f64) -> (f64, f64) {
        let (s, c) = theta.sin_cos();
        let s2 = s * s;
        // `power` runs through sin^(m'−2) for m' = m mod 2 + 2, …, m, and ends at sin^m
        let (base, mut power) = if self.m.is_multiple_of(2) {
            (theta / PI, 1.0)
        } else {
            let h = (0.5 * theta).sin();
            (h * h, s)
        };
        let mut sum = 0.0;
        for e in &self.coeffs {
            sum += e * power;
            power *= s2;
        }
        (base - c * s * sum, power * self.inv_norm)
    }

    /// `θ` with `F_m(θ) = y`, `y ∈ [0, 1]`; by the symmetry `F_m(π − θ) = 1 − F_m(θ)` only
    /// `[0, π/2]` is searched.
    fn ppf(&self, y: f64) -> f64 {
        if y > 0.5 {
            PI - self.half_ppf(1.0 - y)
        } else {
            self.half_ppf(y)
        }
    }

    /// `θ ∈ [0, π/2]` with `F_m(θ) = y ≤ 1/2`: Newton's method on `ln F_m(θ) = ln y` from
    /// `θ = π/2`. The density `sin^m` is log-concave, so `ln F_m` is concave: the first step
    /// lands at or left of the root and the iterates then rise monotonically onto it,
    /// quadratically, and the power-law tail near 0 (`F_m ≈ c·θ^(m+1)`) costs no more than the
    /// middle. A step that leaves the bracket of the root is replaced by bisection.
    fn half_ppf(&self, y: f64) -> f64 {
        if y.is_nan() || y <= 0.0 {
            return 0.0;
        }
        match self.m {
            0 => return PI * y,
            1 => return 2.0 * y.sqrt().asin(),
            _ => {}
        }
        let ln_y = y.ln();
        let (mut lo, mut hi) = (0.0, FRAC_PI_2);
        let mut x = hi;
        for _ in 0..100 {
            let (big_f, density) = self.cdf_pdf(x);
            if big_f > y {
                hi = x;
            } else if big_f < y {
                lo = x;
            } else {
                return x;
            }
            // NaN (F ≤ 0 by rounding, or a zero density) falls through to bisection
            let newton = x - (big_f.ln() - ln_y) * big_f / density;
            // converged: the error after this step is of order (step/θ)²
            if (newton - x).abs() <= 1e-11 * x {
                return newton.clamp(0.0, FRAC_PI_2);
            }
            x = if newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if hi - lo <= 1e-15 {
                break;
            }
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKey;

    fn rng(seed: u64) -> ChaCha8Rng {
        StreamKey::new(seed, "dists").at(0, 0)
    }

    fn norms(a: &Array2<f64>) -> Vec<f64> {
        a.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect()
    }

    fn column_means(a: &Array2<f64>) -> Vec<f64> {
        a.columns()
            .into_iter()
            .map(|c| c.sum() / c.len() as f64)
            .collect()
    }

    fn scattered(surface: bool) -> Distribution {
        Distribution::ScatteredHypersphere { surface }
    }

    #[test]
    fn uniform_lies_in_its_interval_with_the_midpoint_as_mean() {
        let (low, high) = (-1.0, 0.9);
        let s = Distribution::Uniform { low, high }
            .sample(100_000, 1, &mut rng(1))
            .unwrap();
        assert!(s.iter().all(|&x| (low..high).contains(&x)));
        let mean = s.mean().unwrap();
        // standard error 1.9/√12/√1e5 ≈ 0.0017
        assert!((mean - (low + high) / 2.0).abs() < 0.01, "{mean}");
        let constant = Distribution::Uniform {
            low: 3.0,
            high: 3.0,
        }
        .sample(10, 2, &mut rng(1))
        .unwrap();
        assert!(constant.iter().all(|&x| x == 3.0));
    }

    #[test]
    fn gaussian_has_its_mean_and_std() {
        let s = Distribution::Gaussian {
            mean: 3.0,
            std: 2.0,
        }
        .sample(50_000, 2, &mut rng(2))
        .unwrap();
        let mean = s.mean().unwrap();
        let std = s.std(0.0);
        assert!((mean - 3.0).abs() < 0.05, "{mean}");
        assert!((std - 2.0).abs() < 0.05, "{std}");
    }

    #[test]
    fn choice_picks_only_options_each_about_equally_often() {
        let options = vec![vec![1.0, 10.0], vec![2.0, 20.0], vec![3.0, 30.0]];
        let s = Distribution::Choice {
            options: options.clone(),
        }
        .sample(30_000, 2, &mut rng(3))
        .unwrap();
        let mut counts = [0usize; 3];
        for row in s.rows() {
            let k = options
                .iter()
                .position(|o| o[0] == row[0] && o[1] == row[1])
                .expect("a sampled row is one of the options");
            counts[k] += 1;
        }
        for c in counts {
            // expected 10 000, standard deviation ≈ 82
            assert!((c as f64 - 10_000.0).abs() < 500.0, "{counts:?}");
        }
        let err = Distribution::Choice { options }
            .sample(4, 1, &mut rng(3))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Choice option 0 has 2 values, expected 1 (dimensions)"
        );
    }

    #[test]
    fn quasirandom_1d_is_an_exactly_shifted_grid() {
        for n in [1usize, 2, 7, 100, 1000] {
            let z = Distribution::QuasirandomSequence
                .sample(n, 1, &mut rng(n as u64))
                .unwrap();
            assert_eq!(z.dim(), (n, 1));
            assert!(z.iter().all(|&v| (0.0..1.0).contains(&v)));
            let mut sorted: Vec<f64> = z.iter().copied().collect();
            sorted.sort_by(f64::total_cmp);
            for w in sorted.windows(2) {
                assert!((w[1] - w[0] - 1.0 / n as f64).abs() < 1e-12);
            }
            // the gap across the wrap-around is a grid step too
            let wrap = sorted[0] + 1.0 - sorted[n - 1];
            assert!((wrap - 1.0 / n as f64).abs() < 1e-12, "{wrap}");
        }
        // and the rows are shuffled: not consecutive grid steps in order
        let z = Distribution::QuasirandomSequence
            .sample(100, 1, &mut rng(9))
            .unwrap();
        let in_order = z
            .iter()
            .zip(z.iter().skip(1))
            .all(|(a, b)| ((b - a).rem_euclid(1.0) - 0.01).abs() < 1e-9);
        assert!(!in_order);
    }

    #[test]
    fn phi_solves_its_equation() {
        assert!((phi(1) - (1.0 + 5f64.sqrt()) / 2.0).abs() < 1e-14);
        for d in [1usize, 2, 3, 5, 10, 64, 512] {
            let x = phi(d);
            assert!(x > 1.0);
            assert!((x.powf(d as f64 + 1.0) - x - 1.0).abs() < 1e-12, "d={d}");
        }
    }

    #[test]
    fn quasirandom_nd_fills_the_cube_evenly() {
        let n = 1000;
        for d in [2usize, 3, 5] {
            let z = Distribution::QuasirandomSequence
                .sample(n, d, &mut rng(d as u64))
                .unwrap();
            assert_eq!(z.dim(), (n, d));
            assert!(z.iter().all(|&v| (0.0..1.0).contains(&v)));
            for m in column_means(&z) {
                // random points: standard error 0.29/√1000 ≈ 0.009
                assert!((m - 0.5).abs() < 0.008, "d={d}: {m}");
            }
            // the fraction in the lower corner [0, 1/2)^d is 2^−d
            let corner = z
                .rows()
                .into_iter()
                .filter(|r| r.iter().all(|&v| v < 0.5))
                .count() as f64
                / n as f64;
            let expected = 0.5f64.powi(d as i32);
            assert!((corner - expected).abs() < 0.01, "d={d}: {corner}");
        }
    }

    #[test]
    fn scattered_1d_surface_is_a_balanced_set_of_signs() {
        for n in [1usize, 2, 99, 100, 101, 1000] {
            let s = scattered(true).sample(n, 1, &mut rng(n as u64)).unwrap();
            assert!(s.iter().all(|&v| v == 1.0 || v == -1.0));
            let plus = s.iter().filter(|&&v| v == 1.0).count();
            let minus = n - plus;
            assert!(
                (plus == n / 2 && minus == n - n / 2) || (minus == n / 2 && plus == n - n / 2),
                "n={n}: {plus} +1, {minus} −1"
            );
        }
    }

    #[test]
    fn scattered_1d_ball_is_two_grids_of_opposite_sign() {
        for n in [2usize, 9, 100, 1001] {
            let s = scattered(false).sample(n, 1, &mut rng(n as u64)).unwrap();
            assert!(s.iter().all(|&v| (-1.0..=1.0).contains(&v)));
            let mut pos: Vec<f64> = s.iter().copied().filter(|&v| v > 0.0).collect();
            let neg = s.iter().filter(|&&v| v < 0.0).count();
            assert_eq!(pos.len(), n / 2, "n={n}");
            assert_eq!(neg, n - n / 2, "n={n}");
            pos.sort_by(f64::total_cmp);
            for w in pos.windows(2) {
                assert!((w[1] - w[0] - 1.0 / (n / 2) as f64).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn scattered_surface_points_are_unit_vectors() {
        for d in 2..=10 {
            let s = scattered(true).sample(500, d, &mut rng(d as u64)).unwrap();
            assert_eq!(s.dim(), (500, d));
            for r in norms(&s) {
                assert!((r - 1.0).abs() < 1e-12, "d={d}: {r}");
            }
        }
    }

    #[test]
    fn scattered_2d_surface_is_an_even_grid_of_angles() {
        // SCT in 2-D maps the 1-D grid to angles 2π·q, then rotates: n equally spaced angles.
        let n = 360;
        let s = scattered(true).sample(n, 2, &mut rng(5)).unwrap();
        let mut angles: Vec<f64> = s.rows().into_iter().map(|r| r[1].atan2(r[0])).collect();
        angles.sort_by(f64::total_cmp);
        for w in angles.windows(2) {
            assert!((w[1] - w[0] - TAU / n as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn scattered_surface_moments_beat_random_points() {
        let n = 1000;
        for d in [2usize, 3] {
            for seed in 0..5 {
                let s = scattered(true).sample(n, d, &mut rng(seed)).unwrap();
                for m in column_means(&s) {
                    // random points: standard error 1/√(n·d) ≈ 0.02 (d=2), 0.018 (d=3)
                    assert!(m.abs() < 0.005, "d={d}, seed {seed}: mean {m}");
                }
                let squares = column_means(&s.mapv(|v| v * v));
                for m2 in squares {
                    assert!((m2 - 1.0 / d as f64).abs() < 0.01, "d={d}: {m2}");
                }
            }
        }
    }

    #[test]
    fn scattered_3d_surface_matches_cap_areas() {
        // On S², the cap {x·v ≥ t} holds the fraction (1 − t)/2 of the surface (Archimedes).
        let n = 1000;
        let s = scattered(true).sample(n, 3, &mut rng(11)).unwrap();
        let dirs = Distribution::UniformHypersphere { surface: true }
            .sample(10, 3, &mut rng(12))
            .unwrap();
        for v in dirs.rows() {
            let dots = s.dot(&v);
            for t in [-0.8, -0.3, 0.0, 0.4, 0.9] {
                let frac = dots.iter().filter(|&&x| x >= t).count() as f64 / n as f64;
                // random points: standard error up to 0.016
                assert!((frac - (1.0 - t) / 2.0).abs() < 0.01, "t={t}: {frac}");
            }
        }
    }

    #[test]
    fn scattered_higher_dimensional_surface_has_isotropic_moments() {
        for d in [5usize, 8] {
            let n = 4000;
            let s = scattered(true).sample(n, d, &mut rng(d as u64)).unwrap();
            for m in column_means(&s) {
                assert!(m.abs() < 0.01, "d={d}: {m}");
            }
            for m2 in column_means(&s.mapv(|v| v * v)) {
                assert!((m2 - 1.0 / d as f64).abs() < 0.01, "d={d}: {m2}");
            }
        }
    }

    #[test]
    fn scattered_ball_points_fill_the_ball_evenly() {
        let n = 2000;
        for d in [2usize, 3, 6] {
            let s = scattered(false).sample(n, d, &mut rng(d as u64)).unwrap();
            let r = norms(&s);
            assert!(r.iter().all(|&x| x <= 1.0 + 1e-12), "d={d}");
            // P(|x| ≤ ρ) = ρ^d in the uniform ball
            for rho in [0.3, 0.6, 0.9] {
                let frac = r.iter().filter(|&&x| x <= rho).count() as f64 / n as f64;
                let expected = f64::powi(rho, d as i32);
                assert!((frac - expected).abs() < 0.01, "d={d}, ρ={rho}: {frac}");
            }
            for m in column_means(&s) {
                assert!(m.abs() < 0.01, "d={d}: {m}");
            }
            // E|x|² = d/(d + 2) in the uniform ball
            let mean_sq = r.iter().map(|x| x * x).sum::<f64>() / n as f64;
            assert!((mean_sq - d as f64 / (d as f64 + 2.0)).abs() < 0.01);
        }
    }

    #[test]
    fn uniform_hypersphere_has_the_laws_of_the_sphere_and_ball() {
        let n = 20_000;
        let s = Distribution::UniformHypersphere { surface: true }
            .sample(n, 1, &mut rng(1))
            .unwrap();
        assert!(s.iter().all(|&v| v == 1.0 || v == -1.0));
        let b = Distribution::UniformHypersphere { surface: false }
            .sample(n, 1, &mut rng(1))
            .unwrap();
        assert!(b.iter().all(|&v| (-1.0..=1.0).contains(&v)));
        for d in [2usize, 4] {
            let s = Distribution::UniformHypersphere { surface: true }
                .sample(n, d, &mut rng(d as u64))
                .unwrap();
            assert!(norms(&s).iter().all(|r| (r - 1.0).abs() < 1e-12));
            for m2 in column_means(&s.mapv(|v| v * v)) {
                assert!((m2 - 1.0 / d as f64).abs() < 0.01, "{m2}");
            }
            let b = Distribution::UniformHypersphere { surface: false }
                .sample(n, d, &mut rng(d as u64))
                .unwrap();
            let r = norms(&b);
            assert!(r.iter().all(|&x| x <= 1.0));
            let frac = r.iter().filter(|&&x| x <= 0.5).count() as f64 / n as f64;
            assert!((frac - 0.5f64.powi(d as i32)).abs() < 0.015, "{frac}");
        }
    }

    #[test]
    fn the_same_stream_gives_the_same_samples() {
        let all = [
            Distribution::Uniform {
                low: 0.0,
                high: 1.0,
            },
            Distribution::Gaussian {
                mean: 0.0,
                std: 1.0,
            },
            Distribution::Choice {
                options: vec![vec![0.0; 3], vec![1.0; 3]],
            },
            Distribution::UniformHypersphere { surface: false },
            Distribution::UniformHypersphere { surface: true },
            scattered(false),
            scattered(true),
            Distribution::QuasirandomSequence,
        ];
        for dist in &all {
            for d in [1usize, 3] {
                if matches!(dist, Distribution::Choice { .. }) && d != 3 {
                    continue;
                }
                let a = dist.sample(50, d, &mut rng(7)).unwrap();
                let b = dist.sample(50, d, &mut rng(7)).unwrap();
                let c = dist.sample(50, d, &mut rng(8)).unwrap();
                assert_eq!(a, b, "{dist:?}");
                assert_ne!(a, c, "{dist:?}, d={d}");
            }
        }
    }

    #[test]
    fn nothing_requested_gives_an_empty_array() {
        for dist in [
            Distribution::Uniform {
                low: 0.0,
                high: 1.0,
            },
            Distribution::UniformHypersphere { surface: false },
            scattered(false),
            scattered(true),
            Distribution::QuasirandomSequence,
            Distribution::Values(vec![]),
            Distribution::Matrix(vec![]),
        ] {
            let d = if matches!(dist, Distribution::Values(_)) {
                1
            } else {
                2
            };
            assert_eq!(dist.sample(0, d, &mut rng(1)).unwrap().dim(), (0, d));
        }
    }

    #[test]
    fn explicit_values_and_matrices_are_returned_as_given() {
        let v = Distribution::Values(vec![1.0, 2.0, 3.0]);
        assert_eq!(v.n_points(), Some(3));
        let s = v.sample(3, 1, &mut rng(1)).unwrap();
        assert_eq!(s, ndarray::array![[1.0], [2.0], [3.0]]);
        let m = Distribution::Matrix(vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
        assert_eq!(m.n_points(), Some(2));
        assert_eq!(
            m.sample(2, 2, &mut rng(1)).unwrap(),
            ndarray::array![[1.0, 2.0], [3.0, 4.0]]
        );
        assert_eq!(scattered(true).n_points(), None);
    }

    #[test]
    fn explicit_arrays_of_the_wrong_shape_are_errors() {
        let msg =
            |dist: &Distribution, n, d| dist.sample(n, d, &mut rng(1)).unwrap_err().to_string();
        let v = Distribution::Values(vec![1.0, 2.0, 3.0]);
        assert_eq!(
            msg(&v, 100, 1),
            "Values has 3 entries, expected 100 (one per neuron or point)"
        );
        assert!(matches!(
            v.sample(3, 2, &mut rng(1)),
            Err(DistError::ValuesNotScalar { dimensions: 2 })
        ));
        let m = Distribution::Matrix(vec![vec![0.0, 0.0, 0.0]; 5]);
        assert_eq!(
            msg(&m, 4, 3),
            "Matrix has 5 rows, expected 4 (one per neuron or point)"
        );
        assert_eq!(
            msg(&m, 5, 2),
            "Matrix row 0 has 3 values, expected 2 (dimensions)"
        );
        for dist in [
            scattered(true),
            Distribution::UniformHypersphere { surface: true },
            Distribution::QuasirandomSequence,
        ] {
            assert!(matches!(
                dist.sample(3, 0, &mut rng(1)),
                Err(DistError::ZeroDimensions { .. })
            ));
        }
    }

    #[test]
    fn bad_parameters_are_errors() {
        let bad = |dist: Distribution| dist.validate().unwrap_err().to_string();
        assert_eq!(
            bad(Distribution::Uniform {
                low: 1.0,
                high: 0.0
            }),
            "Uniform: low (1) > high (0)"
        );
        assert_eq!(
            bad(Distribution::Uniform {
                low: f64::NAN,
                high: 0.0
            }),
            "Uniform: low is not a finite number (found NaN)"
        );
        assert!(
            bad(Distribution::Gaussian {
                mean: 0.0,
                std: f64::INFINITY
            })
            .contains("not a finite number")
        );
        assert!(matches!(
            Distribution::Gaussian {
                mean: 0.0,
                std: -1.0
            }
            .validate(),
            Err(DistError::NegativeStd { .. })
        ));
        assert_eq!(
            bad(Distribution::Choice { options: vec![] }),
            "Choice has no options, expected at least 1"
        );
        assert_eq!(
            bad(Distribution::Choice {
                options: vec![vec![1.0], vec![1.0, 2.0]]
            }),
            "Choice option 1 has 2 values, expected 1 (the length of row 0)"
        );
        assert_eq!(
            bad(Distribution::Matrix(vec![
                vec![1.0, 2.0],
                vec![1.0, 2.0],
                vec![1.0]
            ])),
            "Matrix row 2 has 1 values, expected 2 (the length of row 0)"
        );
        assert!(bad(Distribution::Matrix(vec![vec![1.0, f64::NAN]])).contains("row 0, value 1"));
        assert!(bad(Distribution::Values(vec![0.0, f64::NEG_INFINITY])).contains("entry 1"));
        // sample refuses them too
        assert!(
            Distribution::Uniform {
                low: 1.0,
                high: 0.0
            }
            .sample(3, 1, &mut rng(1))
            .is_err()
        );
        // allowed edge cases
        for ok in [
            Distribution::Uniform {
                low: 1.0,
                high: 1.0,
            },
            Distribution::Gaussian {
                mean: 1.0,
                std: 0.0,
            },
            Distribution::Matrix(vec![]),
            Distribution::Values(vec![]),
        ] {
            assert_eq!(ok.validate(), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn default_n_eval_points_follows_nengo() {
        assert_eq!(default_n_eval_points(100, 1), 750);
        assert_eq!(default_n_eval_points(100, 2), 1000);
        assert_eq!(default_n_eval_points(2000, 1), 4000);
        assert_eq!(default_n_eval_points(10, 10), 2500);
    }

    #[test]
    fn sin_power_cdf_is_the_integral_of_its_density() {
        for m in 0..=12 {
            let law = SinPowerCdf::new(m);
            assert!(law.cdf_pdf(0.0).0.abs() < 1e-15);
            assert!((law.cdf_pdf(FRAC_PI_2).0 - 0.5).abs() < 1e-14, "m={m}");
            assert!((law.cdf_pdf(PI).0 - 1.0).abs() < 1e-14, "m={m}");
            // Simpson's rule on the density
            let steps = 2000;
            let h = PI / steps as f64;
            let mut integral = 0.0;
            for i in 0..steps {
                let a = i as f64 * h;
                integral += h / 6.0
                    * (law.cdf_pdf(a).1 + 4.0 * law.cdf_pdf(a + 0.5 * h).1 + law.cdf_pdf(a + h).1);
                let b = a + h;
                assert!((integral - law.cdf_pdf(b).0).abs() < 1e-12, "m={m}, θ={b}");
            }
        }
        // closed forms
        let t: f64 = 0.7;
        assert!((SinPowerCdf::new(1).cdf_pdf(t).0 - (1.0 - t.cos()) / 2.0).abs() < 1e-15);
        assert!((SinPowerCdf::new(2).cdf_pdf(t).0 - (t - t.sin() * t.cos()) / PI).abs() < 1e-15);
    }

    #[test]
    fn sin_power_ppf_inverts_the_cdf() {
        for m in [1usize, 2, 3, 7, 30, 200] {
            let law = SinPowerCdf::new(m);
            for i in 0..=200 {
                let y = i as f64 / 200.0;
                let theta = law.ppf(y);
                assert!((0.0..=PI).contains(&theta));
                assert!((law.cdf_pdf(theta).0 - y).abs() < 1e-12, "m={m}, y={y}");
            }
            for y in [1e-12, 1e-6, 1.0 - 1e-9] {
                assert!(
                    (law.cdf_pdf(law.ppf(y)).0 - y).abs() < 1e-13,
                    "m={m}, y={y}"
                );
            }
        }
    }

    #[test]
    fn random_rotations_are_orthogonal() {
        for d in 1..=12 {
            let q = random_orthogonal(d, &mut rng(d as u64));
            let gram = q.t().dot(&q);
            for ((i, j), g) in gram.indexed_iter() {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((g - expected).abs() < 1e-13, "d={d}");
            }
        }
    }
}
