//! NEF ensembles (`nengo.Ensemble` and `nengo/builder/ensemble.py`, Nengo 4.1.0): parameters as
//! written in configs, and the build step that samples them into arrays.
//!
//! An ensemble of `n_neurons` represents a `dimensions`-vector of magnitude up to `radius`.
//! Neuron `i` receives `J_i = gain_i · (e_i · x) / radius + bias_i`, where `e_i` is its unit
//! encoder; `gain` and `bias` are solved from each neuron's maximum rate (Hz, at `x = radius·e_i`)
//! and intercept (the value of `e_i · x / radius` where it starts firing).

use ndarray::{Array2, ArrayView2};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::dists::{DistError, Distribution, default_n_eval_points};
use crate::loihi::discretize::{INTERCEPT_LIMIT, clip_intercepts, limit_intercepts, loihi_rates};
use crate::neurons::nef::{NeuronType, NeuronTypeError};
use crate::rng::StreamKey;

/// An ensemble as written in configs; every array can be a distribution or explicit values
/// (`Values([...])` per neuron, `Matrix([[...], ...])` per point).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnsembleParams {
    /// Number of neurons.
    pub n_neurons: usize,
    /// Dimensions of the represented vector.
    pub dimensions: usize,
    /// Largest magnitude the ensemble represents well (units of the represented value).
    #[serde(default = "one")]
    pub radius: f64,
    /// The neuron model (times in ms).
    #[serde(default)]
    pub neuron_type: NeuronType,
    /// Preferred directions, `n_neurons × dimensions` (normalised to unit length when
    /// `normalize_encoders`). Default: `ScatteredHypersphere(surface: true)`.
    #[serde(default = "default_encoders")]
    pub encoders: Distribution,
    /// Where each neuron starts firing along its encoder, in [−1, 1] (fraction of the radius).
    /// Default: `Uniform(low: -1.0, high: 0.9)` — Nengo's, not (−1, 1).
    #[serde(default = "default_intercepts")]
    pub intercepts: Distribution,
    /// Firing rate at `x = radius·e_i` (Hz). Default: `Uniform(low: 200.0, high: 400.0)`.
    #[serde(default = "default_max_rates")]
    pub max_rates: Distribution,
    /// Points on which decoders are solved, in units of the radius (Nengo multiplies sampled
    /// and explicit points alike by `radius`). Default: `ScatteredHypersphere(surface: false)`.
    #[serde(default = "default_eval_points")]
    pub eval_points: Distribution,
    /// How many eval points to sample; default `max(clip(500·d, 750, 2500), 2·n_neurons)`.
    #[serde(default)]
    pub n_eval_points: Option<usize>,
    /// Explicit gains (one per neuron); with `bias`, replaces max_rates and intercepts.
    #[serde(default)]
    pub gain: Option<Vec<f64>>,
    /// Explicit biases (one per neuron); only together with `gain`.
    #[serde(default)]
    pub bias: Option<Vec<f64>>,
    /// Scale each encoder to unit length (Nengo's default `true`).
    #[serde(default = "yes")]
    pub normalize_encoders: bool,
    /// Initial membrane voltage of spiking neurons (dimensionless, threshold 1). Default
    /// `Uniform(low: 0.0, high: 1.0)`, as Nengo's `LIF.make_state`.
    #[serde(default = "default_initial_voltage")]
    pub initial_voltage: Distribution,
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}
fn default_encoders() -> Distribution {
    Distribution::ScatteredHypersphere { surface: true }
}
fn default_intercepts() -> Distribution {
    Distribution::Uniform {
        low: -1.0,
        high: 0.9,
    }
}
fn default_max_rates() -> Distribution {
    Distribution::Uniform {
        low: 200.0,
        high: 400.0,
    }
}
fn default_eval_points() -> Distribution {
    Distribution::ScatteredHypersphere { surface: false }
}
fn default_initial_voltage() -> Distribution {
    Distribution::Uniform {
        low: 0.0,
        high: 1.0,
    }
}

