//! NEF connections (`nengo.Connection` and `nengo/builder/connection.py`, Nengo 4.1.0).
//!
//! A connection takes a vector from its *pre* object, maps it through a matrix, optionally
//! filters it with a synapse, and adds the result to its *post* object's input:
//!
//! - from an ensemble (decoded): `weighted = (T·Dᵀ)·output`, where `D` (neurons × d) are
//!   decoders solved on the ensemble's eval points for the connection's function, and `T` is
//!   the transform. The connection stays factorized: the post ensemble encodes the decoded
//!   vector itself (`J = bias + scaled_encoders·x`);
//! - from `ens.neurons`: `weighted = T·output[pre_slice]`;
//! - from a node: `weighted = T·f(output[pre_slice])` (f, if given, runs every step).
//!
//! into an ensemble's decoded input `x[post_slice]`, into `ens.neurons` (`J += gain ⊙ weighted`,
//! Nengo multiplies neuron inputs by the gains) or into a node's input.
//!
//! `weights` are stored pre × post (cortecs' convention for every synapse; the transpose of
//! Nengo's `sim.model.params[conn].weights`), so a spike adds one row — work ∝ spikes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bevy_ecs::prelude::*;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::dists::{Distribution, default_n_eval_points};
use super::ensemble::BuiltEnsemble;
use super::function::{Function, FunctionSpec};
use super::solvers::{Factorization, Solver};
use super::transform::Transform;
use crate::Real;
use crate::rng::StreamKey;
use crate::synapses::filter::{DiscreteFilter, FilterState, Synapse};

/// A connection as written in configs (`pre`/`post` are given beside it, as endpoints such as
/// `"A"`, `"A.neurons"`, `"stim[0]"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionParams {
    /// The function computed across the connection (expression strings over `x0…` or a named
    /// function); identity when absent.
    #[serde(default)]
    pub function: Option<FunctionSpec>,
    /// The transform applied after the function (default: scalar 1).
    #[serde(default)]
    pub transform: Transform,
    /// The synapse (times in ms). Nengo's default `Lowpass(tau: 5.0)`; `None` passes the value
    /// within the same step, any synapse (even `Lowpass(tau: 0.0)`) adds one step of delay.
    #[serde(default = "default_synapse")]
    pub synapse: Synapse,
    /// How decoders are solved (decoded connections only). Default `LstsqL2(reg: 0.1)`.
    #[serde(default)]
    pub solver: Solver,
    /// Points to solve decoders on, instead of the pre ensemble's (units of the represented
    /// value; a distribution is sampled with Nengo's default count).
    #[serde(default)]
    pub eval_points: Option<Distribution>,
}

/// Solver factorizations shared by the decoders of one build ([`Solver::factor`]): the
/// connections and decoded probes of one ensemble that use its own eval points and the same
/// solver share the activity matrix and its Cholesky factor — exactly the numbers separate
/// solves give, at a fraction of the cost. Keyed by (ensemble entity, solver); the model
/// builder inserts it as a resource for the build and removes it afterwards.
#[derive(Resource, Default)]
pub struct FactorCache(Mutex<HashMap<(Entity, String), Arc<Factorization>>>);

/// Nengo's default connection synapse, `Lowpass(0.005 s)` = 5 ms.
pub fn default_synapse() -> Synapse {
    Synapse::Lowpass { tau: 5.0 }
}

impl Default for ConnectionParams {
    fn default() -> Self {
        Self {
            function: None,
            transform: Transform::default(),
            synapse: default_synapse(),
            solver: Solver::default(),
            eval_points: None,
        }
    }
}

/// Why a connection cannot be built; `field` is the parameter (or endpoint) at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("`{field}`: {message}")]
pub struct ConnectionError {
    /// The parameter or endpoint.
    pub field: &'static str,
    /// What was expected and found.
    pub message: String,
}

pub(crate) fn err(field: &'static str, message: impl Into<String>) -> ConnectionError {
    ConnectionError {
        field,
        message: message.into(),
    }
}

/// What the post side of a connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostPort {
    /// An ensemble's decoded input `x`.
    Decoded,
    /// An ensemble's neurons (`J += gain ⊙ weighted`).
    Neurons,
    /// A node's input.
    Node,
}

