//! Config errors: what went wrong, where (file, line:column), in which entity.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::registry::KindError;

/// What is wrong with a config.
#[derive(Debug, Error)]
pub enum ConfigErrorKind {
    /// The file cannot be read.
    #[error("cannot read the config: {0}")]
    Io(#[from] std::io::Error),
    /// RON syntax, a missing or misspelt top-level field, a wrong value type.
    #[error("{message}")]
    Syntax {
        /// ron's message.
        message: String,
        /// A valid field name close to a misspelt one.
        suggestion: Option<String>,
    },
    /// No kind of this name is registered for this section.
    #[error("unknown {section} kind `{kind}`; expected one of: {}", .available.join(", "))]
    UnknownKind {
        /// `cells`, `inputs` or `synapses`.
        section: &'static str,
        /// The name given.
        kind: String,
        /// Valid names for this section.
        available: Vec<String>,
        /// The nearest valid name.
        suggestion: Option<String>,
    },
    /// The kind rejected its parameters or wiring.
    #[error("{0}")]
    Kind(KindError),
    /// `pre`, `post` or `target` names no population.
    #[error("`{field}: \"{name}\"` names no population; expected one of: {}", .available.join(", "))]
    UnknownEntity {
        /// `pre`, `post` or `target`.
        field: &'static str,
        /// The name given.
        name: String,
        /// Existing populations.
        available: Vec<String>,
        /// The nearest existing name.
        suggestion: Option<String>,
    },
    /// `pre`, `post` or `target` is missing.
    #[error("missing `{0}`: expected the name of a population")]
    MissingWiring(&'static str),
    /// A population that cannot be driven (it has no current `j`).
    #[error(
        "`{name}` ({kind}) has no current `j` to drive; expected a cell with a `j` compartment"
    )]
    NotDrivable {
        /// The population.
        name: String,
        /// Its kind.
        kind: String,
    },
    /// A NEF connection names something that is not an ensemble or node.
    #[error(
        "`{name}` ({kind}) is not a NEF object; a Connection wires an Ensemble or Node \
         (`A`, `A.neurons`, `stim[0]` …)"
    )]
    NotNef {
        /// The entity.
        name: String,
        /// Its kind.
        kind: String,
    },
    /// Two entities share a name.
    #[error("duplicate entity name `{0}`; every cell, input and synapse needs its own name")]
    DuplicateName(String),
    /// A probe names a compartment its target does not have.
    #[error("`{target}` ({kind}) has no compartment `{compartment}`; expected one of: {}", .available.join(", "))]
    UnknownCompartment {
        /// The probed entity.
        target: String,
        /// Its kind.
        kind: String,
        /// The compartment asked for.
        compartment: String,
        /// What it has.
        available: Vec<String>,
        /// The nearest valid name.
        suggestion: Option<String>,
    },
    /// A probe's unit range does not fit its target.
    #[error("probe units {start}..{end} do not fit `{target}`, which has {n_units} units")]
    ProbeRange {
        /// The probed entity.
        target: String,
        /// Range start.
        start: usize,
        /// Range end.
        end: usize,
        /// Units of the target.
        n_units: usize,
    },
    /// An entity name that cannot name files.
    #[error("entity name `{}`: {rule}", .name.escape_debug())]
    BadName {
        /// The name given.
        name: String,
        /// The rule it breaks (what was expected).
        rule: &'static str,
    },
    /// A probe's `sample_every` is 0.
    #[error("probe field `sample_every`: expected a number of steps ≥ 1, found 0")]
    SampleEvery,
    /// `dt` is not a positive finite number of ms.
    #[error("`dt` must be a finite step size > 0 ms, found {0}")]
    Dt(f64),
}

/// A config error with its location.
#[derive(Debug)]
pub struct ConfigError {
    /// The config file (or `<builder>` / `<string>`).
    pub file: PathBuf,
    /// 1-based line (0 if unknown).
    pub line: usize,
    /// 1-based column (0 if unknown).
    pub col: usize,
    /// The entity the error is about.
    pub entity: Option<String>,
    /// What is wrong.
    pub kind: ConfigErrorKind,
    /// The source line, for rendering.
    pub source_line: Option<String>,
}

impl ConfigError {
    /// The nearest valid name, if the error is a likely typo.
    pub fn suggestion(&self) -> Option<&str> {
        match &self.kind {
            ConfigErrorKind::Syntax { suggestion, .. }
            | ConfigErrorKind::UnknownKind { suggestion, .. }
            | ConfigErrorKind::UnknownEntity { suggestion, .. }
            | ConfigErrorKind::UnknownCompartment { suggestion, .. } => suggestion.as_deref(),
            ConfigErrorKind::Kind(KindError::Parse { suggestion, .. }) => suggestion.as_deref(),
            _ => None,
        }
    }

    /// A multi-line report for people: location, message, the source line with a caret, and
    /// the suggestion.
    pub fn render(&self) -> String {
        let mut s = format!("error: {}\n", self.headline());
        if let Some(src) = &self.source_line {
            let n = self.line.to_string();
            let pad = " ".repeat(n.len());
            s += &format!(
                " {pad} |\n {n} | {src}\n {pad} | {}^\n",
                " ".repeat(self.col.saturating_sub(1))
            );
        }
        if let Some(sug) = self.suggestion() {
            s += &format!("help: did you mean `{sug}`?\n");
        }
        s
    }
}

impl ConfigError {
    /// `file:line:col: entity `x`: message`, without the suggestion.
    fn headline(&self) -> String {
        let mut s = self.file.display().to_string();
        if self.line > 0 {
            s += &format!(":{}:{}", self.line, self.col);
        }
        if let Some(e) = &self.entity {
            s += &format!(": entity `{e}`");
        }
        s + &format!(": {}", self.kind)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.headline())?;
        if let Some(s) = self.suggestion() {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}
