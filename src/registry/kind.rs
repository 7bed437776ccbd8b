//! The trait every kind implements, and what building an entity sees.

use std::path::Path;

use bevy_ecs::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::Built;
use crate::components::rng::{RandomStream, StreamKey};
use crate::schedule::StepSchedule;

/// What an entity is in a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Role {
    /// A population of units (`cells` in configs).
    Cell,
    /// A connection from `pre` to `post` (`synapses` in configs).
    Synapse,
    /// A current source driving `target` (`inputs` in configs).
    Current,
}

/// A kind of entity that configs and [`ModelBuilder`](crate::ModelBuilder) can name.
///
/// Implement it for a marker type and call [`Registry::register`](super::Registry::register);
/// the built-in kinds do exactly this. A leaky integrator, `τ dv/dt = j − v`, stored in the
/// shared compartments `j` and `v` and advanced by one system in the Cell phase (a fuller
/// example, with its own compartment and a chunked kernel, is `examples/custom_cell.rs`):
///
/// ```
/// use cortecs::prelude::*;
/// use cortecs::components::synapses::Afferents;
/// use cortecs::schedule::StepSchedule;
/// use serde::{Deserialize, Serialize};
///
/// /// Parameters of a `"Leaky"` population; also a component of it.
/// #[derive(Component, Clone, Serialize, Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct LeakyParams {
///     n_units: usize,
///     tau: f64, // ms
/// }
///
/// struct Leaky;
///
/// impl Kind for Leaky {
///     const NAME: &'static str = "Leaky";
///     const ROLE: Role = Role::Cell;
///     const DOC: &'static str = "leaky integrator, tau dv/dt = j - v";
///     const COMPARTMENTS: &'static [&'static str] = &["j", "v"];
///     type Params = LeakyParams;
///
///     fn validate(p: &LeakyParams) -> Result<(), KindError> {
///         if p.tau > 0.0 {
///             Ok(())
///         } else {
///             Err(KindError::invalid("tau", format!("a value > 0 ms, found {}", p.tau)))
///         }
///     }
///
///     fn spawn(p: &LeakyParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
///         let n = p.n_units;
///         // `Afferents` lets the Gather phase sum inputs and synapses into `j`.
///         ctx.insert((
///             p.clone(),
///             Current(vec![0.0; n]),
///             Voltage(vec![0.0; n]),
///             Afferents::default(),
///         ));
///         Ok(n)
///     }
///
///     fn add_systems(schedule: &mut StepSchedule) {
///         schedule.add(Phase::Cell, leaky_system);
///     }
/// }
///
/// fn leaky_system(
///     clock: Res<Clock>,
///     mut cells: Query<(&LeakyParams, &Current, &mut Voltage)>,
/// ) {
///     for (p, j, mut v) in &mut cells {
///         let a = (clock.dt / p.tau) as Real;
///         for (v, j) in v.0.iter_mut().zip(&j.0) {
///             *v += a * (*j - *v);
///         }
///     }
/// }
///
/// # fn main() -> Result<(), cortecs::Error> {
/// let mut registry = Registry::with_builtins();
/// registry.register::<Leaky>();
/// let config = r#"Model(dt: 1.0,
///     cells: [(name: "x", kind: "Leaky", params: (n_units: 2, tau: 10.0))],
///     inputs: [(name: "I", kind: "Constant", target: "x", params: (value: 1.0))],
///     probes: [(target: "x", compartment: "v")],
/// )"#;
/// let mut model = Model::from_config_str(config, &registry)?;
/// model.run_steps(20)?;
/// // Forward Euler: v_k = 1 − 0.9^k
/// let v = model.probe("x", "v")?;
/// let expected = 1.0 - 0.9f64.powi(20);
/// assert!((f64::from(v[[19, 0]]) - expected).abs() < 1e-5);
///
/// // An invalid parameter is an error naming it.
/// let bad = config.replace("tau: 10.0", "tau: -1.0");
/// let err = Model::from_config_str(&bad, &registry).err().expect("tau < 0 is refused");
/// assert!(err.to_string().contains("tau"));
/// # Ok(()) }
/// ```
pub trait Kind: 'static {
    /// The name configs use (`"LIF"`).
    const NAME: &'static str;
    /// Population, synapse or current source.
    const ROLE: Role;
    /// One-line description for `cortecs kinds` and errors.
    const DOC: &'static str;
    /// Reference names of the compartments its entities have (for probes and persistence).
    const COMPARTMENTS: &'static [&'static str];
    /// The unit of each compartment that has one, as `(compartment, unit)` pairs (`("v",
    /// "mV")`, `("rfr", "ms")`, `("output", "Hz")`), for `cortecs kinds`, docs/configs.md and
    /// the axis labels of plots; a compartment not listed is shown without a unit.
    const UNITS: &'static [(&'static str, &'static str)] = &[];
    /// Whether the kind wires NEF objects (ensembles, nodes) and takes Nengo endpoints such as
    /// `"A.neurons"` or `"stim[0]"` (see [`Endpoint::selector`]); other kinds wire
    /// populations by name.
    const NEF: bool = false;
    /// The Rust source of the file that defines [`Kind::Params`], and the struct's name, for the
    /// generated reference (`cortecs kinds`, `docs/configs.md`): each field's doc comment, type,
    /// default and unit are read from it. `Some((include_str!("params.rs"), "MyParams"))`.
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = None;
    /// The parameters, deserialized from the config's `params: (...)`. Use
    /// `#[serde(deny_unknown_fields)]` so misspelt parameters are errors.
    type Params: Serialize + DeserializeOwned;

    /// Checks values serde cannot (ranges, NaN); the error names the field.
    fn validate(params: &Self::Params) -> Result<(), KindError>;

    /// The memory (bytes) an entity with these parameters and this wiring will hold, estimated
    /// before anything is allocated (it must not allocate in proportion to the sizes it
    /// reads), with the parameter that sets it. The build adds it up over the model and
    /// refuses the entity whose footprint would take the model past its memory limit
    /// ([`crate::config::Source::with_max_memory`]), naming that parameter, before
    /// [`Kind::validate`] and [`Kind::spawn`] run. Use saturating arithmetic: a size that
    /// overflows is `u64::MAX` bytes, always over the limit. The default, nothing, is right
    /// only for kinds whose entities hold a few numbers; a kind with per-unit arrays says so:
    ///
    /// ```
    /// # use cortecs::registry::{BuildCtx, Footprint};
    /// # struct LeakyParams { n_units: usize }
    /// # fn footprint(p: &LeakyParams, _: &BuildCtx) -> Footprint {
    /// // `j` and `v`: two values per unit
    /// Footprint::units("n_units", p.n_units, 2)
    /// # }
    /// ```
    fn footprint(params: &Self::Params, ctx: &BuildCtx) -> Footprint {
        let _ = (params, ctx);
        Footprint::default()
    }

    /// Inserts the entity's components into `ctx.entity()`; returns its number of units
    /// (for a synapse: postsynaptic units).
    fn spawn(params: &Self::Params, ctx: &mut BuildCtx) -> Result<usize, KindError>;

    /// Adds this kind's systems to the step schedule (called once per model that uses it).
    fn add_systems(schedule: &mut StepSchedule);
}

