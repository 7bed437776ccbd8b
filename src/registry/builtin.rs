//! The built-in kinds, registered through the same [`Registry::register`] call a user's custom
//! kind uses.

use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{ArrayEntry, BuildCtx, Kind, KindError, Registry, Role};
use crate::components::Real;
use crate::components::compartment::*;
use crate::components::currents::{AfterEnd, CurrentSource, current_system};
use crate::components::input_encoders::{Encoder, encoder_system};
use crate::components::neurons::spiking::lif::{LIF_COMPARTMENTS, LifParams, lif_system};
use crate::components::rng::{normal, uniform};
use crate::components::synapses::dense::{Biases, dense_system};
use crate::components::synapses::{Afferents, DenseSynapse, Weights};
use crate::schedule::{Phase, StepSchedule};

/// Registers every built-in kind and named array.
pub fn register_all(r: &mut Registry) {
    r.register_compartment::<Current>()
        .register_compartment::<Voltage>()
        .register_compartment::<Spikes>()
        .register_compartment::<RawSpikes>()
        .register_compartment::<Refract>()
        .register_compartment::<TimeOfLastSpike>()
        .register_compartment::<ThresholdTheta>()
        .register_compartment::<Threshold>()
        .register_compartment::<Surrogate>()
        .register_compartment::<Inputs>()
        .register_compartment::<Outputs>()
        .register_compartment::<Biases>()
        .register_array(ArrayEntry::weights());
    r.register::<Lif>()
        .register::<Poisson>()
        .register::<Bernoulli>()
        .register::<Dense>()
        .register::<Constant>()
        .register::<Step>()
        .register::<Replay>();
}

/// A scalar for every unit, or one value per unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Values {
    /// The same value for every unit.
    Scalar(f64),
    /// One value per unit.
    PerUnit(Vec<f64>),
}

impl Values {
    /// The per-unit values for `n` units; the error names `field`.
    pub fn expand(&self, n: usize, field: &str) -> Result<Vec<Real>, KindError> {
        let v = match self {
            Values::Scalar(x) => vec![*x; n],
            Values::PerUnit(v) if v.len() == n => v.clone(),
            Values::PerUnit(v) => {
                return Err(KindError::invalid(
                    field,
                    format!(
                        "a number or a list of {n} numbers (one per unit), found {} values",
                        v.len()
                    ),
                ));
            }
        };
        if let Some(x) = v.iter().find(|x| !x.is_finite()) {
            return Err(KindError::invalid(
                field,
                format!("finite numbers, found {x}"),
            ));
        }
        Ok(v.into_iter().map(|x| x as Real).collect())
    }
}

