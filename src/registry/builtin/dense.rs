//! `"Dense"`: ngclearn's dense synapse, and weight initialisers.

use serde::{Deserialize, Serialize};

use crate::components::Real;
use crate::components::compartment::*;
use crate::components::rng::{normal, uniform};
use crate::components::synapses::dense::{Biases, dense_system};
use crate::components::synapses::{DenseSynapse, Weights};
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

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
    pub(crate) fn sample(
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
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> =
        Some((include_str!("dense.rs"), "DenseParams"));

    fn footprint(_: &DenseParams, ctx: &BuildCtx) -> Footprint {
        let (Some(pre), Some(post)) = (ctx.pre(), ctx.post()) else {
            return Footprint::default();
        };
        let (n_pre, n_post) = (pre.n_units as u64, post.n_units as u64);
        let real = size_of::<Real>() as u64;
        Footprint::values("pre", n_pre, n_post, real)
            .plus(n_post.saturating_mul(2 * real))
            .described(format!(
                "a weight matrix of {n_pre} × {n_post} (units of `{}` × units of `{}`)",
                pre.name, post.name
            ))
    }

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
