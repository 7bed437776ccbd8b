//! NEF kinds (Nengo 4.1.0 semantics): `Ensemble` and `Node` (in `cells`), `Connection` (in
//! `synapses`, with Nengo endpoints such as `pre: "A"`, `post: "B.neurons"`, `pre: "stim[0]"`).
//!
//! ```ron
//! cells: [
//!     (name: "stim", kind: "Node", params: (output: Sine(frequency: 1.0))),
//!     (name: "A", kind: "Ensemble", params: (n_neurons: 100, dimensions: 1)),
//!     (name: "B", kind: "Ensemble", params: (n_neurons: 100, dimensions: 1)),
//! ],
//! synapses: [
//!     (name: "in", kind: "Connection", pre: "stim", post: "A", params: ()),
//!     (name: "sq", kind: "Connection", pre: "A", post: "B", params: (function: "x**2")),
//! ],
//! probes: [ (target: "B", compartment: "decoded", synapse: Lowpass(tau: 10.0)) ],
//! ```

use std::collections::{HashMap, HashSet};

use bevy_ecs::prelude::*;

use crate::components::Real;
use crate::components::compartment::{
    NefVoltage, NeuronInput, NeuronOutput, Outputs, RefractoryTime,
};
use crate::components::nef::connection::{
    BuiltConnection, ConnectionParams, DecoderMatrix, FactorCache, PostPort, PreSide,
    build_connection,
};
use crate::components::nef::dists::default_n_eval_points;
use crate::components::nef::ensemble::{BuiltEnsemble, EnsembleError, EnsembleParams, RateModel};
use crate::components::nef::function::Function;
use crate::components::nef::node::{Node as NodeState, NodeError, NodeParams};
use crate::components::nef::process::Process;
use crate::components::nef::systems::{
    Ensemble as EnsembleState, NefAfferents, NefGraph, nef_decode_system, nef_gather_system,
    nef_input_system, nef_neuron_system,
};
use crate::components::neurons::nef::NeuronType;
use crate::components::rng::StreamKey;
use crate::components::synapses::Weights;
use crate::registry::{BuildCtx, Endpoint, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// The NEF systems, in their phases (added once however many NEF kinds a model uses).
fn add_nef_systems(s: &mut StepSchedule) {
    s.add(Phase::Input, nef_input_system)
        .add(Phase::Gather, nef_gather_system)
        .add(Phase::Cell, nef_neuron_system)
        .add(Phase::Decode, nef_decode_system);
}

/// A Nengo ensemble of neurons representing a vector (`nengo.Ensemble`).
pub struct Ensemble;

impl Kind for Ensemble {
    const NAME: &'static str = "Ensemble";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "NEF ensemble: neurons representing a vector (Nengo's Ensemble; \
                               LIF, LIFRate, RectifiedLinear, SpikingRectifiedLinear, Sigmoid, \
                               Tanh)";
    const COMPARTMENTS: &'static [&'static str] =
        &["input", "voltage", "refractory_time", "output"];
    const UNITS: &'static [(&'static str, &'static str)] = &[
        ("input", "dimensionless"),
        ("voltage", "dimensionless"),
        ("refractory_time", "ms"),
        ("output", "Hz"),
    ];
    const NEF: bool = true;
    type Params = EnsembleParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/nef/ensemble.rs"),
        "EnsembleParams",
    ));

    fn footprint(p: &EnsembleParams, _: &BuildCtx) -> Footprint {
        let (n, d) = (p.n_neurons as u64, p.dimensions as u64);
        let m = p
            .n_eval_points
            .unwrap_or_else(|| default_n_eval_points(p.n_neurons, p.dimensions))
            as u64;
        // encoders and ~8 per-neuron arrays (f64), eval points, state (Real)
        let f64_bytes = size_of::<f64>() as u64;
        Footprint::values("n_neurons", n, d.saturating_add(8), f64_bytes)
            .plus(m.saturating_mul(d).saturating_mul(f64_bytes))
            .plus(n.saturating_mul(4 * size_of::<Real>() as u64))
            .described(format!(
                "{n} neurons of {d} dimensions and {m} evaluation points"
            ))
    }

    fn validate(_: &EnsembleParams) -> Result<(), KindError> {
        Ok(())
    }

    fn spawn(p: &EnsembleParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let rates = ctx
            .world
            .get_resource::<RateModel>()
            .copied()
            .unwrap_or_default();
        let built = BuiltEnsemble::build_for(p, ctx.stream(), rates).map_err(|e| match e {
            EnsembleError::Field { field, message } => KindError::field(field, message),
        })?;
        spawn_ensemble(built, ctx);
        Ok(p.n_neurons)
    }

    fn add_systems(s: &mut StepSchedule) {
        add_nef_systems(s);
    }
}