fn positive_units(n: usize) -> Result<(), KindError> {
    if n == 0 {
        return Err(KindError::invalid("n_units", "at least 1 unit, found 0"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Cells

/// `"LIF"` — ngclearn's `LIFCell` (see [`LifParams`]).
pub struct Lif;

impl Kind for Lif {
    const NAME: &'static str = "LIF";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str =
        "leaky integrate-and-fire cell with adaptive threshold (ngclearn LIFCell)";
    const COMPARTMENTS: &'static [&'static str] = LIF_COMPARTMENTS;
    type Params = LifParams;

    fn validate(p: &LifParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.validate().map_err(|(f, e)| KindError::invalid(f, e))
    }

    fn spawn(p: &LifParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        ctx.insert((p.clone(), p.initial_state(), Afferents::default()));
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, lif_system);
    }
}

/// Parameters of `"Poisson"` (ngclearn `PoissonCell`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoissonParams {
    /// Number of units.
    pub n_units: usize,
    /// Firing rate (Hz) of a unit whose input is 1.
    #[serde(default = "d_target_freq")]
    pub target_freq: f64,
    /// Intensities in [0, 1] (ngclearn clamps data here); default 1 = fire at `target_freq`.
    #[serde(default = "d_inputs")]
    pub inputs: Values,
}

fn d_target_freq() -> f64 {
    63.75
}
fn d_inputs() -> Values {
    Values::Scalar(1.0)
}

/// `"Poisson"` — spikes with probability `inputs·target_freq·dt/1000` per step.
pub struct Poisson;

const ENCODER_COMPARTMENTS: &[&str] = &["inputs", "s", "tols"];

fn spawn_encoder(ctx: &mut BuildCtx, enc: Encoder, n: usize, inputs: Vec<Real>) {
    ctx.insert((
        enc,
        Inputs(inputs),
        Spikes(vec![0.0; n]),
        TimeOfLastSpike(vec![0.0; n]),
    ));
}

impl Kind for Poisson {
    const NAME: &'static str = "Poisson";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "Poisson spike encoder (ngclearn PoissonCell)";
    const COMPARTMENTS: &'static [&'static str] = ENCODER_COMPARTMENTS;
    type Params = PoissonParams;

    fn validate(p: &PoissonParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        if !(p.target_freq.is_finite() && p.target_freq >= 0.0) {
            return Err(KindError::invalid(
                "target_freq",
                format!("a rate ≥ 0 Hz, found {}", p.target_freq),
            ));
        }
        p.inputs.expand(p.n_units, "inputs").map(|_| ())
    }

    fn spawn(p: &PoissonParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let inputs = p.inputs.expand(p.n_units, "inputs")?;
        spawn_encoder(
            ctx,
            Encoder::Poisson {
                target_freq: p.target_freq,
            },
            p.n_units,
            inputs,
        );
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, encoder_system);
    }
}

/// Parameters of `"Bernoulli"` (ngclearn `BernoulliCell`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BernoulliParams {
    /// Number of units.
    pub n_units: usize,
    /// Spike probability per step, in [0, 1].
    pub inputs: Values,
}

/// `"Bernoulli"` — spikes with probability `inputs` per step.
pub struct Bernoulli;

impl Kind for Bernoulli {
    const NAME: &'static str = "Bernoulli";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "Bernoulli spike encoder (ngclearn BernoulliCell)";
    const COMPARTMENTS: &'static [&'static str] = ENCODER_COMPARTMENTS;
    type Params = BernoulliParams;

    fn validate(p: &BernoulliParams) -> Result<(), KindError> {
        positive_units(p.n_units)?;
        p.inputs.expand(p.n_units, "inputs").map(|_| ())
    }

    fn spawn(p: &BernoulliParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let inputs = p.inputs.expand(p.n_units, "inputs")?;
        spawn_encoder(ctx, Encoder::Bernoulli, p.n_units, inputs);
        Ok(p.n_units)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, encoder_system);
    }
}

// ---------------------------------------------------------------------------------------------
// Synapses

/// How to initialise weights or biases (ngclearn's `DistributionGenerator` names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Init {
    /// Every value `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform in `[amin, amax)`.
    Uniform {
        /// Lower bound.
        amin: f64,
        /// Upper bound.
        amax: f64,
    },
    /// Normal with mean `mu` and standard deviation `sigma`.
    Gaussian {
        /// Mean.
        mu: f64,
        /// Standard deviation.
        sigma: f64,
    },
    /// Explicit values, one row per presynaptic unit (biases: one row).
    Matrix(Vec<Vec<f64>>),
}