/// A connection entity's state. Its `Weights` (pre × post) and `Outputs` (post values) are
/// separate components.
#[derive(Component)]
pub struct Connection {
    /// The pre object.
    pub pre: Entity,
    /// The post object.
    pub post: Entity,
    /// Elements of the pre output read each step (`None`: all of them, in order).
    pub pre_index: Option<Vec<usize>>,
    /// A function applied every step (connections from nodes).
    pub function: Option<Function>,
    /// Where each output element goes in the post object's input.
    pub post_index: Vec<usize>,
    /// What the post side is.
    pub port: PostPort,
    /// The synapse (times in ms).
    pub synapse: Synapse,
    /// Whether the connection has a synapse (and so one step of delay).
    pub filtered: bool,
    /// The synapse's discrete filter.
    pub filter: DiscreteFilter,
    /// The synapse's state.
    pub state: FilterState,
    /// Decoders (neurons × function dims) of a decoded connection, and their RMSE on the eval
    /// points per dimension.
    pub decoders: Option<(Array2<f64>, Vec<f64>)>,
    /// The function a decoded connection's decoders approximate, of the (sliced) represented
    /// value (`None`: the identity, or not a decoded connection).
    pub decoded_function: Option<Function>,
    /// The transform as a dense matrix (outputs × function or pre dims), in `f64`.
    pub transform: Array2<f64>,
    v: Vec<Real>,
    fx: (Vec<f64>, Vec<f64>),
    weighted: Vec<Real>,
}

/// What a connection's pre side is, for building.
pub enum PreSide<'a> {
    /// Decoded from an ensemble, reading dimensions `slice` of the represented value.
    Decoded(&'a BuiltEnsemble, Vec<usize>),
    /// An ensemble's neurons `slice`.
    Neurons(Vec<usize>),
    /// A node's output elements `slice`.
    Node(Vec<usize>),
}

/// The result of building a connection: the component, its weights (pre × post, row-major)
/// and its post size.
pub struct BuiltConnection {
    /// The connection component.
    pub connection: Connection,
    /// Rows (pre units read each step) of the weight matrix.
    pub n_rows: usize,
    /// Columns (= output size) of the weight matrix.
    pub n_cols: usize,
    /// The weight matrix, pre × post, row-major.
    pub weights: Vec<Real>,
}

