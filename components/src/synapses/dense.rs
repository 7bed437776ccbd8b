//! ngclearn's `DenseSynapse`: a full weight matrix from a presynaptic to a postsynaptic
//! population.

use bevy_ecs::prelude::*;

use super::gather::Pre;
use crate::chunk::for_chunks;
use crate::compartment::{MatrixArray, Outputs, Spikes};
use crate::{Real, chunk_struct};

/// A dense synaptic cable (ngclearn 3.2.3 `DenseSynapse.advance_state`):
/// `outputs = (s_pre @ W)·resist_scale + biases`.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct DenseSynapse {
    /// Scale applied to `s_pre @ W` (ngclearn's `resist_scale`, later `g_conduct_factor`).
    pub resist_scale: Real,
}

/// Synaptic weights, `n_pre × n_post`, row-major (row = presynaptic unit), persisted as
/// `weights`.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Weights {
    /// Row-major values.
    pub values: Vec<Real>,
    /// Presynaptic units (rows).
    pub n_pre: usize,
    /// Postsynaptic units (columns).
    pub n_post: usize,
}

impl MatrixArray for Weights {
    const NAME: &'static str = "weights";
    fn shape(&self) -> [usize; 2] {
        [self.n_pre, self.n_post]
    }
    fn values(&self) -> &[Real] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [Real] {
        &mut self.values
    }
}

crate::compartment!(
    /// `biases` — per-postsynaptic-unit bias added to a synapse's output.
    Biases, "biases"
);

chunk_struct!(
    /// A chunk of postsynaptic outputs, for [`dense_kernel`].
    DenseChunk { mut out: &mut [Real] }
);

/// `out[c] = (Σ_i s[i]·W[i, c])·scale + b[c]` for the columns `c` of one chunk starting at
/// `col0`. The sum runs over presynaptic units in ascending order and skips zero inputs, so
/// sparse spike vectors cost O(active × n_post) and the result does not depend on chunking.
pub fn dense_kernel(
    s: &[Real],
    w: &Weights,
    scale: Real,
    b: Option<&[Real]>,
    col0: usize,
    c: DenseChunk,
) {
    let out = c.out;
    out.fill(0.0);
    for (i, &si) in s.iter().enumerate() {
        if si == 0.0 {
            continue;
        }
        let row = &w.values[i * w.n_post + col0..i * w.n_post + col0 + out.len()];
        for (o, wi) in out.iter_mut().zip(row) {
            *o += si * *wi;
        }
    }
    match b {
        Some(b) => {
            for (o, bi) in out.iter_mut().zip(&b[col0..]) {
                *o = *o * scale + *bi;
            }
        }
        None => out.iter_mut().for_each(|o| *o *= scale),
    }
}

/// Synapse phase: every dense synapse reads its presynaptic `s` (as left by the previous
/// step, or by an encoder in this step's Input phase) and writes its own `outputs`.
pub fn dense_system(
    pre: Query<&Spikes>,
    mut synapses: Query<(&DenseSynapse, &Weights, Option<&Biases>, &Pre, &mut Outputs)>,
) {
    for (syn, w, b, p, mut out) in &mut synapses {
        let Ok(s) = pre.get(p.0) else { continue };
        let b = b.map(|b| b.0.as_slice());
        for_chunks(DenseChunk { out: &mut out.0 }, &|c, col0| {
            dense_kernel(&s.0, w, syn.resist_scale, b, col0, c)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_plain_matvec() {
        let w = Weights {
            values: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            n_pre: 2,
            n_post: 3,
        };
        let mut out = vec![9.0; 3];
        dense_kernel(
            &[1.0, 0.5],
            &w,
            2.0,
            Some(&[0.0, 1.0, -1.0]),
            0,
            DenseChunk { out: &mut out },
        );
        assert_eq!(
            out,
            vec![
                (1.0 + 2.0) * 2.0,
                (2.0 + 2.5) * 2.0 + 1.0,
                (3.0 + 3.0) * 2.0 - 1.0
            ]
        );
    }
}
