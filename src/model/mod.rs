//! The model: a bevy world, its step schedule, and the Rust API around them.

mod build;
mod builder;
mod io;
mod memory;
mod params;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bevy_ecs::prelude::*;
use ndarray::{Array2, ArrayD, ArrayViewD};

pub use build::Name;
pub use builder::ModelBuilder;
pub use memory::{MemoryBudget, default_memory_limit, parse_bytes};

use crate::components::nef::ensemble::BuiltEnsemble;
use crate::components::{Clock, Real};
use crate::config::{ModelConfig, Source};
use crate::error::{Error, nearest};
use crate::probe::ProbeSpec;
use crate::registry::arrays::ProbeHooks;
use crate::registry::{Registry, Role};
use crate::schedule::StepSchedule;

/// What a model is built to run on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// cortecs' own floating-point step.
    #[default]
    Float,
    /// The Loihi emulator ([`crate::loihi`]): NEF ensembles are built as NengoLoihi builds
    /// them (intercepts limited to 0.95, decoders solved against `loihi_rates`).
    Loihi,
}

/// A decoded connection's decoders, as solved ([`Model::decoders`]).
#[derive(Clone, Copy, Debug)]
pub struct Decoders<'a> {
    /// Nengo's solver output `D` in `f64`, neurons × function dimensions (function units per
    /// Hz).
    pub values: &'a Array2<f64>,
    /// The solver's RMSE on the eval points, per function dimension (function units).
    pub solver_rmse: &'a [f64],
    /// The function the decoders approximate (`None`: the identity).
    pub function: Option<&'a crate::components::nef::function::Function>,
}

/// What the model knows about one of its entities.
#[derive(Clone, Debug)]
pub struct EntityInfo {
    /// Unique name.
    pub name: String,
    /// Registered kind.
    pub kind: &'static str,
    /// Population, synapse or current source.
    pub role: Role,
    /// The ECS entity.
    pub entity: Entity,
    /// Units (for synapses: postsynaptic units).
    pub n_units: usize,
    /// Reference names of its compartments.
    pub compartments: &'static [&'static str],
}

#[derive(Clone)]
struct ProbeInfo {
    spec: ProbeSpec,
    entity: Entity,
    hooks: ProbeHooks,
    /// Values per sample.
    width: usize,
}

