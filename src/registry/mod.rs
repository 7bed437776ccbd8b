//! The kind registry: config name → how to build an entity of that kind.
//!
//! Built-in kinds ([`builtin`]) are registered with the same public call, [`Registry::register`],
//! that a user's custom kind uses (see `examples/custom_cell.rs`). Compartments and other
//! persistent arrays are registered by name too ([`Registry::register_compartment`]), which is
//! what makes them addressable by probes, `set_array` and save/load.

pub mod arrays;
pub mod builtin;
pub mod docs;
mod kind;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use arrays::ArrayEntry;
pub(crate) use kind::ron_options;
pub use kind::{BuildCtx, Endpoint, Footprint, Kind, KindError, Role, human_bytes};

use crate::components::Compartment;
use crate::schedule::StepSchedule;

/// Type-erased build function of a kind: parses the RON params, validates, spawns.
pub(crate) type BuildFn =
    Arc<dyn Fn(&str, &mut BuildCtx) -> Result<Built, KindError> + Send + Sync>;

/// What building one entity produced.
pub(crate) struct Built {
    /// The parameters with every default filled in, as RON.
    pub resolved: String,
    /// Units of the entity (populations, sources) or postsynaptic units (synapses).
    pub n_units: usize,
}

/// One registered kind.
#[derive(Clone)]
pub struct KindEntry {
    /// Name in configs.
    pub name: &'static str,
    /// Population, synapse or current source.
    pub role: Role,
    /// One-line description.
    pub doc: &'static str,
    /// Reference names of the compartments an entity of this kind has.
    pub compartments: &'static [&'static str],
    /// [`Kind::UNITS`]: the unit of each compartment that has one.
    pub units: &'static [(&'static str, &'static str)],
    /// Whether it wires NEF objects ([`Kind::NEF`]).
    pub nef: bool,
    /// [`Kind::PARAMS_SOURCE`].
    pub params_source: Option<(&'static str, &'static str)>,
    pub(crate) resolve: fn(&str) -> Result<String, String>,
    pub(crate) build: BuildFn,
    pub(crate) add_systems: fn(&mut StepSchedule),
}

impl KindEntry {
    /// The unit of `compartment` ([`Kind::UNITS`]), if it has one.
    pub fn unit(&self, compartment: &str) -> Option<&'static str> {
        self.units
            .iter()
            .find(|(c, _)| *c == compartment)
            .map(|(_, u)| *u)
    }
}

/// All kinds and named arrays a model can use.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: BTreeMap<&'static str, KindEntry>,
    arrays: BTreeMap<&'static str, ArrayEntry>,
}

impl Registry {
    /// An empty registry (no kinds at all).
    pub fn empty() -> Self {
        Self::default()
    }

    /// A registry with every built-in kind and compartment.
    pub fn with_builtins() -> Self {
        let mut r = Self::empty();
        builtin::register_all(&mut r);
        r
    }

    /// Registers kind `K` under `K::NAME` (replacing any kind of that name). From then on
    /// configs and [`ModelBuilder`](crate::ModelBuilder) built with this registry name it like
    /// a built-in kind (the kind here is the [`Kind`] example's leaky integrator):
    ///
    /// ```
    /// use cortecs::prelude::*;
    /// # use cortecs::components::synapses::Afferents;
    /// # use cortecs::schedule::StepSchedule;
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Component, Clone, Serialize, Deserialize)]
    /// # struct LeakyParams { n_units: usize, tau: f64 }
    /// # struct Leaky;
    /// # impl Kind for Leaky {
    /// #     const NAME: &'static str = "Leaky";
    /// #     const ROLE: Role = Role::Cell;
    /// #     const DOC: &'static str = "leaky integrator, tau dv/dt = j - v";
    /// #     const COMPARTMENTS: &'static [&'static str] = &["j", "v"];
    /// #     type Params = LeakyParams;
    /// #     fn validate(_: &LeakyParams) -> Result<(), KindError> { Ok(()) }
    /// #     fn spawn(p: &LeakyParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
    /// #         let n = p.n_units;
    /// #         let state = (Current(vec![0.0; n]), Voltage(vec![0.0; n]));
    /// #         ctx.insert((p.clone(), state, Afferents::default()));
    /// #         Ok(n)
    /// #     }
    /// #     fn add_systems(s: &mut StepSchedule) { s.add(Phase::Cell, leaky); }
    /// # }
    /// # fn leaky(clock: Res<Clock>, mut q: Query<(&LeakyParams, &Current, &mut Voltage)>) {
    /// #     for (p, j, mut v) in &mut q {
    /// #         let a = (clock.dt / p.tau) as Real;
    /// #         for (v, j) in v.0.iter_mut().zip(&j.0) { *v += a * (*j - *v); }
    /// #     }
    /// # }
    /// # fn main() -> Result<(), cortecs::Error> {
    /// let mut registry = Registry::with_builtins();
    /// assert!(registry.kind("Leaky").is_none());
    /// registry.register::<Leaky>();
    /// let entry = registry.kind("Leaky").expect("registered");
    /// assert_eq!((entry.role, entry.compartments), (Role::Cell, &["j", "v"][..]));
    ///
    /// let mut model = ModelBuilder::new(1.0)
    ///     .registry(registry)
    ///     .cell::<Leaky>("x", &LeakyParams { n_units: 3, tau: 5.0 })
    ///     .probe("x", "v")
    ///     .build()?;
    /// model.run_steps(10)?;
    /// assert_eq!(model.probe("x", "v")?.dim(), (10, 3));
    /// # Ok(()) }
    /// ```
    pub fn register<K: Kind>(&mut self) -> &mut Self {
        self.kinds.insert(
            K::NAME,
            KindEntry {
                name: K::NAME,
                role: K::ROLE,
                doc: K::DOC,
                compartments: K::COMPARTMENTS,
                units: K::UNITS,
                nef: K::NEF,
                params_source: K::PARAMS_SOURCE,
                resolve: kind::resolve_erased::<K>,
                build: Arc::new(kind::build_erased::<K>),
                add_systems: K::add_systems,
            },
        );
        self
    }

    /// Makes compartment `C` addressable by its reference name (probes, `set_array`,
    /// save/load).
    pub fn register_compartment<C: Compartment>(&mut self) -> &mut Self {
        self.arrays.insert(C::NAME, ArrayEntry::compartment::<C>());
        self
    }

    /// Registers a named array that is not a compartment (e.g. synaptic `weights`).
    pub fn register_array(&mut self, entry: ArrayEntry) -> &mut Self {
        self.arrays.insert(entry.name, entry);
        self
    }

    /// The kind registered as `name`.
    pub fn kind(&self, name: &str) -> Option<&KindEntry> {
        self.kinds.get(name)
    }

    /// Every registered kind, by name.
    pub fn kinds(&self) -> impl Iterator<Item = &KindEntry> {
        self.kinds.values()
    }

    /// The named array registered as `name`.
    pub fn array(&self, name: &str) -> Option<&ArrayEntry> {
        self.arrays.get(name)
    }

    /// Every registered named array.
    pub fn arrays(&self) -> impl Iterator<Item = &ArrayEntry> {
        self.arrays.values()
    }
}