/// Inserts the components of a built ensemble: its state, `input`, `output` and, for spiking
/// types, `voltage` (Nengo's initial voltages) and `refractory_time` (0).
fn spawn_ensemble(built: BuiltEnsemble, ctx: &mut BuildCtx) {
    let n = built.n_neurons();
    let v0: Vec<Real> = built.initial_voltage.iter().map(|v| *v as Real).collect();
    let nt = built.neuron_type;
    ctx.insert((
        NeuronInput(vec![0.0; n]),
        NeuronOutput(vec![0.0; n]),
        NefAfferents::default(),
    ));
    match nt {
        NeuronType::LIF { .. } => {
            ctx.insert((NefVoltage(v0), RefractoryTime(vec![0.0; n])));
        }
        NeuronType::SpikingRectifiedLinear { .. } => {
            ctx.insert(NefVoltage(v0));
        }
        _ => {}
    }
    ctx.insert(EnsembleState::new(built));
}

/// A Nengo node: a vector from a function of time, of its input, or its input alone.
pub struct Node;

impl Kind for Node {
    const NAME: &'static str = "Node";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str = "NEF node: Constant, Sine, Piecewise, WhiteNoise, an expression \
                               of t and its input, or a replayed file; passthrough without \
                               `output`";
    const COMPARTMENTS: &'static [&'static str] = &["output"];
    const NEF: bool = true;
    type Params = NodeParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/nef/node.rs"),
        "NodeParams",
    ));

    fn validate(_: &NodeParams) -> Result<(), KindError> {
        Ok(())
    }

    fn spawn(p: &NodeParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let replayed;
        let p = match &p.file {
            None => p,
            Some(_) if p.output.is_some() => {
                return Err(KindError::field(
                    "file",
                    "expected either `output` or `file`, found both",
                ));
            }
            Some(file) => {
                let path = ctx.base_dir().join(file);
                let table = super::read_table(&path)
                    .map_err(|m| KindError::field("file", format!("{}: {m}", path.display())))?;
                let dt = ctx.dt();
                replayed = NodeParams {
                    output: Some(Process::Piecewise {
                        times: (1..=table.nrows()).map(|k| k as f64 * dt).collect(),
                        values: table
                            .rows()
                            .into_iter()
                            .map(|r| r.iter().map(|v| f64::from(*v)).collect())
                            .collect(),
                    }),
                    file: None,
                    ..p.clone()
                };
                &replayed
            }
        };
        let node = NodeState::build(p, ctx.dt(), ctx.stream()).map_err(|e| match e {
            NodeError::Process(e) => KindError::field("output", e.to_string()),
            NodeError::Size { field, message } => KindError::field(field, message),
        })?;
        let n = node.size_out;
        ctx.insert((node, NeuronOutput(vec![0.0; n]), NefAfferents::default()));
        Ok(n)
    }

    fn add_systems(s: &mut StepSchedule) {
        add_nef_systems(s);
    }
}

/// A Nengo connection between ensembles, their neurons and nodes.
pub struct Connection;

impl Kind for Connection {
    const NAME: &'static str = "Connection";
    const ROLE: Role = Role::Synapse;
    const DOC: &'static str = "NEF connection: decoded (function, solver), .neurons → .neurons, \
                               node ↔ ensemble; transform, synapse, slices";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    const NEF: bool = true;
    type Params = ConnectionParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> = Some((
        include_str!("../../../components/src/nef/connection.rs"),
        "ConnectionParams",
    ));

    fn footprint(_: &ConnectionParams, ctx: &BuildCtx) -> Footprint {
        let Some(ens) = ctx
            .pre()
            .and_then(|p| ctx.world().get::<EnsembleState>(p.entity))
            .map(|e| &e.built)
        else {
            return Footprint::default();
        };
        // solving decoders: the activities at the eval points and their Gram matrix (f64)
        let (n, m) = (ens.n_neurons() as u64, ens.eval_points.nrows() as u64);
        Footprint::values("pre", n, m.saturating_add(n), size_of::<f64>() as u64).described(
            format!("solving decoders of {n} neurons at {m} evaluation points"),
        )
    }