impl EnsembleParams {
    /// An ensemble of `n_neurons` representing `dimensions` values, with Nengo's defaults.
    pub fn new(n_neurons: usize, dimensions: usize) -> Self {
        Self {
            n_neurons,
            dimensions,
            radius: 1.0,
            neuron_type: NeuronType::default(),
            encoders: default_encoders(),
            intercepts: default_intercepts(),
            max_rates: default_max_rates(),
            eval_points: default_eval_points(),
            n_eval_points: None,
            gain: None,
            bias: None,
            normalize_encoders: true,
            initial_voltage: default_initial_voltage(),
        }
    }
}

/// Why an ensemble cannot be built; `field` is the parameter at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EnsembleError {
    /// A parameter is out of range or has the wrong shape.
    #[error("`{field}`: {message}")]
    Field {
        /// The parameter.
        field: &'static str,
        /// What was expected and found.
        message: String,
    },
}

fn field(field: &'static str, message: impl Into<String>) -> EnsembleError {
    EnsembleError::Field {
        field,
        message: message.into(),
    }
}

fn dist(name: &'static str) -> impl Fn(DistError) -> EnsembleError {
    move |e| field(name, e.to_string())
}

fn neuron(name: &'static str) -> impl Fn(NeuronTypeError) -> EnsembleError {
    move |e| field(name, e.to_string())
}

/// An ensemble's built parameters (Nengo's `BuiltEnsemble`), all `f64`.
#[derive(Clone, Debug, PartialEq)]
pub struct BuiltEnsemble {
    /// The neuron model.
    pub neuron_type: NeuronType,
    /// Radius (units of the represented value).
    pub radius: f64,
    /// Unit encoders, neurons × dimensions.
    pub encoders: Array2<f64>,
    /// Gain per neuron.
    pub gain: Vec<f64>,
    /// Bias per neuron.
    pub bias: Vec<f64>,
    /// Maximum rate per neuron (Hz).
    pub max_rates: Vec<f64>,
    /// Intercept per neuron.
    pub intercepts: Vec<f64>,
    /// Eval points, points × dimensions (units of the represented value).
    pub eval_points: Array2<f64>,
    /// Initial membrane voltage per neuron.
    pub initial_voltage: Vec<f64>,
    /// The rates decoders are solved against.
    pub rates: RateModel,
}

/// What an ensemble is built for, and so which rates its decoders are solved against
/// (a model-wide resource read when ensembles are built).
#[derive(bevy_ecs::resource::Resource, Clone, Copy, Debug, Default, PartialEq)]
pub enum RateModel {
    /// Nengo's steady rates (`neuron_type.rates`).
    #[default]
    Nengo,
    /// NengoLoihi's (`builder/ensemble.py`, `neurons.py::loihi_rates`): intercepts limited to
    /// [`INTERCEPT_LIMIT`] before gain and bias are solved, and decoders solved against
    /// [`loihi_rates`] at step `dt_ms` (whole-step inter-spike intervals).
    Loihi {
        /// The chip's step (ms).
        dt_ms: f64,
    },
}

