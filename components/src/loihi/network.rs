//! A model as NengoLoihi lays it out on the chip, before discretization (its `Model` of
//! `LoihiBlock`s): float blocks with their input synapses, axons from blocks and host spike
//! inputs, and probes. [`ChipNetwork::build`] splits blocks into cores (`split_model`),
//! discretizes each core (`discretize_block`, after splitting, so each core has its own
//! scales) and builds the bit-exact emulator; [`ChipNetwork::resources`] gives the mapping
//! report's view of the same blocks.
//!
//! Synapses are dense (`Synapse.set_weights` of a full matrix: every axon reaches every
//! compartment of the block), which is what NengoLoihi builds for NEF connections, decode
//! neurons and decoded probes.

use std::ops::Range;

use super::compartment::{CompartmentParams, NoiseParams};
use super::discretize::{
    DiscreteBlock, DiscretizeError, FloatBlock, FloatLearning, FloatSynapse, discretize_block,
};
use super::emulator::{
    AxonTarget, BlockId, EmulatorError, InputId, LoihiEmulator, LoihiEmulatorBuilder, SpikeSource,
    SynapseId,
};
use super::learning::PesParams;
use super::mapping::{
    BlockResources, ModelResources, OutputAxons, PopType, SynapseResources, split_plan,
};
use super::synapse::{LoihiSynapse, WeightEntry};

/// A block of compartments and the synapses into it.
#[derive(Clone, Debug)]
pub struct ChipBlock {
    /// `LoihiBlock.label`, e.g. `<Ensemble 'A'>`.
    pub label: String,
    /// The float compartments.
    pub compartments: FloatBlock,
    /// Synapses into the block, in the order they were added.
    pub synapses: Vec<ChipSynapse>,
}

/// A dense synapse into a block.
#[derive(Clone, Debug)]
pub struct ChipSynapse {
    /// `Synapse.label`, e.g. `"decoders"`.
    pub label: String,
    /// Input axons.
    pub n_axons: usize,
    /// Weights, `n_axons × n_compartments` of the block, row-major, in Nengo units (`f32`,
    /// as `set_weights` stores them).
    pub weights: Vec<f32>,
    /// PES parameters of a learned synapse.
    pub learning: Option<FloatLearning>,
}

/// Where an axon's spikes come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChipSource {
    /// A block's compartments.
    Block(usize),
    /// A host spike input.
    Input(usize),
}

/// An axon group: each source unit `u` with `map[u] = Some(a)` sends its spikes to axon `a` of
/// `synapse` of `block`.
#[derive(Clone, Debug)]
pub struct ChipAxon {
    /// The source.
    pub source: ChipSource,
    /// The target block.
    pub block: usize,
    /// The synapse (index in the target block's synapses).
    pub synapse: usize,
    /// Target axon per source unit.
    pub map: Vec<Option<usize>>,
}

/// What a probe reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeKey {
    /// The voltage `v` (raw integers; weighted probes are divided by the core's `v_scale`).
    Voltage,
    /// The current `u` (raw integers).
    Current,
    /// The spike flags.
    Spiked,
}

/// A probe of one block (`LoihiProbe`): `out = state @ weights` (weights `n × width`,
/// row-major), or the raw state when `weights` is `None`.
#[derive(Clone, Debug)]
pub struct ChipProbe {
    /// The probed block.
    pub block: usize,
    /// The state read.
    pub key: ProbeKey,
    /// Weights and output width. For [`ProbeKey::Voltage`] each core's rows are divided by its
    /// `v_scale` (`discretize_probe`), so decoded probes come back in Nengo units.
    pub weights: Option<(Vec<f64>, usize)>,
}

/// The whole chip model before discretization.
#[derive(Clone, Debug, Default)]
pub struct ChipNetwork {
    /// Blocks, in `model.blocks` order (ensembles, then decode and probe blocks as built).
    pub blocks: Vec<ChipBlock>,
    /// Host spike inputs: label and size.
    pub inputs: Vec<(String, usize)>,
    /// Axon groups.
    pub axons: Vec<ChipAxon>,
    /// Probes.
    pub probes: Vec<ChipProbe>,
}

/// Why a chip network cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum ChipError {
    /// Discretizing a core failed.
    #[error("{block}: {source}")]
    Discretize {
        /// The core's label.
        block: String,
        /// What went wrong.
        source: DiscretizeError,
    },
    /// The emulator rejected the layout.
    #[error("{block}: {source}")]
    Emulator {
        /// The object at fault.
        block: String,
        /// What went wrong.
        source: EmulatorError,
    },
    /// A layout inconsistency (a synapse's weight count, an axon into a missing synapse …).
    #[error("{0}")]
    Layout(String),
}

