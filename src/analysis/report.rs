//! What a built NEF model's ensembles and decoded connections are, as tables and curves
//! (what `cortecs tuning` prints and draws): each neuron's encoder, intercept, max rate, gain
//! and bias with its tuning curve, and each decoded connection's decoders with the function
//! they decode, read back from the tuning curves.
//!
//! ```
//! use cortecs::analysis::{decoder_report, ensemble_report};
//! use cortecs::prelude::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let model = Model::from_config_str(
//!     r#"Model(dt: 1.0, cells: [
//!          (name: "A", kind: "Ensemble", params: (n_neurons: 2, dimensions: 1,
//!              encoders: Matrix([[1.0], [-1.0]]))),
//!          (name: "sq", kind: "Node", params: (size_in: 1)),
//!        ],
//!        synapses: [(name: "A_sq", kind: "Connection", pre: "A", post: "sq",
//!                    params: (function: "x0**2"))])"#,
//!     &Registry::with_builtins(),
//! )?;
//! let a = ensemble_report(&model, "A", 101)?;
//! assert_eq!(a.rates.dim(), (101, 2)); // points × neurons, Hz
//! let d = decoder_report(&model, "A_sq", 101)?.expect("a decoded connection");
//! assert_eq!(d.decoded.unwrap().dim(), (101, 1)); // x² read back at each point
//! # Ok(())
//! # }
//! ```
//!
//! Units: rates in Hz, decoders in units of the function's output per Hz.

use ndarray::Array2;

use super::tuning::tuning_curves;
use crate::components::nef::connection::Connection;
use crate::error::Error;
use crate::model::Model;

/// One neuron of an ensemble: how its input maps to current, and back to the
/// (intercept, max rate) it was built from.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronRow {
    /// Unit encoder (dimensions).
    pub encoder: Vec<f64>,
    /// Encoded input (units of the radius) at which the neuron starts to fire.
    pub intercept: f64,
    /// Rate (Hz) at the encoded input 1.
    pub max_rate: f64,
    /// `J = gain·(x·e)/radius + bias` (dimensionless current per unit of encoded input).
    pub gain: f64,
    /// Dimensionless current at encoded input 0.
    pub bias: f64,
}

/// An ensemble's neurons and tuning curves.
#[derive(Clone, Debug, PartialEq)]
pub struct EnsembleReport {
    /// The ensemble's name.
    pub name: String,
    /// The neuron type, as written in a config (`LIF { tau_rc: 20.0, … }`).
    pub neuron_type: String,
    /// Dimensions represented.
    pub dimensions: usize,
    /// Radius (units of the represented value).
    pub radius: f64,
    /// One row per neuron.
    pub neurons: Vec<NeuronRow>,
    /// The points the curves are drawn at: for a 1-D ensemble the represented value
    /// `x ∈ [−radius, radius]`; otherwise the encoded input along each neuron's own encoder,
    /// `[−1, 1]` (Nengo's `response_curves`).
    pub xs: Vec<f64>,
    /// Whether `xs` is the represented value (1-D) or the encoded input (more dimensions).
    pub along_encoders: bool,
    /// Rate (Hz) of each neuron at each point, points × neurons (the rate formula the decoder
    /// solver uses; [`tuning_curves`]).
    pub rates: Array2<f64>,
}

/// A decoded connection's decoders and the function they decode.
#[derive(Clone, Debug, PartialEq)]
pub struct DecoderReport {
    /// The connection's name.
    pub name: String,
    /// The ensemble it decodes from.
    pub pre: String,
    /// Decoders `D`, neurons × function dimensions (function units per Hz).
    pub decoders: Array2<f64>,
    /// The decoders of the tuning curves normalized to each neuron's max rate:
    /// `normalized[i, k] = D[i, k] · max_rate_i` (function units per fraction of the max rate;
    /// dimensionless for a dimensionless function).
    pub normalized: Array2<f64>,
    /// The solver's RMSE on the eval points, per function dimension.
    pub solver_rmse: Vec<f64>,
    /// For a 1-D pre ensemble, the decoded function at its report points, `rates · D`
    /// (points × function dimensions): the estimate of `f(x)` on `[−radius, radius]`.
    pub decoded: Option<Array2<f64>>,
    /// For a 1-D pre ensemble, the function itself at the same points, `f(x)` (`x` for a
    /// connection without a function): what `decoded` estimates.
    pub ideal: Option<Array2<f64>>,
}

