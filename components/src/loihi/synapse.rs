//! Loihi synapses: the weight memory that a spike on an input axon reads during the
//! neurocore's *dendritic accumulation* stage.
//!
//! Layout as in `nengo_loihi/block.py::Synapse`: `weights[k]` and `indices[k]` have shape
//! `(n_atoms, n_targets)` for weight entry `k`; input axon `i` uses entry
//! `axon_to_weight_map[i]` and compartment offset `axon_compartment_bases[i]` (negative: the
//! axon is unused). A spike `(axon_idx, atom)` adds `weights[k][atom, :]` to `q` at
//! compartments `base + indices[k][atom, :]` of the synapse's block
//! (`emulator/interface.py::SynapseState.update_input`). Every entry is stored in one flat
//! array, so delivering a spike touches only its own row (cost ∝ fan-out).

use super::learning::PesParams;

/// One weight entry `k` of a synapse: `n_atoms × n_targets` weights and target indices,
/// row-major (`Synapse.weights[k]`, `Synapse.indices[k]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeightEntry {
    /// Rows: one per atom (1 for discrete axons; the channel for population axons).
    pub n_atoms: usize,
    /// Columns: the targets of one atom.
    pub n_targets: usize,
    /// The integers added to `q` by one spike, `W = w8 << (6 + weight_exp)` in the emulator.
    pub weights: Vec<i32>,
    /// Block-local target compartment offsets (added to the axon's compartment base).
    pub indices: Vec<u32>,
}

/// Why a synapse cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SynapseError {
    /// `weights`/`indices` of an entry do not have `n_atoms · n_targets` elements.
    #[error(
        "weight entry {entry}: {field} has {got} elements, expected {expected} (n_atoms x n_targets)"
    )]
    EntryShape {
        /// Weight entry.
        entry: usize,
        /// `weights` or `indices`.
        field: &'static str,
        /// Elements expected.
        expected: usize,
        /// Elements found.
        got: usize,
    },
    /// A per-axon table whose length is not `n_axons`.
    #[error("`{field}` has {got} entries for {n_axons} axons")]
    AxonTableLength {
        /// `axon_to_weight_map` or `axon_compartment_bases`.
        field: &'static str,
        /// Number of axons.
        n_axons: usize,
        /// Length found.
        got: usize,
    },
    /// An axon mapped to a weight entry that does not exist.
    #[error("axon {axon} maps to weight entry {entry}, but there are {n_entries}")]
    WeightMap {
        /// Axon index.
        axon: usize,
        /// Entry index.
        entry: usize,
        /// Number of entries.
        n_entries: usize,
    },
    /// A learning synapse whose shape does not fit PES (`SynapseState.update_weights`).
    #[error("PES learning: {0}")]
    Learning(String),
}

/// A synapse: weight memory plus the input-axon tables (`nengo_loihi/block.py::Synapse`).
#[derive(Clone, Debug, PartialEq, bevy_ecs::component::Component)]
pub struct LoihiSynapse {
    n_axons: usize,
    entry_start: Vec<usize>,
    entry_atoms: Vec<usize>,
    entry_targets: Vec<usize>,
    weights: Vec<i32>,
    indices: Vec<u32>,
    axon_to_weight_map: Vec<usize>,
    axon_compartment_bases: Vec<i32>,
    learning: Option<PesParams>,
}

