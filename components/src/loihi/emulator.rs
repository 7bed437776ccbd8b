//! The bit-exact integer emulator: NengoLoihi 1.1.0's `EmulatorInterface` (`target='sim'`).
//!
//! [`LoihiEmulatorBuilder`] collects blocks, host spike inputs, synapses and axons;
//! [`build`](LoihiEmulatorBuilder::build) turns them into a [`LoihiEmulator`], which is the
//! ECS implementation [`LoihiWorld`]: one step is one run of the
//! [`LoihiStep`](super::schedule::LoihiStep) schedule, whose phases follow
//! `EmulatorInterface.step` (see [`super::schedule`] for the phase table and the timing
//! rules: one step per hop, host step `k` → chip step `k + 1`). Semantics:
//! `tests/refs/loihi/README.md` §1 and §3; learning §6.

use std::ops::Range;

use super::compartment::{CompartmentError, CompartmentParams};
use super::schedule::LoihiWorld;
use super::synapse::{LoihiSynapse, SynapseError};

/// A block of compartments (one `LoihiBlock`, one core on hardware).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BlockId(pub usize);

/// A host→chip spike input (`SpikeInput`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InputId(pub usize);

/// A synapse (weight memory of one block).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SynapseId(pub usize);

/// Where spikes come from: an on-chip compartment or a host spike input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpikeSource {
    /// Compartment `comp` (block-local) of `block`.
    Compartment {
        /// The source block.
        block: BlockId,
        /// Block-local compartment.
        comp: usize,
    },
    /// Neuron `idx` of host input `input`.
    Input {
        /// The input.
        input: InputId,
        /// Its spike index.
        idx: usize,
    },
}

/// Where an axon delivers: `Spike(axon_idx, atom)` into `synapse` (`Axon.map_spikes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AxonTarget {
    /// The target synapse.
    pub synapse: SynapseId,
    /// Its input axon.
    pub axon_idx: usize,
    /// The atom (row of the weight entry); 0 for discrete axons.
    pub atom: usize,
}

/// Why an emulator cannot be built or driven.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmulatorError {
    /// Bad compartment parameters.
    #[error(transparent)]
    Compartment(#[from] CompartmentError),
    /// Bad synapse `synapse`.
    #[error("synapse {synapse}: {source}")]
    Synapse {
        /// The synapse.
        synapse: usize,
        /// What is wrong.
        source: SynapseError,
    },
    /// A block id that was never added.
    #[error("unknown block {0}")]
    UnknownBlock(usize),
    /// An input id that was never added.
    #[error("unknown spike input {0}")]
    UnknownInput(usize),
    /// A synapse id that was never added.
    #[error("unknown synapse {0}")]
    UnknownSynapse(usize),
    /// A source compartment or input index beyond its block or input.
    #[error("spike source index {index} out of range (size {size})")]
    SourceOutOfRange {
        /// The index.
        index: usize,
        /// Size of the block or input.
        size: usize,
    },
    /// An axon index beyond the synapse's axons.
    #[error("synapse {synapse}: axon {axon} out of range ({n_axons} axons)")]
    AxonOutOfRange {
        /// The synapse.
        synapse: usize,
        /// The axon.
        axon: usize,
        /// Its number of axons.
        n_axons: usize,
    },
    /// An atom beyond the rows of the axon's weight entry.
    #[error("synapse {synapse}, axon {axon}: atom {atom} out of range ({n_atoms} atoms)")]
    AtomOutOfRange {
        /// The synapse.
        synapse: usize,
        /// The axon.
        axon: usize,
        /// The atom.
        atom: usize,
        /// Rows of the entry.
        n_atoms: usize,
    },
    /// A synapse target `base + index` outside its block.
    #[error(
        "synapse {synapse}, axon {axon}: target compartment {compartment} outside its block of {block_len}"
    )]
    TargetOutOfRange {
        /// The synapse.
        synapse: usize,
        /// The axon.
        axon: usize,
        /// `base + index`.
        compartment: i64,
        /// Size of the target block.
        block_len: usize,
    },
    /// A learning synapse whose rows are not `2·(block size / 2)` wide.
    #[error(
        "synapse {synapse}: PES rows have {width} weights, expected 2 x {n_error_dims} (target block of {block_len})"
    )]
    LearningWidth {
        /// The synapse.
        synapse: usize,
        /// Row width.
        width: usize,
        /// `block size / 2`.
        n_error_dims: usize,
        /// Target block size.
        block_len: usize,
    },
    /// PES errors for a synapse that does not learn.
    #[error("synapse {0} does not learn")]
    NotLearning(usize),
    /// PES errors of the wrong length.
    #[error("synapse {synapse}: {got} errors, expected {expected}")]
    ErrorLength {
        /// The synapse.
        synapse: usize,
        /// Error dimensions.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// Host spikes stamped with a host step that can no longer be delivered.
    #[error("host step {host_step}: spikes must be stamped >= 1 and >= the next chip step {next}")]
    InputStep {
        /// The stamp.
        host_step: u64,
        /// The next chip step.
        next: u64,
    },
    /// More compartments, inputs or routes than 32-bit indices hold.
    #[error("model too large for 32-bit indices")]
    TooLarge,
    /// The step schedule failed to build (e.g. an ambiguous system order).
    #[error("Loihi step schedule: {0}")]
    Schedule(String),
}