/// Builds a connection (Nengo's `build_connection`): resolves the function and transform
/// shapes, solves decoders for decoded connections, discretizes the synapse at `dt` (ms).
/// `post_index` are the post input elements the connection drives. `closure`, if given, is
/// the function instead of `p.function` (a Rust closure, [`Function::from_fn`]).
#[allow(clippy::too_many_arguments)]
pub fn build_connection(
    p: &ConnectionParams,
    closure: Option<Function>,
    pre_entity: Entity,
    pre: PreSide,
    post_entity: Entity,
    post_index: Vec<usize>,
    port: PostPort,
    dt: f64,
    key: StreamKey,
    cache: Option<&FactorCache>,
) -> Result<BuiltConnection, ConnectionError> {
    p.synapse.validate().map_err(|m| err("synapse", m))?;
    p.transform
        .validate()
        .map_err(|e| err("transform", e.to_string()))?;
    let size_sliced = match &pre {
        PreSide::Decoded(_, s) | PreSide::Neurons(s) | PreSide::Node(s) => s.len(),
    };
    let function = match closure {
        Some(f) => Some(f),
        None => p
            .function
            .as_ref()
            .map(|spec| Function::compile(spec, size_sliced))
            .transpose()
            .map_err(|e| err("function", e.to_string()))?,
    };
    let function = match function {
        None => None,
        Some(f) => {
            if matches!(pre, PreSide::Neurons(_)) {
                return Err(err(
                    "function",
                    "a connection from `.neurons` cannot compute a function (Nengo neither)",
                ));
            }
            if f.size_in() != size_sliced {
                return Err(err(
                    "function",
                    format!(
                        "expected a function of {size_sliced} inputs (the pre object or its \
                         slice), found one of {}",
                        f.size_in()
                    ),
                ));
            }
            (!f.is_identity()).then_some(f)
        }
    };
    let size_mid = function.as_ref().map_or(size_sliced, Function::size_out);
    let (t_out, t_in) = p
        .transform
        .shape(size_mid)
        .map_err(|e| err("transform", e.to_string()))?;
    let source = if function.is_some() {
        "the function's output"
    } else {
        "the pre object (or its slice)"
    };
    if t_in != size_mid {
        return Err(err(
            "transform",
            format!("a transform taking {size_mid} inputs ({source}), found one taking {t_in}"),
        ));
    }
    if t_out != post_index.len() {
        let field = if p.transform != Transform::default() {
            "transform"
        } else if function.is_some() {
            "function"
        } else {
            "post"
        };
        return Err(err(
            field,
            format!(
                "expected {} values for the post side (its dimensions, neurons or slice), but {} gives {t_out}",
                post_index.len(),
                if field == "transform" {
                    "the transform"
                } else {
                    source
                },
            ),
        ));
    }
    let t = p
        .transform
        .to_dense(size_mid)
        .map_err(|e| err("transform", e.to_string()))?;
    // Weights, pre × post: Wᵀ = (T·Dᵀ)ᵀ = D·Tᵀ for decoded, Tᵀ otherwise.
    let (w, pre_index, runtime_fn, decoders, decoded_function) = match pre {
        PreSide::Decoded(ens, slice) => {
            // Only the ensemble's own eval points are shared.
            let shared = cache
                .filter(|_| p.eval_points.is_none())
                .map(|c| (c, pre_entity));
            let points = match &p.eval_points {
                None => ens.eval_points.clone(),
                Some(dist) => {
                    dist.validate()
                        .map_err(|e| err("eval_points", e.to_string()))?;
                    let m = dist.n_points().unwrap_or_else(|| {
                        default_n_eval_points(ens.n_neurons(), ens.dimensions())
                    });
                    dist.sample(m, ens.dimensions(), &mut key.derive("eval_points").at(0, 0))
                        .map_err(|e| err("eval_points", e.to_string()))?
                        * ens.radius
                }
            };
            let (d, rmses) =
                solve_decoders(ens, points.view(), &slice, function.as_ref(), p, shared)?;
            let w = d.dot(&t.t());
            (w, None, None, Some((d, rmses)), function)
        }
        PreSide::Neurons(slice) | PreSide::Node(slice) => {
            let all = slice.iter().copied().eq(0..slice.len());
            (
                t.t().to_owned(),
                (!all).then_some(slice),
                function,
                None,
                None,
            )
        }
    };
    if let Some(bad) = w.iter().find(|x| !x.is_finite()) {
        return Err(err(
            "solver",
            format!("the connection weights are not finite ({bad})"),
        ));
    }
    let (n_rows, n_cols) = w.dim();
    let fx = runtime_fn
        .as_ref()
        .map_or((vec![], vec![]), |f: &Function| {
            (vec![0.0; f.size_in()], vec![0.0; f.size_out()])
        });
    let v_len = pre_index.as_ref().map_or(0, Vec::len);
    let connection = Connection {
        pre: pre_entity,
        post: post_entity,
        pre_index,
        function: runtime_fn,
        post_index,
        port,
        synapse: p.synapse,
        filtered: p.synapse != Synapse::None,
        filter: p.synapse.discretize(dt),
        state: FilterState::new(n_cols),
        decoders,
        decoded_function,
        transform: t,
        v: vec![0.0; v_len.max(n_rows)],
        fx,
        weighted: vec![0.0; n_cols],
    };
    Ok(BuiltConnection {
        connection,
        n_rows,
        n_cols,
        weights: w.iter().map(|x| *x as Real).collect(),
    })
}

