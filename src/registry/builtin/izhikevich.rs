//! `"Izhikevich"`: ngclearn's Izhikevich cell, with named presets.

use super::positive_units;
use crate::components::neurons::spiking::IzhikevichParams;
use crate::components::neurons::spiking::two_variable::{
    TWO_VARIABLE_COMPARTMENTS, two_variable_system,
};
use crate::components::synapses::Afferents;
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// `"Izhikevich"` — ngclearn's `IzhikevichCell` (see [`IzhikevichParams`]); `preset:
/// "fast_spiking"` and the other named patterns set (tau_w, coupling_factor, v_reset, w_reset).
pub struct Izhikevich;

impl Kind for Izhikevich {
    const NAME: &'static str = "Izhikevich";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str =
        "Izhikevich cell with named firing-pattern presets (ngclearn IzhikevichCell)";
    const COMPARTMENTS: &'static [&'static str] = TWO_VARIABLE_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] =
        &[("v", "mV"), ("w", "mV"), ("tols", "ms")];
    type Params = IzhikevichParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/neurons/spiking/izhikevich.rs"),
        "IzhikevichParams",
    ));

    fn footprint(p: &IzhikevichParams, _: &BuildCtx) -> Footprint {
        Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len())
    }

    fn validate(p: &IzhikevichParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.validate().map_err(|(f, e)| KindError::invalid(f, e))
    }

    fn spawn(p: &IzhikevichParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        super::stable_step("tau_m", p.tau_m, ctx.dt())?;
        super::stable_step("tau_w", p.tau_w, ctx.dt())?;
        ctx.insert((p.clone(), p.initial_state(), Afferents::default()));
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, two_variable_system::<IzhikevichParams>);
    }
}