/// One core of a (possibly split) block after discretization.
#[derive(Clone, Debug)]
pub struct Core {
    /// Its emulator block.
    pub id: BlockId,
    /// The compartments of the original block it holds.
    pub range: Range<usize>,
    /// Its integer parameters and scales.
    pub discrete: DiscreteBlock,
    /// Its synapses (one per synapse of the original block).
    pub synapses: Vec<SynapseId>,
}

/// A probe ready to read: per core, its emulator block and (for weighted probes) its rows of
/// the weights, scaled for that core.
#[derive(Clone, Debug)]
struct BuiltProbe {
    key: ProbeKey,
    width: usize,
    parts: Vec<(BlockId, Option<Vec<f64>>)>,
}

/// The emulator built from a [`ChipNetwork`], with the map back to the network's blocks.
pub struct BuiltChip {
    /// The emulator.
    pub emulator: LoihiEmulator,
    /// The cores of each block of the network.
    pub cores: Vec<Vec<Core>>,
    /// The emulator input of each network input.
    pub inputs: Vec<InputId>,
    probes: Vec<BuiltProbe>,
}

impl ChipNetwork {
    /// Adds a block; returns its index.
    pub fn add_block(&mut self, label: impl Into<String>, compartments: FloatBlock) -> usize {
        self.blocks.push(ChipBlock {
            label: label.into(),
            compartments,
            synapses: Vec::new(),
        });
        self.blocks.len() - 1
    }

    /// Adds a dense synapse of `n_axons` axons into `block`; returns its index in the block.
    pub fn add_synapse(
        &mut self,
        block: usize,
        label: impl Into<String>,
        n_axons: usize,
        weights: Vec<f32>,
    ) -> usize {
        let b = &mut self.blocks[block];
        b.synapses.push(ChipSynapse {
            label: label.into(),
            n_axons,
            weights,
            learning: None,
        });
        b.synapses.len() - 1
    }

    /// Adds a host spike input of `n` units; returns its index.
    pub fn add_input(&mut self, label: impl Into<String>, n: usize) -> usize {
        self.inputs.push((label.into(), n));
        self.inputs.len() - 1
    }

    /// Units of a source.
    fn source_len(&self, s: ChipSource) -> usize {
        match s {
            ChipSource::Block(b) => self.blocks.get(b).map_or(0, |b| b.compartments.len()),
            ChipSource::Input(i) => self.inputs.get(i).map_or(0, |i| i.1),
        }
    }

    /// The blocks as the mapper sees them: compartments, dense synapses, and one output axon
    /// group per axon group, counting its distinct target axons (NengoLoihi's `Axon.n_axons`:
    /// the 20 decode neurons of a 1-D connection send to 2 axons, on and off).
    pub fn resources(&self) -> ModelResources {
        let mut blocks: Vec<BlockResources> = self
            .blocks
            .iter()
            .map(|b| {
                let mut r = BlockResources::new(b.label.clone(), b.compartments.len());
                for s in &b.synapses {
                    r.synapses.push(SynapseResources::dense(
                        s.label.clone(),
                        s.n_axons,
                        b.compartments.len(),
                    ));
                }
                r
            })
            .collect();
        for a in &self.axons {
            if let ChipSource::Block(src) = a.source {
                blocks[src].axons.push(OutputAxons {
                    target_block: Some(a.block),
                    n_axons: distinct_axons(&a.map),
                    pop_type: PopType::Discrete,
                });
            }
        }
        ModelResources { blocks }
    }