/// The emulated chip: the ECS world and schedule of [`LoihiWorld`].
pub type LoihiEmulator = LoihiWorld;

/// Collects blocks, inputs, synapses and axons, then [`build`](Self::build)s the emulator.
#[derive(Clone, Debug, Default)]
pub struct LoihiEmulatorBuilder {
    pub(super) compartments: Vec<CompartmentParams>,
    pub(super) blocks: Vec<Range<usize>>,
    pub(super) inputs: Vec<usize>,
    pub(super) synapses: Vec<(BlockId, LoihiSynapse)>,
    pub(super) axons: Vec<(SpikeSource, AxonTarget)>,
    pub(super) seed: u32,
}

impl LoihiEmulatorBuilder {
    /// An empty model with RNG seed 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Seed of the emulator's `np.random.RandomState` (NengoLoihi: the `Simulator` seed,
    /// by default `network.seed + 1`). Used only by noise and learning.
    pub fn seed(&mut self, seed: u32) -> &mut Self {
        self.seed = seed;
        self
    }

    /// Appends a block of compartments; blocks are concatenated in the order added
    /// (`BlockInfo.slices`).
    pub fn add_block(&mut self, params: &[CompartmentParams]) -> BlockId {
        let start = self.compartments.len();
        self.compartments.extend_from_slice(params);
        self.blocks.push(start..self.compartments.len());
        BlockId(self.blocks.len() - 1)
    }

    /// Adds a host spike input (`SpikeInput`) of `n` neurons.
    pub fn add_spike_input(&mut self, n: usize) -> InputId {
        self.inputs.push(n);
        InputId(self.inputs.len() - 1)
    }

    /// Adds a synapse whose targets are compartments of `block`.
    pub fn add_synapse(
        &mut self,
        block: BlockId,
        synapse: LoihiSynapse,
    ) -> Result<SynapseId, EmulatorError> {
        let id = self.synapses.len();
        let range = self
            .blocks
            .get(block.0)
            .ok_or(EmulatorError::UnknownBlock(block.0))?;
        synapse
            .check_targets(range.len())
            .map_err(|(axon, compartment)| EmulatorError::TargetOutOfRange {
                synapse: id,
                axon,
                compartment,
                block_len: range.len(),
            })?;
        if synapse.learning().is_some() {
            let n_error_dims = range.len() / 2;
            let width = synapse.row_width().unwrap_or(0);
            if width != 2 * n_error_dims {
                return Err(EmulatorError::LearningWidth {
                    synapse: id,
                    width,
                    n_error_dims,
                    block_len: range.len(),
                });
            }
        }
        self.synapses.push((block, synapse));
        Ok(SynapseId(id))
    }

    /// Adds an axon: a spike of `source` becomes `Spike(target.axon_idx, target.atom)` at
    /// `target.synapse` (`Axon.map_spikes`). A source may have several axons.
    pub fn add_axon(
        &mut self,
        source: SpikeSource,
        target: AxonTarget,
    ) -> Result<(), EmulatorError> {
        match source {
            SpikeSource::Compartment { block, comp } => {
                let r = self
                    .blocks
                    .get(block.0)
                    .ok_or(EmulatorError::UnknownBlock(block.0))?;
                if comp >= r.len() {
                    return Err(EmulatorError::SourceOutOfRange {
                        index: comp,
                        size: r.len(),
                    });
                }
            }
            SpikeSource::Input { input, idx } => {
                let n = *self
                    .inputs
                    .get(input.0)
                    .ok_or(EmulatorError::UnknownInput(input.0))?;
                if idx >= n {
                    return Err(EmulatorError::SourceOutOfRange {
                        index: idx,
                        size: n,
                    });
                }
            }
        }
        let syn = target.synapse.0;
        let (_, s) = self
            .synapses
            .get(syn)
            .ok_or(EmulatorError::UnknownSynapse(syn))?;
        let n_atoms = s
            .axon_atoms(target.axon_idx)
            .ok_or(EmulatorError::AxonOutOfRange {
                synapse: syn,
                axon: target.axon_idx,
                n_axons: s.n_axons(),
            })?;
        if target.atom >= n_atoms {
            return Err(EmulatorError::AtomOutOfRange {
                synapse: syn,
                axon: target.axon_idx,
                atom: target.atom,
                n_atoms,
            });
        }
        self.axons.push((source, target));
        Ok(())
    }

