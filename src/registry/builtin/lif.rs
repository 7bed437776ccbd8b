//! `"LIF"` and `"QuadLIF"`: ngclearn's leaky and quadratic integrate-and-fire cells.

use super::positive_units;
use crate::components::neurons::spiking::QuadLifParams;
use crate::components::neurons::spiking::lif::{LIF_COMPARTMENTS, LifParams, lif_system};
use crate::components::synapses::Afferents;
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// Units of the LIF and QuadLIF compartments (ngclearn: voltages in mV, times in ms).
const LIF_UNITS: &[(&str, &str)] = &[
    ("v", "mV"),
    ("thr_theta", "mV"),
    ("v_thr", "mV"),
    ("rfr", "ms"),
    ("tols", "ms"),
];

/// `"LIF"` — ngclearn's `LIFCell` (see [`LifParams`]).
pub struct Lif;

impl Kind for Lif {
    const NAME: &'static str = "LIF";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str =
        "leaky integrate-and-fire cell with adaptive threshold (ngclearn LIFCell)";
    const COMPARTMENTS: &'static [&'static str] = LIF_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] = LIF_UNITS;
    type Params = LifParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/neurons/spiking/lif.rs"),
        "LifParams",
    ));

    fn footprint(p: &LifParams, _: &BuildCtx) -> Footprint {
        Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len())
    }

    fn validate(p: &LifParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.validate().map_err(|(f, e)| KindError::invalid(f, e))
    }

    fn spawn(p: &LifParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        super::stable_step("tau_m", p.tau_m, ctx.dt())?;
        super::stable_step("tau_theta", p.tau_theta, ctx.dt())?;
        ctx.insert((p.clone(), p.initial_state(), Afferents::default()));
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, lif_system::<LifParams>);
    }
}

/// `"QuadLIF"` — ngclearn's `QuadLIFCell` (see [`QuadLifParams`]).
pub struct QuadLif;

impl Kind for QuadLif {
    const NAME: &'static str = "QuadLIF";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str =
        "quadratic leaky integrate-and-fire cell with adaptive threshold (ngclearn QuadLIFCell)";
    const COMPARTMENTS: &'static [&'static str] = LIF_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] = LIF_UNITS;
    type Params = QuadLifParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/neurons/spiking/quad_lif.rs"),
        "QuadLifParams",
    ));

    fn footprint(p: &QuadLifParams, _: &BuildCtx) -> Footprint {
        Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len())
    }

    fn validate(p: &QuadLifParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.validate().map_err(|(f, e)| KindError::invalid(f, e))
    }

    fn spawn(p: &QuadLifParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        super::stable_step("tau_m", p.tau_m, ctx.dt())?;
        super::stable_step("tau_theta", p.tau_theta, ctx.dt())?;
        ctx.insert((p.clone(), p.initial_state(), Afferents::default()));
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, lif_system::<QuadLifParams>);
    }
}
