//! Probes: entities that record a compartment of another entity during a run ([`Probe`]), or
//! an NEF object's decoded value or filtered output ([`nef::NefProbe`]).
//!
//! A probe records one compartment of one entity — every unit, or units `start..end` — after
//! every `sample_every`-th step; [`Model::probe`](crate::Model::probe) returns the samples
//! (samples × units) and [`Model::write_probes`](crate::Model::write_probes) writes each probe
//! as a `.npy` file ([`ProbeSpec::file_names`]) that numpy, or `ndarray_npy`, reads:
//!
//! ```
//! use cortecs::prelude::*;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = r#"Model(dt: 1.0,
//!     cells: [(name: "z1", kind: "LIF", params: (n_units: 4, tau_m: 10.0))],
//!     inputs: [(name: "I", kind: "Constant", target: "z1", params: (value: 20.0))],
//!     probes: [
//!         (target: "z1", compartment: "v"),
//!         (target: "z1", compartment: "s", start: 1, end: 3, sample_every: 5),
//!     ],
//! )"#;
//! let mut model = Model::from_config_str(config, &Registry::with_builtins())?;
//! model.run_steps(20)?;
//! assert_eq!(model.probe("z1", "v")?.dim(), (20, 4));
//! assert_eq!(model.probe("z1", "s")?.dim(), (4, 2)); // after steps 5, 10, 15, 20; units 1, 2
//!
//! let dir = tempfile::tempdir()?;
//! let files = model.write_probes(dir.path())?;
//! let names: Vec<_> = files.iter().filter_map(|f| f.file_name()?.to_str()).collect();
//! assert_eq!(names, ["z1.v.npy", "z1.s.1-3.npy", "model.ron"]);
//! let v: ndarray::Array2<Real> = ndarray_npy::read_npy(&files[0])?;
//! assert_eq!(v, model.probe("z1", "v")?);
//! # Ok(()) }
//! ```

pub mod nef;
pub mod stream;

use std::marker::PhantomData;

use bevy_ecs::prelude::*;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::components::compartment::Compartment;
use crate::components::nef::Solver;
use crate::components::synapses::filter::Synapse;
use crate::components::{Clock, Real};
use crate::schedule::{Phase, StepSchedule};

/// A probe as written in a config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// The entity to record.
    pub target: String,
    /// The compartment's reference name (`"v"`, `"s"` …).
    pub compartment: String,
    /// First unit recorded (inclusive).
    #[serde(default)]
    pub start: Option<usize>,
    /// Last unit recorded (exclusive); `None` = to the end.
    #[serde(default)]
    pub end: Option<usize>,
    /// Record after every `sample_every`-th step (1 = every step).
    #[serde(default = "one")]
    pub sample_every: u64,
    /// NEF probes: a synapse the recorded signal passes through (times in ms; Nengo's probe
    /// `synapse=`, one step of delay). Only for `decoded` and `output` of ensembles and nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synapse: Option<Synapse>,
    /// NEF `decoded` probes: how the probe's decoders are solved (default `LstsqL2(reg: 0.1)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solver: Option<Solver>,
}

fn one() -> u64 {
    1
}

impl ProbeSpec {
    /// The file its samples are written to: `<target>.<compartment>[.<start>-<end>].npy`.
    pub fn file_name(&self) -> String {
        let range = match (self.start, self.end) {
            (None, None) => String::new(),
            (a, b) => format!(
                ".{}-{}",
                a.unwrap_or(0),
                b.map_or("end".into(), |b| b.to_string())
            ),
        };
        format!("{}.{}{range}.npy", self.target, self.compartment)
    }