/// Decoders for `function` of dimensions `slice` of the ensemble's value (Nengo's
/// `build_decoders`): targets `Y[p] = f(points[p, slice])` (the sliced points themselves
/// without a function), activities `A = rates(points)`, then the solver.
pub fn solve_decoders(
    ens: &BuiltEnsemble,
    points: ArrayView2<f64>,
    slice: &[usize],
    function: Option<&Function>,
    p: &ConnectionParams,
    cache: Option<(&FactorCache, Entity)>,
) -> Result<(Array2<f64>, Vec<f64>), ConnectionError> {
    if points.ncols() != ens.dimensions() {
        return Err(err(
            "eval_points",
            format!(
                "points of {} dimensions, but the ensemble has {}",
                points.ncols(),
                ens.dimensions()
            ),
        ));
    }
    let m = points.nrows();
    let d_out = function.map_or(slice.len(), Function::size_out);
    let mut y = Array2::zeros((m, d_out));
    let mut xin = vec![0.0; slice.len()];
    let mut yout = vec![0.0; d_out];
    for r in 0..m {
        for (k, &s) in slice.iter().enumerate() {
            xin[k] = points[[r, s]];
        }
        match function {
            Some(f) => f.eval(&xin, &mut yout),
            None => yout.copy_from_slice(&xin),
        }
        if let Some(bad) = yout.iter().find(|v| !v.is_finite()) {
            return Err(err(
                "function",
                format!("gives {bad} at eval point {xin:?}; it must be finite on every point"),
            ));
        }
        for (k, v) in yout.iter().enumerate() {
            y[[r, k]] = *v;
        }
    }
    let solver_err = |e: super::solvers::SolverError| err("solver", e.to_string());
    let factor = || -> Result<Arc<Factorization>, ConnectionError> {
        let a = ens.activities(points);
        Ok(Arc::new(p.solver.factor(a.view()).map_err(solver_err)?))
    };
    let f = match cache {
        None => factor()?,
        Some((c, entity)) => {
            let key = (entity, format!("{:?}", p.solver));
            let hit = c.0.lock().ok().and_then(|m| m.get(&key).cloned());
            match hit {
                Some(f) => f,
                None => {
                    let f = factor()?;
                    if let Ok(mut m) = c.0.lock() {
                        m.insert(key, f.clone());
                    }
                    f
                }
            }
        }
    };
    let sol = f.solve(y.view()).map_err(solver_err)?;
    Ok((sol.decoders, sol.rmses.to_vec()))
}

impl Connection {
    /// One step of the connection: reads `pre` (the pre object's output this step), computes
    /// `weighted = Wᵀ·v` with `weights` (pre × post, row-major; zero rows skipped, so a spike
    /// train costs ∝ spikes) and, if filtered, advances the synapse; writes `out`.
    pub fn step(&mut self, pre: &[Real], weights: &[Real], out: &mut [Real]) {
        let n_cols = self.weighted.len();
        let v: &[Real] = match (&self.pre_index, &mut self.function) {
            (None, None) => pre,
            (idx, f) => {
                let rows = match idx {
                    Some(ix) => ix.len(),
                    None => pre.len(),
                };
                let pick = |k: usize| match idx {
                    Some(ix) => pre[ix[k]],
                    None => pre[k],
                };
                match f {
                    None => {
                        for k in 0..rows {
                            self.v[k] = pick(k);
                        }
                        &self.v[..rows]
                    }
                    Some(f) => {
                        for k in 0..rows {
                            self.fx.0[k] = pick(k) as f64;
                        }
                        f.eval(&self.fx.0, &mut self.fx.1);
                        for (dst, src) in self.v.iter_mut().zip(&self.fx.1) {
                            *dst = *src as Real;
                        }
                        &self.v[..self.fx.1.len()]
                    }
                }
            }
        };
        let acc: &mut [Real] = if self.filtered {
            &mut self.weighted
        } else {
            out
        };
        acc.fill(0.0);
        for (i, &vi) in v.iter().enumerate() {
            if vi == 0.0 {
                continue;
            }
            let row = &weights[i * n_cols..(i + 1) * n_cols];
            for (a, w) in acc.iter_mut().zip(row) {
                *a += w * vi;
            }
        }
        if self.filtered {
            self.filter.step(&mut self.state, &self.weighted, out);
        }
    }
}

/// `decoders` — a decoded connection's decoders, neurons × function dimensions (Nengo's solver
/// output `D`; the connection's weights are `D·Tᵀ`), readable after build.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct DecoderMatrix {
    /// Row-major values.
    pub values: Vec<Real>,
    /// Rows (neurons).
    pub n_neurons: usize,
    /// Columns (dimensions of the function's output).
    pub dims: usize,
}

impl crate::compartment::MatrixArray for DecoderMatrix {
    const NAME: &'static str = "decoders";
    fn shape(&self) -> [usize; 2] {
        [self.n_neurons, self.dims]
    }
    fn values(&self) -> &[Real] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [Real] {
        &mut self.values
    }
}

/// `synapse_state` — a connection's synapse state, 2 × post values (the filter's one or two
/// state variables per value), saved and restored with the model so a resumed run continues
/// exactly.
impl crate::compartment::MatrixArray for Connection {
    const NAME: &'static str = "synapse_state";
    fn shape(&self) -> [usize; 2] {
        [2, self.state.len()]
    }
    fn values(&self) -> &[Real] {
        self.state.values()
    }
    fn values_mut(&mut self) -> &mut [Real] {
        self.state.values_mut()
    }
}
