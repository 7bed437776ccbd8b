//! Running a NEF model on the emulated chip, with its host side (NengoLoihi 1.1.0's
//! `Simulator(target="sim")`; `tests/refs/loihi/README.md` §4.3).
//!
//! One step `k` (1-based, `t = k·dt`):
//!
//! 1. **Host**: every node computes its output at `t`. Each host → chip connection's on/off
//!    neurons read the connection's value from step `k − 1` (Nengo's one step of synapse delay),
//!    `J = 0.5/dt ± 0.5/dt·x`, integrate `v += max(J, 0)·dt`, emit `floor(v)` spikes and keep
//!    the remainder (Nengo's `SpikingRectifiedLinear`, in `f64`); the spiking units are queued
//!    as host step `k`, so they reach `q` at chip step `k + 1`. Then the connection advances:
//!    the node's output (sliced), its function, `transform/radius`, its synapse.
//! 2. **Chip**: one emulator step.
//! 3. **Probes**: each probe reads the chip after the step (decoded probes
//!    `(v_on − v_off)·radius/v_scale`, spikes `amplitude/dt`, raw `v` or `u`) or the node
//!    output, and passes it through its synapse as NengoLoihi's `ProbeFilter` does (a `f32`
//!    state, the output including this step's value).
//!
//! This equals NengoLoihi's precomputed mode (all host steps first, then all chip steps): the
//! host does not read the chip, and host step `k`'s spikes are used at chip step `k + 1` either
//! way.

use std::path::Path;

use ndarray::Array2;
use ndarray_npy::WriteNpyExt;

use super::build::{LoihiLayout, ProbeRoute, layout};
use crate::components::Real;
use crate::components::loihi::decode_neurons::DecodeNeurons;
use crate::components::loihi::mapping::{Greedy, MappingReport, validate};
use crate::components::loihi::network::BuiltChip;
use crate::components::nef::connection::Connection;
use crate::components::nef::node::Node;
use crate::components::synapses::filter::{DiscreteFilter, Synapse};
use crate::error::Error;
use crate::model::Model;
use crate::persist::PersistError;
use crate::persist::atomic::write_atomic;
use crate::probe::ProbeSpec;

/// The host side of one host → chip connection.
struct HostEncoder {
    /// Filter state (2 values per dimension) and this step's filtered value.
    state: Vec<f64>,
    value: Vec<f64>,
    /// The on/off neurons' voltages (`2·dim`).
    voltage: Vec<f64>,
    /// Scratch: the sliced node output, the function's output, the transformed value.
    pre: Vec<f64>,
    mid: Vec<f64>,
    out: Vec<f64>,
    spikes: Vec<usize>,
}

/// NengoLoihi's `ProbeFilter`: a Nengo synapse on the chip's output with `f32` state. For a
/// Lowpass, one output: `y = f32(a·f64(y) + b·x)` (`OneXScalar`); several: `y = f32(y·f32(a))`,
/// `y = f32(f64(y) + b·x)` (`OneX`). Other synapses run in `f64`, rounded to `f32`.
struct ProbeRecorder {
    spec: ProbeSpec,
    filter: DiscreteFilter,
    state: Vec<f32>,
    state64: Vec<f64>,
    value: Vec<f64>,
    filtered: Vec<f64>,
    data: Vec<f64>,
}

impl ProbeRecorder {
    fn new(spec: ProbeSpec, width: usize, dt_ms: f64) -> Self {
        let filter = spec.synapse.unwrap_or(Synapse::None).discretize(dt_ms);
        Self {
            spec,
            filter,
            state: vec![0.0; width],
            state64: vec![0.0; 2 * width],
            value: vec![0.0; width],
            filtered: vec![0.0; width],
            data: Vec::new(),
        }
    }

