//! Sparse, event-driven synapses: connectivity stored by presynaptic unit (CSR), delivery
//! that costs `spikes × fan-out`, and an optional exponential synaptic current (Brian2's
//! `dg/dt = −g/τ`, `on_pre: g += w`; NEST's `*_psc_exp`).
//!
//! Each step (Synapse phase), with `s` the presynaptic spikes of the previous step:
//!
//! ```text
//! g ← g·e^(−dt/τ_syn)                       (g ← 0 without τ_syn: an instantaneous current)
//! for each presynaptic unit i with s_i ≠ 0, for each target c of i:   g_c += w_ic·s_i
//! outputs = g                              (summed into the target's `j` by Gather)
//! ```
//!
//! A spike at step n therefore enters the target's input at step n + 1, as in Brian2 (where
//! the jump is applied after the update of step n and integrated at step n + 1). Connectivity
//! is drawn once, at build, from the synapse's own random stream, one sub-stream per
//! presynaptic row (fixed probability) or per postsynaptic column (fixed in-degree), so it does
//! not depend on the thread count; rows are generated in parallel.

use bevy_ecs::prelude::*;
use rayon::prelude::*;

use super::gather::Pre;
use crate::Real;
use crate::compartment::{Outputs, Spikes};
use crate::rng::{StreamKey, uniform};

/// How presynaptic units pick their targets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Connectivity {
    /// Each ordered pair (i, c) independently with probability `p` (Brian2's
    /// `connect(p=…)`); autapses allowed when pre and post are the same population.
    Probability(f64),
    /// Each postsynaptic unit receives exactly `k` distinct presynaptic units, uniformly
    /// (NEST's `fixed_indegree` without multapses).
    FanIn(usize),
}

/// How a spike reaches the targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// Walk the spiking unit's CSR row (cost ∝ spikes × fan-out).
    #[default]
    Sparse,
    /// Add the spiking unit's full dense row, zeros included (cost ∝ spikes × n_post; the
    /// choice for connection probabilities near 1).
    Dense,
}

/// The weights of a sparse synapse.
#[derive(Clone, Debug, PartialEq)]
pub enum SparseWeights {
    /// One weight for every synapse.
    Shared(Real),
    /// One weight per synapse, in CSR order.
    PerSynapse(Vec<Real>),
}

/// A sparse synapse's connectivity, weights and filter (one entity per projection).
#[derive(Component, Clone, Debug, PartialEq)]
pub struct SparseSynapse {
    /// `row_ptr[i]..row_ptr[i+1]` are presynaptic unit i's synapses (`n_pre + 1` entries).
    pub row_ptr: Vec<usize>,
    /// The target of each synapse, ascending within a row.
    pub targets: Vec<u32>,
    /// Weights.
    pub weights: SparseWeights,
    /// Postsynaptic units.
    pub n_post: usize,
    /// `e^(−dt/τ_syn)`, or 0 for an instantaneous current.
    pub decay: Real,
    /// How spikes are delivered.
    pub delivery: Delivery,
    /// With [`Delivery::Dense`]: the rows as a dense `n_pre × n_post` matrix.
    pub dense: Vec<Real>,
}

/// Draws the connectivity of `n_pre × n_post` from `key` (see [`Connectivity`]); returns CSR
/// `(row_ptr, targets)`.
pub fn connect(
    n_pre: usize,
    n_post: usize,
    conn: Connectivity,
    key: StreamKey,
) -> (Vec<usize>, Vec<u32>) {
    let rows: Vec<Vec<u32>> = match conn {
        Connectivity::Probability(p) => (0..n_pre)
            .into_par_iter()
            .map(|i| probability_row(n_post, p, &key, i))
            .collect(),
        Connectivity::FanIn(k) => {
            // columns first (each post unit draws k distinct pre units), then transpose
            let cols: Vec<Vec<u32>> = (0..n_post)
                .into_par_iter()
                .map(|c| distinct(n_pre, k, &key, c))
                .collect();
            let mut count = vec![0usize; n_pre];
            for col in &cols {
                for &i in col {
                    count[i as usize] += 1;
                }
            }
            let mut rows: Vec<Vec<u32>> = count.iter().map(|n| Vec::with_capacity(*n)).collect();
            for (c, col) in cols.iter().enumerate() {
                for &i in col {
                    rows[i as usize].push(c as u32);
                }
            }
            rows
        }
    };
    let mut row_ptr = Vec::with_capacity(n_pre + 1);
    row_ptr.push(0);
    let total: usize = rows.iter().map(Vec::len).sum();
    let mut targets = Vec::with_capacity(total);
    for r in rows {
        targets.extend_from_slice(&r);
        row_ptr.push(targets.len());
    }
    (row_ptr, targets)
}

