//! `"IAF"`: the current-based leaky integrate-and-fire neuron of Brian2 and NEST (CUBA's).

use super::positive_units;
use crate::components::neurons::spiking::iaf::{IAF_COMPARTMENTS, IafParams, iaf_system};
use crate::components::synapses::Afferents;
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// `"IAF"` — see [`IafParams`].
pub struct Iaf;

impl Kind for Iaf {
    const NAME: &'static str = "IAF";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "current-based leaky integrate-and-fire neuron (Brian2/NEST): \
                               exact integration, fixed threshold, reset, refractory period";
    const COMPARTMENTS: &'static [&'static str] = IAF_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] = &[("v", "mV"), ("rfr", "ms")];
    type Params = IafParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/neurons/spiking/iaf.rs"),
        "IafParams",
    ));

    fn footprint(p: &IafParams, _: &BuildCtx) -> Footprint {
        Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len())
    }

    fn validate(p: &IafParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.validate().map_err(|(f, e)| KindError::invalid(f, e))
    }

    fn spawn(p: &IafParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        super::stable_step("tau_m", p.tau_m, ctx.dt())?;
        let state = p.initial_state(ctx.stream().derive("v_init"));
        ctx.insert((p.clone(), state, Afferents::default()));
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, iaf_system);
    }
}
