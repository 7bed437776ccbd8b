//! What a NEF model costs on Loihi, before anything is built: the blocks, synapses and axons
//! NengoLoihi 1.1.0 would make of it (`nengo_loihi/builder/connection.py`, `probe.py`,
//! `decode_neurons.py`; `../shared/refs/loihi/README.md` §4), split, allocated and checked
//! against the chip's limits ([`mapping`](crate::components::loihi::mapping)).
//!
//! | NEF object | Loihi resources |
//! |---|---|
//! | Ensemble of n neurons | a block of n compartments |
//! | Node → Ensemble (decoded) | host on/off encoding: a synapse of 2·d axons × n targets |
//! | Node → `Ensemble.neurons` | a synapse of 2·d axons (transform on chip) × n targets |
//! | Ensemble → Ensemble (decoded) | pre axons → decode block of 20·d compartments (10 on/off pairs per dimension) → a synapse of 2·d axons × n_post |
//! | Ensemble.neurons → Ensemble.neurons | pre axons → a synapse of n_pre axons × n_post |
//! | Ensemble → Node, decoded probe | pre axons → a non-spiking block of 2·d compartments |
//!
//! Every spike of a pre block reaches each of its targets through one output axon per
//! compartment and connection, so a block's output axons are `n × (number of outgoing
//! connections and decoded probes)`.

use crate::components::loihi::mapping::{
    BlockResources, CoreActivity, Greedy, MappingReport, ModelResources, OutputAxons, PopType,
    SynapseResources,
};
use crate::components::nef::connection::{Connection, PostPort};
use crate::components::nef::node::Node;
use crate::components::nef::systems::Ensemble;
use crate::error::Error;
use crate::model::Model;
use crate::probe::ProbeSpec;

/// Decode neurons per represented dimension (`Preset10DecodeNeurons`: 10 on/off pairs).
pub const DECODE_NEURONS_PER_DIM: usize = 20;

/// The mapping of a model: its resources before and after splitting, and the allocation.
pub struct LoihiPlan {
    /// One block per ensemble, decode population and decoded probe, in build order.
    pub resources: ModelResources,
    /// The blocks after NengoLoihi's `split_model` (≤ 1024 compartments … per core).
    pub split: ModelResources,
    /// For each split block, the index of its original block.
    pub origin: Vec<usize>,
    /// The Greedy allocation and every broken limit.
    pub report: MappingReport,
    /// Each ensemble's entity and its (original) block index.
    pub ensembles: Vec<(bevy_ecs::entity::Entity, usize)>,
}

/// Builds the Loihi resources of `model`'s NEF objects and allocates them with NengoLoihi's
/// Greedy allocator (`n_chips` chips of 128 cores). Cell-family (ngclearn) populations have
/// no Loihi mapping and are an error naming them.
pub fn plan(model: &Model, n_chips: usize) -> Result<LoihiPlan, Error> {
    let world = model.world();
    let mut blocks: Vec<BlockResources> = vec![];
    let mut block_of = std::collections::HashMap::new();
    for info in model.entities() {
        if let Some(ens) = world.get::<Ensemble>(info.entity) {
            block_of.insert(info.entity, blocks.len());
            let n = ens.built.n_neurons();
            blocks.push(BlockResources::new(
                format!("<Ensemble '{}'>", info.name),
                n,
            ));
        } else if world.get::<Node>(info.entity).is_none()
            && world.get::<Connection>(info.entity).is_none()
        {
            return Err(Error::Build(format!(
                "`{}` ({}) has no Loihi mapping: only NEF ensembles, nodes and connections run \
                 on the emulated chip",
                info.name, info.kind
            )));
        }
    }
    let axons_to = |blocks: &mut Vec<BlockResources>, pre: usize, target: usize, n: usize| {
        blocks[pre].axons.push(OutputAxons {
            target_block: Some(target),
            n_axons: n,
            pop_type: PopType::Discrete,
        });
    };
    for info in model.entities() {
        let Some(conn) = world.get::<Connection>(info.entity) else {
            continue;
        };
        let n_out = conn.post_index.len();
        let pre_block = block_of.get(&conn.pre).copied();
        let post_block = block_of.get(&conn.post).copied();
        let n_pre = world
            .get::<Ensemble>(conn.pre)
            .map_or(0, |e| e.built.n_neurons());
        match (pre_block, post_block) {
            // Host → chip: on/off spike inputs, 2 per value.
            (None, Some(post)) => {
                let n_post = blocks[post].n_compartments;
                blocks[post].synapses.push(SynapseResources::dense(
                    format!("{} (host input)", info.name),
                    2 * n_out.min(n_post),
                    n_post,
                ));
            }
            // Chip → chip through `.neurons`: direct weights.
            (Some(pre), Some(post)) if conn.port == PostPort::Neurons => {
                let n_post = blocks[post].n_compartments;
                let rows = conn.pre_index.as_ref().map_or(n_pre, Vec::len);
                blocks[post].synapses.push(SynapseResources::dense(
                    info.name.clone(),
                    rows,
                    n_post,
                ));
                axons_to(&mut blocks, pre, post, rows);
            }
            // Chip → chip decoded: through a decode-neuron block.
            (Some(pre), Some(post)) => {
                let d = n_out;
                let decode = blocks.len();
                let mut b = BlockResources::new(
                    format!("<decode neurons of '{}'>", info.name),
                    DECODE_NEURONS_PER_DIM * d,
                );
                b.synapses.push(SynapseResources::dense(
                    format!("{} (decoders)", info.name),
                    n_pre,
                    DECODE_NEURONS_PER_DIM * d,
                ));
                b.axons.push(OutputAxons {
                    target_block: Some(post),
                    n_axons: 2 * d,
                    pop_type: PopType::Discrete,
                });
                blocks.push(b);
                axons_to(&mut blocks, pre, decode, n_pre);
                let n_post = blocks[post].n_compartments;
                blocks[post].synapses.push(SynapseResources::dense(
                    format!("{} (decode neuron encoders)", info.name),
                    2 * d,
                    n_post,
                ));
            }
            // Chip → host: a decoded output block, like a probe.
            (Some(pre), None) => {
                let probe = blocks.len();
                blocks.push(probe_block(&info.name, n_pre, n_out));
                axons_to(&mut blocks, pre, probe, n_pre);
            }
            (None, None) => {}
        }
    }
    for spec in model.probes() {
        if spec.compartment != "decoded" {
            continue;
        }
        let Ok(target) = model.info(&spec.target) else {
            continue;
        };
        let Some(&pre) = block_of.get(&target.entity) else {
            continue;
        };
        let (n, d) = match world.get::<Ensemble>(target.entity) {
            Some(e) => (e.built.n_neurons(), e.built.dimensions()),
            None => continue,
        };
        let probe = blocks.len();
        blocks.push(probe_block(&probe_name(spec), n, d));
        axons_to(&mut blocks, pre, probe, n);
    }
    let mut ensembles: Vec<(bevy_ecs::entity::Entity, usize)> = block_of.into_iter().collect();
    ensembles.sort_by_key(|e| e.1);
    let resources = ModelResources { blocks };
    let split = resources.split();
    let report = Greedy {
        n_chips: n_chips.max(1),
        ..Greedy::default()
    }
    .allocate(&split.model);
    Ok(LoihiPlan {
        resources,
        split: split.model,
        origin: split.origin,
        report,
        ensembles,
    })
}

