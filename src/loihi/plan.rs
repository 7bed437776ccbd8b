//! What a NEF model costs on Loihi, before anything is built: the blocks of its
//! [layout](super::build) split into cores, allocated and checked against the chip's limits
//! ([`mapping`](crate::components::loihi::mapping)), and an estimate of chip time and energy
//! per step from spike rates.

use crate::components::loihi::mapping::{CoreActivity, Greedy, MappingReport, ModelResources};
use crate::error::Error;
use crate::model::Model;

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
    let layout = super::build::layout(model)?;
    let resources = layout.network.resources();
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
        ensembles: layout.ensembles,
    })
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