/// The neurons and tuning curves of ensemble `name` at `points` evenly spaced points.
///
/// Errors: `name` unknown or not an ensemble; `points` < 2.
pub fn ensemble_report(model: &Model, name: &str, points: usize) -> Result<EnsembleReport, Error> {
    if points < 2 {
        return Err(Error::Build(format!(
            "ensemble report: need at least 2 points, found {points}"
        )));
    }
    let b = model.ensemble(name)?;
    let d = b.dimensions();
    let along_encoders = d != 1;
    let span = if along_encoders { 1.0 } else { b.radius };
    let xs: Vec<f64> = (0..points)
        .map(|p| -span + 2.0 * span * p as f64 / (points - 1) as f64)
        .collect();
    let rates = if along_encoders {
        super::tuning::response_curves(&b.neuron_type, &b.gain, &b.bias, &xs)?
    } else {
        let inputs = Array2::from_shape_fn((points, 1), |(p, _)| xs[p]);
        tuning_curves(
            &b.neuron_type,
            b.encoders.view(),
            &b.gain,
            &b.bias,
            b.radius,
            inputs.view(),
        )?
    };
    let neurons = (0..b.n_neurons())
        .map(|i| NeuronRow {
            encoder: b.encoders.row(i).to_vec(),
            intercept: b.intercepts[i],
            max_rate: b.max_rates[i],
            gain: b.gain[i],
            bias: b.bias[i],
        })
        .collect();
    Ok(EnsembleReport {
        name: name.to_owned(),
        neuron_type: format!("{:?}", b.neuron_type),
        dimensions: d,
        radius: b.radius,
        neurons,
        xs,
        along_encoders,
        rates,
    })
}

/// The decoders of connection `name` and the function they decode at `points` points of its
/// pre ensemble (see [`ensemble_report`]); `None` when the connection is not decoded.
///
/// Errors: `name` unknown or not a connection; `points` < 2.
pub fn decoder_report(
    model: &Model,
    name: &str,
    points: usize,
) -> Result<Option<DecoderReport>, Error> {
    let Some(crate::model::Decoders {
        values: decoders,
        solver_rmse: rmse,
        function,
    }) = model.decoders(name)?
    else {
        return Ok(None);
    };
    let entity = model.info(name)?.entity;
    let pre_entity = model.world().get::<Connection>(entity).map(|c| c.pre);
    let pre = model
        .entities()
        .iter()
        .find(|i| Some(i.entity) == pre_entity)
        .map(|i| i.name.clone())
        .ok_or_else(|| Error::Build(format!("connection `{name}`: its pre ensemble is gone")))?;
    let curves = ensemble_report(model, &pre, points)?;
    let mut normalized = decoders.clone();
    for (mut row, n) in normalized.rows_mut().into_iter().zip(&curves.neurons) {
        row *= n.max_rate;
    }
    let decoded = (!curves.along_encoders).then(|| curves.rates.dot(decoders));
    let ideal = (!curves.along_encoders).then(|| {
        let dims = decoders.ncols();
        let mut ideal = Array2::zeros((curves.xs.len(), dims));
        for (x, mut row) in curves.xs.iter().zip(ideal.rows_mut()) {
            match function {
                Some(f) if f.size_in() == 1 && f.size_out() == dims => {
                    f.eval(&[*x], row.as_slice_mut().expect("a standard-layout row"));
                }
                Some(_) => row.fill(f64::NAN),
                None => row.fill(*x),
            }
        }
        ideal
    });
    Ok(Some(DecoderReport {
        name: name.to_owned(),
        pre,
        decoded,
        ideal,
        decoders: decoders.clone(),
        normalized,
        solver_rmse: rmse.to_vec(),
    }))
}