impl Init {
    fn sample(
        &self,
        stream: crate::components::rng::StreamKey,
        shape: [usize; 2],
        field: &str,
    ) -> Result<Vec<Real>, KindError> {
        let n = shape[0] * shape[1];
        let mut rng = stream.at(0, 0);
        let v: Vec<f64> = match self {
            Init::Constant { value } => vec![*value; n],
            Init::Uniform { amin, amax } => {
                if amax < amin {
                    return Err(KindError::invalid(
                        field,
                        format!("Uniform with amin ≤ amax, found amin {amin} > amax {amax}"),
                    ));
                }
                (0..n)
                    .map(|_| amin + (amax - amin) * f64::from(uniform(&mut rng)))
                    .collect()
            }
            Init::Gaussian { mu, sigma } => {
                if *sigma < 0.0 {
                    return Err(KindError::invalid(
                        field,
                        format!("Gaussian with sigma ≥ 0, found {sigma}"),
                    ));
                }
                (0..n).map(|_| mu + sigma * normal(&mut rng)).collect()
            }
            Init::Matrix(rows) => {
                let found = [rows.len(), rows.first().map_or(0, Vec::len)];
                if found != shape || rows.iter().any(|r| r.len() != shape[1]) {
                    return Err(KindError::invalid(
                        field,
                        format!(
                            "a {}×{} matrix ({} rows of {} values), found {} rows of {:?} values",
                            shape[0],
                            shape[1],
                            shape[0],
                            shape[1],
                            rows.len(),
                            rows.iter().map(Vec::len).collect::<Vec<_>>()
                        ),
                    ));
                }
                rows.concat()
            }
        };
        if let Some(x) = v.iter().find(|x| !x.is_finite()) {
            return Err(KindError::invalid(
                field,
                format!("finite values, found {x}"),
            ));
        }
        Ok(v.into_iter().map(|x| x as Real).collect())
    }
}

/// Parameters of `"Dense"` (ngclearn `DenseSynapse`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenseParams {
    /// `(n_pre, n_post)`; optional, checked against the wired populations when given.
    #[serde(default)]
    pub shape: Option<(usize, usize)>,
    /// Weight initialisation; ngclearn's default is `Uniform(amin: 0.025, amax: 0.8)`.
    #[serde(default = "d_weight_init")]
    pub weight_init: Init,
    /// Bias initialisation; `None` (default) = no bias.
    #[serde(default)]
    pub bias_init: Option<Init>,
    /// Output scale (dimensionless); ngclearn ≥ 3 also calls it `g_conduct_factor`.
    #[serde(default = "d_one", alias = "g_conduct_factor")]
    pub resist_scale: f64,
    /// Probability that a connection exists (connections not drawn are zeroed).
    #[serde(default = "d_one")]
    pub p_conn: f64,
}

fn d_weight_init() -> Init {
    Init::Uniform {
        amin: 0.025,
        amax: 0.8,
    }
}
fn d_one() -> f64 {
    1.0
}

/// `"Dense"` — `outputs = (s_pre @ W)·resist_scale + biases`.
pub struct Dense;

impl Kind for Dense {
    const NAME: &'static str = "Dense";
    const ROLE: Role = Role::Synapse;
    const DOC: &'static str = "dense synaptic cable (ngclearn DenseSynapse)";
    const COMPARTMENTS: &'static [&'static str] = &["outputs", "weights", "biases"];
    type Params = DenseParams;

    fn validate(p: &DenseParams) -> Result<(), KindError> {
        if !p.resist_scale.is_finite() {
            return Err(KindError::invalid(
                "resist_scale",
                format!("a finite number, found {}", p.resist_scale),
            ));
        }
        if !(0.0..=1.0).contains(&p.p_conn) {
            return Err(KindError::invalid(
                "p_conn",
                format!("a probability in [0, 1], found {}", p.p_conn),
            ));
        }
        Ok(())
    }

    fn spawn(p: &DenseParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let (Some(pre), Some(post)) = (ctx.pre(), ctx.post()) else {
            return Err(KindError::Other(
                "a Dense synapse needs `pre` and `post`".into(),
            ));
        };
        let shape = [pre.n_units, post.n_units];
        if let Some((a, b)) = p.shape
            && [a, b] != shape
        {
            return Err(KindError::invalid(
                "shape",
                format!(
                    "({}, {}) = (units of `{}`, units of `{}`), found ({a}, {b})",
                    shape[0], shape[1], pre.name, post.name
                ),
            ));
        }
        let key = ctx.stream();
        let mut w = p
            .weight_init
            .sample(key.derive("weights"), shape, "weight_init")?;
        if p.p_conn < 1.0 {
            let mut rng = key.derive("p_conn").at(0, 0);
            for x in &mut w {
                if f64::from(uniform(&mut rng)) >= p.p_conn {
                    *x = 0.0;
                }
            }
        }
        let n_post = shape[1];
        let syn = DenseSynapse {
            resist_scale: p.resist_scale as Real,
        };
        let weights = Weights {
            values: w,
            n_pre: shape[0],
            n_post,
        };
        ctx.insert((syn, weights, Outputs(vec![0.0; n_post])));
        if let Some(b) = &p.bias_init {
            let b = b.sample(key.derive("biases"), [1, n_post], "bias_init")?;
            ctx.insert(Biases(b));
        }
        Ok(n_post)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Synapse, dense_system);
    }
}