/// A built model, ready to run.
///
/// Build one from a RON config (a file, a string, or [`ModelBuilder`]), advance it with
/// [`run_steps`](Self::run_steps), read what its probes recorded with
/// [`probe`](Self::probe) (steps × units) and any compartment or weight matrix with
/// [`array`](Self::array) / [`set_array`](Self::set_array):
///
/// ```
/// use cortecs::prelude::*;
/// # fn main() -> Result<(), cortecs::Error> {
/// let config = r#"Model(
///     dt: 0.1, // ms
///     seed: 1,
///     cells: [(name: "z1", kind: "LIF", params: (n_units: 3, tau_m: 10.0))],
///     inputs: [(name: "I", kind: "Constant", target: "z1", params: (value: 20.0))],
///     probes: [(target: "z1", compartment: "v")],
/// )"#;
/// let mut model = Model::from_config_str(config, &Registry::with_builtins())?;
/// model.run_steps(50)?;
/// assert_eq!(model.clock().step, 50);
///
/// let v = model.probe("z1", "v")?; // recorded after every step
/// assert_eq!(v.dim(), (50, 3)); // steps × units
///
/// // The state now: one value per unit, equal to the last recorded row.
/// let v_now = model.array("z1", "v")?;
/// assert_eq!(v_now.shape(), [3]);
/// assert!(v_now.iter().eq(v.row(49).iter()));
///
/// // Overwrite it (same shape), e.g. to set an initial state.
/// let mut v_new = v_now.clone();
/// v_new.fill(-70.0);
/// model.set_array("z1", "v", v_new.view())?;
/// assert_eq!(model.array("z1", "v")?, v_new);
/// # Ok(()) }
/// ```
///
/// [`save`](Self::save) writes the whole state to a directory and [`load`](Self::load) reads
/// it back; the loaded model continues bit for bit as the original would have:
///
/// ```
/// use cortecs::prelude::*;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = r#"Model(dt: 1.0, seed: 3,
///     cells: [(name: "z0", kind: "Poisson", params: (n_units: 20, target_freq: 200.0)),
///             (name: "z1", kind: "LIF", params: (n_units: 5, tau_m: 10.0))],
///     synapses: [(name: "W", kind: "Dense", pre: "z0", post: "z1",
///                 params: (weight_init: Uniform(amin: 0.0, amax: 10.0)))],
///     probes: [(target: "z1", compartment: "s")],
/// )"#;
/// let mut model = Model::from_config_str(config, &Registry::with_builtins())?;
/// model.run_steps(100)?;
///
/// let dir = tempfile::tempdir()?; // or any directory
/// model.save(dir.path())?; // model.ron and state-100/ with z0.npz, z1.npz, W.npz
/// let mut resumed = Model::load(dir.path())?; // its probes start empty
/// assert_eq!(resumed.clock().step, 100);
/// assert_eq!(resumed.array("W", "weights")?, model.array("W", "weights")?);
///
/// model.run_steps(100)?;
/// resumed.run_steps(100)?;
/// let spikes = model.probe("z1", "s")?; // steps 1 … 200
/// let after_save = spikes.slice(ndarray::s![100.., ..]);
/// assert!(after_save.sum() > 0.0); // z1 fires
/// assert_eq!(resumed.probe("z1", "s")?, after_save); // spike for spike
/// assert_eq!(resumed.array("z1", "v")?, model.array("z1", "v")?);
/// # Ok(()) }
/// ```
pub struct Model {
    world: World,
    schedule: StepSchedule,
    entities: Vec<EntityInfo>,
    by_name: HashMap<String, usize>,
    probes: Vec<ProbeInfo>,
    config: ModelConfig,
    registry: Registry,
    base_dir: PathBuf,
    pool: Option<rayon::ThreadPool>,
    /// Probes streamed to files ([`Model::stream_probes`]): one file per probe, flushed every
    /// `every` steps.
    stream: Option<(u64, Vec<crate::probe::stream::NpyStream>)>,
}

impl Model {
    fn assemble(
        world: World,
        schedule: StepSchedule,
        entities: Vec<EntityInfo>,
        probes: Vec<ProbeInfo>,
        config: ModelConfig,
        registry: Registry,
        base_dir: PathBuf,
    ) -> Self {
        let by_name = entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
        Self {
            world,
            schedule,
            entities,
            by_name,
            probes,
            config,
            registry,
            base_dir,
            pool: None,
            stream: None,
        }
    }