    /// Filters `self.value` and records it if step `k` is sampled.
    fn record(&mut self, k: u64) {
        match self.filter {
            DiscreteFilter::Identity => self.filtered.copy_from_slice(&self.value),
            DiscreteFilter::First { a, b } => {
                let scalar = self.value.len() == 1;
                for ((y, x), f) in self
                    .state
                    .iter_mut()
                    .zip(&self.value)
                    .zip(&mut self.filtered)
                {
                    *y = if scalar {
                        (a * f64::from(*y) + b * x) as f32
                    } else {
                        (f64::from(*y * a as f32) + b * x) as f32
                    };
                    *f = f64::from(*y);
                }
            }
            DiscreteFilter::Second { .. } => {
                self.filter
                    .step_slices(&mut self.state64, &self.value, &mut self.filtered);
                for f in &mut self.filtered {
                    *f = f64::from(*f as f32);
                }
            }
        }
        if k.is_multiple_of(self.spec.sample_every.max(1)) {
            let (a, b) = (
                self.spec.start.unwrap_or(0),
                self.spec.end.unwrap_or(self.filtered.len()),
            );
            self.data.extend_from_slice(&self.filtered[a..b]);
        }
    }
}

/// How a [`LoihiSimulator`] is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoihiOptions {
    /// Chips available to the allocator (128 cores each).
    pub chips: usize,
    /// The emulator's RNG seed (NengoLoihi: the simulator seed, by default the network seed
    /// + 1); only noise and learning use it.
    pub seed: u32,
    /// Check NengoLoihi's per-core limits before building (its `validation_level`); the
    /// emulator itself runs blocks of any size.
    pub validate: bool,
}

impl Default for LoihiOptions {
    /// One chip, seed 0, validated.
    fn default() -> Self {
        Self {
            chips: 1,
            seed: 0,
            validate: true,
        }
    }
}

/// A NEF model running on the emulated Loihi chip.
///
/// Build the model for [`Target::Loihi`](crate::Target::Loihi) (with
/// [`Model::from_source_for`] or [`ModelBuilder::build_for`](crate::ModelBuilder::build_for)),
/// then hand it over:
///
/// ```
/// use cortecs::config::Source;
/// use cortecs::loihi::{LoihiOptions, LoihiSimulator};
/// use cortecs::{Model, Registry, Target};
/// # fn main() -> Result<(), cortecs::Error> {
/// let config = r#"Model(dt: 1.0, seed: 1,
///     cells: [
///         (name: "stim", kind: "Node", params: (output: Constant([0.5]))),
///         (name: "A", kind: "Ensemble", params: (n_neurons: 50, dimensions: 1)),
///     ],
///     synapses: [(name: "in", kind: "Connection", pre: "stim", post: "A", params: ())],
///     probes: [(target: "A", compartment: "decoded", synapse: Lowpass(tau: 10.0))],
/// )"#;
/// let src = Source::new(config, "<doc>");
/// let model = Model::from_source_for(&src, &Registry::with_builtins(), Target::Loihi)?;
/// let mut sim = LoihiSimulator::new(model, LoihiOptions::default())?;
/// sim.run_steps(200)?;
/// assert_eq!(sim.steps(), 200);
/// let a = sim.probe("A", "decoded")?; // steps × dimensions, Nengo units
/// assert_eq!(a.dim(), (200, 1));
/// let tail = a.slice(ndarray::s![150.., 0]); // settled on the input
/// assert!((tail.mean().unwrap() - 0.5).abs() < 0.1, "{tail}");
/// # Ok(()) }
/// ```
pub struct LoihiSimulator {
    model: Model,
    layout: LoihiLayout,
    chip: BuiltChip,
    report: MappingReport,
    encoders: Vec<HostEncoder>,
    onoff: DecodeNeurons,
    node_out: Vec<Vec<f64>>,
    /// The `Real` output buffer nodes write besides their `f64` one (sized for the widest).
    node_scratch: Vec<Real>,
    probes: Vec<ProbeRecorder>,
    step: u64,
}