// ---------------------------------------------------------------------------------------------
// Current sources

/// Parameters of `"Constant"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstantParams {
    /// The current of every unit, or one per unit.
    pub value: Values,
}

/// `"Constant"` — a constant current into `target`'s `j`.
pub struct Constant;

impl Kind for Constant {
    const NAME: &'static str = "Constant";
    const ROLE: Role = Role::Current;
    const DOC: &'static str = "constant current source";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    type Params = ConstantParams;

    fn validate(_: &ConstantParams) -> Result<(), KindError> {
        Ok(())
    }

    fn spawn(p: &ConstantParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let n = target_units(ctx)?;
        let v = p.value.expand(n, "value")?;
        ctx.insert((CurrentSource::Constant, Outputs(v)));
        Ok(n)
    }

    fn add_systems(_: &mut StepSchedule) {}
}

fn target_units(ctx: &BuildCtx) -> Result<usize, KindError> {
    ctx.post()
        .map(|p| p.n_units)
        .ok_or_else(|| KindError::Other("a current source needs a `target`".into()))
}

/// Parameters of `"Step"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepParams {
    /// Time the step switches on (ms; compared with the step's start time k·dt).
    pub onset: f64,
    /// Time it switches off (ms); `None` = never.
    #[serde(default)]
    pub offset: Option<f64>,
    /// Current while on (per unit or scalar).
    pub amplitude: Values,
    /// Current while off (per unit or scalar).
    #[serde(default = "d_zero")]
    pub baseline: Values,
}

fn d_zero() -> Values {
    Values::Scalar(0.0)
}

/// `"Step"` — `baseline`, then `amplitude` from `onset` to `offset`.
pub struct Step;

impl Kind for Step {
    const NAME: &'static str = "Step";
    const ROLE: Role = Role::Current;
    const DOC: &'static str = "step current source";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    type Params = StepParams;

    fn validate(p: &StepParams) -> Result<(), KindError> {
        if !p.onset.is_finite() {
            return Err(KindError::invalid(
                "onset",
                format!("a finite time (ms), found {}", p.onset),
            ));
        }
        if let Some(off) = p.offset
            && !(off.is_finite() && off >= p.onset)
        {
            return Err(KindError::invalid(
                "offset",
                format!("a finite time ≥ onset (ms), found {off}"),
            ));
        }
        Ok(())
    }

    fn spawn(p: &StepParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let n = target_units(ctx)?;
        let amplitude = p.amplitude.expand(n, "amplitude")?;
        let baseline = p.baseline.expand(n, "baseline")?;
        let out = Outputs(baseline.clone());
        ctx.insert((
            CurrentSource::Step {
                onset: p.onset,
                offset: p.offset,
                baseline,
                amplitude,
            },
            out,
        ));
        Ok(n)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, current_system);
    }
}