    /// Splits, discretizes and builds the emulator (RNG `seed`: NengoLoihi's simulator seed,
    /// used by learning's stochastic rounding).
    pub fn build(&self, seed: u32) -> Result<BuiltChip, ChipError> {
        let resources = self.resources();
        let mut eb = LoihiEmulatorBuilder::new();
        eb.seed(seed);
        let mut cores: Vec<Vec<Core>> = Vec::with_capacity(self.blocks.len());
        for (b, block) in self.blocks.iter().enumerate() {
            let n = block.compartments.len();
            for s in &block.synapses {
                if s.weights.len() != s.n_axons * n {
                    return Err(ChipError::Layout(format!(
                        "{} / synapse '{}': {} weights for {} axons × {n} compartments",
                        block.label,
                        s.label,
                        s.weights.len(),
                        s.n_axons
                    )));
                }
            }
            let plan = split_plan(&resources.blocks[b]);
            let mut list = Vec::with_capacity(plan.chunks.len());
            for chunk in &plan.chunks {
                let range = chunk.start..chunk.end;
                let len = range.len();
                let float = sub_block(&block.compartments, range.clone());
                let syns: Vec<FloatSynapse> = block
                    .synapses
                    .iter()
                    .map(|s| FloatSynapse {
                        weights: s
                            .weights
                            .chunks_exact(n)
                            .flat_map(|row| row[range.clone()].iter().copied())
                            .collect(),
                        targets: (0..s.n_axons).flat_map(|_| 0..len).collect(),
                        learning: s.learning,
                    })
                    .collect();
                let (discrete, dsyns) =
                    discretize_block(&float, &syns).map_err(|source| ChipError::Discretize {
                        block: chunk.label.clone(),
                        source,
                    })?;
                let params = compartment_params(&discrete);
                let id = eb.add_block(&params);
                let mut synapses = Vec::with_capacity(dsyns.len());
                for (s, ds) in block.synapses.iter().zip(dsyns) {
                    let entries = ds
                        .weights
                        .chunks_exact(len.max(1))
                        .take(s.n_axons)
                        .map(|row| WeightEntry {
                            n_atoms: 1,
                            n_targets: len,
                            weights: row.to_vec(),
                            indices: (0..len as u32).collect(),
                        })
                        .collect();
                    let emu_err = |source: EmulatorError| ChipError::Emulator {
                        block: format!("{} / synapse '{}'", chunk.label, s.label),
                        source,
                    };
                    let mut syn =
                        LoihiSynapse::new(s.n_axons, entries, None, None).map_err(|e| {
                            emu_err(EmulatorError::Synapse {
                                synapse: synapses.len(),
                                source: e,
                            })
                        })?;
                    if let Some(l) = ds.learning {
                        syn = syn
                            .with_pes(PesParams {
                                tracing_tau: f64::from(l.tracing_tau),
                                tracing_mag: l.tracing_mag,
                                lr_int: l.lr_int,
                                lr_exp: l.lr_exp,
                                train_epoch: super::discretize::TRAIN_EPOCH as u64,
                                learn_epoch: super::discretize::LEARN_EPOCH as u64,
                                real_weight_exp: 6 + ds.weight_exp,
                                shift_bits: 1,
                            })
                            .map_err(|e| {
                                emu_err(EmulatorError::Synapse {
                                    synapse: synapses.len(),
                                    source: e,
                                })
                            })?;
                    }
                    synapses.push(eb.add_synapse(id, syn).map_err(emu_err)?);
                }
                list.push(Core {
                    id,
                    range,
                    discrete,
                    synapses,
                });
            }
            cores.push(list);
        }
        let inputs: Vec<InputId> = self
            .inputs
            .iter()
            .map(|(_, n)| eb.add_spike_input(*n))
            .collect();
        for a in &self.axons {
            let targets = cores.get(a.block).ok_or_else(|| {
                ChipError::Layout(format!("an axon targets missing block {}", a.block))
            })?;
            let n_src = self.source_len(a.source);
            if a.map.len() != n_src {
                return Err(ChipError::Layout(format!(
                    "an axon group into {} maps {} units of a source of {n_src}",
                    self.blocks[a.block].label,
                    a.map.len()
                )));
            }
            for (u, axon) in a.map.iter().enumerate() {
                let Some(axon) = *axon else { continue };
                let source = match a.source {
                    ChipSource::Input(i) => SpikeSource::Input {
                        input: inputs[i],
                        idx: u,
                    },
                    ChipSource::Block(b) => {
                        let core = cores[b]
                            .iter()
                            .find(|c| c.range.contains(&u))
                            .ok_or_else(|| ChipError::Layout(format!("unit {u} has no core")))?;
                        SpikeSource::Compartment {
                            block: core.id,
                            comp: u - core.range.start,
                        }
                    }
                };
                // A dense target: every core of the target block receives the spike.
                for core in targets {
                    let synapse = *core.synapses.get(a.synapse).ok_or_else(|| {
                        ChipError::Layout(format!(
                            "an axon targets missing synapse {} of {}",
                            a.synapse, self.blocks[a.block].label
                        ))
                    })?;
                    eb.add_axon(
                        source,
                        AxonTarget {
                            synapse,
                            axon_idx: axon,
                            atom: 0,
                        },
                    )
                    .map_err(|source| ChipError::Emulator {
                        block: self.blocks[a.block].label.clone(),
                        source,
                    })?;
                }
            }
        }
        let emulator = eb.build().map_err(|source| ChipError::Emulator {
            block: "the emulator".into(),
            source,
        })?;
        let probes = self
            .probes
            .iter()
            .map(|p| built_probe(p, &cores[p.block], &self.blocks[p.block]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BuiltChip {
            emulator,
            cores,
            inputs,
            probes,
        })
    }
}

/// The number of distinct target axons of an axon group's map.
fn distinct_axons(map: &[Option<usize>]) -> usize {
    let mut axons: Vec<usize> = map.iter().flatten().copied().collect();
    axons.sort_unstable();
    axons.dedup();
    axons.len()
}

/// The probe's parts per core: the core's block and its weights (`÷ v_scale` for a
/// weighted voltage probe).
fn built_probe(p: &ChipProbe, cores: &[Core], block: &ChipBlock) -> Result<BuiltProbe, ChipError> {
    let n = block.compartments.len();
    let width = p.weights.as_ref().map_or(n, |w| w.1);
    if let Some((w, width)) = &p.weights
        && w.len() != n * width
    {
        return Err(ChipError::Layout(format!(
            "a probe of {} has {} weights for {n} compartments × {width}",
            block.label,
            w.len()
        )));
    }
    let parts = cores
        .iter()
        .map(|c| {
            let weights = p.weights.as_ref().map(|(w, width)| {
                let v_scale = if p.key == ProbeKey::Voltage {
                    c.discrete.info.v_scale
                } else {
                    1.0
                };
                w[c.range.start * width..c.range.end * width]
                    .iter()
                    .map(|x| x / v_scale)
                    .collect()
            });
            (c.id, weights)
        })
        .collect();
    Ok(BuiltProbe {
        key: p.key,
        width,
        parts,
    })
}

/// Compartments `range` of a float block (`split_block` copies the per-compartment arrays).
fn sub_block(b: &FloatBlock, range: Range<usize>) -> FloatBlock {
    FloatBlock {
        decay_u: b.decay_u[range.clone()].to_vec(),
        decay_v: b.decay_v[range.clone()].to_vec(),
        refract_delay: b.refract_delay[range.clone()].to_vec(),
        vth: b.vth[range.clone()].to_vec(),
        bias: b.bias[range.clone()].to_vec(),
        enable_noise: b.enable_noise[range].to_vec(),
        ..b.clone()
    }
}

/// The emulator's per-compartment integers of a discretized core.
fn compartment_params(d: &DiscreteBlock) -> Vec<CompartmentParams> {
    (0..d.vth.len())
        .map(|i| CompartmentParams {
            decay_u: d.decay_u[i],
            decay_v: d.decay_v[i],
            vth: d.vth[i],
            bias: d.bias[i],
            refract_delay: d.refract_delay[i],
            vmin: d.vmin,
            vmax: d.vmax,
            noise: NoiseParams {
                enable: d.enable_noise[i],
                exp: d.noise_exp,
                offset: d.noise_offset,
                at_membrane: false,
            },
        })
        .collect()
}

impl BuiltChip {
    /// Runs one chip step.
    pub fn step(&mut self) {
        self.emulator.step();
    }