    /// The file names of `specs`, in order: [`ProbeSpec::file_name`], made unique — a probe
    /// whose name an earlier one took gets its synapse (`A.output.lowpass10.npy`) or its rank
    /// (`A.v.2.npy`) before `.npy`.
    ///
    /// ```
    /// use cortecs::components::synapses::filter::Synapse;
    /// use cortecs::probe::ProbeSpec;
    ///
    /// let v = ProbeSpec::new("z1", "v");
    /// let part = ProbeSpec { start: Some(10), end: Some(20), ..ProbeSpec::new("z1", "v") };
    /// assert_eq!(part.file_name(), "z1.v.10-20.npy");
    /// let out = ProbeSpec::new("A", "output");
    /// let filtered = ProbeSpec {
    ///     synapse: Some(Synapse::Lowpass { tau: 10.0 }),
    ///     ..ProbeSpec::new("A", "output")
    /// };
    /// assert_eq!(
    ///     ProbeSpec::file_names([&v, &part, &v, &out, &filtered]),
    ///     ["z1.v.npy", "z1.v.10-20.npy", "z1.v.2.npy", "A.output.npy", "A.output.lowpass10.npy"]
    /// );
    /// ```
    pub fn file_names<'a>(specs: impl IntoIterator<Item = &'a ProbeSpec>) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for spec in specs {
            let base = spec.file_name();
            let stem = base.trim_end_matches(".npy").to_string();
            let mut name = base;
            if names.contains(&name) {
                name = match spec.synapse {
                    Some(Synapse::Lowpass { tau }) => format!("{stem}.lowpass{tau}.npy"),
                    Some(Synapse::Alpha { tau }) => format!("{stem}.alpha{tau}.npy"),
                    _ => String::new(),
                };
                let mut k = 2;
                while name.is_empty() || names.contains(&name) {
                    name = format!("{stem}.{k}.npy");
                    k += 1;
                }
            }
            names.push(name);
        }
        names
    }

    /// Records every unit of `target.compartment` after every step.
    pub fn new(target: impl Into<String>, compartment: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            compartment: compartment.into(),
            start: None,
            end: None,
            sample_every: 1,
            synapse: None,
            solver: None,
        }
    }
}

/// The recording of compartment `C` of one entity: rows of `end − start` values, appended in
/// the Record phase after every `every`-th step (after steps k with `(k + 1) % every == 0`).
#[derive(Component)]
pub struct Probe<C: Compartment> {
    /// The recorded entity.
    pub target: Entity,
    /// Recorded units `start..end`.
    pub start: usize,
    /// See `start`.
    pub end: usize,
    /// Sampling period in steps.
    pub every: u64,
    /// Samples, row-major.
    pub data: Vec<Real>,
    _c: PhantomData<fn() -> C>,
}

/// Record phase system for compartment type `C`.
pub fn record<C: Compartment>(
    clock: Res<Clock>,
    mut probes: Query<&mut Probe<C>>,
    sources: Query<&C>,
) {
    for mut p in &mut probes {
        if !(clock.step + 1).is_multiple_of(p.every) {
            continue;
        }
        if let Ok(c) = sources.get(p.target) {
            let (a, b) = (p.start, p.end);
            p.data.extend_from_slice(&c.values()[a..b]);
        }
    }
}

pub(crate) fn spawn<C: Compartment>(
    world: &mut World,
    spec: &ProbeSpec,
    target: Entity,
    start: usize,
    end: usize,
) -> Entity {
    world
        .spawn(Probe::<C> {
            target,
            start,
            end,
            every: spec.sample_every.max(1),
            data: Vec::new(),
            _c: PhantomData,
        })
        .id()
}

pub(crate) fn add_record_system<C: Compartment>(s: &mut StepSchedule) {
    s.add(Phase::Record, record::<C>);
}

/// Reserves room for `steps` more steps so recording never allocates inside a step.
pub(crate) fn reserve<C: Compartment>(world: &mut World, e: Entity, steps: usize) {
    if let Some(mut p) = world.get_mut::<Probe<C>>(e) {
        let rows = steps.div_ceil(p.every as usize);
        let width = p.end - p.start;
        p.data.reserve(rows * width);
    }
}

/// Takes the recorded samples out (row-major), leaving the buffer empty (its capacity kept).
pub(crate) fn drain<C: Compartment>(world: &mut World, e: Entity) -> Vec<Real> {
    world
        .get_mut::<Probe<C>>(e)
        .map_or_else(Vec::new, |mut p| p.data.drain(..).collect())
}

pub(crate) fn data<C: Compartment>(world: &World, e: Entity) -> Option<Array2<Real>> {
    let p = world.get::<Probe<C>>(e)?;
    let width = p.end - p.start;
    let rows = p.data.len().checked_div(width).unwrap_or(0);
    Array2::from_shape_vec((rows, width), p.data.clone()).ok()
}
