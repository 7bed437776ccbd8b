//! NEF probes (`nengo.Probe`): an ensemble's decoded value (decoders solved at build, as
//! Nengo does through a hidden connection) or an ensemble's or node's output, optionally
//! through a synapse. A filtered probe records its filter's output *before* this step's
//! update — Nengo's one step of delay — and the filter advances every step, whatever
//! `sample_every` is.

use bevy_ecs::prelude::*;
use ndarray::Array2;

use crate::components::compartment::NeuronOutput;
use crate::components::synapses::filter::{DiscreteFilter, FilterState, Synapse};
use crate::components::{Clock, Real};
use crate::schedule::{Phase, StepSchedule};

/// A NEF probe entity.
#[derive(Component)]
pub struct NefProbe {
    /// The probed ensemble or node.
    pub target: Entity,
    /// Decoders, neurons × dimensions row-major (`None`: the raw output).
    pub decoders: Option<Vec<Real>>,
    /// The same decoders as solved, in `f64` (what the Loihi builder scales into weights).
    pub decoder_matrix: Option<Array2<f64>>,
    /// Width of the probed signal (dimensions, or units).
    pub width: usize,
    /// Recorded elements `start..end`.
    pub start: usize,
    /// See `start`.
    pub end: usize,
    /// Sampling period in steps.
    pub every: u64,
    filtered: bool,
    filter: DiscreteFilter,
    state: FilterState,
    value: Vec<Real>,
    y: Vec<Real>,
    /// Samples, row-major.
    pub data: Vec<Real>,
}

impl NefProbe {
    /// A probe of `target` with `decoders` (or the raw output of `width` values) through
    /// `synapse` at step `dt` (ms).
    pub fn new(
        target: Entity,
        decoders: Option<Array2<f64>>,
        width: usize,
        (start, end): (usize, usize),
        every: u64,
        synapse: Synapse,
        dt: f64,
    ) -> Self {
        Self {
            target,
            decoders: decoders
                .as_ref()
                .map(|d| d.iter().map(|v| *v as Real).collect()),
            decoder_matrix: decoders,
            width,
            start,
            end,
            every: every.max(1),
            filtered: synapse != Synapse::None,
            filter: synapse.discretize(dt),
            state: FilterState::new(width),
            value: vec![0.0; width],
            y: vec![0.0; width],
            data: Vec::new(),
        }
    }

    /// The probe's dynamic state, what a save must keep for a resumed run to record the same
    /// values: for a filtered probe, its filter state (`x0`, `x1`) and last output, one row of
    /// `width` values each (3 × width, in the probed signal's units); `None` without a synapse.
    pub fn state(&self) -> Option<ndarray::ArrayD<Real>> {
        if !self.filtered {
            return None;
        }
        let values: Vec<Real> = self.state.values().iter().chain(&self.y).copied().collect();
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[3, self.width]), values).ok()
    }

    /// Restores what [`state`](Self::state) returned; `Err(expected shape)` if `values` has
    /// another shape or the probe has no state.
    pub fn set_state(&mut self, values: ndarray::ArrayViewD<Real>) -> Result<(), Vec<usize>> {
        let shape = vec![3, self.width];
        if !self.filtered || values.shape() != shape.as_slice() {
            return Err(if self.filtered { shape } else { vec![] });
        }
        let n = 2 * self.width;
        for (i, v) in values.iter().enumerate() {
            if i < n {
                self.state.values_mut()[i] = *v;
            } else {
                self.y[i - n] = *v;
            }
        }
        Ok(())
    }
}