    /// Output width of probe `i`.
    pub fn probe_width(&self, i: usize) -> usize {
        self.probes.get(i).map_or(0, |p| p.width)
    }

    /// Probe `i` after the last step into `out` (`probe_width(i)` values): `state @ weights`
    /// summed over the block's cores (`split_probe` sums weighted outputs; the product runs
    /// over compartments in order, in `f64`), or the raw state concatenated. Spike flags read
    /// as 0 or 1.
    pub fn read_probe(&self, i: usize, out: &mut [f64]) {
        let Some(p) = self.probes.get(i) else { return };
        out.fill(0.0);
        let mut offset = 0;
        for (id, weights) in &p.parts {
            let Some(c) = self.emulator.block(*id) else {
                continue;
            };
            let value = |k: usize| -> f64 {
                match p.key {
                    ProbeKey::Voltage => f64::from(c.v()[k]),
                    ProbeKey::Current => f64::from(c.u()[k]),
                    ProbeKey::Spiked => f64::from(u8::from(c.spiked()[k])),
                }
            };
            match weights {
                Some(w) => {
                    for (k, row) in w.chunks_exact(p.width).enumerate() {
                        let x = value(k);
                        for (o, wk) in out.iter_mut().zip(row) {
                            *o += x * wk;
                        }
                    }
                }
                None => {
                    for k in 0..c.len() {
                        if let Some(o) = out.get_mut(offset + k) {
                            *o = value(k);
                        }
                    }
                    offset += c.len();
                }
            }
        }
    }
}