/// What an entity will hold in memory ([`Kind::footprint`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The parameter (or `pre`/`post`/`file`) that sets the size.
    pub field: &'static str,
    /// Bytes (`u64::MAX` when the size overflows).
    pub bytes: u64,
    /// What the bytes are, for messages (`"3 arrays of 10^12 units"`).
    pub what: String,
}

impl Footprint {
    /// `arrays` arrays of `n` values of [`Real`](crate::components::Real) each, sized by `field`.
    pub fn units(field: &'static str, n: usize, arrays: usize) -> Self {
        Self::values(
            field,
            n as u64,
            arrays as u64,
            size_of::<crate::components::Real>() as u64,
        )
        .described(format!("{arrays} arrays of {n} units"))
    }

    /// `rows × cols` values of `value_bytes` bytes each, sized by `field` (saturating).
    pub fn values(field: &'static str, rows: u64, cols: u64, value_bytes: u64) -> Self {
        Self {
            field,
            bytes: rows.saturating_mul(cols).saturating_mul(value_bytes),
            what: format!("{rows} × {cols} values"),
        }
    }

    /// This footprint with `what` describing it.
    pub fn described(mut self, what: impl Into<String>) -> Self {
        self.what = what.into();
        self
    }

    /// This footprint plus `other`'s bytes (saturating; `other` only adds to the total).
    pub fn plus(mut self, other: u64) -> Self {
        self.bytes = self.bytes.saturating_add(other);
        self
    }
}

