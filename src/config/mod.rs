//! RON configs: the document format, and locating errors in it.
//!
//! ```ron
//! Model(
//!     dt: 1.0,            // ms
//!     seed: 1234,
//!     cells: [
//!         (name: "z0", kind: "Poisson", params: (n_units: 784, target_freq: 63.75)),
//!         (name: "z1", kind: "LIF", params: (n_units: 100, tau_m: 100.0)),
//!     ],
//!     inputs: [ (name: "I", kind: "Constant", target: "z1", params: (value: 1.0)) ],
//!     synapses: [
//!         (name: "W1", kind: "Dense", pre: "z0", post: "z1",
//!          params: (weight_init: Uniform(amin: 0.0, amax: 0.3))),
//!     ],
//!     probes: [ (target: "z1", compartment: "v") ],
//!     run: (steps: 250),
//! )
//! ```
//! `params` are the kind's parameters under the reference library's names; every kind is
//! looked up in the [`Registry`](crate::Registry).

mod error;

use std::path::{Path, PathBuf};

use ron::value::RawValue;
use serde::{Deserialize, Serialize};

pub use error::{ConfigError, ConfigErrorKind};

use crate::probe::ProbeSpec;

/// A model description. `P` is how `params` are held: `Box<RawValue>` when owned, `&RawValue`
/// while parsing (to know where each one sits in the file).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    rename = "Model",
    deny_unknown_fields,
    bound(deserialize = "P: Deserialize<'de>")
)]
pub struct ModelConfig<P = Box<RawValue>> {
    /// Step size (ms).
    pub dt: f64,
    /// Seed of every random stream in the model.
    #[serde(default)]
    pub seed: u64,
    /// Steps already simulated (set by `save`; a resumed model continues from here).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub step: u64,
    /// Directory that relative file paths in `params` are resolved against (set by `save`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_dir: Option<PathBuf>,
    /// Populations (cells and input encoders).
    #[serde(default)]
    pub cells: Vec<EntitySpec<P>>,
    /// Current sources, each driving a `target` population.
    #[serde(default)]
    pub inputs: Vec<EntitySpec<P>>,
    /// Synapses from `pre` to `post`.
    #[serde(default)]
    pub synapses: Vec<EntitySpec<P>>,
    /// What to record.
    #[serde(default)]
    pub probes: Vec<ProbeSpec>,
    /// How long `cortecs run` runs.
    #[serde(default)]
    pub run: RunSpec,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

/// One entity of a config.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "P: Deserialize<'de>"))]
pub struct EntitySpec<P = Box<RawValue>> {
    /// Unique name.
    pub name: String,
    /// Registered kind.
    pub kind: String,
    /// Presynaptic population (synapses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre: Option<String>,
    /// Postsynaptic population (synapses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// Driven population (current sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The kind's parameters, as RON.
    pub params: P,
}

/// Run settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Number of steps `cortecs run` simulates.
    #[serde(default)]
    pub steps: u64,
}

/// A config text and where it came from.
pub struct Source<'a> {
    /// The RON text.
    pub text: &'a str,
    /// File name for messages.
    pub file: PathBuf,
    /// Directory relative paths are resolved against.
    pub base_dir: PathBuf,
}

impl<'a> Source<'a> {
    /// A source read from `file`.
    pub fn new(text: &'a str, file: impl Into<PathBuf>) -> Self {
        let file = file.into();
        let base_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        Self {
            text,
            file,
            base_dir,
        }
    }

    /// 1-based (line, column) of byte offset `off`.
    pub fn position(&self, off: usize) -> (usize, usize) {
        let before = &self.text[..off.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// Byte offset of a sub-slice of the text.
    pub fn offset_of(&self, sub: &str) -> Option<usize> {
        let start = self.text.as_ptr() as usize;
        let p = sub.as_ptr() as usize;
        (p >= start && p <= start + self.text.len()).then(|| p - start)
    }

    /// An error at byte offset `off`.
    pub fn error_at(
        &self,
        off: Option<usize>,
        entity: Option<&str>,
        kind: ConfigErrorKind,
    ) -> Box<ConfigError> {
        let (line, col) = off.map_or((0, 0), |o| self.position(o));
        self.error_at_pos(line, col, entity, kind)
    }

    /// An error at (line, col).
    pub fn error_at_pos(
        &self,
        line: usize,
        col: usize,
        entity: Option<&str>,
        kind: ConfigErrorKind,
    ) -> Box<ConfigError> {
        let source_line = (line > 0)
            .then(|| self.text.lines().nth(line - 1).map(str::to_string))
            .flatten();
        Box::new(ConfigError {
            file: self.file.clone(),
            line,
            col,
            entity: entity.map(str::to_string),
            kind,
            source_line,
        })
    }

    /// Parses the document, keeping `params` as slices of the text.
    pub fn parse(&self) -> Result<ModelConfig<&'a RawValue>, Box<ConfigError>> {
        crate::registry::ron_options()
            .from_str(self.text)
            .map_err(|e| {
                let suggestion = match &e.code {
                    ron::Error::NoSuchStructField {
                        expected, found, ..
                    } => crate::error::nearest(found.as_str(), expected.iter().copied()),
                    _ => None,
                };
                let kind = ConfigErrorKind::Syntax {
                    message: e.code.to_string(),
                    suggestion,
                };
                self.error_at_pos(e.span.start.line, e.span.start.col, None, kind)
            })
    }

    /// Offset of the quoted string `"value"` nearest before `before` (else the first after it).
    pub fn find_quoted(&self, value: &str, before: usize) -> Option<usize> {
        let needle = format!("\"{value}\"");
        let before = before.min(self.text.len());
        self.text[..before]
            .rfind(&needle)
            .or_else(|| self.text[before..].find(&needle).map(|o| o + before))
    }

    /// Offset of `field:` inside the params slice `params` (for parameter errors).
    pub fn find_field(&self, params: &str, field: &str) -> Option<usize> {
        let base = self.offset_of(params)?;
        let mut from = 0;
        while let Some(i) = params[from..].find(field) {
            let at = from + i;
            let prev_ok = at == 0
                || !params.as_bytes()[at - 1].is_ascii_alphanumeric()
                    && params.as_bytes()[at - 1] != b'_';
            let rest = params[at + field.len()..].trim_start();
            if prev_ok && rest.starts_with(':') {
                return Some(base + at);
            }
            from = at + field.len();
        }
        None
    }
}

impl ModelConfig<&RawValue> {
    /// The owned form.
    pub fn to_owned_config(&self) -> ModelConfig {
        let own = |v: &Vec<EntitySpec<&RawValue>>| {
            v.iter()
                .map(|e| EntitySpec {
                    name: e.name.clone(),
                    kind: e.kind.clone(),
                    pre: e.pre.clone(),
                    post: e.post.clone(),
                    target: e.target.clone(),
                    params: e.params.to_owned(),
                })
                .collect()
        };
        ModelConfig {
            dt: self.dt,
            seed: self.seed,
            step: self.step,
            base_dir: self.base_dir.clone(),
            cells: own(&self.cells),
            inputs: own(&self.inputs),
            synapses: own(&self.synapses),
            probes: self.probes.clone(),
            run: self.run.clone(),
        }
    }
}

impl ModelConfig {
    /// The config as RON text (what `model.ron` holds).
    pub fn to_ron(&self) -> String {
        let pretty = ron::ser::PrettyConfig::new().struct_names(false);
        match crate::registry::ron_options().to_string_pretty(self, pretty) {
            Ok(s) => format!("Model{s}\n"),
            Err(e) => format!("// cannot serialize the config: {e}\n"),
        }
    }
}
