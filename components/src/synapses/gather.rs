//! Wiring: which entity feeds which, and the Gather phase.

use bevy_ecs::prelude::*;

use crate::compartment::{Compartment, Current, Outputs};

/// The presynaptic population of a synapse.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pre(pub Entity);

/// The population a synapse or current source drives.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Post(pub Entity);

/// The entities (synapses, current sources) whose [`Outputs`] a population sums into its
/// current `j`, in a fixed order (the order of the config: inputs first, then synapses).
#[derive(Component, Clone, Debug, Default, PartialEq, Eq)]
pub struct Afferents(pub Vec<Entity>);

/// Gather phase: `j = Σ outputs` over a population's afferents, summed in their fixed order
/// (the first is copied, so a single clamped input reaches `j` exactly). A population with no
/// afferents keeps its `j` (so a user can clamp it directly, as ngclearn's tutorials do).
pub fn gather_system(mut targets: Query<(&Afferents, &mut Current)>, outputs: Query<&Outputs>) {
    for (aff, mut j) in &mut targets {
        let j = j.values_mut();
        for (k, e) in aff.0.iter().enumerate() {
            let Ok(out) = outputs.get(*e) else { continue };
            if k == 0 {
                j.copy_from_slice(&out.0);
            } else {
                for (ji, oi) in j.iter_mut().zip(&out.0) {
                    *ji += *oi;
                }
            }
        }
    }
}
