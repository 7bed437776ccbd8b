//! `"FitzhughNagumo"`: ngclearn's FitzHugh–Nagumo cell.

use super::positive_units;
use crate::components::neurons::spiking::FitzhughNagumoParams;
use crate::components::neurons::spiking::two_variable::{
    TWO_VARIABLE_COMPARTMENTS, two_variable_system,
};
use crate::components::synapses::Afferents;
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// `"FitzhughNagumo"` — ngclearn's `FitzhughNagumoCell` (see [`FitzhughNagumoParams`]).
pub struct FitzhughNagumo;

impl Kind for FitzhughNagumo {
    const NAME: &'static str = "FitzhughNagumo";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "FitzHugh–Nagumo cell (ngclearn FitzhughNagumoCell)";
    const COMPARTMENTS: &'static [&'static str] = TWO_VARIABLE_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] = &[
        ("v", "dimensionless"),
        ("w", "dimensionless"),
        ("tols", "ms"),
    ];
    type Params = FitzhughNagumoParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/neurons/spiking/fitzhugh_nagumo.rs"),
        "FitzhughNagumoParams",
    ));

    fn footprint(p: &FitzhughNagumoParams, _: &BuildCtx) -> Footprint {
        Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len())
    }

    fn validate(p: &FitzhughNagumoParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.validate().map_err(|(f, e)| KindError::invalid(f, e))
    }

    fn spawn(p: &FitzhughNagumoParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        super::stable_step("tau_m", p.tau_m, ctx.dt())?;
        super::stable_step("tau_w", p.tau_w, ctx.dt())?;
        ctx.insert((p.clone(), p.initial_state(), Afferents::default()));
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, two_variable_system::<FitzhughNagumoParams>);
    }
}