/// Parameters of `"Replay"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayParams {
    /// A `.csv` (optional header; a first column named `step` is dropped) or `.npy` file of
    /// steps × units; row k is clamped at step k. Relative to the config's directory.
    pub file: String,
    /// What happens after the last row.
    #[serde(default)]
    pub after_end: AfterEnd,
}

/// `"Replay"` — replays a recorded table of currents, one row per step.
pub struct Replay;

impl Kind for Replay {
    const NAME: &'static str = "Replay";
    const ROLE: Role = Role::Current;
    const DOC: &'static str = "replays a steps × units table (.csv or .npy) as current";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    type Params = ReplayParams;

    fn validate(_: &ReplayParams) -> Result<(), KindError> {
        Ok(())
    }

    fn spawn(p: &ReplayParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let n = target_units(ctx)?;
        let path = ctx.base_dir().join(&p.file);
        let table = read_table(&path).map_err(|e| KindError::invalid("file", e))?;
        if table.ncols() != n {
            let target = ctx.post().map(|p| p.name.clone()).unwrap_or_default();
            return Err(KindError::invalid(
                "file",
                format!(
                    "{} columns (one per unit of `{target}`), but {} has {}",
                    n,
                    path.display(),
                    table.ncols()
                ),
            ));
        }
        let rows = table.nrows();
        let data = table.iter().copied().collect();
        ctx.insert((
            CurrentSource::Replay {
                data,
                rows,
                after_end: p.after_end,
            },
            Outputs(vec![0.0; n]),
        ));
        Ok(n)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, current_system);
    }
}

/// Reads a steps × units table from `.npy` (float32 or float64) or `.csv`.
pub fn read_table(path: &Path) -> Result<Array2<Real>, String> {
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy {
        let f64_arr = ndarray_npy::read_npy::<_, Array2<f64>>(path);
        return match f64_arr {
            Ok(a) => Ok(a.mapv(|x| x as Real)),
            Err(_) => ndarray_npy::read_npy::<_, Array2<f32>>(path)
                .map(|a| a.mapv(Real::from))
                .map_err(|e| format!("a 2-D float .npy file at {}: {e}", path.display())),
        };
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("a readable .csv or .npy file at {}: {e}", path.display()))?;
    parse_csv(&text)
        .map_err(|e| format!("a numeric steps × units table in {}: {e}", path.display()))
}

/// Parses a CSV table of numbers: an optional header line, and a first column named `step`
/// (as in the ngclearn reference traces) is dropped.
pub fn parse_csv(text: &str) -> Result<Array2<Real>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    let mut drop_first = false;
    if let Some((_, first)) = lines.peek() {
        let cells: Vec<&str> = first.split(',').map(str::trim).collect();
        if cells.iter().any(|c| c.parse::<f64>().is_err()) {
            drop_first = cells
                .first()
                .is_some_and(|c| c.eq_ignore_ascii_case("step"));
            lines.next();
        }
    }
    let mut data = Vec::new();
    let mut ncols = None;
    for (i, line) in lines {
        let cells: Vec<&str> = line
            .split(',')
            .map(str::trim)
            .skip(usize::from(drop_first))
            .collect();
        if *ncols.get_or_insert(cells.len()) != cells.len() {
            return Err(format!(
                "line {} has {} columns, earlier lines have {}",
                i + 1,
                cells.len(),
                ncols.unwrap_or(0)
            ));
        }
        for (c, cell) in cells.iter().enumerate() {
            let x: f64 = cell.parse().map_err(|_| {
                format!(
                    "line {}, column {}: `{cell}` is not a number",
                    i + 1,
                    c + 1 + usize::from(drop_first)
                )
            })?;
            data.push(x as Real);
        }
    }
    let ncols = ncols.unwrap_or(0);
    let nrows = data.len().checked_div(ncols).unwrap_or(0);
    Array2::from_shape_vec((nrows, ncols), data).map_err(|e| e.to_string())
}
