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
    /// The folder of a save directory that holds the saved arrays (set by `save`; see
    /// [`crate::persist::folder`]). Ignored when building from a config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
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
    /// A step size (ms) that replaces the config's `dt` when the model is built.
    pub dt: Option<f64>,
    /// A seed that replaces the config's `seed` when the model is built.
    pub seed: Option<u64>,
    /// The bytes the model may use ([`crate::model::MemoryBudget`]; default:
    /// [`crate::model::default_memory_limit`]).
    pub max_memory: Option<u64>,
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
            dt: None,
            seed: None,
            max_memory: None,
        }
    }

    /// This source, built with step size `dt_ms` (ms) instead of its config's `dt` (the same
    /// model at another resolution; a value that is not finite and > 0 is a build error).
    ///
    /// ```
    /// use cortecs::config::Source;
    /// use cortecs::{Model, Registry};
    /// # fn main() -> Result<(), cortecs::Error> {
    /// let text = r#"Model(dt: 1.0, seed: 5,
    ///     cells: [(name: "z1", kind: "LIF", params: (n_units: 2, tau_m: 10.0))],
    /// )"#;
    /// let registry = Registry::with_builtins();
    /// let coarse = Model::from_source(&Source::new(text, "lif.ron"), &registry)?;
    /// let fine = Model::from_source(&Source::new(text, "lif.ron").with_dt(0.1), &registry)?;
    /// assert_eq!((coarse.clock().dt, fine.clock().dt), (1.0, 0.1));
    /// assert_eq!(fine.config().dt, 0.1); // what `save` and `write_probes` write
    /// assert_eq!(fine.config().seed, 5); // everything else as configured
    ///
    /// let zero = Source::new(text, "lif.ron").with_dt(0.0);
    /// assert!(Model::from_source(&zero, &registry).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_dt(mut self, dt_ms: f64) -> Self {
        self.dt = Some(dt_ms);
        self
    }

    /// This source, built with `seed` instead of its config's `seed` (the same model, other
    /// random draws).
    ///
    /// ```
    /// use cortecs::config::Source;
    /// use cortecs::{Model, Registry};
    /// # fn main() -> Result<(), cortecs::Error> {
    /// let text = r#"Model(dt: 1.0, seed: 1,
    ///     cells: [(name: "A", kind: "Ensemble", params: (n_neurons: 20, dimensions: 1))],
    /// )"#;
    /// let registry = Registry::with_builtins();
    /// let build = |seed| {
    ///     let src = Source::new(text, "a.ron").with_seed(seed);
    ///     Model::from_source(&src, &registry)
    /// };
    /// let (a7, a7_again, a8) = (build(7)?, build(7)?, build(8)?);
    /// assert_eq!(a7.config().seed, 7);
    /// let intercepts = |m: &Model| m.ensemble("A").map(|e| e.intercepts.clone());
    /// assert_eq!(intercepts(&a7)?, intercepts(&a7_again)?); // same seed, same draws
    /// assert_ne!(intercepts(&a7)?, intercepts(&a8)?);
    /// # Ok(()) }
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// This source, built with a memory limit of `bytes` (entities and probe buffers): an
    /// entity whose arrays would take the model past it is an error naming the parameter that
    /// sets their size, raised before anything is allocated.
    ///
    /// ```
    /// use cortecs::config::Source;
    /// use cortecs::{Model, Registry};
    /// let text = r#"Model(dt: 1.0,
    ///     cells: [(name: "z1", kind: "LIF", params: (n_units: 1000000, tau_m: 10.0))],
    /// )"#;
    /// let registry = Registry::with_builtins();
    /// let small = Source::new(text, "lif.ron").with_max_memory(1 << 20); // 1 MiB
    /// let err = Model::from_source(&small, &registry).err().expect("too big");
    /// assert!(err.to_string().contains("entity `z1`"));
    /// assert!(err.to_string().contains("parameter `n_units`"));
    /// # Ok::<(), cortecs::Error>(())
    /// ```
    pub fn with_max_memory(mut self, bytes: u64) -> Self {
        self.max_memory = Some(bytes);
        self
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
                let (line, col) = (e.span.start.line, e.span.start.col);
                let off = self.offset_at(line, col);
                let mut message = self.describe_value_error("field", &e.code.to_string(), off);
                // A bracket left open shows up later (at the next field, or at the end of the
                // file): say which one the parser is still inside.
                let structural = matches!(
                    e.code,
                    ron::Error::Eof
                        | ron::Error::ExpectedComma
                        | ron::Error::ExpectedIdentifier
                        | ron::Error::ExpectedArrayEnd
                        | ron::Error::ExpectedStructLikeEnd
                        | ron::Error::ExpectedMapEnd
                        | ron::Error::ExpectedOptionEnd
                );
                if structural && let Some((open, at)) = self.scan(off).open.last().copied() {
                    let (l, c) = self.position(at);
                    let close = match open {
                        b'(' => ')',
                        b'[' => ']',
                        _ => '}',
                    };
                    // Another bracket or the end of the file where `close` was due: likely the
                    // `close` is missing (else perhaps a comma is).
                    let next = self.text[off.min(self.text.len())..]
                        .trim_start()
                        .chars()
                        .next();
                    let hint = match next {
                        None | Some('(' | '[' | '{' | ')' | ']' | '}') if next != Some(close) => {
                            format!("; is a `{close}` missing?")
                        }
                        _ => String::new(),
                    };
                    message += &format!(
                        " (still inside the `{}` opened at line {l}, column {c}{hint})",
                        open as char
                    );
                }
                let kind = ConfigErrorKind::Syntax {
                    message,
                    suggestion,
                };
                self.error_at_pos(line, col, None, kind)
            })
    }

    /// Offset of the quoted string `"value"` nearest before `before` (else the first after it),
    /// outside comments.
    pub fn find_quoted(&self, value: &str, before: usize) -> Option<usize> {
        self.find_quoted_where(value, before, |_| true)
    }

    /// Offset of `"value"` written as the value of `key` (`key: "value"`), nearest before
    /// `before` (else the first after it), outside comments.
    pub fn find_keyed(&self, key: &str, value: &str, before: usize) -> Option<usize> {
        self.find_quoted_where(value, before, |at| self.is_keyed(key, at))
    }

    /// Offset of the first `key: "value"` at or after `from`, outside comments.
    pub fn find_keyed_after(&self, key: &str, value: &str, from: usize) -> Option<usize> {
        let from = from.min(self.text.len());
        self.text[from..]
            .match_indices(&format!("\"{value}\""))
            .map(|(i, _)| i + from)
            .find(|&i| self.is_keyed(key, i) && self.is_code(i))
    }

    /// Whether the text before offset `at` ends with `key:`.
    fn is_keyed(&self, key: &str, at: usize) -> bool {
        let Some(lhs) = self.text[..at].trim_end().strip_suffix(':') else {
            return false;
        };
        lhs.trim_end().strip_suffix(key).is_some_and(|rest| {
            !rest
                .bytes()
                .next_back()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    }

    /// Offset of `"value"` where `ok(offset)` holds and it is code, nearest before `before`
    /// (else the first after it).
    fn find_quoted_where(
        &self,
        value: &str,
        before: usize,
        ok: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let needle = format!("\"{value}\"");
        let before = before.min(self.text.len());
        let hits: Vec<usize> = self
            .text
            .match_indices(&needle)
            .map(|(i, _)| i)
            .filter(|&i| ok(i) && self.is_code(i))
            .collect();
        hits.iter()
            .rev()
            .find(|&&i| i < before)
            .or_else(|| hits.iter().find(|&&i| i >= before))
            .copied()
    }

    /// Offset of the field `key:` at or after `from` (outside comments and strings).
    pub fn find_key(&self, key: &str, from: usize) -> Option<usize> {
        let from = from.min(self.text.len());
        self.find_field(&self.text[from..], key)
    }

    /// Byte offset of 1-based (line, column) (columns count characters).
    pub fn offset_at(&self, line: usize, col: usize) -> usize {
        let mut off = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let c = l
                    .char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
                return off + c;
            }
            off += l.len();
        }
        self.text.len()
    }

    /// Whether byte offset `off` is outside comments and string literals.
    pub fn is_code(&self, off: usize) -> bool {
        !self.scan(off).in_literal
    }

    /// Scans the text up to `upto`: whether `upto` is inside a comment or string, and the
    /// brackets still open there.
    fn scan(&self, upto: usize) -> Scan {
        let b = self.text.as_bytes();
        let upto = upto.min(b.len());
        let mut open = Vec::new();
        let mut i = 0;
        while i < upto {
            match b[i] {
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    if i >= upto {
                        return Scan {
                            in_literal: true,
                            open,
                        };
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    if i >= upto {
                        return Scan {
                            in_literal: true,
                            open,
                        };
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    let mut depth = 0usize;
                    while i < b.len() {
                        if b[i..].starts_with(b"/*") {
                            depth += 1;
                            i += 2;
                        } else if b[i..].starts_with(b"*/") {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                    if i > upto || (i == upto && depth > 0) {
                        return Scan {
                            in_literal: true,
                            open,
                        };
                    }
                    continue;
                }
                c @ (b'(' | b'[' | b'{') => open.push((c, i)),
                b')' | b']' | b'}' => {
                    open.pop();
                }
                _ => {}
            }
            i += 1;
        }
        Scan {
            in_literal: false,
            open,
        }
    }

    /// `message`, prefixed with the field whose value starts at `off` (`key: value`) and
    /// followed by the value found, when the error is about that value. `what` names such a
    /// field in messages (`parameter`, `field`).
    pub fn describe_value_error(&self, what: &str, message: &str, off: usize) -> String {
        let off = off.min(self.text.len());
        let Some(lhs) = self.text[..off].trim_end().strip_suffix(':') else {
            return message.to_string();
        };
        let lhs = lhs.trim_end();
        let start = lhs
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let field = &lhs[start..];
        if field.is_empty() || !self.is_code(start) || message.contains(&format!("`{field}`")) {
            return message.to_string();
        }
        let rest = self.text[off..].trim_start();
        let token = if let Some(s) = rest.strip_prefix('"') {
            s.find('"').map(|e| &rest[..e + 2])
        } else {
            rest.find([',', ')', ']', '}', '\n'])
                .map(|e| rest[..e].trim_end())
                .filter(|t| !t.is_empty() && !t.contains(['(', '[', '{']))
        };
        match token {
            Some(t) => format!("{what} `{field}`: {message}, found `{t}`"),
            None => format!("{what} `{field}`: {message}"),
        }
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
            if prev_ok && rest.starts_with(':') && self.is_code(base + at) {
                return Some(base + at);
            }
            from = at + field.len();
        }
        None
    }
}

/// What [`Source::scan`] finds at an offset.
struct Scan {
    /// Inside a comment or a string literal.
    in_literal: bool,
    /// Brackets open there: (bracket, offset).
    open: Vec<(u8, usize)>,
}

impl<P> ModelConfig<P> {
    /// The same config with every entity's params converted by `f`.
    pub fn map_params<'a, Q>(&'a self, f: impl Fn(&'a P) -> Q) -> ModelConfig<Q> {
        let map = |v: &'a [EntitySpec<P>]| -> Vec<EntitySpec<Q>> {
            v.iter()
                .map(|e| EntitySpec {
                    name: e.name.clone(),
                    kind: e.kind.clone(),
                    pre: e.pre.clone(),
                    post: e.post.clone(),
                    target: e.target.clone(),
                    params: f(&e.params),
                })
                .collect()
        };
        ModelConfig {
            dt: self.dt,
            seed: self.seed,
            step: self.step,
            base_dir: self.base_dir.clone(),
            state: self.state.clone(),
            cells: map(&self.cells),
            inputs: map(&self.inputs),
            synapses: map(&self.synapses),
            probes: self.probes.clone(),
            run: self.run.clone(),
        }
    }
}

impl ModelConfig<&RawValue> {
    /// The owned form.
    pub fn to_owned_config(&self) -> ModelConfig {
        self.map_params(|p| (*p).to_owned())
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