/// The most neuron rows a printed table shows.
pub const TABLE_ROWS: usize = 20;

/// The line that says how many rows of `total` a table left out, if any.
fn more(f: &mut std::fmt::Formatter<'_>, total: usize) -> std::fmt::Result {
    if total > TABLE_ROWS {
        writeln!(f, "{:>6}  … {} more", "", total - TABLE_ROWS)?;
    }
    Ok(())
}

impl std::fmt::Display for EnsembleReport {
    /// A heading line, then one row per neuron (the first [`TABLE_ROWS`], then how many more):
    /// index, encoder, intercept, max rate (Hz), gain, bias.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "ensemble `{}`: {} neurons, {}-D, radius {}, {}",
            self.name,
            self.neurons.len(),
            self.dimensions,
            self.radius,
            self.neuron_type
        )?;
        writeln!(
            f,
            "{:>6}  {:>18}  {:>9}  {:>12}  {:>10}  {:>10}",
            "neuron", "encoder", "intercept", "max rate Hz", "gain", "bias"
        )?;
        for (i, n) in self.neurons.iter().enumerate().take(TABLE_ROWS) {
            let encoder = if n.encoder.len() <= 3 {
                let parts: Vec<String> = n.encoder.iter().map(|e| format!("{e:.3}")).collect();
                format!("[{}]", parts.join(", "))
            } else {
                format!("[{:.3}, … {} dims]", n.encoder[0], n.encoder.len())
            };
            writeln!(
                f,
                "{i:>6}  {encoder:>18}  {:>9.4}  {:>12.2}  {:>10.4}  {:>10.4}",
                n.intercept, n.max_rate, n.gain, n.bias
            )?;
        }
        more(f, self.neurons.len())
    }
}

impl DecoderReport {
    /// For a 1-D pre ensemble, the RMSE of [`decoded`](Self::decoded) against
    /// [`ideal`](Self::ideal) over the evenly spaced report points, per function dimension
    /// (the solver's RMSE is over the eval points instead).
    pub fn curve_rmse(&self) -> Option<Vec<f64>> {
        let (decoded, ideal) = (self.decoded.as_ref()?, self.ideal.as_ref()?);
        Some(
            decoded
                .columns()
                .into_iter()
                .zip(ideal.columns())
                .map(|(d, f)| {
                    let sq: f64 = d.iter().zip(f).map(|(d, f)| (d - f).powi(2)).sum();
                    (sq / d.len().max(1) as f64).sqrt()
                })
                .collect(),
        )
    }
}

impl std::fmt::Display for DecoderReport {
    /// A heading line with the solver's RMSE, then one row per neuron (the first
    /// [`TABLE_ROWS`], then how many more): its decoders, then the same times its max rate.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rmse: Vec<String> = self.solver_rmse.iter().map(|r| format!("{r:.4}")).collect();
        writeln!(
            f,
            "connection `{}` from `{}`: decoders {} neurons × {} dims (units per Hz; then × the \
             neuron's max rate), solver RMSE on the eval points [{}]",
            self.name,
            self.pre,
            self.decoders.nrows(),
            self.decoders.ncols(),
            rmse.join(", ")
        )?;
        if let Some(curve) = self.curve_rmse() {
            let curve: Vec<String> = curve.iter().map(|r| format!("{r:.4}")).collect();
            writeln!(
                f,
                "  RMSE of the decoded function against f(x) on [−radius, radius]: [{}]",
                curve.join(", ")
            )?;
        }
        let rows = self.decoders.rows().into_iter().zip(self.normalized.rows());
        for (i, (row, norm)) in rows.enumerate().take(TABLE_ROWS) {
            let parts: Vec<String> = row.iter().map(|d| format!("{d:>12.6}")).collect();
            let norm: Vec<String> = norm.iter().map(|d| format!("{d:>9.4}")).collect();
            writeln!(f, "{i:>6}  {}  | {}", parts.join("  "), norm.join("  "))?;
        }
        more(f, self.decoders.nrows())
    }
}