    /// Builds the model a RON config file describes, with the built-in kinds.
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_config_file_with(path, &Registry::with_builtins())
    }

    /// Builds the model a RON config file describes, resolving kinds in `registry`.
    pub fn from_config_file_with(
        path: impl AsRef<Path>,
        registry: &Registry,
    ) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Source::new("", path).error_at(None, None, crate::config::ConfigErrorKind::Io(e))
        })?;
        Self::from_source(&Source::new(&text, path), registry)
    }

    /// Builds a model from RON text (messages call it `<string>`; relative paths resolve
    /// against the current directory).
    pub fn from_config_str(text: &str, registry: &Registry) -> Result<Self, Error> {
        let mut src = Source::new(text, "<string>");
        src.base_dir = PathBuf::from(".");
        Self::from_source(&src, registry)
    }

    /// Builds a model from a config source.
    pub fn from_source(src: &Source, registry: &Registry) -> Result<Self, Error> {
        Self::from_source_for(src, registry, Target::Float)
    }

    /// Builds the model a RON config file describes for `target`, with the built-in kinds.
    pub fn from_config_file_for(path: impl AsRef<Path>, target: Target) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Source::new("", path).error_at(None, None, crate::config::ConfigErrorKind::Io(e))
        })?;
        Self::from_source_for(
            &Source::new(&text, path),
            &Registry::with_builtins(),
            target,
        )
    }

    /// Builds a model from a config source for `target`.
    pub fn from_source_for(
        src: &Source,
        registry: &Registry,
        target: Target,
    ) -> Result<Self, Error> {
        if let Some(dt) = src.dt.filter(|dt| !(dt.is_finite() && *dt > 0.0)) {
            return Err(Error::Build(format!(
                "{}: the dt given instead of the config's must be a finite step size > 0 ms, \
                 found {dt}",
                src.file.display()
            )));
        }
        let mut doc = src.parse()?;
        doc.dt = src.dt.unwrap_or(doc.dt);
        doc.seed = src.seed.unwrap_or(doc.seed);
        let mut model = build::build(src, &doc, registry, target)?;
        model
            .schedule
            .schedule_mut()
            .initialize(&mut model.world)
            .map_err(|e| {
                Error::Build(format!(
                    "the step schedule is invalid: {}",
                    e.to_string(model.schedule.schedule_mut().graph(), &model.world)
                ))
            })?;
        Ok(model)
    }

    /// Runs data-parallel kernels on a private pool of `threads` threads (default: rayon's
    /// global pool); with 1 thread they run on the calling thread, with no pool hand-off per
    /// call. Results are bit-identical for any thread count. 0 threads is an error.
    pub fn set_threads(&mut self, threads: usize) -> Result<(), Error> {
        if threads == 0 {
            return Err(Error::Build(
                "threads: expected a number of threads ≥ 1, found 0".into(),
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Build(format!("cannot start {threads} threads: {e}")))?;
        self.pool = Some(pool);
        Ok(())
    }

    /// Advances the model by one step.
    pub fn step(&mut self) {
        self.run_steps_inner(1);
    }

    /// Advances the model by `n` steps.
    pub fn run_steps(&mut self, n: u64) -> Result<(), Error> {
        self.run_steps_with(n, n.max(1), |_| {})
    }

    /// Advances by `n` steps, calling `progress(done)` every `every` steps. Streamed probes
    /// ([`Model::stream_probes`]) are written out every chunk of their own period too.
    pub fn run_steps_with(
        &mut self,
        n: u64,
        every: u64,
        mut progress: impl FnMut(u64),
    ) -> Result<(), Error> {
        let every = every.max(1);
        let chunk = self.stream.as_ref().map_or(every, |s| s.0.min(every));
        // room for every sample the probes will hold, so no step allocates
        let held = if self.stream.is_some() {
            chunk.min(n)
        } else {
            n
        };
        self.check_probe_memory(held, None)?;
        self.reserve_probes(held as usize);
        let mut done = 0;
        let mut next_progress = every;
        while done < n {
            let k = chunk.min(n - done).min(next_progress - done);
            self.run_steps_inner(k);
            done += k;
            self.flush_streams()?;
            if done == next_progress || done == n {
                progress(done);
                next_progress += every;
            }
        }
        Ok(())
    }

    /// From now on, writes every probe's samples to `dir/<target>.<compartment>.npy` as the
    /// run goes, every `every_steps` steps, keeping at most that many samples in memory: long
    /// runs stay within bounded memory. Each file is a valid `.npy` at any moment (see
    /// [`crate::probe::stream`]). Samples already recorded go to the files first. After this,
    /// [`Model::probe`] returns only what has not been written yet. The resolved config is
    /// written first, as `dir/model.ron` (so an interrupted run's folder still says its `dt`
    /// and `sample_every`s). Returns the probe files.
    ///
    /// ```
    /// use cortecs::prelude::*;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = r#"Model(dt: 1.0,
    ///     cells: [(name: "z1", kind: "LIF", params: (n_units: 4, tau_m: 10.0))],
    ///     inputs: [(name: "I", kind: "Constant", target: "z1", params: (value: 20.0))],
    ///     probes: [(target: "z1", compartment: "v")],
    /// )"#;
    /// let mut model = Model::from_config_str(config, &Registry::with_builtins())?;
    /// let dir = tempfile::tempdir()?;
    /// let files = model.stream_probes(dir.path(), 10)?; // written every 10 steps
    /// assert_eq!(files, [dir.path().join("z1.v.npy")]);
    /// assert!(dir.path().join("model.ron").exists()); // before the run
    /// model.run_steps(25)?;
    /// let v: ndarray::Array2<Real> = ndarray_npy::read_npy(&files[0])?;
    /// assert_eq!(v.dim(), (25, 4)); // every step is in the file ...
    /// assert_eq!(model.probe("z1", "v")?.nrows(), 0); // ... and none left in memory
    /// # Ok(()) }
    /// ```
    pub fn stream_probes(
        &mut self,
        dir: impl AsRef<Path>,
        every_steps: u64,
    ) -> Result<Vec<PathBuf>, Error> {
        let dir = dir.as_ref();
        let io = |path: &Path, source: std::io::Error| {
            Error::from(crate::persist::PersistError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        // the run's config (dt, sample_every …) goes first: an interrupted run's probes can
        // still be read in time and rates
        let config = dir.join("model.ron");
        crate::persist::atomic::write_atomic(&config, |f| {
            std::io::Write::write_all(f, self.config().to_ron().as_bytes())
        })
        .map_err(|e| io(&config, e))?;
        let mut files = Vec::with_capacity(self.probes.len());
        let names = ProbeSpec::file_names(self.probes.iter().map(|p| &p.spec));
        for (p, name) in self.probes.iter().zip(names) {
            let width = (p.hooks.data)(&self.world, p.entity).map_or(0, |d| d.ncols());
            let path = dir.join(name);
            let mut f =
                crate::probe::stream::NpyStream::create(&path, width).map_err(|e| io(&path, e))?;
            let pending = (p.hooks.drain)(&mut self.world, p.entity);
            f.append(&pending).map_err(|e| io(&path, e))?;
            files.push(f);
        }
        let paths = files.iter().map(|f| f.path().to_path_buf()).collect();
        self.stream = Some((every_steps.max(1), files));
        Ok(paths)
    }

    /// Appends what the streamed probes recorded to their files.
    fn flush_streams(&mut self) -> Result<(), Error> {
        let Some((_, files)) = &mut self.stream else {
            return Ok(());
        };
        for (p, f) in self.probes.iter().zip(files.iter_mut()) {
            let data = (p.hooks.drain)(&mut self.world, p.entity);
            f.append(&data).map_err(|source| {
                Error::from(crate::persist::PersistError::Io {
                    path: f.path().to_path_buf(),
                    source,
                })
            })?;
        }
        Ok(())
    }

    /// Sets the bytes the model may use (entities and probe buffers; see [`MemoryBudget`]).
    /// Entities are already built: this limits the probe buffers of later runs.
    pub fn set_max_memory(&mut self, bytes: u64) {
        self.world.resource_mut::<MemoryBudget>().limit = bytes;
    }

    /// The model's memory limit and what its entities take.
    pub fn memory(&self) -> &MemoryBudget {
        self.world.resource::<MemoryBudget>()
    }

    /// Checks that the probes' buffers for `steps` more steps fit in the memory limit beside
    /// the entities (with `streamed`, only the samples held between two writes of
    /// [`Model::stream_probes`], `every_steps` of them): `⌈steps / sample_every⌉ × width`
    /// values per probe, in checked arithmetic. [`Model::run_steps`] checks this before it
    /// reserves the buffers; `cortecs check` checks it for the config's `run.steps`.
    ///
    /// ```
    /// use cortecs::prelude::*;
    /// # fn main() -> Result<(), cortecs::Error> {
    /// let config = r#"Model(dt: 1.0,
    ///     cells: [(name: "z1", kind: "LIF", params: (n_units: 1000, tau_m: 10.0))],
    ///     probes: [(target: "z1", compartment: "v")],
    /// )"#;
    /// let mut model = Model::from_config_str(config, &Registry::with_builtins())?;
    /// model.set_max_memory(1 << 20); // 1 MiB
    /// assert!(model.check_probe_memory(100, None).is_ok()); // 100 × 1000 values
    /// let err = model.check_probe_memory(1_000_000_000_000, None).unwrap_err();
    /// assert!(err.to_string().contains("probe `z1.v`"));
    /// assert!(model.run_steps(1_000_000_000_000).is_err()); // refused before allocating
    /// assert!(model.check_probe_memory(1_000_000_000_000, Some(100)).is_ok()); // streamed
    /// # Ok(()) }
    /// ```
    pub fn check_probe_memory(&self, steps: u64, streamed: Option<u64>) -> Result<(), Error> {
        let held = streamed.map_or(steps, |every| every.max(1).min(steps));
        let budget = self.memory();
        let value = size_of::<Real>() as u64;
        let mut total: u64 = 0;
        for p in &self.probes {
            let every = p.spec.sample_every.max(1);
            let bytes = held
                .div_ceil(every)
                .saturating_mul(p.width as u64)
                .saturating_mul(value);
            total = total.saturating_add(bytes);
            if total > budget.available() || usize::try_from(bytes).is_err() {
                return Err(Error::Memory {
                    what: format!(
                        "probe `{}.{}`: {} samples (every {every} of {held} steps) × {} values",
                        p.spec.target,
                        p.spec.compartment,
                        held.div_ceil(every),
                        p.width
                    ),
                    needed: bytes,
                    limit: budget.limit,
                    in_use: budget.used.saturating_add(total - bytes),
                });
            }
        }
        Ok(())
    }

    fn reserve_probes(&mut self, n: usize) {
        for p in &self.probes {
            (p.hooks.reserve)(&mut self.world, p.entity, n);
        }
    }

    fn run_steps_inner(&mut self, n: u64) {
        let Self {
            world,
            schedule,
            pool,
            ..
        } = self;
        let mut go = || {
            for _ in 0..n {
                schedule.schedule_mut().run(world);
                world.resource_mut::<Clock>().step += 1;
            }
        };
        match pool {
            Some(p) if p.current_num_threads() == 1 => crate::components::chunk::sequential(go),
            Some(p) => p.install(go),
            None => go(),
        }
    }

    /// The clock (step count, dt).
    pub fn clock(&self) -> Clock {
        *self.world.resource::<Clock>()
    }

    /// What was recorded of `entity.compartment`, steps × units.
    pub fn probe(&self, entity: &str, compartment: &str) -> Result<Array2<Real>, Error> {
        self.info(entity)?;
        let p = self
            .probes
            .iter()
            .find(|p| p.spec.target == entity && p.spec.compartment == compartment)
            .ok_or_else(|| Error::NoProbe {
                entity: entity.into(),
                compartment: compartment.into(),
            })?;
        (p.hooks.data)(&self.world, p.entity).ok_or_else(|| Error::NoProbe {
            entity: entity.into(),
            compartment: compartment.into(),
        })
    }

    /// What probe number `index` (config order, as [`probes`](Self::probes) lists them)
    /// recorded — for two probes of the same compartment, e.g. with different synapses or
    /// `sample_every`.
    pub fn probe_at(&self, index: usize) -> Result<Array2<Real>, Error> {
        let p = self.probes.get(index).ok_or_else(|| {
            Error::Build(format!(
                "no probe number {index}: the model has {}",
                self.probes.len()
            ))
        })?;
        (p.hooks.data)(&self.world, p.entity).ok_or_else(|| Error::NoProbe {
            entity: p.spec.target.clone(),
            compartment: p.spec.compartment.clone(),
        })
    }

    /// The entity holding probe `index`'s state (for NEF probes, a [`crate::probe::nef::NefProbe`]).
    pub(crate) fn probe_entity(&self, index: usize) -> Option<Entity> {
        self.probes.get(index).map(|p| p.entity)
    }

    /// The probes of this model, as configured.
    pub fn probes(&self) -> impl Iterator<Item = &ProbeSpec> {
        self.probes.iter().map(|p| &p.spec)
    }

    /// The entity called `name`.
    pub fn info(&self, name: &str) -> Result<&EntityInfo, Error> {
        self.by_name
            .get(name)
            .map(|i| &self.entities[*i])
            .ok_or_else(|| Error::UnknownEntity {
                name: name.into(),
                suggestion: nearest(name, self.entities.iter().map(|e| e.name.as_str())),
            })
    }

    /// Every entity, in config order.
    pub fn entities(&self) -> &[EntityInfo] {
        &self.entities
    }

    /// Names of the persistent arrays `entity` has (its compartments, weights …).
    pub fn array_names(&self, entity: &str) -> Result<Vec<&'static str>, Error> {
        let e = self.info(entity)?.entity;
        Ok(self
            .registry
            .arrays()
            .filter(|a| (a.get)(&self.world, e).is_some())
            .map(|a| a.name)
            .collect())
    }

    /// A copy of array `name` (a compartment, `weights` …) of `entity`.
    pub fn array(&self, entity: &str, name: &str) -> Result<ArrayD<Real>, Error> {
        let e = self.info(entity)?.entity;
        self.registry
            .array(name)
            .and_then(|a| (a.get)(&self.world, e))
            .ok_or_else(|| self.unknown_array(entity, name))
    }

    /// Overwrites array `name` of `entity` (same shape; a compartment also accepts ngclearn's
    /// `(1, n)`). This is the path `load` uses; tests and users set initial state with it.
    pub fn set_array(
        &mut self,
        entity: &str,
        name: &str,
        values: ArrayViewD<Real>,
    ) -> Result<(), Error> {
        let e = self.info(entity)?.entity;
        let set = self
            .registry
            .array(name)
            .filter(|a| (a.get)(&self.world, e).is_some())
            .map(|a| a.set);
        let Some(set) = set else {
            return Err(self.unknown_array(entity, name));
        };
        set(&mut self.world, e, values.view()).map_err(|expected| Error::Shape {
            entity: entity.into(),
            array: name.into(),
            expected,
            found: values.shape().to_vec(),
        })
    }

    fn unknown_array(&self, entity: &str, name: &str) -> Error {
        Error::UnknownArray {
            entity: entity.into(),
            array: name.into(),
            available: self
                .array_names(entity)
                .unwrap_or_default()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// Replaces the output of NEF node `name` with a Rust closure `f(t_ms, input, output)`
    /// (`input` has the node's `size_in` values, `output` its `size_out`). The closure may keep
    /// state — e.g. a node that records inter-spike intervals. It runs where the node runs in
    /// the step (see [`components::nef::systems`](crate::components::nef::systems)).
    pub fn set_node_function(
        &mut self,
        name: &str,
        f: impl FnMut(f64, &[f64], &mut [f64]) + Send + Sync + 'static,
    ) -> Result<(), Error> {
        use crate::components::nef::node::{Node, NodeOutput};
        let e = self.info(name)?.entity;
        let mut node = self
            .world
            .get_mut::<Node>(e)
            .ok_or_else(|| Error::Build(format!("`{name}` is not a Node")))?;
        node.output = NodeOutput::Closure(Box::new(f));
        Ok(())
    }

    /// Replaces the function of NEF connection `name` with `f` (e.g. a Rust closure,
    /// [`Function::from_fn`](crate::components::nef::function::Function::from_fn)) and
    /// rebuilds it: decoders are solved again for `f` on the same eval points, with the same
    /// solver, transform and synapse (its state starts again from 0). From a node, `f` runs
    /// every step.
    pub fn set_connection_function(
        &mut self,
        name: &str,
        f: crate::components::nef::function::Function,
    ) -> Result<(), Error> {
        use crate::components::nef::connection::ConnectionParams;
        use crate::components::nef::slice::Selector;
        use crate::registry::Endpoint;
        use crate::registry::builtin::nef::{connect, install};
        let entity = self.info(name)?.entity;
        let not_nef = || Error::Build(format!("`{name}` is not a NEF Connection"));
        let spec = self
            .config
            .synapses
            .iter()
            .find(|s| s.name == name && s.kind == "Connection")
            .ok_or_else(not_nef)?;
        let p: ConnectionParams = crate::registry::ron_options()
            .from_str(spec.params.get_ron())
            .map_err(|e| Error::Build(format!("connection `{name}`: {e}")))?;
        let endpoint = |text: &Option<String>| -> Result<Endpoint, Error> {
            let text = text.as_deref().ok_or_else(not_nef)?;
            let selector = Selector::parse(text).map_err(Error::Build)?;
            let info = self.info(&selector.name)?;
            Ok(Endpoint {
                entity: info.entity,
                name: info.name.clone(),
                n_units: info.n_units,
                selector,
            })
        };
        let (pre, post) = (endpoint(&spec.pre)?, endpoint(&spec.post)?);
        let key = crate::components::rng::StreamKey::new(self.config.seed, name);
        let built = connect(&self.world, &pre, &post, &p, Some(f), self.clock().dt, key)
            .map_err(|e| Error::Build(format!("connection `{name}`: {e}")))?;
        install(&mut self.world, entity, built);
        Ok(())
    }

    /// Whether NEF node `name` only passes its input on (Nengo's `Node.is_passthrough`: a node
    /// without an output function).
    ///
    /// ```
    /// use cortecs::prelude::*;
    /// # fn main() -> Result<(), cortecs::Error> {
    /// let config = r#"Model(dt: 1.0,
    ///     cells: [
    ///         (name: "stim", kind: "Node", params: (output: Sine(frequency: 2.0))),
    ///         (name: "pass", kind: "Node", params: (size_in: 1)),
    ///     ],
    ///     synapses: [(name: "c", kind: "Connection", pre: "stim", post: "pass",
    ///                 params: (synapse: None))],
    /// )"#;
    /// let model = Model::from_config_str(config, &Registry::with_builtins())?;
    /// assert!(model.is_passthrough("pass")?);
    /// assert!(!model.is_passthrough("stim")?);
    /// assert!(model.is_passthrough("c").is_err()); // not a node
    /// # Ok(()) }
    /// ```
    pub fn is_passthrough(&self, name: &str) -> Result<bool, Error> {
        use crate::components::nef::node::Node;
        let e = self.info(name)?.entity;
        self.world
            .get::<Node>(e)
            .map(Node::is_passthrough)
            .ok_or_else(|| Error::Build(format!("`{name}` is not a Node")))
    }

    /// What NEF ensemble `name` was built with (Nengo's `sim.data[ens]`): neuron type, radius,
    /// encoders, gain, bias, max rates (Hz), intercepts, eval points, initial voltages.
    ///
    /// ```
    /// use cortecs::prelude::*;
    /// # fn main() -> Result<(), cortecs::Error> {
    /// let config = r#"Model(dt: 1.0, seed: 1,
    ///     cells: [(name: "A", kind: "Ensemble", params: (n_neurons: 40, dimensions: 2))],
    /// )"#;
    /// let model = Model::from_config_str(config, &Registry::with_builtins())?;
    /// let a = model.ensemble("A")?;
    /// assert_eq!((a.n_neurons(), a.dimensions()), (40, 2));
    /// assert_eq!(a.encoders.dim(), (40, 2)); // neurons × dimensions, unit length
    /// for e in a.encoders.rows() {
    ///     assert!((e.dot(&e) - 1.0).abs() < 1e-12);
    /// }
    /// // Nengo's defaults: max rates Uniform(200, 400) Hz, intercepts Uniform(-1, 0.9)
    /// assert!(a.max_rates.iter().all(|r| (200.0..=400.0).contains(r)));
    /// assert!(a.intercepts.iter().all(|x| (-1.0..=0.9).contains(x)));
    /// # Ok(()) }
    /// ```
    pub fn ensemble(&self, name: &str) -> Result<&BuiltEnsemble, Error> {
        use crate::components::nef::systems::Ensemble;
        let e = self.info(name)?.entity;
        self.world
            .get::<Ensemble>(e)
            .map(|ens| &ens.built)
            .ok_or_else(|| Error::Build(format!("`{name}` is not an Ensemble")))
    }

    /// The decoders of decoded NEF connection `name`; `None` for a connection that is not
    /// decoded (from a node or from `.neurons`).
    ///
    /// ```
    /// use cortecs::prelude::*;
    /// # fn main() -> Result<(), cortecs::Error> {
    /// let config = r#"Model(dt: 1.0, seed: 1,
    ///     cells: [
    ///         (name: "stim", kind: "Node", params: (output: Constant([0.5]))),
    ///         (name: "A", kind: "Ensemble", params: (n_neurons: 50, dimensions: 1)),
    ///         (name: "B", kind: "Ensemble", params: (n_neurons: 50, dimensions: 1)),
    ///     ],
    ///     synapses: [
    ///         (name: "in", kind: "Connection", pre: "stim", post: "A", params: ()),
    ///         (name: "sq", kind: "Connection", pre: "A", post: "B", params: (function: "x**2")),
    ///     ],
    /// )"#;
    /// let model = Model::from_config_str(config, &Registry::with_builtins())?;
    /// assert!(model.decoders("in")?.is_none()); // from a node: nothing to decode
    /// let d = model.decoders("sq")?.expect("A → B is decoded");
    /// assert_eq!(d.values.dim(), (50, 1)); // neurons × function dimensions
    /// assert!(d.solver_rmse[0] > 0.0 && d.solver_rmse[0] < 0.1); // x² on [-1, 1]
    /// # Ok(()) }
    /// ```
    pub fn decoders(&self, name: &str) -> Result<Option<Decoders<'_>>, Error> {
        use crate::components::nef::connection::Connection;
        let e = self.info(name)?.entity;
        self.world
            .get::<Connection>(e)
            .map(|c| {
                c.decoders.as_ref().map(|(d, rmse)| Decoders {
                    values: d,
                    solver_rmse: rmse,
                    function: c.decoded_function.as_ref(),
                })
            })
            .ok_or_else(|| Error::Build(format!("`{name}` is not a Connection")))
    }

    /// The resolved config (every default filled in); `step` is the current step.
    pub fn config(&self) -> ModelConfig {
        let mut c = self.config.clone();
        c.step = self.clock().step;
        c
    }

    /// The ECS world (read).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The ECS world (write: user systems' resources, direct component access).
    ///
    /// Direct edits of parameter components (e.g. a `LifParams`'s `tau_m`) change the running
    /// model but are not recorded in its config: [`save`](Self::save) writes the parameters
    /// the model was built with; [`set_param`](Self::set_param) changes both. Arrays set with [`set_array`](Self::set_array) (or edited
    /// here) are saved. Resources and systems added by users are not saved.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// The step schedule (to add user systems).
    pub fn schedule_mut(&mut self) -> &mut StepSchedule {
        &mut self.schedule
    }

    /// The directory relative paths of this model resolve against.
    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }
}
