//! Building a model in Rust.

use serde::Serialize;

use super::Model;
use crate::config::{EntitySpec, ModelConfig, RunSpec, Source};
use crate::error::Error;
use crate::probe::ProbeSpec;
use crate::registry::{Kind, Registry};

/// Builds a model in Rust, through the same path as a config file:
///
/// ```
/// use cortecs::prelude::*;
/// use cortecs::components::neurons::spiking::LifParams;
/// use cortecs::registry::builtin::{Lif, Constant, ConstantParams, Values};
/// # fn main() -> Result<(), cortecs::Error> {
/// let mut model = ModelBuilder::new(0.1)
///     .seed(7)
///     .cell::<Lif>("z1", &LifParams::new(10, 10.0))
///     .input::<Constant>("I", "z1", &ConstantParams { value: Values::Scalar(20.0) })
///     .probe("z1", "v")
///     .build()?;
/// model.run_steps(100)?;
/// assert_eq!(model.probe("z1", "v")?.dim(), (100, 10));
/// # Ok(()) }
/// ```
pub struct ModelBuilder {
    config: ModelConfig<String>,
    registry: Registry,
    error: Option<String>,
}

impl ModelBuilder {
    /// A model with step size `dt` (ms), seed 0 and the built-in kinds.
    pub fn new(dt: f64) -> Self {
        Self {
            config: ModelConfig {
                dt,
                seed: 0,
                step: 0,
                base_dir: None,
                state: None,
                cells: vec![],
                inputs: vec![],
                synapses: vec![],
                probes: vec![],
                run: RunSpec::default(),
            },
            registry: Registry::with_builtins(),
            error: None,
        }
    }

    /// Uses `registry` to resolve kinds (e.g. with users' kinds registered).
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = registry;
        self
    }

    /// Sets the model seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    fn spec<K: Kind>(&mut self, name: &str, params: &K::Params) -> EntitySpec<String> {
        let params = crate::registry::ron_options()
            .to_string(params)
            .unwrap_or_else(|e| {
                self.error = Some(format!("entity `{name}`: cannot serialize parameters: {e}"));
                "()".into()
            });
        EntitySpec {
            name: name.into(),
            kind: K::NAME.into(),
            pre: None,
            post: None,
            target: None,
            params,
        }
    }

    /// Adds a population of kind `K`.
    pub fn cell<K: Kind>(mut self, name: &str, params: &K::Params) -> Self {
        let s = self.spec::<K>(name, params);
        self.config.cells.push(s);
        self
    }

    /// Adds a current source of kind `K` driving `target`.
    pub fn input<K: Kind>(mut self, name: &str, target: &str, params: &K::Params) -> Self {
        let mut s = self.spec::<K>(name, params);
        s.target = Some(target.into());
        self.config.inputs.push(s);
        self
    }

    /// Adds a synapse of kind `K` from `pre` to `post`.
    pub fn synapse<K: Kind>(
        mut self,
        name: &str,
        pre: &str,
        post: &str,
        params: &K::Params,
    ) -> Self {
        let mut s = self.spec::<K>(name, params);
        s.pre = Some(pre.into());
        s.post = Some(post.into());
        self.config.synapses.push(s);
        self
    }

    /// Records every unit of `target.compartment` after every step.
    pub fn probe(mut self, target: &str, compartment: &str) -> Self {
        self.config.probes.push(ProbeSpec::new(target, compartment));
        self
    }

    /// Adds a probe with a unit range or sampling period.
    pub fn probe_spec(mut self, spec: ProbeSpec) -> Self {
        self.config.probes.push(spec);
        self
    }

    /// The config this builder describes, as RON text.
    pub fn to_ron(&self) -> String {
        to_ron(&self.config)
    }

    /// Builds the model.
    pub fn build(self) -> Result<Model, Error> {
        self.build_for(super::Target::Float)
    }

    /// Builds the model for `target`.
    pub fn build_for(self, target: super::Target) -> Result<Model, Error> {
        if let Some(e) = self.error {
            return Err(Error::Build(e));
        }
        let text = self.to_ron();
        let mut src = Source::new(&text, "<builder>");
        src.base_dir = ".".into();
        Model::from_source_for(&src, &self.registry, target)
    }
}

/// A config whose params are RON strings, written as RON with the params inlined.
fn to_ron(c: &ModelConfig<String>) -> String {
    struct Raw<'a>(&'a str);
    impl Serialize for Raw<'_> {
        fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
            match ron::value::RawValue::from_ron(self.0) {
                Ok(r) => r.serialize(ser),
                Err(e) => Err(serde::ser::Error::custom(e)),
            }
        }
    }
    let mut doc = c.map_params(|p| Raw(p));
    doc.step = 0;
    doc.base_dir = None;
    match crate::registry::ron_options().to_string_pretty(&doc, ron::ser::PrettyConfig::new()) {
        Ok(s) => format!("Model{s}\n"),
        Err(e) => format!("/* cannot serialize the config: {e} */"),
    }
}
