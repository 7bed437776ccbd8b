//! NEF model → chip network, as NengoLoihi 1.1.0 builds it (`builder/ensemble.py`,
//! `builder/connection.py::build_host_to_chip` / `build_full_chip_connection`,
//! `builder/probe.py::conn_probe`, `decode_neurons.py`; `tests/refs/loihi/README.md` §4).
//!
//! | NEF object | on the chip | on the host |
//! |---|---|---|
//! | Ensemble (LIF, SpikingRectifiedLinear) | a block of n compartments, bias = the ensemble's bias, default input filter 5 ms | |
//! | Node → Ensemble | a spike input of 2·d units → the post's `node_encoders` synapse (`±gain·encoder`), filter 5 ms | the node, the connection's function, `transform/radius` and synapse, then 2·d on/off spiking ReLU neurons (gain = bias = 500 Hz at dt 1 ms) in `f64` |
//! | Ensemble → Ensemble (decoded) | pre axons → a block of 20·d decode neurons (`decoders·transform/dt/radius·±g_k·dt`, filter = the connection's synapse) → the post's `decode_neuron_encoders` synapse (`±gain·encoder·scale`), filter 5 ms | |
//! | Ensemble or `.neurons` → `.neurons` | pre axons → a `neuron_weights` synapse (`weights/dt·post gain`), filter = the connection's synapse | |
//! | `.neurons` → Ensemble | as decoded, with `transform/dt` in place of decoders | |
//! | decoded probe | pre axons → a non-spiking block of 2·d compartments (`±decoders/dt/radius`, no filter) read as `(v_on − v_off)·radius/v_scale` | the probe's synapse, `f32` state |
//! | spike, voltage, input probes | the block's `spiked·amplitude/dt`, raw `v`, raw `u` | the probe's synapse |
//!
//! Chip ensembles start from zero voltage (the chip has no initial state). Connections take
//! Lowpass synapses or none (NengoLoihi: "Cannot handle non-Lowpass synapses").

use bevy_ecs::entity::Entity;

use crate::components::loihi::decode_neurons::DecodeNeurons;
use crate::components::loihi::discretize::FloatBlock;
use crate::components::loihi::network::{ChipAxon, ChipNetwork, ChipProbe, ChipSource, ProbeKey};
use crate::components::nef::connection::{Connection, PostPort};
use crate::components::nef::ensemble::BuiltEnsemble;
use crate::components::nef::node::Node;
use crate::components::nef::systems::Ensemble;
use crate::components::neurons::nef::NeuronType;
use crate::components::synapses::filter::{DiscreteFilter, Synapse};
use crate::error::Error;
use crate::model::Model;
use crate::probe::ProbeSpec;
use crate::probe::nef::NefProbe;

/// `Model.decode_tau`: the input filter of ensembles fed through spikes from the host or from
/// decode neurons (ms).
pub const DECODE_TAU_MS: f64 = 5.0;

/// `Model.vth_nonspiking`: threshold of decoded-probe compartments (Nengo units).
pub const VTH_NONSPIKING: f64 = 10.0;

/// A host → chip connection: the host computes its value and encodes it as on/off spikes.
pub struct HostInput {
    /// The connection entity (its function, slice and synapse run on the host).
    pub connection: Entity,
    /// The pre node.
    pub node: Entity,
    /// Its spike input on the chip network.
    pub input: usize,
    /// Dimensions encoded (the connection's output size); 2 neurons each.
    pub dim: usize,
    /// The host transform, `transform / post radius` (dim × the function's output), row-major.
    pub transform: Vec<f64>,
    /// The connection's synapse.
    pub filter: DiscreteFilter,
}

/// Where a model probe's values come from.
pub enum ProbeRoute {
    /// Chip probe `probe`, times `scale` (spikes: `amplitude/dt`).
    Chip {
        /// The chip probe.
        probe: usize,
        /// Factor on the read value.
        scale: f64,
    },
    /// A host node's output.
    Node(Entity),
}