impl LoihiSynapse {
    /// A synapse with `n_axons` input axons and the given weight entries.
    /// `axon_to_weight_map` defaults to the identity (`None` in NengoLoihi) and
    /// `axon_compartment_bases` to 0 for every axon.
    pub fn new(
        n_axons: usize,
        entries: Vec<WeightEntry>,
        axon_to_weight_map: Option<Vec<usize>>,
        axon_compartment_bases: Option<Vec<i32>>,
    ) -> Result<Self, SynapseError> {
        let mut s = Self {
            n_axons,
            entry_start: Vec::with_capacity(entries.len()),
            entry_atoms: Vec::with_capacity(entries.len()),
            entry_targets: Vec::with_capacity(entries.len()),
            weights: Vec::new(),
            indices: Vec::new(),
            axon_to_weight_map: Vec::new(),
            axon_compartment_bases: Vec::new(),
            learning: None,
        };
        for (k, e) in entries.into_iter().enumerate() {
            let expected = e.n_atoms.saturating_mul(e.n_targets);
            for (field, got) in [("weights", e.weights.len()), ("indices", e.indices.len())] {
                if got != expected {
                    return Err(SynapseError::EntryShape {
                        entry: k,
                        field,
                        expected,
                        got,
                    });
                }
            }
            s.entry_start.push(s.weights.len());
            s.entry_atoms.push(e.n_atoms);
            s.entry_targets.push(e.n_targets);
            s.weights.extend_from_slice(&e.weights);
            s.indices.extend_from_slice(&e.indices);
        }
        let n_entries = s.entry_start.len();
        let map = axon_to_weight_map.unwrap_or_else(|| (0..n_axons).collect());
        if map.len() != n_axons {
            return Err(SynapseError::AxonTableLength {
                field: "axon_to_weight_map",
                n_axons,
                got: map.len(),
            });
        }
        for (axon, &entry) in map.iter().enumerate() {
            if entry >= n_entries {
                return Err(SynapseError::WeightMap {
                    axon,
                    entry,
                    n_entries,
                });
            }
        }
        s.axon_to_weight_map = map;
        let bases = axon_compartment_bases.unwrap_or_else(|| vec![0; n_axons]);
        if bases.len() != n_axons {
            return Err(SynapseError::AxonTableLength {
                field: "axon_compartment_bases",
                n_axons,
                got: bases.len(),
            });
        }
        s.axon_compartment_bases = bases;
        Ok(s)
    }

    /// Makes this a PES-learning synapse (`Synapse.set_learning` after discretization).
    /// There must be one weight entry per axon, all of the same width (`2·n_error_dims`,
    /// checked when the emulator is built), as `build_full_chip_connection` builds them;
    /// `SynapseState.update_weights` pairs entry `k` with the trace of axon `k`.
    pub fn with_pes(mut self, params: PesParams) -> Result<Self, SynapseError> {
        params.validate().map_err(SynapseError::Learning)?;
        if self.entry_start.len() != self.n_axons {
            return Err(SynapseError::Learning(format!(
                "{} weight entries for {} axons (one entry per axon expected)",
                self.entry_start.len(),
                self.n_axons
            )));
        }
        if let Some(t) = self.entry_targets.first()
            && self.entry_targets.iter().any(|x| x != t)
        {
            return Err(SynapseError::Learning(
                "weight entries of different widths".into(),
            ));
        }
        self.learning = Some(params);
        Ok(self)
    }

    /// Number of input axons.
    pub fn n_axons(&self) -> usize {
        self.n_axons
    }

    /// Number of weight entries.
    pub fn n_entries(&self) -> usize {
        self.entry_start.len()
    }

    /// `(n_atoms, n_targets)` of entry `k`.
    pub fn entry_shape(&self, k: usize) -> Option<(usize, usize)> {
        Some((*self.entry_atoms.get(k)?, *self.entry_targets.get(k)?))
    }

    /// The weights of entry `k`, row-major `n_atoms × n_targets` (current values: PES
    /// changes them in place).
    pub fn entry_weights(&self, k: usize) -> Option<&[i32]> {
        let (a, n) = self.entry_shape(k)?;
        let s = self.entry_start[k];
        Some(&self.weights[s..s + a * n])
    }

    /// The target indices of entry `k`, row-major `n_atoms × n_targets`.
    pub fn entry_indices(&self, k: usize) -> Option<&[u32]> {
        let (a, n) = self.entry_shape(k)?;
        let s = self.entry_start[k];
        Some(&self.indices[s..s + a * n])
    }

    /// `axon_to_weight_map`.
    pub fn axon_to_weight_map(&self) -> &[usize] {
        &self.axon_to_weight_map
    }

    /// `axon_compartment_bases` (negative: unused axon).
    pub fn axon_compartment_bases(&self) -> &[i32] {
        &self.axon_compartment_bases
    }

