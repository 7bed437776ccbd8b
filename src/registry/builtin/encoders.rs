//! `"Poisson"` and `"Bernoulli"`: ngclearn's spike encoders.

use serde::{Deserialize, Serialize};

use super::{Values, positive_units};
use crate::components::Real;
use crate::components::compartment::*;
use crate::components::input_encoders::{Encoder, encoder_system};
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// Parameters of `"Poisson"` (ngclearn `PoissonCell`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoissonParams {
    /// Number of units.
    pub n_units: usize,
    /// Firing rate (Hz) of a unit whose input is 1.
    #[serde(default = "d_target_freq")]
    pub target_freq: f64,
    /// Intensities in [0, 1] (ngclearn clamps data here); default 1 = fire at `target_freq`.
    #[serde(default = "d_inputs")]
    pub inputs: Values,
}

fn d_target_freq() -> f64 {
    63.75
}
fn d_inputs() -> Values {
    Values::Scalar(1.0)
}

/// `"Poisson"` — spikes with probability `inputs·target_freq·dt/1000` per step.
pub struct Poisson;

const ENCODER_COMPARTMENTS: &[&str] = &["inputs", "s", "tols"];

fn spawn_encoder(ctx: &mut BuildCtx, enc: Encoder, n: usize, inputs: Vec<Real>) {
    ctx.insert((
        enc,
        Inputs(inputs),
        Spikes(vec![0.0; n]),
        TimeOfLastSpike(vec![0.0; n]),
    ));
}

impl Kind for Poisson {
    const NAME: &'static str = "Poisson";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "Poisson spike encoder (ngclearn PoissonCell)";
    const COMPARTMENTS: &'static [&'static str] = ENCODER_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] = &[("tols", "ms")];
    type Params = PoissonParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> =
        Some((include_str!("encoders.rs"), "PoissonParams"));

    fn footprint(p: &PoissonParams, _: &BuildCtx) -> Footprint {
        Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len())
    }

    fn validate(p: &PoissonParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        if !(p.target_freq.is_finite() && p.target_freq >= 0.0) {
            return Err(KindError::invalid(
                "target_freq",
                format!("a rate ≥ 0 Hz, found {}", p.target_freq),
            ));
        }
        p.inputs.expand(p.n_units, "inputs").map(|_| ())
    }

    fn spawn(p: &PoissonParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let inputs = p.inputs.expand(p.n_units, "inputs")?;
        spawn_encoder(
            ctx,
            Encoder::Poisson {
                target_freq: p.target_freq,
            },
            p.n_units,
            inputs,
        );
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, encoder_system);
    }
}

/// Parameters of `"Bernoulli"` (ngclearn `BernoulliCell`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BernoulliParams {
    /// Number of units.
    pub n_units: usize,
    /// Spike probability per step, in [0, 1].
    pub inputs: Values,
}

/// `"Bernoulli"` — spikes with probability `inputs` per step.
pub struct Bernoulli;

impl Kind for Bernoulli {
    const NAME: &'static str = "Bernoulli";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "Bernoulli spike encoder (ngclearn BernoulliCell)";
    const COMPARTMENTS: &'static [&'static str] = ENCODER_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] = &[("tols", "ms")];
    type Params = BernoulliParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> =
        Some((include_str!("encoders.rs"), "BernoulliParams"));

    fn footprint(p: &BernoulliParams, _: &BuildCtx) -> Footprint {
        Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len())
    }

    fn validate(p: &BernoulliParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.inputs.expand(p.n_units, "inputs").map(|_| ())
    }

    fn spawn(p: &BernoulliParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let inputs = p.inputs.expand(p.n_units, "inputs")?;
        spawn_encoder(ctx, Encoder::Bernoulli, p.n_units, inputs);
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, encoder_system);
    }
}
