//! Input encoders: populations whose spikes are drawn at random from their `inputs`
//! (ngclearn's `PoissonCell` and `BernoulliCell`). They run in the Input phase, so a synapse
//! reading them delivers their spikes in the same step.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use crate::chunk::for_chunks;
use crate::compartment::{Inputs, Spikes, TimeOfLastSpike};
use crate::rng::{RandomStream, WORDS_PER_DRAW, uniform};
use crate::{Clock, Real, chunk_struct};

/// Which encoder a population is, with its parameters (ngclearn names and defaults).
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Encoder {
    /// `PoissonCell(n_units, target_freq = 63.75)`: `s = [u < inputs·(dt/1000)·target_freq]`.
    Poisson {
        /// Firing rate (Hz) of a unit whose input is 1.
        target_freq: f64,
    },
    /// `BernoulliCell(n_units)`: `s = [u < inputs]` (inputs are per-step probabilities).
    Bernoulli,
}

chunk_struct!(
    /// A chunk of an encoder population, for [`encoder_kernel`].
    EncoderChunk { inputs: &[Real], mut s: &mut [Real], mut tols: &mut [Real] }
);

/// One encoder step for units `unit0..unit0+len`: `p = inputs·scale`, `s = [u < p]` with `u`
/// uniform from the entity's stream at (step, unit), `tols' = (1 − s)·tols + s·t`.
pub fn encoder_kernel(
    stream: &RandomStream,
    step: u64,
    scale: Real,
    t: Real,
    unit0: usize,
    c: EncoderChunk,
) {
    let mut rng = stream.0.at(step, unit0);
    debug_assert_eq!(rng.get_word_pos(), unit0 as u128 * WORDS_PER_DRAW);
    for i in 0..c.s.len() {
        let u = uniform(&mut rng);
        let si: Real = if u < c.inputs[i] * scale { 1.0 } else { 0.0 };
        c.s[i] = si;
        c.tols[i] = (1.0 - si) * c.tols[i] + si * t;
    }
}

/// Input phase: every encoder population draws its spikes.
pub fn encoder_system(
    clock: Res<Clock>,
    mut cells: Query<(
        &Encoder,
        &RandomStream,
        &Inputs,
        &mut Spikes,
        &mut TimeOfLastSpike,
    )>,
) {
    let t = clock.t_real();
    for (enc, stream, inputs, mut s, mut tols) in &mut cells {
        let scale = match enc {
            Encoder::Poisson { target_freq } => (clock.dt / 1000.0 * target_freq) as Real,
            Encoder::Bernoulli => 1.0,
        };
        let chunk = EncoderChunk {
            inputs: &inputs.0,
            s: &mut s.0,
            tols: &mut tols.0,
        };
        for_chunks(chunk, &|c, unit0| {
            encoder_kernel(stream, clock.step, scale, t, unit0, c)
        });
    }
}
