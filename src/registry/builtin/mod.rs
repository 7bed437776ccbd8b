//! The built-in kinds, registered through the same [`Registry::register`] call a user's custom
//! kind uses. One file per family of kinds.

mod currents;
mod dense;
mod encoders;
mod fitzhugh_nagumo;
mod iaf;
mod izhikevich;
mod lif;
pub(crate) mod nef;
mod slif;
mod sparse;

pub use currents::*;
pub use dense::*;
pub use encoders::*;
pub use fitzhugh_nagumo::*;
pub use iaf::*;
pub use izhikevich::*;
pub use lif::*;
pub use nef::{Connection, Ensemble, Node};
pub use slif::*;
pub use sparse::*;

use serde::{Deserialize, Serialize};

use super::{ArrayEntry, KindError, Registry};
use crate::components::Real;
use crate::components::compartment::*;
use crate::components::nef::connection::{Connection as NefConnection, DecoderMatrix};
use crate::components::neurons::spiking::slif::InhibitionWeights;
use crate::components::synapses::Weights;
use crate::components::synapses::dense::Biases;

/// Registers every built-in kind and named array.
pub fn register_all(r: &mut Registry) {
    r.register_compartment::<Current>()
        .register_compartment::<Voltage>()
        .register_compartment::<Spikes>()
        .register_compartment::<RawSpikes>()
        .register_compartment::<Refract>()
        .register_compartment::<TimeOfLastSpike>()
        .register_compartment::<ThresholdTheta>()
        .register_compartment::<Threshold>()
        .register_compartment::<Surrogate>()
        .register_compartment::<Inputs>()
        .register_compartment::<Outputs>()
        .register_compartment::<Biases>()
        .register_compartment::<Recovery>()
        .register_compartment::<AdaptiveThreshold>()
        .register_compartment::<InitialThreshold>()
        .register_compartment::<NeuronInput>()
        .register_compartment::<NefVoltage>()
        .register_compartment::<RefractoryTime>()
        .register_compartment::<NeuronOutput>()
        .register_array(ArrayEntry::matrix::<DecoderMatrix>())
        .register_array(ArrayEntry::matrix::<NefConnection>())
        .register_array(ArrayEntry::matrix::<InhibitionWeights>())
        .register_array(ArrayEntry::matrix::<Weights>());
    r.register::<Lif>()
        .register::<Iaf>()
        .register::<Sparse>()
        .register::<QuadLif>()
        .register::<Slif>()
        .register::<Izhikevich>()
        .register::<FitzhughNagumo>()
        .register::<Poisson>()
        .register::<Bernoulli>()
        .register::<Dense>()
        .register::<Constant>()
        .register::<Step>()
        .register::<Replay>()
        .register::<Ensemble>()
        .register::<Node>()
        .register::<Connection>();
}

/// Checks a time constant `tau` (ms) of a state advanced by explicit steps (forward Euler or
/// RK2) against the step `dt` (ms). A leak `dv = (dt/τ)(j − v)` multiplies `v` by `1 − dt/τ`
/// each step: for `dt > 2τ` that factor is below −1, so `v` grows without bound, reaching
/// inf and NaN (RK2's factor `1 − h + h²/2` exceeds 1 there too). Such a `dt` is refused,
/// naming the time constant; `dt ≤ 2τ` is the stability limit, not an accuracy promise.
pub(crate) fn stable_step(field: &str, tau: f64, dt: f64) -> Result<(), KindError> {
    if dt <= 2.0 * tau {
        return Ok(());
    }
    Err(KindError::invalid(
        field,
        format!(
            "a time constant ≥ dt/2 = {} ms for a stable step (the step multiplies the state by \
             1 − dt/τ, which diverges for dt > 2τ), found {} ms with dt = {} ms; use a \
             smaller dt",
            short(dt / 2.0),
            short(tau),
            short(dt)
        ),
    ))
}

/// `x` as a message writes it: `1e300` rather than 301 digits.
fn short(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e6).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A scalar for every unit, or one value per unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Values {
    /// The same value for every unit.
    Scalar(f64),
    /// One value per unit.
    PerUnit(Vec<f64>),
}

impl Values {
    /// The per-unit values for `n` units; the error names `field`.
    pub fn expand(&self, n: usize, field: &str) -> Result<Vec<Real>, KindError> {
        let v = match self {
            Values::Scalar(x) => vec![*x; n],
            Values::PerUnit(v) if v.len() == n => v.clone(),
            Values::PerUnit(v) => {
                return Err(KindError::invalid(
                    field,
                    format!(
                        "a number or a list of {n} numbers (one per unit), found {} values",
                        v.len()
                    ),
                ));
            }
        };
        if let Some(x) = v.iter().find(|x| !x.is_finite()) {
            return Err(KindError::invalid(
                field,
                format!("finite numbers, found {x}"),
            ));
        }
        Ok(v.into_iter().map(|x| x as Real).collect())
    }
}

fn positive_units(n: usize) -> Result<(), KindError> {
    if n == 0 {
        return Err(KindError::invalid("n_units", "at least 1 unit, found 0"));
    }
    Ok(())
}