    fn validate(_: &ConnectionParams) -> Result<(), KindError> {
        Ok(())
    }

    fn spawn(p: &ConnectionParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let (Some(pre), Some(post)) = (ctx.pre().cloned(), ctx.post().cloned()) else {
            return Err(KindError::Other(
                "a Connection needs `pre` and `post`".into(),
            ));
        };
        let built = connect(ctx.world(), &pre, &post, p, None, ctx.dt(), ctx.stream())?;
        let entity = ctx.entity();
        let n = install(ctx.world, entity, built);
        if let Some(mut aff) = ctx.world.get_mut::<NefAfferents>(post.entity) {
            aff.0.push(entity);
        }
        Ok(n)
    }

    fn add_systems(s: &mut StepSchedule) {
        add_nef_systems(s);
    }
}

/// Resolves a connection's endpoints (`A`, `A.neurons[:3]`, a node's slice …) and builds it.
pub(crate) fn connect(
    world: &World,
    pre: &Endpoint,
    post: &Endpoint,
    p: &ConnectionParams,
    closure: Option<Function>,
    dt: f64,
    key: StreamKey,
) -> Result<BuiltConnection, KindError> {
    let indices = |e: &Endpoint, field: &'static str, len: usize, what: &str| {
        e.selector.indices(len).map_err(|m| {
            KindError::field(
                field,
                format!("a slice of `{}` ({len} {what}): {m}", e.name),
            )
        })
    };
    let pre_side = if let Some(ens) = world.get::<EnsembleState>(pre.entity) {
        if pre.selector.neurons {
            PreSide::Neurons(indices(pre, "pre", ens.built.n_neurons(), "neurons")?)
        } else {
            let ix = indices(pre, "pre", ens.built.dimensions(), "dimensions")?;
            PreSide::Decoded(&ens.built, ix)
        }
    } else if let Some(node) = world.get::<NodeState>(pre.entity) {
        if pre.selector.neurons {
            return Err(KindError::field(
                "pre",
                format!("`{}` is a Node: it has no `.neurons`", pre.name),
            ));
        }
        PreSide::Node(indices(pre, "pre", node.size_out, "output dimensions")?)
    } else {
        return Err(KindError::field("pre", "expected an Ensemble or a Node"));
    };
    let (port, post_index) = if let Some(ens) = world.get::<EnsembleState>(post.entity) {
        if post.selector.neurons {
            let ix = indices(post, "post", ens.built.n_neurons(), "neurons")?;
            (PostPort::Neurons, ix)
        } else {
            let ix = indices(post, "post", ens.built.dimensions(), "dimensions")?;
            (PostPort::Decoded, ix)
        }
    } else if let Some(node) = world.get::<NodeState>(post.entity) {
        if post.selector.neurons {
            return Err(KindError::field(
                "post",
                format!("`{}` is a Node: it has no `.neurons`", post.name),
            ));
        }
        if node.size_in == 0 {
            return Err(KindError::field(
                "post",
                format!(
                    "`{}` is a Node with size_in = 0: it takes no input (give it a size_in)",
                    post.name
                ),
            ));
        }
        (
            PostPort::Node,
            indices(post, "post", node.size_in, "input dimensions")?,
        )
    } else {
        return Err(KindError::field("post", "expected an Ensemble or a Node"));
    };
    build_connection(
        p,
        closure,
        pre.entity,
        pre_side,
        post.entity,
        post_index,
        port,
        dt,
        key,
        world.get_resource::<FactorCache>(),
    )
    .map_err(|e| KindError::field(e.field, e.message))
}

/// Inserts (or replaces) a built connection's components on `entity`; returns its output size.
pub(crate) fn install(world: &mut World, entity: Entity, built: BuiltConnection) -> usize {
    let n = built.n_cols;
    let decoders = built
        .connection
        .decoders
        .as_ref()
        .map(|(d, _)| DecoderMatrix {
            values: d.iter().map(|v| *v as Real).collect(),
            n_neurons: d.nrows(),
            dims: d.ncols(),
        });
    let mut e = world.entity_mut(entity);
    e.insert((
        built.connection,
        Weights {
            values: built.weights,
            n_pre: built.n_rows,
            n_post: built.n_cols,
        },
        Outputs(vec![0.0; n]),
    ));
    match decoders {
        Some(d) => {
            e.insert(d);
        }
        None => {
            e.remove::<DecoderMatrix>();
        }
    }
    n
}