    /// The PES parameters, if this synapse learns.
    pub fn learning(&self) -> Option<&PesParams> {
        self.learning.as_ref()
    }

    /// The width every learning row must have (`2·n_error_dims`), if entries exist.
    pub(crate) fn row_width(&self) -> Option<usize> {
        self.entry_targets.first().copied()
    }

    /// Checks every used axon's targets against the target block size; returns
    /// `(axon, compartment)` of the first target outside `0..block_len`.
    pub(crate) fn check_targets(&self, block_len: usize) -> Result<(), (usize, i64)> {
        for (axon, (&k, &base)) in self
            .axon_to_weight_map
            .iter()
            .zip(&self.axon_compartment_bases)
            .enumerate()
        {
            if base < 0 {
                continue;
            }
            let s = self.entry_start[k];
            let n = self.entry_atoms[k] * self.entry_targets[k];
            if let Some(&m) = self.indices[s..s + n].iter().max() {
                let c = i64::from(base) + i64::from(m);
                if c >= block_len as i64 {
                    return Err((axon, c));
                }
            }
        }
        Ok(())
    }

    /// Number of atoms of the entry used by `axon`.
    pub(crate) fn axon_atoms(&self, axon: usize) -> Option<usize> {
        let k = *self.axon_to_weight_map.get(axon)?;
        self.entry_atoms.get(k).copied()
    }

    /// `SynapseState.update_input` for one spike `(axon, atom)`:
    /// `q[offset + base + indices[k][atom, :]] += weights[k][atom, :]` (int32, wrapping
    /// like NumPy), skipped when `base < 0`. `offset` is the block's first global
    /// compartment. Targets were validated when the emulator was built.
    #[inline]
    pub(crate) fn deliver(&self, axon: usize, atom: usize, offset: usize, q: &mut [i32]) {
        let base = self.axon_compartment_bases[axon];
        if base < 0 {
            return;
        }
        let k = self.axon_to_weight_map[axon];
        let n = self.entry_targets[k];
        let s = self.entry_start[k] + atom * n;
        let off = offset + base as usize;
        for (&w, &i) in self.weights[s..s + n].iter().zip(&self.indices[s..s + n]) {
            let t = &mut q[off + i as usize];
            *t = t.wrapping_add(w);
        }
    }

    /// Mutable weights of entry `k` (for learning).
    pub(crate) fn entry_weights_mut(&mut self, k: usize) -> &mut [i32] {
        let n = self.entry_atoms[k] * self.entry_targets[k];
        let s = self.entry_start[k];
        &mut self.weights[s..s + n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(w: &[i32], idx: &[u32]) -> WeightEntry {
        WeightEntry {
            n_atoms: 1,
            n_targets: w.len(),
            weights: w.to_vec(),
            indices: idx.to_vec(),
        }
    }

    #[test]
    fn delivers_row_at_base() {
        let s = LoihiSynapse::new(
            2,
            vec![entry(&[5, -3], &[0, 2]), entry(&[7], &[1])],
            None,
            Some(vec![1, -1]),
        )
        .unwrap();
        let mut q = vec![0; 6];
        s.deliver(0, 0, 2, &mut q);
        s.deliver(1, 0, 2, &mut q); // unused axon
        assert_eq!(q, [0, 0, 0, 5, 0, -3]);
        assert_eq!(s.check_targets(4), Ok(()));
        assert_eq!(s.check_targets(3), Err((0, 3)));
    }

    #[test]
    fn rejects_bad_shapes() {
        assert!(matches!(
            LoihiSynapse::new(1, vec![entry(&[1, 2], &[0])], None, None),
            Err(SynapseError::EntryShape { .. })
        ));
        assert!(matches!(
            LoihiSynapse::new(2, vec![entry(&[1], &[0])], None, None),
            Err(SynapseError::WeightMap { .. })
        ));
        assert!(matches!(
            LoihiSynapse::new(1, vec![entry(&[1], &[0])], None, Some(vec![0, 0])),
            Err(SynapseError::AxonTableLength { .. })
        ));
    }
}
