//! The NEF step, in Nengo's order (`nengo/simulator.py`; see `tests/refs/nengo/README.md`
//! §f), spread over cortecs' phases:
//!
//! | phase    | what runs                                                                  |
//! |----------|----------------------------------------------------------------------------|
//! | `Input`  | nodes that do not depend on this step's neurons, in dependency order; each is followed by its unfiltered outgoing connections |
//! | `Gather` | each ensemble sums its incoming connections: `x = Σ`, `J = bias + scaled_encoders·x (+ gain ⊙ neuron inputs)` |
//! | `Cell`   | the neuron kernels (`output` from `J`)                                     |
//! | `Decode` | unfiltered connections out of ensembles; nodes fed by them (in order); then every filtered connection: `weighted = Wᵀ·output`, synapse update |
//! | `Record` | probes                                                                      |
//!
//! A filtered connection's output is read at the next step's Gather/Input, so every synapse
//! adds exactly one step of delay (Nengo's rule), and `synapse: None` none.

use bevy_ecs::prelude::*;

use super::connection::{Connection, PostPort};
use super::ensemble::BuiltEnsemble;
use super::node::Node;
use crate::Real;
use crate::clock::Clock;
use crate::compartment::{NefVoltage, NeuronInput, NeuronOutput, Outputs, RefractoryTime};
use crate::neurons::nef::{PopulationState, step_population};
use crate::synapses::Weights;

/// An ensemble entity's built parameters and its per-step decoded input.
#[derive(Component)]
pub struct Ensemble {
    /// Everything the build sampled and solved (f64).
    pub built: BuiltEnsemble,
    /// `encoders · gain / radius`, neurons × dimensions, row-major.
    pub scaled_encoders: Vec<Real>,
    /// Bias per neuron.
    pub bias: Vec<Real>,
    /// Gain per neuron (for connections into `.neurons`).
    pub gain: Vec<Real>,
    /// This step's decoded input `x` (dimensions).
    pub x: Vec<Real>,
}

impl Ensemble {
    /// The runtime component of a built ensemble.
    pub fn new(built: BuiltEnsemble) -> Self {
        let se = built.scaled_encoders();
        Self {
            scaled_encoders: se.iter().map(|v| *v as Real).collect(),
            bias: built.bias.iter().map(|v| *v as Real).collect(),
            gain: built.gain.iter().map(|v| *v as Real).collect(),
            x: vec![0.0; built.dimensions()],
            built,
        }
    }
}

/// The connections into an ensemble or node, in config order.
#[derive(Component, Clone, Debug, Default)]
pub struct NefAfferents(pub Vec<Entity>);

/// The order of the NEF step, computed once the model is built.
#[derive(Resource, Clone, Debug, Default)]
pub struct NefGraph {
    /// Nodes computed in the Input phase, in dependency order, each with its unfiltered
    /// outgoing connections.
    pub early: Vec<(Entity, Vec<Entity>)>,
    /// Unfiltered connections out of ensembles (into late nodes).
    pub from_ensembles: Vec<Entity>,
    /// Nodes that depend on this step's neurons, computed in the Decode phase, in order.
    pub late: Vec<(Entity, Vec<Entity>)>,
    /// Filtered connections, advanced at the end of the Decode phase.
    pub filtered: Vec<Entity>,
}

/// What the neuron kernels read and write.
type NeuronState = (
    &'static Ensemble,
    &'static NeuronInput,
    Option<&'static mut NefVoltage>,
    Option<&'static mut RefractoryTime>,
    &'static mut NeuronOutput,
);
type NodeQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static mut Node,
        &'static mut NeuronOutput,
        Option<&'static NefAfferents>,
    ),
>;
type ConnQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static mut Connection,
        &'static Weights,
        &'static mut Outputs,
    ),
>;

fn run_node(node: Entity, k: u64, t: f64, nodes: &mut NodeQuery, conns: &ConnQuery) {
    let Ok((mut node, mut out, aff)) = nodes.get_mut(node) else {
        return;
    };
    node.x.fill(0.0);
    for c in aff.map_or(&[][..], |a| &a.0) {
        if let Ok((conn, _, o)) = conns.get(*c) {
            for (j, &idx) in conn.post_index.iter().enumerate() {
                node.x[idx] += o.0[j] as f64;
            }
        }
    }
    node.step(k, t, &mut out.0);
}