impl LoihiSimulator {
    /// Lays out `model` (built for [`crate::Target::Loihi`]), maps it with NengoLoihi's
    /// Greedy allocator, checks every limit (an error names the limit and the object, then
    /// prints the report), discretizes and builds the emulator.
    pub fn new(model: Model, options: LoihiOptions) -> Result<Self, Error> {
        let layout = layout(&model)?;
        let split = layout.network.resources().split();
        let chips = options.chips.max(1);
        let report = Greedy {
            n_chips: chips,
            ..Greedy::default()
        }
        .allocate(&split.model);
        if options.validate {
            validate(&report).map_err(|e| {
                Error::Build(format!(
                    "the model does not fit on {chips} Loihi chip(s): {e}\n{report}"
                ))
            })?;
        }
        let chip = layout
            .network
            .build(options.seed)
            .map_err(|e| Error::Build(format!("building the chip: {e}")))?;
        let dt_ms = model.config().dt;
        let world = model.world();
        let encoders = layout
            .inputs
            .iter()
            .map(|h| {
                let conn = world.get::<Connection>(h.connection).expect("a connection");
                let n_pre = conn.pre_index.as_ref().map_or_else(
                    || world.get::<Node>(h.node).map_or(0, |n| n.size_out),
                    Vec::len,
                );
                let n_mid = conn.function.as_ref().map_or(n_pre, |f| f.size_out());
                HostEncoder {
                    state: vec![0.0; 2 * h.dim],
                    value: vec![0.0; h.dim],
                    voltage: vec![0.0; 2 * h.dim],
                    pre: vec![0.0; n_pre],
                    mid: vec![0.0; n_mid],
                    out: vec![0.0; h.dim],
                    spikes: Vec::with_capacity(2 * h.dim),
                }
            })
            .collect();
        let node_out: Vec<Vec<f64>> = layout
            .nodes
            .iter()
            .map(|e| vec![0.0; world.get::<Node>(*e).map_or(0, |n| n.size_out)])
            .collect();
        let probes = model
            .probes()
            .zip(&layout.probes)
            .map(|(spec, route)| {
                let width = match route {
                    ProbeRoute::Chip { probe, .. } => chip.probe_width(*probe),
                    ProbeRoute::Node(e) => world.get::<Node>(*e).map_or(0, |n| n.size_out),
                };
                ProbeRecorder::new(spec.clone(), width, dt_ms)
            })
            .collect();
        Ok(Self {
            onoff: DecodeNeurons::host_input(dt_ms),
            model,
            layout,
            chip,
            report,
            encoders,
            node_scratch: vec![0.0; node_out.iter().map(Vec::len).max().unwrap_or(0)],
            node_out,
            probes,
            step: 0,
        })
    }

    /// The mapping report (cores, axons, synapse memory).
    pub fn report(&self) -> &MappingReport {
        &self.report
    }

    /// The layout (chip network, host inputs, warnings).
    pub fn layout(&self) -> &LoihiLayout {
        &self.layout
    }

    /// The built chip (emulator state, cores and their discretization).
    pub fn chip(&self) -> &BuiltChip {
        &self.chip
    }

    /// Steps run so far.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// Runs `n` steps.
    pub fn run_steps(&mut self, n: u64) -> Result<(), Error> {
        for _ in 0..n {
            self.step_once()?;
        }
        Ok(())
    }