/// Row `i` of a fixed-probability projection by geometric skipping (as Brian2 generates it):
/// the gap to the next target is `floor(ln(u)/ln(1 − p))`.
fn probability_row(n_post: usize, p: f64, key: &StreamKey, i: usize) -> Vec<u32> {
    if p <= 0.0 {
        return Vec::new();
    }
    if p >= 1.0 {
        return (0..n_post as u32).collect();
    }
    let mut rng = key.at(i as u64, 0);
    let inv = 1.0 / (1.0 - p).ln();
    let mut row = Vec::with_capacity((n_post as f64 * p * 1.2) as usize + 4);
    let mut k = 0usize;
    loop {
        // 1 − u ∈ (0, 1]: ln is finite
        let u = 1.0 - f64::from(uniform(&mut rng));
        let gap = (u.ln() * inv).floor();
        if !(gap.is_finite() && gap < (n_post - k) as f64) {
            break;
        }
        k += gap as usize;
        row.push(k as u32);
        k += 1;
        if k >= n_post {
            break;
        }
    }
    row
}

/// `k` distinct units of `0..n`, ascending (Floyd's algorithm), from sub-stream `c`.
fn distinct(n: usize, k: usize, key: &StreamKey, c: usize) -> Vec<u32> {
    let k = k.min(n);
    let mut rng = key.at(c as u64, 0);
    let mut chosen = std::collections::BTreeSet::new();
    for j in n - k..n {
        let t = ((f64::from(uniform(&mut rng)) * (j + 1) as f64) as usize).min(j);
        if !chosen.insert(t as u32) {
            chosen.insert(j as u32);
        }
    }
    chosen.into_iter().collect()
}

impl SparseSynapse {
    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are no synapses.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Presynaptic units.
    pub fn n_pre(&self) -> usize {
        self.row_ptr.len().saturating_sub(1)
    }

    /// Fills [`Self::dense`] for [`Delivery::Dense`].
    pub fn densify(&mut self) {
        let (n_pre, n_post) = (self.n_pre(), self.n_post);
        let mut d = vec![0.0; n_pre * n_post];
        for i in 0..n_pre {
            for k in self.row_ptr[i]..self.row_ptr[i + 1] {
                let w = match &self.weights {
                    SparseWeights::Shared(w) => *w,
                    SparseWeights::PerSynapse(v) => v[k],
                };
                d[i * n_post + self.targets[k] as usize] += w;
            }
        }
        self.dense = d;
    }

    /// One step: decay `g` (or clear it), then add the rows of the spiking units.
    pub fn step(&self, s: &[Real], g: &mut [Real]) {
        sparse_step(self, s, g);
    }
}

crate::kernel! {
    /// [`SparseSynapse::step`], compiled for AVX2 where the CPU has it.
    fn sparse_step[](syn: &SparseSynapse, s: &[Real], g: &mut [Real]) -> () {
        if syn.decay == 0.0 {
            g.fill(0.0);
        } else {
            let d = syn.decay;
            g.iter_mut().for_each(|x| *x *= d);
        }
        for_each_spike(s, |i, si| {
            let (a, b) = (syn.row_ptr[i], syn.row_ptr[i + 1]);
            match (syn.delivery, &syn.weights) {
                (Delivery::Dense, _) => {
                    let row = &syn.dense[i * syn.n_post..(i + 1) * syn.n_post];
                    for (x, w) in g.iter_mut().zip(row) {
                        *x += w * si;
                    }
                }
                (Delivery::Sparse, SparseWeights::Shared(w)) => {
                    let w = w * si;
                    for &c in &syn.targets[a..b] {
                        g[c as usize] += w;
                    }
                }
                (Delivery::Sparse, SparseWeights::PerSynapse(ws)) => {
                    for (&c, w) in syn.targets[a..b].iter().zip(&ws[a..b]) {
                        g[c as usize] += w * si;
                    }
                }
            }
        });
    }
}