/// A NEF model laid out for the emulator.
pub struct LoihiLayout {
    /// The chip side.
    pub network: ChipNetwork,
    /// Host → chip connections, in config order.
    pub inputs: Vec<HostInput>,
    /// One route per model probe, in config order.
    pub probes: Vec<ProbeRoute>,
    /// Host nodes, in config order.
    pub nodes: Vec<Entity>,
    /// Each ensemble's entity and block.
    pub ensembles: Vec<(Entity, usize)>,
    /// Things NengoLoihi would warn about (initial voltages ignored …).
    pub warnings: Vec<String>,
}

fn unsupported(what: &str, why: &str) -> Error {
    Error::Build(format!("{what}: {why} (on the Loihi target)"))
}

/// A connection synapse's input-filter time constant in ms (`None` → 0).
fn tau_s(name: &str, syn: Synapse) -> Result<f64, Error> {
    match syn {
        Synapse::None => Ok(0.0),
        Synapse::Lowpass { tau } => Ok(tau),
        Synapse::Alpha { .. } => Err(unsupported(
            &format!("connection `{name}`"),
            "only Lowpass synapses (or none) can run on the chip; NengoLoihi: \"Cannot handle \
             non-Lowpass synapses\"",
        )),
    }
}

/// NengoLoihi's `scaled_encoders = encoders·gain` (without the radius), row-major n × d.
fn chip_encoders(b: &BuiltEnsemble) -> Vec<f64> {
    let d = b.dimensions();
    let mut e = Vec::with_capacity(b.n_neurons() * d);
    for (row, g) in b.encoders.rows().into_iter().zip(&b.gain) {
        e.extend(row.iter().map(|x| x * g));
    }
    e
}

/// The block of an ensemble (`build_ensemble`, `build_lif`/`build_relu`).
fn ensemble_block(name: &str, b: &BuiltEnsemble, dt_ms: f64) -> Result<FloatBlock, Error> {
    let mut block = FloatBlock::new(b.n_neurons());
    let bad = |e: crate::components::loihi::discretize::DiscretizeError| {
        Error::Build(format!("ensemble `{name}`: {e}"))
    };
    block.set_bias(&b.bias).map_err(bad)?;
    match b.neuron_type {
        NeuronType::LIF {
            tau_rc,
            tau_ref,
            min_voltage,
            ..
        } => block
            .configure_lif(tau_rc, tau_ref, 1.0, dt_ms, min_voltage)
            .map_err(bad)?,
        NeuronType::SpikingRectifiedLinear { .. } => {
            block.configure_relu(0.0, 1.0 / (dt_ms / 1000.0), dt_ms)
        }
        other => {
            return Err(unsupported(
                &format!("ensemble `{name}`"),
                &format!(
                    "neuron type {} cannot run on the chip; use LIF or \
                     SpikingRectifiedLinear",
                    format!("{other:?}")
                        .split([' ', '{', '('])
                        .next()
                        .unwrap_or("?")
                ),
            ));
        }
    }
    block
        .configure_default_filter(DECODE_TAU_MS, dt_ms)
        .map_err(bad)?;
    Ok(block)
}

fn amplitude(nt: &NeuronType) -> f64 {
    match *nt {
        NeuronType::LIF { amplitude, .. } | NeuronType::SpikingRectifiedLinear { amplitude } => {
            amplitude
        }
        _ => 1.0,
    }
}

fn filter(
    net: &mut ChipNetwork,
    block: usize,
    tau_ms: f64,
    dt_ms: f64,
    what: &str,
) -> Result<(), Error> {
    net.blocks[block]
        .compartments
        .configure_filter(tau_ms, dt_ms)
        .map(|_| ())
        .map_err(|e| Error::Build(format!("{what}: {e}")))
}

/// The index of synapse `label` of `block`, created with `make()` on first use (NengoLoihi's
/// `named_synapses`: one encoder synapse per kind per ensemble).
fn named_synapse(
    net: &mut ChipNetwork,
    block: usize,
    label: &str,
    make: impl FnOnce() -> (usize, Vec<f32>),
) -> usize {
    if let Some(i) = net.blocks[block]
        .synapses
        .iter()
        .position(|s| s.label == label)
    {
        return i;
    }
    let (n_axons, w) = make();
    net.add_synapse(block, label, n_axons, w)
}