fn run_connection(
    c: Entity,
    nodes: &NodeQuery,
    sources: &Query<&NeuronOutput, Without<Node>>,
    conns: &mut ConnQuery,
) {
    let Ok((mut conn, w, mut out)) = conns.get_mut(c) else {
        return;
    };
    let pre = match nodes.get(conn.pre) {
        Ok((_, o, _)) => &o.0,
        Err(_) => match sources.get(conn.pre) {
            Ok(o) => &o.0,
            Err(_) => return,
        },
    };
    conn.step(pre, &w.values, &mut out.0);
}

fn run_nodes(
    list: &[(Entity, Vec<Entity>)],
    clock: &Clock,
    nodes: &mut NodeQuery,
    sources: &Query<&NeuronOutput, Without<Node>>,
    conns: &mut ConnQuery,
) {
    let k = clock.step + 1;
    let t = k as f64 * clock.dt;
    for (node, effs) in list {
        run_node(*node, k, t, nodes, conns);
        for c in effs {
            run_connection(*c, nodes, sources, conns);
        }
    }
}

/// Input phase: the nodes that do not depend on this step's neurons (Nengo: a node is first
/// called with `t = dt`).
pub fn nef_input_system(
    clock: Res<Clock>,
    graph: Res<NefGraph>,
    mut nodes: NodeQuery,
    sources: Query<&NeuronOutput, Without<Node>>,
    mut conns: ConnQuery,
) {
    run_nodes(&graph.early, &clock, &mut nodes, &sources, &mut conns);
}

/// Gather phase: `x = Σ` decoded inputs; `J = bias + scaled_encoders·x`; then
/// `J += gain ⊙ weighted` for connections into `.neurons` (Nengo's `ElementwiseInc`).
pub fn nef_gather_system(
    mut ensembles: Query<(&mut Ensemble, &mut NeuronInput, Option<&NefAfferents>)>,
    conns: Query<(&Connection, &Outputs)>,
) {
    for (mut ens, mut j, aff) in &mut ensembles {
        let ens = &mut *ens;
        let aff = aff.map_or(&[][..], |a| &a.0);
        ens.x.fill(0.0);
        for c in aff {
            if let Ok((conn, o)) = conns.get(*c)
                && conn.port == PostPort::Decoded
            {
                for (k, &idx) in conn.post_index.iter().enumerate() {
                    ens.x[idx] += o.0[k];
                }
            }
        }
        let d = ens.x.len();
        let x = &ens.x;
        let j = &mut j.0;
        if d == 1 {
            // The common case as a plain vectorizable loop: J = bias + e·x (Nengo's 1-D dot).
            let x0 = x[0];
            for ((ji, b), e) in j.iter_mut().zip(&ens.bias).zip(&ens.scaled_encoders) {
                *ji = b + e * x0;
            }
        } else {
            for (i, ji) in j.iter_mut().enumerate() {
                let row = &ens.scaled_encoders[i * d..(i + 1) * d];
                let mut acc: Real = 0.0;
                for (e, xv) in row.iter().zip(x) {
                    acc += e * xv;
                }
                *ji = ens.bias[i] + acc;
            }
        }
        for c in aff {
            if let Ok((conn, o)) = conns.get(*c)
                && conn.port == PostPort::Neurons
            {
                for (k, &idx) in conn.post_index.iter().enumerate() {
                    j[idx] += ens.gain[idx] * o.0[k];
                }
            }
        }
    }
}

/// Cell phase: each ensemble's neuron model maps `J` to `output` (spiking types keep their
/// voltage and refractory state).
pub fn nef_neuron_system(clock: Res<Clock>, mut ensembles: Query<NeuronState>) {
    for (ens, j, v, rt, mut out) in &mut ensembles {
        let (mut v, mut rt) = (v, rt);
        step_population(
            &ens.built.neuron_type,
            clock.dt,
            PopulationState {
                j: &j.0,
                voltage: v.as_mut().map_or(&mut [][..], |v| &mut v.0[..]),
                refractory_time: rt.as_mut().map_or(&mut [][..], |r| &mut r.0[..]),
                output: &mut out.0,
            },
        );
    }
}

/// Decode phase: unfiltered connections out of ensembles, the nodes that read them, then
/// every filtered connection (`weighted = Wᵀ·output`, synapse update: read next step).
pub fn nef_decode_system(
    clock: Res<Clock>,
    graph: Res<NefGraph>,
    mut nodes: NodeQuery,
    sources: Query<&NeuronOutput, Without<Node>>,
    mut conns: ConnQuery,
) {
    for c in &graph.from_ensembles {
        run_connection(*c, &nodes, &sources, &mut conns);
    }
    run_nodes(&graph.late, &clock, &mut nodes, &sources, &mut conns);
    for c in &graph.filtered {
        run_connection(*c, &nodes, &sources, &mut conns);
    }
}