/// Calls `f(i, s_i)` for every non-zero `s_i`, in ascending `i`. Blocks of 16 are tested at
/// once (a vectorized OR), so a sparse spike vector costs about n/16 tests.
#[inline]
pub fn for_each_spike(s: &[Real], mut f: impl FnMut(usize, Real)) {
    const B: usize = 16;
    let mut blocks = s.chunks_exact(B);
    for (k, block) in (&mut blocks).enumerate() {
        if block.iter().fold(false, |any, x| any | (*x != 0.0)) {
            for (j, &x) in block.iter().enumerate() {
                if x != 0.0 {
                    f(k * B + j, x);
                }
            }
        }
    }
    let base = s.len() - blocks.remainder().len();
    for (j, &x) in blocks.remainder().iter().enumerate() {
        if x != 0.0 {
            f(base + j, x);
        }
    }
}

/// Synapse phase: every sparse synapse reads its presynaptic `s` (of the previous step) and
/// updates its current, `outputs`.
pub fn sparse_system(
    pre: Query<&Spikes>,
    mut synapses: Query<(&SparseSynapse, &Pre, &mut Outputs)>,
) {
    for (syn, p, mut out) in &mut synapses {
        let Ok(s) = pre.get(p.0) else { continue };
        syn.step(&s.0, &mut out.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn(conn: Connectivity, n_pre: usize, n_post: usize) -> SparseSynapse {
        let (row_ptr, targets) = connect(n_pre, n_post, conn, StreamKey::new(1, "s"));
        SparseSynapse {
            row_ptr,
            targets,
            weights: SparseWeights::Shared(1.0),
            n_post,
            decay: 0.0,
            delivery: Delivery::Sparse,
            dense: vec![],
        }
    }

    /// Law: a fixed-probability projection has p·n_pre·n_post synapses on average, with
    /// binomial spread; targets are distinct and ascending within a row.
    #[test]
    fn probability_connectivity_has_the_expected_count() {
        let (n, p) = (2000, 0.02);
        let s = syn(Connectivity::Probability(p), n, n);
        let mean = p * (n * n) as f64;
        let sd = (mean * (1.0 - p)).sqrt();
        assert!(
            ((s.len() as f64) - mean).abs() < 5.0 * sd,
            "{} vs {mean}",
            s.len()
        );
        for i in 0..n {
            let row = &s.targets[s.row_ptr[i]..s.row_ptr[i + 1]];
            assert!(row.windows(2).all(|w| w[0] < w[1]));
            assert!(row.iter().all(|c| (*c as usize) < n));
        }
    }

    #[test]
    fn fan_in_gives_every_target_exactly_k_distinct_sources() {
        let s = syn(Connectivity::FanIn(7), 50, 30);
        let mut indeg = [0; 30];
        for &c in &s.targets {
            indeg[c as usize] += 1;
        }
        assert!(indeg.iter().all(|d| *d == 7));
        for i in 0..50 {
            let row = &s.targets[s.row_ptr[i]..s.row_ptr[i + 1]];
            assert!(row.windows(2).all(|w| w[0] < w[1]), "distinct sources");
        }
    }

    #[test]
    fn sparse_and_dense_delivery_agree_and_decay_is_exponential() {
        let mut a = syn(Connectivity::Probability(0.3), 40, 25);
        a.weights = SparseWeights::PerSynapse((0..a.len()).map(|k| k as Real * 0.01).collect());
        a.decay = 0.5;
        let mut b = a.clone();
        b.delivery = Delivery::Dense;
        b.densify();
        let s: Vec<Real> = (0..40)
            .map(|i| if i % 3 == 0 { 1.0 } else { 0.0 })
            .collect();
        let (mut ga, mut gb) = (vec![0.0; 25], vec![0.0; 25]);
        a.step(&s, &mut ga);
        b.step(&s, &mut gb);
        for (x, y) in ga.iter().zip(&gb) {
            assert!((x - y).abs() < 1e-5);
        }
        let before = ga.clone();
        a.step(&[0.0; 40], &mut ga);
        for (x, y) in ga.iter().zip(&before) {
            assert_eq!(*x, y * 0.5);
        }
    }
}