    /// Builds the emulator (its ECS world and [`LoihiStep`](super::schedule::LoihiStep)
    /// schedule) at `t = 0`, all state zero.
    pub fn build(&self) -> Result<LoihiEmulator, EmulatorError> {
        LoihiWorld::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loihi::synapse::WeightEntry;

    fn relu() -> CompartmentParams {
        // pure integrator with a low threshold: spikes on any input of at least 2
        CompartmentParams {
            decay_u: 4095,
            decay_v: 4095,
            vth: 1,
            bias: 0,
            refract_delay: 1,
            vmin: 0,
            vmax: (1 << 23) - 1,
            noise: Default::default(),
        }
    }

    fn one_to_one(w: i32) -> LoihiSynapse {
        let e = WeightEntry {
            n_atoms: 1,
            n_targets: 1,
            weights: vec![w],
            indices: vec![0],
        };
        LoihiSynapse::new(1, vec![e], None, None).unwrap()
    }

    /// input -> A -> B: host step 1 reaches A's q at chip step 2, B's at step 3.
    #[test]
    fn each_hop_costs_one_step() {
        let mut b = LoihiEmulatorBuilder::new();
        let a = b.add_block(&[relu()]);
        let bb = b.add_block(&[relu()]);
        let inp = b.add_spike_input(1);
        let sa = b.add_synapse(a, one_to_one(64)).unwrap();
        let sb = b.add_synapse(bb, one_to_one(64)).unwrap();
        let to = |synapse| AxonTarget {
            synapse,
            axon_idx: 0,
            atom: 0,
        };
        b.add_axon(SpikeSource::Input { input: inp, idx: 0 }, to(sa))
            .unwrap();
        b.add_axon(SpikeSource::Compartment { block: a, comp: 0 }, to(sb))
            .unwrap();
        let mut emu = b.build().unwrap();
        emu.queue_input_spikes(inp, 1, &[0]).unwrap();
        let mut qs = Vec::new();
        let mut spikes = Vec::new();
        for _ in 0..4 {
            emu.step();
            qs.push(vec![
                emu.block(a).unwrap().q()[0],
                emu.block(bb).unwrap().q()[0],
            ]);
            spikes.push(emu.spikes().to_vec());
        }
        assert_eq!(qs, [[0, 0], [64, 0], [0, 64], [0, 0]]);
        assert_eq!(spikes, [vec![], vec![0], vec![1], vec![]]);
        // host step 2 has been consumed by chip step 3
        assert!(matches!(
            emu.queue_input_spikes(inp, 3, &[0]),
            Err(EmulatorError::InputStep { .. })
        ));
        assert!(emu.queue_input_spikes(inp, 4, &[0]).is_ok());
        assert!(emu.queue_input_spikes(inp, 4, &[1]).is_err());
    }

    #[test]
    fn bad_wiring_is_an_error() {
        let mut b = LoihiEmulatorBuilder::new();
        let a = b.add_block(&[relu()]);
        assert_eq!(
            b.add_synapse(BlockId(3), one_to_one(1)),
            Err(EmulatorError::UnknownBlock(3))
        );
        let far = LoihiSynapse::new(
            1,
            vec![WeightEntry {
                n_atoms: 1,
                n_targets: 1,
                weights: vec![1],
                indices: vec![1],
            }],
            None,
            None,
        )
        .unwrap();
        assert!(matches!(
            b.add_synapse(a, far),
            Err(EmulatorError::TargetOutOfRange { compartment: 1, .. })
        ));
        let s = b.add_synapse(a, one_to_one(1)).unwrap();
        let src = SpikeSource::Compartment { block: a, comp: 0 };
        let tgt = |axon_idx, atom| AxonTarget {
            synapse: s,
            axon_idx,
            atom,
        };
        assert!(matches!(
            b.add_axon(src, tgt(1, 0)),
            Err(EmulatorError::AxonOutOfRange { .. })
        ));
        assert!(matches!(
            b.add_axon(src, tgt(0, 1)),
            Err(EmulatorError::AtomOutOfRange { .. })
        ));
        assert!(matches!(
            b.add_axon(SpikeSource::Compartment { block: a, comp: 1 }, tgt(0, 0)),
            Err(EmulatorError::SourceOutOfRange { .. })
        ));
        let mut emu = b.build().unwrap();
        assert_eq!(
            emu.set_pes_errors(s, &[1]),
            Err(EmulatorError::NotLearning(0))
        );
        assert_eq!(
            emu.queue_input_spikes(InputId(0), 1, &[0]),
            Err(EmulatorError::UnknownInput(0))
        );
    }
}