/// Record phase: `value = Dᵀ·output` (or the output), then record — the filter's previous
/// output, or `value` itself without a synapse — and advance the filter.
pub fn record_nef(
    clock: Res<Clock>,
    mut probes: Query<&mut NefProbe>,
    sources: Query<&NeuronOutput>,
) {
    let sample = |every: u64| (clock.step + 1).is_multiple_of(every);
    for mut p in &mut probes {
        let Ok(out) = sources.get(p.target) else {
            continue;
        };
        let p = &mut *p;
        match &p.decoders {
            None => p.value.copy_from_slice(&out.0),
            Some(d) => {
                p.value.fill(0.0);
                for (i, &a) in out.0.iter().enumerate() {
                    if a == 0.0 {
                        continue;
                    }
                    let row = &d[i * p.width..(i + 1) * p.width];
                    for (v, w) in p.value.iter_mut().zip(row) {
                        *v += w * a;
                    }
                }
            }
        }
        if p.filtered {
            if sample(p.every) {
                p.data.extend_from_slice(&p.y[p.start..p.end]);
            }
            p.filter.step(&mut p.state, &p.value, &mut p.y);
        } else if sample(p.every) {
            p.data.extend_from_slice(&p.value[p.start..p.end]);
        }
    }
}

pub(crate) fn add_system(s: &mut StepSchedule) {
    s.add(Phase::Record, record_nef);
}

pub(crate) fn reserve(world: &mut World, e: Entity, steps: usize) {
    if let Some(mut p) = world.get_mut::<NefProbe>(e) {
        let rows = steps.div_ceil(p.every as usize);
        let width = p.end - p.start;
        p.data.reserve(rows * width);
    }
}

pub(crate) fn drain(world: &mut World, e: Entity) -> Vec<Real> {
    world
        .get_mut::<NefProbe>(e)
        .map_or_else(Vec::new, |mut p| p.data.drain(..).collect())
}

pub(crate) fn data(world: &World, e: Entity) -> Option<Array2<Real>> {
    let p = world.get::<NefProbe>(e)?;
    let width = p.end - p.start;
    let rows = p.data.len().checked_div(width).unwrap_or(0);
    Array2::from_shape_vec((rows, width), p.data.clone()).ok()
}

pub(crate) fn spawn_unused(
    world: &mut World,
    _: &super::ProbeSpec,
    _: Entity,
    _: usize,
    _: usize,
) -> Entity {
    world.spawn_empty().id()
}

/// Spawns the NEF probe `spec` of `target` (an ensemble or node): `decoded` solves decoders
/// for the identity on the ensemble's eval points with the probe's solver; `output` records
/// the raw output through the synapse.
pub(crate) fn spawn_nef(
    world: &mut World,
    spec: &super::ProbeSpec,
    target: Entity,
    dt: f64,
) -> Result<Entity, String> {
    use crate::components::nef::connection::{ConnectionParams, solve_decoders};
    use crate::components::nef::systems::Ensemble;
    let synapse = spec.synapse.unwrap_or(Synapse::None);
    synapse
        .validate()
        .map_err(|m| format!("probe synapse: {m}"))?;
    let (decoders, width) = match spec.compartment.as_str() {
        "decoded" => {
            let Some(ens) = world.get::<Ensemble>(target) else {
                return Err("`decoded` is probed on an Ensemble only".into());
            };
            let b = &ens.built;
            let all: Vec<usize> = (0..b.dimensions()).collect();
            let params = ConnectionParams {
                solver: spec.solver.clone().unwrap_or_default(),
                ..ConnectionParams::default()
            };
            let cache = world
                .get_resource::<crate::components::nef::connection::FactorCache>()
                .map(|c| (c, target));
            let (d, _) = solve_decoders(b, b.eval_points.view(), &all, None, &params, cache)
                .map_err(|e| format!("decoders of the probe: {e}"))?;
            let width = d.ncols();
            (Some(d), width)
        }
        "output" => {
            let Some(out) = world.get::<NeuronOutput>(target) else {
                return Err(
                    "a probe with a synapse records `output` of an Ensemble or Node".into(),
                );
            };
            (None, out.0.len())
        }
        other => {
            return Err(format!(
                "a probe with a synapse records `decoded` or `output`, not `{other}`"
            ));
        }
    };
    let (start, end) = (spec.start.unwrap_or(0), spec.end.unwrap_or(width));
    if start >= end || end > width {
        return Err(format!(
            "units {start}..{end} are out of range: `{}` has {width}",
            spec.compartment
        ));
    }
    let p = NefProbe::new(
        target,
        decoders,
        width,
        (start, end),
        spec.sample_every,
        synapse,
        dt,
    );
    Ok(world.spawn(p).id())
}