fn probe_name(spec: &ProbeSpec) -> String {
    format!("<Probe of '{}'.{}>", spec.target, spec.compartment)
}

/// A decoded probe (`conn_probe`): a non-spiking block of 2·d compartments (on/off parts)
/// reading every neuron of its ensemble.
fn probe_block(name: &str, n_pre: usize, d: usize) -> BlockResources {
    let mut b = BlockResources::new(name.to_string(), 2 * d);
    b.synapses.push(SynapseResources::dense(
        format!("{name} (weights)"),
        n_pre,
        2 * d,
    ));
    b
}

/// Per-core activity of one average step, from spike counts per original block (e.g.
/// measured on the float model): a split block's spikes are shared in proportion to its
/// chunks; each core's synaptic operations are the spikes of the blocks feeding it times the
/// targets each spike reaches there; every compartment is updated every step.
pub fn activity(plan: &LoihiPlan, spikes_per_step: &[f64]) -> Vec<CoreActivity> {
    let orig = &plan.resources.blocks;
    let share = |b: usize| -> f64 {
        let o = plan.origin[b];
        let n = orig[o].n_compartments.max(1) as f64;
        spikes_per_step.get(o).copied().unwrap_or(0.0) * plan.split.blocks[b].n_compartments as f64
            / n
    };
    plan.split
        .blocks
        .iter()
        .enumerate()
        .map(|(b, block)| {
            // Spikes arriving here: every block with an axon group aimed at this one's origin.
            let me = plan.origin[b];
            let mut ops = 0.0;
            for (src, sb) in orig.iter().enumerate() {
                if sb.axons.iter().any(|a| a.target_block == Some(me)) {
                    let targets = block.n_compartments as f64;
                    ops += spikes_per_step.get(src).copied().unwrap_or(0.0) * targets;
                }
            }
            CoreActivity {
                spikes: share(b).round() as u64,
                synaptic_ops: ops.round() as u64,
                compartment_updates: block.n_compartments as u64,
                active_updates: block.n_compartments as u64,
                synaptic_updates: 0,
            }
        })
        .collect()
}

/// Runs `model` for `steps` steps (its float NEF dynamics) and returns the mean spikes per
/// step of each original block of `plan` (ensembles measured; decode and probe blocks 0).
pub fn measure_spikes(model: &mut Model, plan: &LoihiPlan, steps: u64) -> Vec<f64> {
    use crate::components::compartment::NeuronOutput;
    let mut counts = vec![0u64; plan.resources.blocks.len()];
    for _ in 0..steps {
        model.step();
        for &(e, b) in &plan.ensembles {
            if let Some(out) = model.world().get::<NeuronOutput>(e) {
                counts[b] += out.0.iter().filter(|v| **v > 0.0).count() as u64;
            }
        }
    }
    counts
        .iter()
        .map(|c| *c as f64 / steps.max(1) as f64)
        .collect()
}