/// A kind's complaint about its parameters or wiring.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum KindError {
    /// A parameter has a value the kind cannot use.
    #[error("parameter `{field}`: expected {expected}")]
    Invalid {
        /// The parameter's name.
        field: String,
        /// What was expected (and what was found).
        expected: String,
    },
    /// A parameter (or endpoint) is wrong, with a message that says what was expected and
    /// what was found.
    #[error("parameter `{field}`: {message}")]
    Field {
        /// The parameter's name (`pre`/`post` for endpoints).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The RON of the parameters does not parse into the kind's parameter type.
    #[error("{message}")]
    Parse {
        /// ron's message.
        message: String,
        /// 1-based line in the params text.
        line: usize,
        /// 1-based column in the params text.
        col: usize,
        /// A valid field name close to a misspelt one.
        suggestion: Option<String>,
    },
    /// The entity would take the model past its memory limit ([`Kind::footprint`]).
    #[error(
        "parameter `{field}`: {what} need {} ({needed} bytes), but the model may use {} \
         ({limit} bytes) and {} of it are taken; raise the limit (`--max-memory`, \
         `Source::with_max_memory`) or make the model smaller",
        human_bytes(*.needed), human_bytes(*.limit), human_bytes(*.in_use)
    )]
    Memory {
        /// The parameter that sets the size.
        field: String,
        /// What the bytes are.
        what: String,
        /// Bytes the entity needs.
        needed: u64,
        /// The model's memory limit (bytes).
        limit: u64,
        /// Bytes the entities built before it take.
        in_use: u64,
    },
    /// Anything else (shapes against the wiring, unreadable data files …).
    #[error("{0}")]
    Other(String),
}

/// `bytes` for people, in powers of 1024: `3.6 TiB`, `512.0 MiB`, `12 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut x = bytes as f64 / 1024.0;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    format!("{x:.1} {}", UNITS[unit])
}

impl KindError {
    /// `Field` for `field` with a full message.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// `Invalid` for `field` with the expected form.
    pub fn invalid(field: impl Into<String>, expected: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            expected: expected.into(),
        }
    }
}

/// One end of a synapse, or a current source's target.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Its entity.
    pub entity: Entity,
    /// Its name.
    pub name: String,
    /// Its number of units.
    pub n_units: usize,
    /// The endpoint as written, parsed (`A.neurons[:10]`; NEF kinds only).
    pub selector: crate::components::nef::slice::Selector,
}

/// What a kind's [`Kind::spawn`] sees.
pub struct BuildCtx<'a> {
    pub(crate) world: &'a mut World,
    pub(crate) entity: Entity,
    pub(crate) name: &'a str,
    pub(crate) seed: u64,
    pub(crate) dt: f64,
    pub(crate) pre: Option<Endpoint>,
    pub(crate) post: Option<Endpoint>,
    pub(crate) base_dir: &'a Path,
}

impl BuildCtx<'_> {
    /// The entity being built.
    pub fn entity(&self) -> Entity {
        self.entity
    }
    /// Its name.
    pub fn name(&self) -> &str {
        self.name
    }
    /// The model's step size (ms).
    pub fn dt(&self) -> f64 {
        self.dt
    }
    /// The model's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The random stream of this entity, keyed by (model seed, entity name).
    pub fn stream(&self) -> StreamKey {
        StreamKey::new(self.seed, self.name)
    }
    /// The presynaptic population (synapses only).
    pub fn pre(&self) -> Option<&Endpoint> {
        self.pre.as_ref()
    }
    /// The postsynaptic population (synapses) or target (current sources).
    pub fn post(&self) -> Option<&Endpoint> {
        self.post.as_ref()
    }
    /// The directory relative paths in the config are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.base_dir
    }
    /// Inserts components into the entity being built (and its [`RandomStream`]).
    pub fn insert(&mut self, bundle: impl Bundle) -> &mut Self {
        let stream = RandomStream(self.stream());
        self.world.entity_mut(self.entity).insert((bundle, stream));
        self
    }
    /// The world (to read other entities).
    pub fn world(&self) -> &World {
        self.world
    }
}

/// ron options used for every config: `Some(x)` may be written `x`.
pub(crate) fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Reads `params` (RON) as `K::Params` and writes it back with every default filled in.
pub(crate) fn resolve_erased<K: Kind>(params: &str) -> Result<String, String> {
    let p: K::Params = ron_options().from_str(params).map_err(|e| e.to_string())?;
    ron_options().to_string(&p).map_err(|e| e.to_string())
}

pub(crate) fn build_erased<K: Kind>(params: &str, ctx: &mut BuildCtx) -> Result<Built, KindError> {
    let p: K::Params = ron_options().from_str(params).map_err(|e| {
        let suggestion = match &e.code {
            ron::Error::NoSuchStructField {
                expected, found, ..
            } => crate::error::nearest(found, expected.iter().copied()),
            _ => None,
        };
        KindError::Parse {
            message: e.code.to_string(),
            line: e.span.start.line,
            col: e.span.start.col,
            suggestion,
        }
    })?;
    let footprint = K::footprint(&p, ctx);
    ctx.world
        .resource_mut::<crate::model::MemoryBudget>()
        .charge(footprint)?;
    K::validate(&p)?;
    let n_units = K::spawn(&p, ctx)?;
    let resolved = ron_options()
        .to_string_pretty(&p, ron::ser::PrettyConfig::new().compact_structs(true))
        .map_err(|e| KindError::Other(format!("cannot write parameters back as RON: {e}")))?;
    Ok(Built { resolved, n_units })
}