/// Lays `model` out for the emulator (see the module table). The model must have been built
/// for [`crate::Target::Loihi`] so that its decoders are solved against `loihi_rates`.
pub fn layout(model: &Model) -> Result<LoihiLayout, Error> {
    let world = model.world();
    let dt_ms = model.config().dt;
    let inv_dt = 1.0 / (dt_ms / 1000.0);
    let mut net = ChipNetwork::default();
    let mut ensembles = Vec::new();
    let mut nodes = Vec::new();
    let mut warnings = Vec::new();
    let block_of = |ensembles: &Vec<(Entity, usize)>, e: Entity| {
        ensembles.iter().find(|x| x.0 == e).map(|x| x.1)
    };
    for info in model.entities() {
        if let Some(ens) = world.get::<Ensemble>(info.entity) {
            let b = &ens.built;
            let block = ensemble_block(&info.name, b, dt_ms)?;
            if b.initial_voltage.iter().any(|v| *v != 0.0) {
                warnings.push(format!(
                    "ensemble `{}`: its initial voltages are ignored; the chip starts from 0 \
                     (NengoLoihi warns the same)",
                    info.name
                ));
            }
            ensembles.push((
                info.entity,
                net.add_block(format!("<Ensemble '{}'>", info.name), block),
            ));
        } else if world.get::<Node>(info.entity).is_some() {
            if world
                .get::<crate::components::nef::systems::NefAfferents>(info.entity)
                .is_some_and(|a| !a.0.is_empty())
            {
                return Err(unsupported(
                    &format!("node `{}`", info.name),
                    "host nodes that read other objects are not supported yet; only nodes that \
                     produce a signal",
                ));
            }
            nodes.push(info.entity);
        } else if world.get::<Connection>(info.entity).is_none() {
            return Err(Error::Build(format!(
                "`{}` ({}) has no Loihi mapping: only NEF ensembles, nodes and connections run \
                 on the emulated chip",
                info.name, info.kind
            )));
        }
    }
    let mut inputs = Vec::new();
    for info in model.entities() {
        let Some(conn) = world.get::<Connection>(info.entity) else {
            continue;
        };
        let what = format!("connection `{}`", info.name);
        let tau = tau_s(&info.name, conn.synapse)?;
        let pre_block = block_of(&ensembles, conn.pre);
        let post_block = block_of(&ensembles, conn.post);
        match (pre_block, post_block) {
            (None, Some(post)) => {
                if conn.port != PostPort::Decoded {
                    return Err(unsupported(
                        &what,
                        "a node → `.neurons` connection is not supported yet",
                    ));
                }
                let post_ens = &world
                    .get::<Ensemble>(conn.post)
                    .expect("post is an ensemble")
                    .built;
                let dim = conn.post_index.len();
                let input = net.add_input(format!("{} (host input)", info.name), 2 * dim);
                let (n_post, post_d) = (post_ens.n_neurons(), post_ens.dimensions());
                let onoff = DecodeNeurons::host_input(dt_ms);
                let enc = chip_encoders(post_ens);
                let syn = named_synapse(&mut net, post, "node_encoders", || {
                    (2 * post_d, onoff.post_encoders(&enc, n_post, post_d))
                });
                let map = (0..2 * dim)
                    .map(|u| Some(conn.post_index[u % dim] + (u / dim) * post_d))
                    .collect();
                net.axons.push(ChipAxon {
                    source: ChipSource::Input(input),
                    block: post,
                    synapse: syn,
                    map,
                });
                filter(&mut net, post, DECODE_TAU_MS, dt_ms, &what)?;
                let r = post_ens.radius;
                inputs.push(HostInput {
                    connection: info.entity,
                    node: conn.pre,
                    input,
                    dim,
                    transform: conn.transform.iter().map(|t| t / r).collect(),
                    filter: conn.filter,
                });
            }
            (Some(pre), Some(post)) => {
                let pre_ens = &world
                    .get::<Ensemble>(conn.pre)
                    .expect("pre is an ensemble")
                    .built;
                let post_ens = &world
                    .get::<Ensemble>(conn.post)
                    .expect("post is an ensemble")
                    .built;
                // loihi_weights: rows = pre units sending spikes, columns = outputs.
                let d_out = conn.transform.nrows();
                let (rows, map, mut w): (usize, Vec<Option<usize>>, Vec<f64>) = match &conn.decoders
                {
                    Some((dec, _)) => {
                        let n = dec.nrows();
                        let mut w = vec![0.0; n * d_out];
                        for i in 0..n {
                            for j in 0..d_out {
                                let mut acc = 0.0;
                                for k in 0..dec.ncols() {
                                    acc += conn.transform[[j, k]] * dec[[i, k]];
                                }
                                w[i * d_out + j] = acc;
                            }
                        }
                        (n, (0..n).map(Some).collect(), w)
                    }
                    None => {
                        let n_pre = pre_ens.n_neurons();
                        let slice: Vec<usize> = conn
                            .pre_index
                            .clone()
                            .unwrap_or_else(|| (0..n_pre).collect());
                        let mut map = vec![None; n_pre];
                        for (k, &u) in slice.iter().enumerate() {
                            map[u] = Some(k);
                        }
                        let mut w = vec![0.0; slice.len() * d_out];
                        for i in 0..slice.len() {
                            for j in 0..d_out {
                                w[i * d_out + j] = conn.transform[[j, i]];
                            }
                        }
                        (slice.len(), map, w)
                    }
                };
                let amp = amplitude(&pre_ens.neuron_type);
                for x in &mut w {
                    *x = *x * inv_dt * amp;
                }
                match conn.port {
                    PostPort::Decoded => {
                        let post_d = post_ens.dimensions();
                        let inv_r = 1.0 / post_ens.radius;
                        for x in &mut w {
                            *x *= inv_r;
                        }
                        let dn = DecodeNeurons::preset10(dt_ms);
                        let (block, dw) = dn.block(&w, rows, d_out);
                        let dec =
                            net.add_block(format!("<decode neurons of '{}'>", info.name), block);
                        filter(&mut net, dec, tau, dt_ms, &what)?;
                        let syn = net.add_synapse(dec, "decoders", rows, dw);
                        net.axons.push(ChipAxon {
                            source: ChipSource::Block(pre),
                            block: dec,
                            synapse: syn,
                            map,
                        });
                        let enc = chip_encoders(post_ens);
                        let n_post = post_ens.n_neurons();
                        let psyn = named_synapse(&mut net, post, "decode_neuron_encoders", || {
                            (2 * post_d, dn.post_encoders(&enc, n_post, post_d))
                        });
                        net.axons.push(ChipAxon {
                            source: ChipSource::Block(dec),
                            block: post,
                            synapse: psyn,
                            map: dn
                                .post_inds(&conn.post_index, post_d)
                                .into_iter()
                                .map(Some)
                                .collect(),
                        });
                        filter(&mut net, post, DECODE_TAU_MS, dt_ms, &what)?;
                    }
                    PostPort::Neurons => {
                        let n_post = post_ens.n_neurons();
                        let mut full = vec![0.0f32; rows * n_post];
                        for i in 0..rows {
                            for (j, &p) in conn.post_index.iter().enumerate() {
                                full[i * n_post + p] = (w[i * d_out + j] * post_ens.gain[p]) as f32;
                            }
                        }
                        let syn = net.add_synapse(post, "neuron_weights", rows, full);
                        net.axons.push(ChipAxon {
                            source: ChipSource::Block(pre),
                            block: post,
                            synapse: syn,
                            map,
                        });
                        filter(&mut net, post, tau, dt_ms, &what)?;
                    }
                    PostPort::Node => unreachable!("a post ensemble has no node port"),
                }
            }
            (Some(_), None) => {
                return Err(unsupported(
                    &what,
                    "chip → host connections (an ensemble into a node) are not supported yet; \
                     probe the ensemble instead",
                ));
            }
            (None, None) => {
                return Err(unsupported(
                    &what,
                    "node → node connections are not supported yet",
                ));
            }
        }
    }
    let mut probes = Vec::new();
    for (index, spec) in model.probes().enumerate() {
        probes.push(probe_route(
            model, &mut net, &ensembles, index, spec, inv_dt,
        )?);
    }
    Ok(LoihiLayout {
        network: net,
        inputs,
        probes,
        nodes,
        ensembles,
        warnings,
    })
}

