//! `"SLIF"`: ngclearn's simplified LIF cell with lateral inhibition.

use super::positive_units;
use crate::components::Real;
use crate::components::neurons::spiking::SlifParams;
use crate::components::neurons::spiking::slif::slif_system;
use crate::components::synapses::Afferents;
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// `"SLIF"` — ngclearn's `SLIFCell` (see [`SlifParams`]). Besides its compartments it persists
/// `threshold0` and, when `resist_inh > 0`, the n × n inhibition matrix `inh_weights`; a test or
/// a user can set both from arrays with `Model::set_array` (the path `load` uses).
pub struct Slif;

impl Kind for Slif {
    const NAME: &'static str = "SLIF";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str =
        "simplified LIF cell with lateral inhibition and adaptive thresholds (ngclearn SLIFCell)";
    const COMPARTMENTS: &'static [&'static str] = &[
        "j",
        "s",
        "tols",
        "v",
        "thr",
        "rfr",
        "surrogate",
        "threshold0",
    ];
    const UNITS: &'static [(&'static str, &'static str)] = &[("rfr", "ms"), ("tols", "ms")];
    type Params = SlifParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/neurons/spiking/slif.rs"),
        "SlifParams",
    ));

    fn footprint(p: &SlifParams, _: &BuildCtx) -> Footprint {
        let state = Footprint::units("n_units", p.n_units, Self::COMPARTMENTS.len());
        if p.resist_inh > 0.0 {
            // lateral inhibition: an n_units × n_units matrix
            let n = p.n_units as u64;
            let w = Footprint::values("n_units", n, n, size_of::<Real>() as u64);
            w.clone().plus(state.bytes).described(format!(
                "{} and an inhibition matrix of {n} × {n}",
                state.what
            ))
        } else {
            state
        }
    }

    fn validate(p: &SlifParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.validate().map_err(|(f, e)| KindError::invalid(f, e))
    }

    fn spawn(p: &SlifParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        super::stable_step("tau_m", p.tau_m, ctx.dt())?;
        let state = p.initial_state(ctx.stream());
        let inhibition = p.inhibition_weights(ctx.stream());
        ctx.insert((p.clone(), state, Afferents::default()));
        if let Some(w) = inhibition {
            ctx.insert(w);
        }
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, slif_system);
    }
}