    fn step_once(&mut self) -> Result<(), Error> {
        let k = self.step + 1;
        let dt_ms = self.model.config().dt;
        let dt = dt_ms / 1000.0;
        let t_ms = k as f64 * dt_ms;
        // 1. host nodes
        for (e, out) in self.layout.nodes.iter().zip(&mut self.node_out) {
            if let Some(mut node) = self.model.world_mut().get_mut::<Node>(*e) {
                let scratch = &mut self.node_scratch[..node.size_out];
                node.step(k, t_ms, scratch);
                out.copy_from_slice(&node.y);
            }
        }
        // host → chip: on/off neurons on last step's value, then the connection advances
        let (g_on, bias) = (self.onoff.gain[0], self.onoff.bias[0]);
        for (h, enc) in self.layout.inputs.iter().zip(&mut self.encoders) {
            enc.spikes.clear();
            for (u, v) in enc.voltage.iter_mut().enumerate() {
                let x = enc.value[u % h.dim];
                let e = if u < h.dim { g_on } else { -g_on };
                let j = bias + e * x;
                *v += j.max(0.0) * dt;
                let n = v.floor();
                *v -= n;
                if n > 0.0 {
                    enc.spikes.push(u);
                }
            }
            let input = self.chip.inputs[h.input];
            self.chip
                .emulator
                .queue_input_spikes(input, k, &enc.spikes)
                .map_err(|e| Error::Build(format!("host input: {e}")))?;
            let world = self.model.world();
            let Some(conn) = world.get::<Connection>(h.connection) else {
                continue;
            };
            let node = self
                .layout
                .nodes
                .iter()
                .position(|n| *n == h.node)
                .map_or(&[][..], |i| &self.node_out[i][..]);
            match &conn.pre_index {
                Some(ix) => {
                    for (p, &i) in enc.pre.iter_mut().zip(ix) {
                        *p = node[i];
                    }
                }
                None => enc.pre.copy_from_slice(node),
            }
            match &conn.function {
                Some(f) => f.eval(&enc.pre, &mut enc.mid),
                None => enc.mid.copy_from_slice(&enc.pre),
            }
            let m = enc.mid.len();
            for (j, o) in enc.out.iter_mut().enumerate() {
                let row = &h.transform[j * m..(j + 1) * m];
                *o = row.iter().zip(&enc.mid).map(|(t, x)| t * x).sum();
            }
            h.filter
                .step_slices(&mut enc.state, &enc.out, &mut enc.value);
        }
        // 2. chip
        self.chip.step();
        // 3. probes
        for (rec, route) in self.probes.iter_mut().zip(&self.layout.probes) {
            match route {
                ProbeRoute::Chip { probe, scale } => {
                    self.chip.read_probe(*probe, &mut rec.value);
                    if *scale != 1.0 {
                        for v in &mut rec.value {
                            *v *= scale;
                        }
                    }
                }
                ProbeRoute::Node(e) => {
                    if let Some(i) = self.layout.nodes.iter().position(|n| n == e) {
                        rec.value.copy_from_slice(&self.node_out[i]);
                    }
                }
            }
            rec.record(k);
        }
        self.step = k;
        Ok(())
    }

    /// The samples of probe `index` (config order), samples × recorded units.
    pub fn probe_at(&self, index: usize) -> Option<Array2<f64>> {
        let rec = self.probes.get(index)?;
        let width = rec.spec.end.unwrap_or(rec.value.len()) - rec.spec.start.unwrap_or(0);
        let rows = rec.data.len().checked_div(width).unwrap_or(0);
        Array2::from_shape_vec((rows, width), rec.data.clone()).ok()
    }

    /// The samples of the first probe of `target.compartment`.
    pub fn probe(&self, target: &str, compartment: &str) -> Result<Array2<f64>, Error> {
        let i = self
            .probes
            .iter()
            .position(|p| p.spec.target == target && p.spec.compartment == compartment)
            .ok_or_else(|| Error::Build(format!("no probe of `{target}`.{compartment}")))?;
        self.probe_at(i)
            .ok_or_else(|| Error::Build(format!("probe of `{target}`.{compartment}: no data")))
    }

    /// Writes every probe as `<target>.<compartment>.npy` (`f64`) and the resolved
    /// `model.ron` into `dir`, each atomically.
    pub fn write_probes(&self, dir: impl AsRef<Path>) -> Result<Vec<std::path::PathBuf>, Error> {
        let dir = dir.as_ref();
        let io = |path: &Path, source: std::io::Error| {
            Error::from(PersistError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let mut written = Vec::new();
        let names = ProbeSpec::file_names(self.probes.iter().map(|r| &r.spec));
        for (i, name) in names.into_iter().enumerate() {
            let Some(data) = self.probe_at(i) else {
                continue;
            };
            let path = dir.join(name);
            write_atomic(&path, |f| data.write_npy(f).map_err(std::io::Error::other))
                .map_err(|e| io(&path, e))?;
            written.push(path);
        }
        let path = dir.join("model.ron");
        write_atomic(&path, |f| {
            std::io::Write::write_all(f, self.model.config().to_ron().as_bytes())
        })
        .map_err(|e| io(&path, e))?;
        written.push(path);
        Ok(written)
    }
}