/// The route of one model probe; a decoded probe adds its non-spiking block.
fn probe_route(
    model: &Model,
    net: &mut ChipNetwork,
    ensembles: &[(Entity, usize)],
    index: usize,
    spec: &ProbeSpec,
    inv_dt: f64,
) -> Result<ProbeRoute, Error> {
    let world = model.world();
    let target = model.info(&spec.target)?.entity;
    let what = format!("probe of `{}`.{}", spec.target, spec.compartment);
    if world.get::<Node>(target).is_some() {
        return match spec.compartment.as_str() {
            "output" => Ok(ProbeRoute::Node(target)),
            other => Err(unsupported(
                &what,
                &format!("a node has only `output`, not `{other}`"),
            )),
        };
    }
    let Some(&(_, block)) = ensembles.iter().find(|e| e.0 == target) else {
        return Err(unsupported(&what, "only ensembles and nodes can be probed"));
    };
    let ens = &world.get::<Ensemble>(target).expect("an ensemble").built;
    let n = ens.n_neurons();
    let (key, scale) = match spec.compartment.as_str() {
        "decoded" => {
            let dec = model
                .probe_entity(index)
                .and_then(|e| world.get::<NefProbe>(e))
                .and_then(|p| p.decoder_matrix.clone())
                .ok_or_else(|| Error::Build(format!("{what}: its decoders were not solved")))?;
            let d = dec.ncols();
            let amp = amplitude(&ens.neuron_type);
            let g = 1.0 / ens.radius;
            let mut w = vec![0.0f32; n * 2 * d];
            for i in 0..n {
                for j in 0..d {
                    let x = dec[[i, j]] * inv_dt * amp;
                    w[i * 2 * d + j] = (x * g) as f32;
                    w[i * 2 * d + d + j] = (x * -g) as f32;
                }
            }
            let mut block_f = FloatBlock::new(2 * d);
            block_f.configure_nonspiking(VTH_NONSPIKING);
            block_f
                .configure_filter(0.0, model.config().dt)
                .map_err(|e| Error::Build(format!("{what}: {e}")))?;
            let pb = net.add_block(
                format!("<Probe of '{}'.{}>", spec.target, spec.compartment),
                block_f,
            );
            let syn = net.add_synapse(pb, "probe_decoders", n, w);
            net.axons.push(ChipAxon {
                source: ChipSource::Block(block),
                block: pb,
                synapse: syn,
                map: (0..n).map(Some).collect(),
            });
            let mut pw = vec![0.0; 2 * d * d];
            for j in 0..d {
                pw[j * d + j] = ens.radius;
                pw[(d + j) * d + j] = -ens.radius;
            }
            net.probes.push(ChipProbe {
                block: pb,
                key: ProbeKey::Voltage,
                weights: Some((pw, d)),
            });
            return Ok(ProbeRoute::Chip {
                probe: net.probes.len() - 1,
                scale: 1.0,
            });
        }
        "output" => (ProbeKey::Spiked, amplitude(&ens.neuron_type) * inv_dt),
        "voltage" => (ProbeKey::Voltage, 1.0),
        "input" => (ProbeKey::Current, 1.0),
        other => {
            return Err(unsupported(
                &what,
                &format!(
                    "a chip ensemble records `decoded`, `output`, `voltage` or `input`, not \
                     `{other}`"
                ),
            ));
        }
    };
    net.probes.push(ChipProbe {
        block,
        key,
        weights: None,
    });
    Ok(ProbeRoute::Chip {
        probe: net.probes.len() - 1,
        scale,
    })
}
