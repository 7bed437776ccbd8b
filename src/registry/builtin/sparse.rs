//! `"Sparse"`: event-driven synapses with random connectivity and an optional exponential
//! synaptic current.

use serde::{Deserialize, Serialize};

use super::dense::Init;
use crate::components::Real;
use crate::components::compartment::Outputs;
use crate::components::synapses::sparse::{
    Connectivity, Delivery, SparseSynapse, SparseWeights, connect, sparse_system,
};
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// Parameters of `"Sparse"`. Give exactly one of `p_conn` and `fan_in`, and either `weight`
/// (shared) or `weight_init` (one per synapse).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SparseParams {
    /// Probability of each ordered (pre, post) pair being connected.
    #[serde(default)]
    pub p_conn: Option<f64>,
    /// Exact number of distinct presynaptic units per postsynaptic unit.
    #[serde(default)]
    pub fan_in: Option<usize>,
    /// The weight of every synapse (units of the target's `j`: mV for `IAF`).
    #[serde(default)]
    pub weight: Option<f64>,
    /// Per-synapse weights (`Constant`, `Uniform`, `Gaussian`), drawn in CSR order.
    #[serde(default)]
    pub weight_init: Option<Init>,
    /// Time constant of the exponential synaptic current (ms); none = an instantaneous pulse.
    #[serde(default)]
    pub tau_syn: Option<f64>,
    /// `sparse` (walk each spiking unit's targets) or `dense` (add a full row).
    #[serde(default)]
    pub delivery: Delivery,
}

/// `"Sparse"` — see [`SparseSynapse`].
pub struct Sparse;

impl Kind for Sparse {
    const NAME: &'static str = "Sparse";
    const ROLE: Role = Role::Synapse;
    const DOC: &'static str = "event-driven sparse synapses (fixed probability or fan-in), \
                               shared or per-synapse weights, optional exponential current";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    type Params = SparseParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> =
        Some((include_str!("sparse.rs"), "SparseParams"));

    fn footprint(p: &SparseParams, ctx: &BuildCtx) -> Footprint {
        let (Some(pre), Some(post)) = (ctx.pre(), ctx.post()) else {
            return Footprint::default();
        };
        let (n_pre, n_post) = (pre.n_units as u64, post.n_units as u64);
        // a weight and a target index per synapse
        let per_synapse = (size_of::<Real>() + size_of::<u32>()) as u64;
        let (field, synapses) = match (p.p_conn, p.fan_in) {
            (Some(x), _) => (
                "p_conn",
                (n_pre as f64 * n_post as f64 * x.clamp(0.0, 1.0)).min(u64::MAX as f64) as u64,
            ),
            (_, Some(k)) => ("fan_in", (k as u64).saturating_mul(n_post)),
            _ => ("p_conn", 0),
        };
        Footprint::values(field, synapses, 1, per_synapse)
            .plus(n_post.saturating_mul(2 * size_of::<Real>() as u64))
            .described(format!(
                "about {synapses} synapses from `{}` ({n_pre} units) to `{}` ({n_post} units)",
                pre.name, post.name
            ))
    }

    fn validate(p: &SparseParams) -> Result<(), KindError> {
        match (p.p_conn, p.fan_in) {
            (Some(x), None) if (0.0..=1.0).contains(&x) => {}
            (Some(x), None) => {
                return Err(KindError::invalid(
                    "p_conn",
                    format!("a probability in [0, 1], found {x}"),
                ));
            }
            (None, Some(_)) => {}
            _ => {
                return Err(KindError::invalid(
                    "p_conn",
                    "exactly one of `p_conn` and `fan_in`",
                ));
            }
        }
        match (p.weight, &p.weight_init) {
            (Some(w), None) if w.is_finite() => {}
            (Some(w), None) => {
                return Err(KindError::invalid(
                    "weight",
                    format!("a finite number, found {w}"),
                ));
            }
            (None, Some(_)) => {}
            _ => {
                return Err(KindError::invalid(
                    "weight",
                    "exactly one of `weight` and `weight_init`",
                ));
            }
        }
        if let Some(t) = p.tau_syn
            && !(t.is_finite() && t > 0.0)
        {
            return Err(KindError::invalid(
                "tau_syn",
                format!("a time > 0 ms, found {t}"),
            ));
        }
        Ok(())
    }

    fn spawn(p: &SparseParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let (Some(pre), Some(post)) = (ctx.pre(), ctx.post()) else {
            return Err(KindError::Other(
                "a Sparse synapse needs `pre` and `post`".into(),
            ));
        };
        let (n_pre, n_post) = (pre.n_units, post.n_units);
        let conn = match (p.p_conn, p.fan_in) {
            (Some(x), _) => Connectivity::Probability(x),
            (_, Some(k)) if k <= n_pre => Connectivity::FanIn(k),
            (_, Some(k)) => {
                return Err(KindError::invalid(
                    "fan_in",
                    format!("at most the {n_pre} units of `{}`, found {k}", pre.name),
                ));
            }
            _ => unreachable!("validated"),
        };
        let key = ctx.stream();
        let (row_ptr, targets) = connect(n_pre, n_post, conn, key.derive("connectivity"));
        let weights = match (p.weight, &p.weight_init) {
            (Some(w), _) => SparseWeights::Shared(w as Real),
            (_, Some(init)) => {
                if matches!(init, Init::Matrix(_)) {
                    return Err(KindError::invalid(
                        "weight_init",
                        "Constant, Uniform or Gaussian (a sparse synapse has no full matrix)",
                    ));
                }
                SparseWeights::PerSynapse(init.sample(
                    key.derive("weights"),
                    [1, targets.len()],
                    "weight_init",
                )?)
            }
            _ => unreachable!("validated"),
        };
        let decay = p.tau_syn.map_or(0.0, |t| (-ctx.dt() / t).exp()) as Real;
        let mut syn = SparseSynapse {
            row_ptr,
            targets,
            weights,
            n_post,
            decay,
            delivery: p.delivery,
            dense: Vec::new(),
        };
        if p.delivery == Delivery::Dense {
            syn.densify();
        }
        ctx.insert((syn, Outputs(vec![0.0; n_post])));
        Ok(n_post)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Synapse, sparse_system);
    }
}