impl BuiltEnsemble {
    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.gain.len()
    }

    /// Dimensions represented.
    pub fn dimensions(&self) -> usize {
        self.encoders.ncols()
    }

    /// `scaled_encoders = encoders · gain / radius` (neurons × dimensions), what the input
    /// `x` is multiplied by: `J = bias + scaled_encoders · x`.
    pub fn scaled_encoders(&self) -> Array2<f64> {
        let mut s = self.encoders.clone();
        for (mut row, g) in s.rows_mut().into_iter().zip(&self.gain) {
            row.mapv_inplace(|e| e * g / self.radius);
        }
        s
    }

    /// Steady rates (Hz) at `points` (points × dimensions): `rates(points·encodersᵀ/radius,
    /// gain, bias)` — Nengo's `get_activities`, the rate approximation for spiking types.
    ///
    /// With [`RateModel::Loihi`] the rates are [`loihi_rates`] instead.
    pub fn activities(&self, points: ArrayView2<f64>) -> Array2<f64> {
        let x = points.dot(&self.encoders.t()) / self.radius;
        match self.rates {
            RateModel::Nengo => self
                .neuron_type
                .rates_matrix(x.view(), &self.gain, &self.bias),
            RateModel::Loihi { dt_ms } => {
                let mut a = x;
                for row in a.rows_mut() {
                    for (i, v) in row.into_iter().enumerate() {
                        *v = loihi_rates(&self.neuron_type, *v, self.gain[i], self.bias[i], dt_ms);
                    }
                }
                a
            }
        }
    }

    /// Builds an ensemble as Nengo's `build_ensemble` does: eval points (× radius), encoders
    /// (normalised), then gain/bias from max rates and intercepts — or max rates and
    /// intercepts from an explicit gain/bias — and initial voltages. Each array is drawn from
    /// its own sub-stream of `key` (`"eval_points"`, `"encoders"` …), so giving one array
    /// explicitly leaves the others unchanged.
    pub fn build(p: &EnsembleParams, key: StreamKey) -> Result<Self, EnsembleError> {
        Self::build_for(p, key, RateModel::Nengo)
    }

    /// [`build`](Self::build) for a rate model. For [`RateModel::Loihi`], a
    /// `Uniform(low, high)` intercept distribution is first limited to
    /// [`INTERCEPT_LIMIT`] ([`limit_intercepts`]) and sampled intercepts above it are clipped
    /// ([`clip_intercepts`]), as NengoLoihi's `get_gain_bias` does.
    pub fn build_for(
        p: &EnsembleParams,
        key: StreamKey,
        rates: RateModel,
    ) -> Result<Self, EnsembleError> {
        let (n, d) = (p.n_neurons, p.dimensions);
        let loihi = matches!(rates, RateModel::Loihi { .. });
        if n == 0 {
            return Err(field("n_neurons", "expected at least 1 neuron, found 0"));
        }
        if d == 0 {
            return Err(field(
                "dimensions",
                "expected at least 1 dimension, found 0",
            ));
        }
        if !(p.radius.is_finite() && p.radius > 0.0) {
            return Err(field(
                "radius",
                format!("expected a finite number > 0, found {}", p.radius),
            ));
        }
        p.neuron_type.validate().map_err(neuron("neuron_type"))?;
        let rng = |purpose: &str| -> ChaCha8Rng { key.derive(purpose).at(0, 0) };
        for (name, dist_) in [
            ("encoders", &p.encoders),
            ("intercepts", &p.intercepts),
            ("max_rates", &p.max_rates),
            ("eval_points", &p.eval_points),
            ("initial_voltage", &p.initial_voltage),
        ] {
            dist_.validate().map_err(|e| field(name, e.to_string()))?;
        }

        // Eval points.
        let m = match (p.n_eval_points, p.eval_points.n_points()) {
            (Some(0), _) => return Err(field("n_eval_points", "expected at least 1, found 0")),
            (Some(m), Some(rows)) if m != rows => {
                return Err(field(
                    "n_eval_points",
                    format!("{m}, but `eval_points` holds {rows} explicit points"),
                ));
            }
            (Some(m), _) => m,
            (None, Some(rows)) => rows,
            (None, None) => default_n_eval_points(n, d),
        };
        let mut eval_points = p
            .eval_points
            .sample(m, d, &mut rng("eval_points"))
            .map_err(dist("eval_points"))?;
        // Nengo's `gen_eval_points` scales explicit points by the radius too.
        eval_points *= p.radius;

        // Encoders.
        let mut encoders = p
            .encoders
            .sample(n, d, &mut rng("encoders"))
            .map_err(dist("encoders"))?;
        if p.normalize_encoders {
            for (i, mut row) in encoders.rows_mut().into_iter().enumerate() {
                let norm = row.dot(&row).sqrt();
                if !(norm > 0.0 && norm.is_finite()) {
                    return Err(field(
                        "encoders",
                        format!("encoder of neuron {i} has length {norm}; it cannot be normalised"),
                    ));
                }
                row /= norm;
            }
        }

        // Gain and bias.
        let (gain, bias, max_rates, intercepts) = match (&p.gain, &p.bias) {
            (Some(g), Some(b)) => {
                for (name, v) in [("gain", g), ("bias", b)] {
                    if v.len() != n {
                        return Err(field(
                            name,
                            format!("expected {n} values (one per neuron), found {}", v.len()),
                        ));
                    }
                    if let Some(x) = v.iter().find(|x| !x.is_finite()) {
                        return Err(field(name, format!("expected finite numbers, found {x}")));
                    }
                }
                let (r, c) = p
                    .neuron_type
                    .max_rates_intercepts(g, b)
                    .map_err(neuron("gain"))?;
                (g.clone(), b.clone(), r, c)
            }
            (Some(_), None) | (None, Some(_)) => {
                let f = if p.gain.is_some() { "bias" } else { "gain" };
                return Err(field(f, "`gain` and `bias` must be given together"));
            }
            (None, None) => {
                let column = |a: Array2<f64>| a.column(0).to_vec();
                let max_rates = column(
                    p.max_rates
                        .sample(n, 1, &mut rng("max_rates"))
                        .map_err(dist("max_rates"))?,
                );
                let limited = loihi
                    .then(|| limit_intercepts(&p.intercepts, INTERCEPT_LIMIT))
                    .flatten();
                let mut intercepts = column(
                    limited
                        .as_ref()
                        .unwrap_or(&p.intercepts)
                        .sample(n, 1, &mut rng("intercepts"))
                        .map_err(dist("intercepts"))?,
                );
                if loihi {
                    clip_intercepts(&mut intercepts, INTERCEPT_LIMIT);
                }
                if let Some((i, c)) = intercepts
                    .iter()
                    .enumerate()
                    .find(|(_, c)| !(-1.0..=1.0).contains(*c))
                {
                    return Err(field(
                        "intercepts",
                        format!("expected values in [-1, 1], found {c} for neuron {i}"),
                    ));
                }
                if let Some((i, r)) = max_rates
                    .iter()
                    .enumerate()
                    .find(|(_, r)| !(**r > 0.0 && r.is_finite()))
                {
                    return Err(field(
                        "max_rates",
                        format!("expected rates > 0 Hz, found {r} for neuron {i}"),
                    ));
                }
                let (g, b) = p
                    .neuron_type
                    .gain_bias(&max_rates, &intercepts)
                    .map_err(neuron("max_rates"))?;
                (g, b, max_rates, intercepts)
            }
        };
        // Nengo's BuildError: every gain must be positive and finite.
        if let Some((i, g)) = gain
            .iter()
            .enumerate()
            .find(|(_, g)| !(**g > 0.0 && g.is_finite()))
        {
            let f = if p.gain.is_some() {
                "gain"
            } else {
                "intercepts"
            };
            return Err(field(
                f,
                format!(
                    "neuron {i} gets gain {g}; gains must be finite and > 0 (an intercept of 1 \
                     or a max rate the neuron type cannot reach gives this)"
                ),
            ));
        }
        let initial_voltage = p
            .initial_voltage
            .sample(n, 1, &mut rng("initial_voltage"))
            .map_err(dist("initial_voltage"))?
            .column(0)
            .to_vec();
        Ok(Self {
            neuron_type: p.neuron_type,
            radius: p.radius,
            encoders,
            gain,
            bias,
            max_rates,
            intercepts,
            eval_points,
            initial_voltage,
            rates,
        })
    }
}