/// Orders the NEF step once every object is built (Nengo's operator graph, reduced to what
/// cortecs' phases need): nodes fed by this step's neurons without a synapse run after the
/// neurons, the others before; node → node connections without a synapse are followed in
/// dependency order. An unfiltered path from an ensemble back into an ensemble in the same
/// step, or an unfiltered cycle, is an error naming the connection.
pub(crate) fn finish(world: &mut World) -> Result<(), (Entity, String)> {
    use crate::components::nef::connection::Connection as Conn;
    let mut conns: Vec<(Entity, Entity, Entity, bool)> = vec![];
    let mut q = world.query::<(Entity, &Conn)>();
    for (e, c) in q.iter(world) {
        conns.push((e, c.pre, c.post, c.filtered));
    }
    // Config order = entity creation order.
    conns.sort_by_key(|c| c.0);
    let nodes: Vec<Entity> = {
        let mut q = world.query_filtered::<Entity, With<NodeState>>();
        let mut v: Vec<Entity> = q.iter(world).collect();
        v.sort();
        v
    };
    let is_ens = |e: Entity| world.get::<EnsembleState>(e).is_some();
    let node_set: HashSet<Entity> = nodes.iter().copied().collect();
    // Late nodes: reached without a synapse from an ensemble (transitively through nodes).
    let mut late: HashSet<Entity> = HashSet::new();
    loop {
        let before = late.len();
        for &(_, pre, post, filtered) in &conns {
            if !filtered && node_set.contains(&post) && (is_ens(pre) || late.contains(&pre)) {
                late.insert(post);
            }
        }
        if late.len() == before {
            break;
        }
    }
    for &(c, pre, post, filtered) in &conns {
        if !filtered && is_ens(post) && (is_ens(pre) || late.contains(&pre)) {
            return Err((
                c,
                "`synapse: None` from an ensemble (or a node it feeds) into an ensemble needs \
                 those neurons to run twice in one step; give the connection a synapse \
                 (e.g. `synapse: Lowpass(tau: 0.0)` for one step of delay)"
                    .into(),
            ));
        }
    }
    // Topological order of nodes over unfiltered node → node connections (Kahn, stable).
    let mut indeg: HashMap<Entity, usize> = nodes.iter().map(|n| (*n, 0)).collect();
    for &(_, pre, post, filtered) in &conns {
        if !filtered && node_set.contains(&pre) && node_set.contains(&post) {
            *indeg.entry(post).or_default() += 1;
        }
    }
    let mut order = vec![];
    let mut ready: Vec<Entity> = nodes.iter().copied().filter(|n| indeg[n] == 0).collect();
    while let Some(n) = (!ready.is_empty()).then(|| ready.remove(0)) {
        order.push(n);
        for &(_, pre, post, filtered) in &conns {
            if !filtered && pre == n && node_set.contains(&post) {
                let d = indeg.entry(post).or_default();
                *d -= 1;
                if *d == 0 {
                    ready.push(post);
                }
            }
        }
    }
    if order.len() < nodes.len() {
        let stuck = conns
            .iter()
            .find(|&&(_, pre, post, f)| {
                !f && indeg.get(&post).is_some_and(|d| *d > 0) && node_set.contains(&pre)
            })
            .map_or(nodes[0], |c| c.0);
        return Err((
            stuck,
            "connections without a synapse form a cycle between nodes; give one of them a \
             synapse"
                .into(),
        ));
    }
    let efferents = |n: Entity| -> Vec<Entity> {
        conns
            .iter()
            .filter(|c| c.1 == n && !c.3)
            .map(|c| c.0)
            .collect()
    };
    let graph = NefGraph {
        early: order
            .iter()
            .filter(|n| !late.contains(n))
            .map(|n| (*n, efferents(*n)))
            .collect(),
        from_ensembles: conns
            .iter()
            .filter(|c| !c.3 && is_ens(c.1))
            .map(|c| c.0)
            .collect(),
        late: order
            .iter()
            .filter(|n| late.contains(n))
            .map(|n| (*n, efferents(*n)))
            .collect(),
        filtered: conns.iter().filter(|c| c.3).map(|c| c.0).collect(),
    };
    world.insert_resource(graph);
    Ok(())
}
