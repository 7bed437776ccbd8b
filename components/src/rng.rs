//! Counter-based randomness.
//!
//! Every random number in cortecs comes from a ChaCha8 stream keyed by (model seed, entity
//! name) and positioned by (step, unit): the stream number is the step, the word position the
//! unit. A chunk of units drawn on any thread therefore gets the same numbers, and a resumed
//! run continues the same sequence without saving generator state.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use crate::Real;

/// A random stream owned by one entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamKey {
    seed: [u8; 32],
}

impl StreamKey {
    /// The stream of entity `name` in a model with seed `seed`.
    pub fn new(seed: u64, name: &str) -> Self {
        // FNV-1a over the name, mixed with the seed, expanded by SplitMix64: stable across
        // platforms and releases (no std hasher).
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.as_bytes() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut state = seed ^ h.rotate_left(29);
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        Self { seed: out }
    }

    /// The sub-stream `purpose` of this entity (e.g. weight init vs per-step sampling).
    pub fn derive(&self, purpose: &str) -> Self {
        let mut key = Self::new(
            u64::from_le_bytes(self.seed[..8].try_into().unwrap()),
            purpose,
        );
        for (k, s) in key.seed.iter_mut().zip(&self.seed) {
            *k ^= s;
        }
        key
    }

    /// A generator positioned at `step`, unit `unit` (one 32-bit word per unit and draw).
    pub fn at(&self, step: u64, unit: usize) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.seed);
        rng.set_stream(step);
        rng.set_word_pos(unit as u128 * WORDS_PER_DRAW);
        rng
    }
}

/// Words consumed by one uniform draw ([`uniform`]).
pub const WORDS_PER_DRAW: u128 = 2;

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform number in [0, 1) with 53 random bits, rounded down to [`Real`]'s precision.
#[inline]
pub fn uniform(rng: &mut ChaCha8Rng) -> Real {
    let x = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let r = x as Real;
    // rounding to f32 can reach 1.0; keep the interval half-open
    if r >= 1.0 {
        Real::from(0.99999994f32)
    } else {
        r
    }
}

/// A standard normal draw (Box–Muller, two uniforms).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = ((rng.next_u64() >> 11) as f64 + 1.0) * (1.0 / ((1u64 << 53) as f64 + 1.0));
    let u2 = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_not_history_decides_the_numbers() {
        let key = StreamKey::new(7, "z0");
        let mut a = key.at(5, 0);
        let seq: Vec<Real> = (0..10).map(|_| uniform(&mut a)).collect();
        let mut b = key.at(5, 6);
        assert_eq!(uniform(&mut b), seq[6]);
        assert_ne!(
            StreamKey::new(7, "z1").at(5, 0).next_u64(),
            key.at(5, 0).next_u64()
        );
        assert_ne!(key.at(6, 0).next_u64(), key.at(5, 0).next_u64());
    }

    #[test]
    fn uniform_mean_is_one_half() {
        let mut r = StreamKey::new(1, "u").at(0, 0);
        let m: f64 = (0..100_000)
            .map(|_| f64::from(uniform(&mut r)))
            .sum::<f64>()
            / 1e5;
        assert!((m - 0.5).abs() < 0.01, "{m}");
    }
}

/// The random stream of an entity, as an ECS component.
#[derive(bevy_ecs::component::Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomStream(pub StreamKey);
