//! Mapping a Loihi model onto chips: per-core resource limits, block splitting, Greedy core
//! allocation, validation, and a per-step time/energy **estimate**.
//!
//! The model is described by its resources only ([`ModelResources`]: blocks, their incoming
//! synapses and outgoing axons), independent of the emulator's internals. The rules are those
//! of NengoLoihi 1.1.0 (`tests/refs/loihi/README.md` §3 and §5):
//!
//! * limits: `nengo_loihi/block.py` (`MAX_COMPARTMENTS`, `MAX_IN_AXONS`, `MAX_OUT_AXONS`,
//!   `MAX_SYNAPSE_BITS`, `LoihiBlock.utilization`, `SynapseConfig.bits_per_axon`,
//!   `Synapse.bits`, `Axon.axon_slots`);
//! * splitting: `nengo_loihi/builder/split_blocks.py` (`split_block`, `split_synapse`,
//!   `split_axon`);
//! * validation: `nengo_loihi/builder/validate.py` (`validate_block`,
//!   `validate_synapse_cfg`);
//! * allocation: `nengo_loihi/hardware/allocators.py` (`Greedy`, `block_to_new_core`).
//!
//! Nothing here panics: [`Greedy::allocate`] always returns a [`MappingReport`] (every block
//! placed, every broken limit listed as a [`Violation`]); [`validate`] turns the first
//! violation into a [`MappingError`].
//!
//! The cost model ([`estimate_step_cost`]) uses the per-operation figures of Davies et al.
//! 2018 ([`CostFigures::DAVIES_2018`]); its output is an estimate, never a measurement.

use std::fmt;

use thiserror::Error;

/// Compartments per core: `nengo_loihi/block.py::MAX_COMPARTMENTS = 1024`.
pub const MAX_COMPARTMENTS: usize = 1024;
/// Input axons per core (sum of `synapse.n_axons`): `block.py::MAX_IN_AXONS = 4096`.
pub const MAX_IN_AXONS: usize = 4096;
/// Output axon slots per core (pop32 axons take 2): `block.py::MAX_OUT_AXONS = 4096`.
pub const MAX_OUT_AXONS: usize = 4096;
/// Weight-memory bits per core: `block.py::MAX_SYNAPSE_BITS = 16384 * 64` (1,048,576).
pub const MAX_SYNAPSE_BITS: u64 = 16384 * 64;
/// Neurocores per Loihi chip: `hardware/allocators.py::Greedy(cores_per_chip=128)`, which
/// raises `ValueError` above 128.
pub const CORES_PER_CHIP: usize = 128;
/// Smallest `weight_exp` accepted by `builder/validate.py::validate_synapse_cfg`.
pub const MIN_WEIGHT_EXP: i32 = -7;
/// Largest `weight_exp` accepted by `builder/validate.py::validate_synapse_cfg`.
pub const MAX_WEIGHT_EXP: i32 = 7;
/// Compartment bases must be `< 256` (`validate.py::validate_synapse`; -1 = unused axon).
pub const MAX_COMPARTMENT_BASE: i64 = 256;
/// `SynapseConfig.INDEX_BITS_MAP` (`block.py`): stored index bits for each `idx_bits` code.
pub const INDEX_BITS_MAP: [u32; 8] = [0, 6, 7, 8, 9, 10, 11, 12];
/// `SynapseConfig.WEIGHT_BITS_MAP` (`block.py`): stored weight bits for each `weight_bits` code.
pub const WEIGHT_BITS_MAP: [u32; 8] = [0, 1, 2, 3, 4, 5, 6, 8];
/// Per-group header: synapse-format index bits (`bits_per_axon`'s `synapse_idx_bits = 4`).
pub const SYNAPSE_FMT_IDX_BITS: u64 = 4;
/// Per-group header: synapse-count bits (`bits_per_axon`'s `n_synapses_bits = 6`).
pub const N_SYNAPSES_BITS: u64 = 6;
/// Size of one synapse-memory word; each group is rounded up to whole words (`bits_per_axon`).
pub const SYNAPSE_WORD_BITS: u64 = 64;

// ---------------------------------------------------------------------------------------
// Errors and violations
// ---------------------------------------------------------------------------------------

/// A mapping failure, named after NengoLoihi's `BuildError` messages
/// (`builder/validate.py`) where one exists.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MappingError {
    /// A count above its per-core limit, e.g. `LoihiBlock(x): Input axons (10000) exceeded
    /// max (4096)` (`validate.py::validate_block`).
    #[error("{object}: {limit} ({value}) exceeded max ({max})")]
    Exceeded {
        /// The block, compartment group, synapse or allocator concerned.
        object: String,
        /// The limit, as NengoLoihi names it.
        limit: &'static str,
        /// The value found.
        value: i64,
        /// The largest value allowed.
        max: i64,
    },
    /// A field below its allowed range (`validate.py::validate_synapse_cfg`).
    #[error("{object}: {limit} ({value}) below min ({min})")]
    BelowMin {
        /// The synapse concerned.
        object: String,
        /// The field.
        limit: &'static str,
        /// The value found.
        value: i64,
        /// The smallest value allowed.
        min: i64,
    },
    /// A value NengoLoihi does not implement (e.g. `compression` other than 0 or 3:
    /// `SynapseConfig.bits_per_axon` raises `NotImplementedError`).
    #[error("{object}: {limit} ({value}) not supported")]
    Unsupported {
        /// The synapse concerned.
        object: String,
        /// The field.
        limit: &'static str,
        /// The value found.
        value: i64,
    },
}

/// One broken limit, recorded in a [`MappingReport`] instead of aborting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `LoihiBlock(label)`, `Compartment(label)`, `Synapse(label)` (as NengoLoihi prints
    /// them) or `Greedy` for the allocator.
    pub object: String,
    /// The limit's name, as in NengoLoihi's message (`"Input axons"`, `"weight_exp"`, ...).
    pub limit: &'static str,
    /// The value found.
    pub value: i64,
    /// The smallest allowed value (0 for counts).
    pub min: i64,
    /// The largest allowed value (inclusive).
    pub max: i64,
}

impl Violation {
    fn exceeded(object: String, limit: &'static str, value: i64, max: i64) -> Self {
        Self {
            object,
            limit,
            value,
            min: 0,
            max,
        }
    }

    fn range(object: &str, limit: &'static str, value: i64, min: i64, max: i64) -> Option<Self> {
        (value < min || value > max).then(|| Self {
            object: object.to_string(),
            limit,
            value,
            min,
            max,
        })
    }

    /// The matching [`MappingError`].
    pub fn to_error(&self) -> MappingError {
        if self.value > self.max {
            MappingError::Exceeded {
                object: self.object.clone(),
                limit: self.limit,
                value: self.value,
                max: self.max,
            }
        } else if self.value < self.min {
            MappingError::BelowMin {
                object: self.object.clone(),
                limit: self.limit,
                value: self.value,
                min: self.min,
            }
        } else {
            MappingError::Unsupported {
                object: self.object.clone(),
                limit: self.limit,
                value: self.value,
            }
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_error())
    }
}

// ---------------------------------------------------------------------------------------
// Resource description
// ---------------------------------------------------------------------------------------

/// Axon population type of a synapse (`Synapse.pop_type` in `block.py`: 0, 16 or 32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PopType {
    /// Discrete axons (`pop_type = 0`), one axon slot each.
    #[default]
    Discrete,
    /// Population axons, 16-bit spikes (`pop_type = 16`), one slot each.
    Pop16,
    /// Population axons, 32-bit spikes (`pop_type = 32`), two slots each.
    Pop32,
}

impl PopType {
    /// `Axon.slots_per_axon`: `2 if pop_type == 32 else 1` (`block.py`).
    pub fn slots_per_axon(self) -> usize {
        match self {
            Self::Pop32 => 2,
            Self::Discrete | Self::Pop16 => 1,
        }
    }
}

/// The `SynapseConfig` fields (`block.py`) that set weight-memory cost and validity.
///
/// [`Default`] is the format `Synapse._set_weights_indices` + `set_weights` give every dense
/// NengoLoihi connection: `weight_bits = 7` (8 real bits), `n_synapses = 63`,
/// `fanout_type = 1` (mixed sign), `compression = 3` (dense), `idx_bits = 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynapseFormat {
    /// Weight exponent (`weight_exp`), `-7..=7`.
    pub weight_exp: i32,
    /// Tag bits per weight (`tag_bits`), `0..4`.
    pub tag_bits: u32,
    /// Delay bits per weight (`delay_bits`), `0..8`.
    pub delay_bits: u32,
    /// Weight-bits code (`weight_bits`, `1..8`), stored width `WEIGHT_BITS_MAP[weight_bits]`.
    pub weight_bits: u32,
    /// Synapses per memory group minus one (`n_synapses`; NengoLoihi uses 63 → groups of 64).
    pub n_synapses: u32,
    /// `idx_offset`, `0..16`.
    pub idx_offset: u32,
    /// `idx_mult`, `0..16`.
    pub idx_mult: u32,
    /// Index-bits code (`idx_bits`, `0..8`), stored width `INDEX_BITS_MAP[idx_bits]`.
    pub idx_bits: u32,
    /// `fanout_type`, `1..4` (1 = mixed sign).
    pub fanout_type: u32,
    /// `compression`: 3 = dense (no index stored), 0 = sparse (index stored per weight).
    pub compression: u32,
}

impl Default for SynapseFormat {
    fn default() -> Self {
        Self {
            weight_exp: 0,
            tag_bits: 0,
            delay_bits: 0,
            weight_bits: 7,
            n_synapses: 63,
            idx_offset: 0,
            idx_mult: 0,
            idx_bits: 1,
            fanout_type: 1,
            compression: 3,
        }
    }
}

impl SynapseFormat {
    /// `SynapseConfig.real_weight_bits = WEIGHT_BITS_MAP[weight_bits]`; `None` if the code is
    /// outside the map.
    pub fn real_weight_bits(&self) -> Option<u32> {
        WEIGHT_BITS_MAP.get(self.weight_bits as usize).copied()
    }

    /// `SynapseConfig.real_idx_bits = INDEX_BITS_MAP[idx_bits]`; `None` if outside the map.
    pub fn real_idx_bits(&self) -> Option<u32> {
        INDEX_BITS_MAP.get(self.idx_bits as usize).copied()
    }

    /// Weight-memory bits of one weight entry holding `n_weights` weights, exactly as
    /// `SynapseConfig.bits_per_axon` (`block.py`):
    ///
    /// `bits_per_weight = real_weight_bits + delay_bits + tag_bits (+ real_idx_bits if
    /// compression == 0)`; the weights go in groups of `n_synapses + 1` (64), each group costs
    /// `n * bits_per_weight + 4 + 6` bits rounded up to whole 64-bit words.
    /// Examples: 2 weights → 64 bits, 50 weights → 448 bits.
    ///
    /// # Errors
    /// [`MappingError::Unsupported`] for a compression other than 0 or 3 (NengoLoihi raises
    /// `NotImplementedError`) or a `weight_bits`/`idx_bits` code outside its map.
    pub fn bits_per_axon(&self, n_weights: usize) -> Result<u64, MappingError> {
        let unsupported = |limit, value: u32| MappingError::Unsupported {
            object: "SynapseConfig".to_string(),
            limit,
            value: i64::from(value),
        };
        let weight = self
            .real_weight_bits()
            .ok_or_else(|| unsupported("weight_bits", self.weight_bits))?;
        let mut bits_per_weight =
            u64::from(weight) + u64::from(self.delay_bits) + u64::from(self.tag_bits);
        match self.compression {
            0 => {
                let idx = self
                    .real_idx_bits()
                    .ok_or_else(|| unsupported("idx_bits", self.idx_bits))?;
                bits_per_weight += u64::from(idx);
            }
            3 => {}
            other => return Err(unsupported("compression", other)),
        }
        let per_group = u64::from(self.n_synapses) + 1;
        let n = n_weights as u64;
        let full = n / per_group;
        let rest = n % per_group;
        let group = |k: u64| {
            let bits = k * bits_per_weight + SYNAPSE_FMT_IDX_BITS + N_SYNAPSES_BITS;
            bits.div_ceil(SYNAPSE_WORD_BITS) * SYNAPSE_WORD_BITS
        };
        Ok(full * group(per_group) + if rest > 0 { group(rest) } else { 0 })
    }

    /// The checks of `builder/validate.py::validate_synapse_cfg` (there `assert`s), as
    /// violations of `object`: `-7 <= weight_exp <= 7`, `0 <= tag_bits < 4`,
    /// `0 <= delay_bits < 8`, `1 <= weight_bits < 8`, `0 <= idx_offset < 16`,
    /// `0 <= idx_mult < 16`, `0 <= idx_bits < 8`, `1 <= fanout_type < 4`; plus
    /// `compression` in {0, 3} (`bits_per_axon`).
    pub fn violations(&self, object: &str) -> Vec<Violation> {
        let u = i64::from;
        let mut out: Vec<Violation> = [
            Violation::range(
                object,
                "weight_exp",
                i64::from(self.weight_exp),
                MIN_WEIGHT_EXP.into(),
                MAX_WEIGHT_EXP.into(),
            ),
            Violation::range(object, "tag_bits", u(self.tag_bits), 0, 3),
            Violation::range(object, "delay_bits", u(self.delay_bits), 0, 7),
            Violation::range(object, "weight_bits", u(self.weight_bits), 1, 7),
            Violation::range(object, "idx_offset", u(self.idx_offset), 0, 15),
            Violation::range(object, "idx_mult", u(self.idx_mult), 0, 15),
            Violation::range(object, "idx_bits", u(self.idx_bits), 0, 7),
            Violation::range(object, "fanout_type", u(self.fanout_type), 1, 3),
        ]
        .into_iter()
        .flatten()
        .collect();
        if self.compression != 0 && self.compression != 3 {
            out.push(Violation {
                object: object.to_string(),
                limit: "compression",
                value: u(self.compression),
                min: 0,
                max: 3,
            });
        }
        out
    }
}

/// One weight entry of a synapse (`Synapse.weights[k]` in `block.py`, shape
/// `(n_atoms, n_targets)`); its memory cost is `bits_per_axon(n_atoms * n_targets)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightEntry {
    /// Populations (atoms): 1 for discrete axons.
    pub n_atoms: usize,
    /// Target compartments of each atom.
    pub n_targets: usize,
}

impl WeightEntry {
    /// `w.size` = `n_atoms * n_targets`.
    pub fn size(&self) -> usize {
        self.n_atoms.saturating_mul(self.n_targets)
    }
}

/// An incoming synapse of a block (`block.py::Synapse`), as resources.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapseResources {
    /// The synapse label (`Synapse.label`), e.g. `"decoders"`.
    pub label: String,
    /// Input axons (`Synapse.n_axons`); counted against [`MAX_IN_AXONS`].
    pub n_axons: usize,
    /// Axon type of the spikes arriving here.
    pub pop_type: PopType,
    /// The synapse format.
    pub format: SynapseFormat,
    /// Weight entries (one per axon unless weights are shared via `axon_to_weight_map`).
    pub weights: Vec<WeightEntry>,
    /// `axon_compartment_bases` (population synapses), `None` for discrete synapses.
    pub compartment_bases: Option<Vec<i64>>,
}

impl SynapseResources {
    /// A dense discrete synapse (`Synapse.set_weights` with an `(n_axons, n_targets)` matrix):
    /// `n_axons` entries of `1 × n_targets` weights, default format.
    pub fn dense(label: impl Into<String>, n_axons: usize, n_targets: usize) -> Self {
        Self {
            label: label.into(),
            n_axons,
            pop_type: PopType::Discrete,
            format: SynapseFormat::default(),
            weights: vec![
                WeightEntry {
                    n_atoms: 1,
                    n_targets
                };
                n_axons
            ],
            compartment_bases: None,
        }
    }

    /// `Synapse.bits()` = `sum(bits_per_axon(w.size) for w in weights)` (`block.py`).
    ///
    /// # Errors
    /// As [`SynapseFormat::bits_per_axon`], with the synapse named.
    pub fn bits(&self) -> Result<u64, MappingError> {
        let mut total = 0u64;
        for w in &self.weights {
            total =
                total.saturating_add(self.format.bits_per_axon(w.size()).map_err(|e| match e {
                    MappingError::Unsupported { limit, value, .. } => MappingError::Unsupported {
                        object: self.object_name(),
                        limit,
                        value,
                    },
                    other => other,
                })?);
        }
        Ok(total)
    }

    /// `Synapse(label)`, as NengoLoihi prints it.
    pub fn object_name(&self) -> String {
        format!("Synapse({})", self.label)
    }
}

/// An outgoing axon group of a block (`block.py::Axon`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputAxons {
    /// Index (in [`ModelResources::blocks`]) of the block owning the target synapse, if on
    /// chip; used by [`ModelResources::split`] to re-point axons at split targets.
    pub target_block: Option<usize>,
    /// Distinct target axons (`Axon.n_axons`).
    pub n_axons: usize,
    /// The target synapse's `pop_type`.
    pub pop_type: PopType,
}

impl OutputAxons {
    /// `Axon.axon_slots()` = `slots_per_axon * n_axons` (pop32 = 2 slots per axon).
    pub fn axon_slots(&self) -> usize {
        self.pop_type.slots_per_axon().saturating_mul(self.n_axons)
    }
}

/// A block (`block.py::LoihiBlock`) as resources: compartments, incoming synapses, outgoing
/// axons.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockResources {
    /// `LoihiBlock.label`, e.g. `<Ensemble 'A'>`.
    pub label: String,
    /// Compartments (`compartment.n_compartments`).
    pub n_compartments: usize,
    /// Incoming synapses.
    pub synapses: Vec<SynapseResources>,
    /// Outgoing axon groups.
    pub axons: Vec<OutputAxons>,
}

impl BlockResources {
    /// A block with no synapses or axons yet.
    pub fn new(label: impl Into<String>, n_compartments: usize) -> Self {
        Self {
            label: label.into(),
            n_compartments,
            synapses: Vec::new(),
            axons: Vec::new(),
        }
    }

    /// Input axons: `sum(s.n_axons for s in block.synapses)` (`LoihiBlock.utilization`).
    pub fn n_in_axons(&self) -> usize {
        self.synapses.iter().map(|s| s.n_axons).sum()
    }

    /// Output axon slots: `sum(a.axon_slots() for a in block.axons)`.
    pub fn n_out_axons(&self) -> usize {
        self.axons.iter().map(OutputAxons::axon_slots).sum()
    }

    /// Synapse bits: `sum(s.bits() for s in block.synapses)`; synapses whose format cannot
    /// be costed count 0 here (they are reported as violations).
    pub fn synapse_bits(&self) -> u64 {
        self.synapses.iter().filter_map(|s| s.bits().ok()).sum()
    }

    /// `LoihiBlock(label)`, as NengoLoihi prints it in `validate_block` messages.
    pub fn object_name(&self) -> String {
        format!("LoihiBlock({})", self.label)
    }

    /// Every limit this block breaks, in `validate_block` order: compartments
    /// (`validate_compartment`, object `Compartment(label)`), output axons, input axons,
    /// synapse bits, then each synapse's format (`validate_synapse_cfg`) and compartment
    /// bases (`-1 <= base < 256`).
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let block = self.object_name();
        let count = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        if self.n_compartments > MAX_COMPARTMENTS {
            out.push(Violation::exceeded(
                format!("Compartment({})", self.label),
                "Number of compartments",
                count(self.n_compartments),
                count(MAX_COMPARTMENTS),
            ));
        }
        if self.n_out_axons() > MAX_OUT_AXONS {
            out.push(Violation::exceeded(
                block.clone(),
                "Output axons",
                count(self.n_out_axons()),
                count(MAX_OUT_AXONS),
            ));
        }
        if self.n_in_axons() > MAX_IN_AXONS {
            out.push(Violation::exceeded(
                block.clone(),
                "Input axons",
                count(self.n_in_axons()),
                count(MAX_IN_AXONS),
            ));
        }
        let bits = self.synapse_bits();
        if bits > MAX_SYNAPSE_BITS {
            out.push(Violation::exceeded(
                block,
                "Total synapse bits",
                i64::try_from(bits).unwrap_or(i64::MAX),
                i64::try_from(MAX_SYNAPSE_BITS).unwrap_or(i64::MAX),
            ));
        }
        for s in &self.synapses {
            let name = s.object_name();
            out.extend(s.format.violations(&name));
            if let Some(bases) = &s.compartment_bases {
                out.extend(
                    bases
                        .iter()
                        .filter_map(|&b| {
                            Violation::range(
                                &name,
                                "compartment base",
                                b,
                                -1,
                                MAX_COMPARTMENT_BASE - 1,
                            )
                        })
                        .take(1),
                );
            }
        }
        out
    }
}

/// A whole on-chip model as resources: blocks in `model.blocks` order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelResources {
    /// The blocks, in the order NengoLoihi allocates them.
    pub blocks: Vec<BlockResources>,
}

// ---------------------------------------------------------------------------------------
// Splitting
// ---------------------------------------------------------------------------------------

/// One contiguous piece of a split block: compartments `start..end` of the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitChunk {
    /// `label[i0:i1:1]` (or `label[i0:i0+1]` for one compartment; the original label when
    /// the block is not split), as `split_blocks.py::split_block` names new blocks.
    pub label: String,
    /// First compartment (inclusive).
    pub start: usize,
    /// Last compartment (exclusive).
    pub end: usize,
}

impl SplitChunk {
    /// Compartments in this chunk.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the chunk holds no compartments.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// How `split_blocks.py::split_block` breaks a block (with no user `BlockShape`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPlan {
    /// `n_split = max(ceil(n_comp/1024), ceil(n_in_axons/4096), ceil(n_out_axons/4096),
    /// ceil(synapse_bits/MAX_SYNAPSE_BITS))`, at least 1.
    pub n_split: usize,
    /// `ceil(n_comp / n_split)` compartments per chunk.
    pub chunk_size: usize,
    /// The chunks (there are `ceil(n_comp / chunk_size)`, which may be fewer than `n_split`,
    /// e.g. a 2-compartment probe block with 10000 input axons: `n_split` 3, 2 chunks of 1).
    pub chunks: Vec<SplitChunk>,
    /// The limits whose ratio set `n_split` (empty when the block fits).
    pub limiting: Vec<&'static str>,
}

/// NengoLoihi's `split_block` rule (`builder/split_blocks.py`): `n_split` as in
/// [`SplitPlan::n_split`], then contiguous chunks of `ceil(n_comp / n_split)` compartments
/// (1500 → 750 + 750; 10000 → 10 × 1000). Splitting happens before discretization.
pub fn split_plan(block: &BlockResources) -> SplitPlan {
    let n = block.n_compartments;
    let ratios: [(&'static str, u64); 4] = [
        (
            "Number of compartments",
            (n as u64).div_ceil(MAX_COMPARTMENTS as u64),
        ),
        (
            "Input axons",
            (block.n_in_axons() as u64).div_ceil(MAX_IN_AXONS as u64),
        ),
        (
            "Output axons",
            (block.n_out_axons() as u64).div_ceil(MAX_OUT_AXONS as u64),
        ),
        (
            "Total synapse bits",
            block.synapse_bits().div_ceil(MAX_SYNAPSE_BITS),
        ),
    ];
    let n_split = ratios.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let limiting = if n_split > 1 {
        ratios
            .iter()
            .filter(|r| r.1 == n_split)
            .map(|r| r.0)
            .collect()
    } else {
        Vec::new()
    };
    let n_split = usize::try_from(n_split).unwrap_or(usize::MAX);
    let chunk_size = n.div_ceil(n_split).max(1);
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (start + chunk_size).min(n);
        chunks.push(SplitChunk {
            label: String::new(),
            start,
            end,
        });
        start = end;
    }
    if chunks.len() <= 1 {
        chunks = vec![SplitChunk {
            label: block.label.clone(),
            start: 0,
            end: n,
        }];
    } else {
        for c in &mut chunks {
            c.label = if c.len() > 1 {
                format!("{}[{}:{}:1]", block.label, c.start, c.end)
            } else {
                format!("{}[{}:{}]", block.label, c.start, c.end)
            };
        }
    }
    SplitPlan {
        n_split,
        chunk_size,
        chunks,
        limiting,
    }
}

/// Result of [`ModelResources::split`].
#[derive(Debug, Clone, PartialEq)]
pub struct SplitModel {
    /// The split model (blocks in `split_model` order: each block replaced by its chunks).
    pub model: ModelResources,
    /// The plan of each original block.
    pub plans: Vec<SplitPlan>,
    /// For each new block, the original block it came from.
    pub origin: Vec<usize>,
    /// `true` when every split synapse was dense over its whole block and every split axon
    /// group was identity-mapped, so the new resources are exact; otherwise they are upper
    /// bounds (see [`ModelResources::split`]).
    pub exact: bool,
}

impl ModelResources {
    /// `builder/split_blocks.py::split_model` on resources.
    ///
    /// Each block is cut by [`split_plan`]. For a split block, `split_synapse` keeps the
    /// axons that touch each chunk and only the weights onto it: a dense synapse (every entry
    /// targets all `n_comp` compartments, no compartment bases) gives each chunk all its
    /// axons with `n_atoms × chunk_len` weights each (exact). Other synapses keep all axons
    /// with `min(n_targets, chunk_len)` targets (an upper bound). `split_axon` gives a split
    /// source block's chunk `min(n_axons, chunk_len)` axons per group (exact for
    /// identity-mapped axons), and turns a group aimed at a split target into one group per
    /// target chunk (all target chunks receive it, as for a dense target). NengoLoihi's
    /// de-duplication of identical weight rows after splitting is not modelled (bits are an
    /// upper bound there).
    pub fn split(&self) -> SplitModel {
        let plans: Vec<SplitPlan> = self.blocks.iter().map(split_plan).collect();
        let mut exact = true;
        let mut model = ModelResources::default();
        let mut origin = Vec::new();
        for (bi, (block, plan)) in self.blocks.iter().zip(&plans).enumerate() {
            let split = plan.chunks.len() > 1;
            for chunk in &plan.chunks {
                let len = chunk.len();
                let synapses = block
                    .synapses
                    .iter()
                    .map(|s| {
                        if !split {
                            return s.clone();
                        }
                        let dense = s.compartment_bases.is_none()
                            && s.weights
                                .iter()
                                .all(|w| w.n_targets == block.n_compartments);
                        exact &= dense;
                        let mut s2 = s.clone();
                        s2.label = format!("{}[{}]", s.label, plan_index(plan, chunk));
                        for w in &mut s2.weights {
                            w.n_targets = if dense { len } else { w.n_targets.min(len) };
                        }
                        s2
                    })
                    .collect();
                let mut axons = Vec::new();
                for a in &block.axons {
                    let n_axons = if split {
                        exact &= a.n_axons == block.n_compartments;
                        a.n_axons.min(len)
                    } else {
                        a.n_axons
                    };
                    let copies = a
                        .target_block
                        .and_then(|t| plans.get(t))
                        .map_or(1, |p| p.chunks.len());
                    for _ in 0..copies {
                        axons.push(OutputAxons {
                            target_block: a.target_block,
                            n_axons,
                            pop_type: a.pop_type,
                        });
                    }
                }
                model.blocks.push(BlockResources {
                    label: chunk.label.clone(),
                    n_compartments: len,
                    synapses,
                    axons,
                });
                origin.push(bi);
            }
        }
        // Re-point target indices at the first chunk of each split target.
        let first_new: Vec<usize> = (0..self.blocks.len())
            .map(|b| origin.iter().position(|&o| o == b).unwrap_or(0))
            .collect();
        for b in &mut model.blocks {
            for a in &mut b.axons {
                a.target_block = a.target_block.and_then(|t| first_new.get(t).copied());
            }
        }
        SplitModel {
            model,
            plans,
            origin,
            exact,
        }
    }
}

fn plan_index(plan: &SplitPlan, chunk: &SplitChunk) -> usize {
    plan.chunks
        .iter()
        .position(|c| c.start == chunk.start)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Allocation and the report
// ---------------------------------------------------------------------------------------

/// Resources of one core (one block per core under [`Greedy`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CoreUsage {
    /// Chip index.
    pub chip: usize,
    /// Core index within the chip.
    pub core: usize,
    /// Index of the block in [`ModelResources::blocks`].
    pub block_index: usize,
    /// The block's label.
    pub block: String,
    /// Compartments used (of [`MAX_COMPARTMENTS`]).
    pub compartments: usize,
    /// Input axons used (of [`MAX_IN_AXONS`]).
    pub in_axons: usize,
    /// Output axon slots used (of [`MAX_OUT_AXONS`]).
    pub out_axons: usize,
    /// Weight-memory bits used (of [`MAX_SYNAPSE_BITS`]).
    pub synapse_bits: u64,
}

impl CoreUsage {
    /// Compartments / [`MAX_COMPARTMENTS`].
    pub fn compartment_fraction(&self) -> f64 {
        self.compartments as f64 / MAX_COMPARTMENTS as f64
    }
    /// Input axons / [`MAX_IN_AXONS`].
    pub fn in_axon_fraction(&self) -> f64 {
        self.in_axons as f64 / MAX_IN_AXONS as f64
    }
    /// Output axon slots / [`MAX_OUT_AXONS`].
    pub fn out_axon_fraction(&self) -> f64 {
        self.out_axons as f64 / MAX_OUT_AXONS as f64
    }
    /// Synapse bits / [`MAX_SYNAPSE_BITS`].
    pub fn synapse_fraction(&self) -> f64 {
        self.synapse_bits as f64 / MAX_SYNAPSE_BITS as f64
    }
}

/// Cores used on one chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChipUsage {
    /// Chip index.
    pub chip: usize,
    /// Cores used (of `cores_per_chip`).
    pub cores_used: usize,
    /// Compartments on the chip.
    pub compartments: usize,
}

/// The mapping of a model onto chips: always produced, also when limits are broken.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingReport {
    /// One entry per core used, in allocation order.
    pub cores: Vec<CoreUsage>,
    /// One entry per chip used.
    pub chips: Vec<ChipUsage>,
    /// Cores per chip the allocator used.
    pub cores_per_chip: usize,
    /// Chips available (`n_chips` of the allocator call).
    pub n_chips: usize,
    /// Every broken limit, block by block, then the allocator's.
    pub violations: Vec<Violation>,
}

/// `hardware/allocators.py::Greedy`: one block per core, in `model.blocks` order, filling
/// chip 0, then chip 1, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Greedy {
    /// Cores to use per chip (NengoLoihi's default 128; more raises `ValueError`).
    pub cores_per_chip: usize,
    /// Chips available (`n_chips`); needing more fails NengoLoihi's assertion
    /// "The network needs more chips than requested".
    pub n_chips: usize,
}

impl Default for Greedy {
    /// 128 cores per chip, one chip.
    fn default() -> Self {
        Self {
            cores_per_chip: CORES_PER_CHIP,
            n_chips: 1,
        }
    }
}

impl Greedy {
    /// Places every block (even past the limits, so the report is complete) and lists the
    /// violations: each block's ([`BlockResources::violations`]; `block_to_new_core` also
    /// rejects > 1024 compartments), `cores_per_chip > 128`, and chips needed > `n_chips`
    /// (object: the first block that does not fit).
    pub fn allocate(&self, model: &ModelResources) -> MappingReport {
        let per_chip = self.cores_per_chip.max(1);
        let mut violations = Vec::new();
        let mut cores = Vec::with_capacity(model.blocks.len());
        let mut chips: Vec<ChipUsage> = Vec::new();
        let mut overflow: Option<String> = None;
        for (i, block) in model.blocks.iter().enumerate() {
            violations.extend(block.violations());
            let chip = i / per_chip;
            if chip >= self.n_chips && overflow.is_none() {
                overflow = Some(block.object_name());
            }
            if chips.len() <= chip {
                chips.push(ChipUsage {
                    chip,
                    cores_used: 0,
                    compartments: 0,
                });
            }
            if let Some(c) = chips.last_mut() {
                c.cores_used += 1;
                c.compartments += block.n_compartments;
            }
            cores.push(CoreUsage {
                chip,
                core: i % per_chip,
                block_index: i,
                block: block.label.clone(),
                compartments: block.n_compartments,
                in_axons: block.n_in_axons(),
                out_axons: block.n_out_axons(),
                synapse_bits: block.synapse_bits(),
            });
        }
        let count = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        if self.cores_per_chip > CORES_PER_CHIP {
            violations.push(Violation::exceeded(
                "Greedy".to_string(),
                "Cores per chip",
                count(self.cores_per_chip),
                count(CORES_PER_CHIP),
            ));
        }
        if let Some(object) = overflow {
            violations.push(Violation::exceeded(
                object,
                "Chips",
                count(chips.len()),
                count(self.n_chips),
            ));
        }
        MappingReport {
            cores,
            chips,
            cores_per_chip: self.cores_per_chip,
            n_chips: self.n_chips,
            violations,
        }
    }
}

/// [`Greedy::default`] (128 cores per chip, one chip) applied to `model`.
pub fn allocate_greedy(model: &ModelResources) -> MappingReport {
    Greedy::default().allocate(model)
}

/// `Ok` when the report has no violation; otherwise the first one as a [`MappingError`]
/// (the order `builder/validate.py::validate_model` would raise them in).
///
/// # Errors
/// The first [`Violation`] of `report`.
pub fn validate(report: &MappingReport) -> Result<(), MappingError> {
    report
        .violations
        .first()
        .map_or(Ok(()), |v| Err(v.to_error()))
}

impl MappingReport {
    /// Whether every limit holds.
    pub fn fits(&self) -> bool {
        self.violations.is_empty()
    }

    /// `builder/builder.py::Model.utilization_summary` lines:
    /// `LoihiBlock(label): 1.0% compartments, 0.0% in-axons, 0.2% out-axons, 0.0% synapses`
    /// per block, then `Average (N blocks): ...` (mean of the fractions).
    pub fn utilization_summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut sums = [0.0f64; 4];
        for c in &self.cores {
            let f = [
                c.compartment_fraction(),
                c.in_axon_fraction(),
                c.out_axon_fraction(),
                c.synapse_fraction(),
            ];
            for (s, v) in sums.iter_mut().zip(f) {
                *s += v;
            }
            lines.push(format!("LoihiBlock({}): {}", c.block, util_line(f)));
        }
        let n = self.cores.len().max(1) as f64;
        lines.push(format!(
            "Average ({} blocks): {}",
            self.cores.len(),
            util_line(sums.map(|s| s / n))
        ));
        lines
    }
}

fn util_line(f: [f64; 4]) -> String {
    format!(
        "{:.1}% compartments, {:.1}% in-axons, {:.1}% out-axons, {:.1}% synapses",
        100.0 * f[0],
        100.0 * f[1],
        100.0 * f[2],
        100.0 * f[3]
    )
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let head: String = s.chars().take(n.saturating_sub(1)).collect();
        format!("{head}…")
    }
}

impl fmt::Display for MappingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Loihi mapping (NengoLoihi 1.1.0 rules: block.py limits, Greedy allocator, \
             {} cores/chip, {} chip(s) available)",
            self.cores_per_chip, self.n_chips
        )?;
        writeln!(
            f,
            "{:>4} {:>4}  {:<40} {:>16} {:>16} {:>16} {:>22}",
            "chip", "core", "block", "compartments", "in-axons", "out-axons", "synapse bits"
        )?;
        for c in &self.cores {
            writeln!(
                f,
                "{:>4} {:>4}  {:<40} {:>16} {:>16} {:>16} {:>22}",
                c.chip,
                c.core,
                shorten(&c.block, 40),
                format!(
                    "{} ({:.1}%)",
                    c.compartments,
                    100.0 * c.compartment_fraction()
                ),
                format!("{} ({:.1}%)", c.in_axons, 100.0 * c.in_axon_fraction()),
                format!("{} ({:.1}%)", c.out_axons, 100.0 * c.out_axon_fraction()),
                format!("{} ({:.1}%)", c.synapse_bits, 100.0 * c.synapse_fraction()),
            )?;
        }
        writeln!(
            f,
            "limits per core: {MAX_COMPARTMENTS} compartments, {MAX_IN_AXONS} in-axons, \
             {MAX_OUT_AXONS} out-axons, {MAX_SYNAPSE_BITS} synapse bits"
        )?;
        for c in &self.chips {
            writeln!(
                f,
                "chip {}: {}/{} cores used, {} compartments",
                c.chip, c.cores_used, self.cores_per_chip, c.compartments
            )?;
        }
        if self.violations.is_empty() {
            writeln!(f, "violations: none")?;
        } else {
            writeln!(f, "violations ({}):", self.violations.len())?;
            for v in &self.violations {
                writeln!(f, "  {v}")?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Per-step cost estimate
// ---------------------------------------------------------------------------------------

/// Where the per-operation figures come from.
pub const COST_SOURCE: &str = "Davies et al. 2018, \"Loihi: A Neuromorphic Manycore Processor \
with On-Chip Learning\", IEEE Micro 38(1):82-99, table of pre-silicon (SDF/SPICE) energy and \
timing figures (numbered Table 2 in the published paper), transcribed from secondary sources, \
not checked against the PDF";

/// Per-operation energy and time figures of a Loihi chip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostFigures {
    /// Energy per synaptic spike op (min), J.
    pub synaptic_op_energy: f64,
    /// Time per synaptic spike op (max), s.
    pub synaptic_op_time: f64,
    /// Energy per synaptic update (pairwise STDP), J.
    pub synaptic_update_energy: f64,
    /// Time per synaptic update (pairwise STDP), s.
    pub synaptic_update_time: f64,
    /// Energy per neuron update, active compartment, J.
    pub neuron_update_active_energy: f64,
    /// Energy per neuron update, inactive compartment, J.
    pub neuron_update_inactive_energy: f64,
    /// Time per neuron update, active, s.
    pub neuron_update_active_time: f64,
    /// Time per neuron update, inactive, s.
    pub neuron_update_inactive_time: f64,
    /// Within-tile spike energy, J.
    pub spike_energy: f64,
    /// Within-tile spike latency, s.
    pub spike_time: f64,
    /// Mesh-wide barrier sync time for 1 tile, s.
    pub barrier_sync_1_tile: f64,
    /// Mesh-wide barrier sync time for 32 tiles (a full chip), s.
    pub barrier_sync_32_tiles: f64,
    /// Cores per tile (128 cores / 32 tiles).
    pub cores_per_tile: usize,
}

impl CostFigures {
    /// Davies et al. 2018 ([`COST_SOURCE`]): synaptic spike op 23.6 pJ (min) / 3.5 ns (max);
    /// synaptic update (pairwise STDP) 120 pJ / 6.1 ns; neuron update active/inactive
    /// 81 pJ / 52 pJ and 8.4 ns / 5.3 ns; within-tile spike 1.7 pJ / 2.1 ns; mesh-wide
    /// barrier sync 113–465 ns for 1–32 tiles. Pre-silicon simulation figures, so every
    /// result computed from them is an estimate.
    pub const DAVIES_2018: Self = Self {
        synaptic_op_energy: 23.6e-12,
        synaptic_op_time: 3.5e-9,
        synaptic_update_energy: 120e-12,
        synaptic_update_time: 6.1e-9,
        neuron_update_active_energy: 81e-12,
        neuron_update_inactive_energy: 52e-12,
        neuron_update_active_time: 8.4e-9,
        neuron_update_inactive_time: 5.3e-9,
        spike_energy: 1.7e-12,
        spike_time: 2.1e-9,
        barrier_sync_1_tile: 113e-9,
        barrier_sync_32_tiles: 465e-9,
        cores_per_tile: 4,
    };

    /// Barrier sync time for `tiles` tiles: linear interpolation between the 1-tile and
    /// 32-tile figures (an assumption: the source gives only the range), clamped to it.
    pub fn barrier_sync(&self, tiles: usize) -> f64 {
        let t = (tiles.clamp(1, 32) - 1) as f64 / 31.0;
        self.barrier_sync_1_tile + t * (self.barrier_sync_32_tiles - self.barrier_sync_1_tile)
    }
}

/// Activity of one core during one step (counts supplied by the caller, e.g. from the
/// emulator's spikes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CoreActivity {
    /// Spikes sent by this core's compartments.
    pub spikes: u64,
    /// Synaptic operations on this core: `Σ spikes × fan-out` over the spikes arriving at its
    /// synapses (see [`synaptic_ops`]).
    pub synaptic_ops: u64,
    /// Compartment updates (normally all compartments, every step).
    pub compartment_updates: u64,
    /// How many of those were active (received input or spiked); the rest are inactive.
    pub active_updates: u64,
    /// Learning synaptic updates (weights changed by a learning epoch).
    pub synaptic_updates: u64,
}

/// Synaptic operations `Σ_i spikes[i] × fan_out[i]` (pairs beyond the shorter slice are
/// ignored; saturating).
pub fn synaptic_ops(spikes: &[u64], fan_out: &[u64]) -> u64 {
    spikes
        .iter()
        .zip(fan_out)
        .fold(0u64, |acc, (s, f)| acc.saturating_add(s.saturating_mul(*f)))
}

/// Per-step time and energy estimate of a mapped model.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCostEstimate {
    /// Total spikes.
    pub spikes: u64,
    /// Total synaptic operations.
    pub synaptic_ops: u64,
    /// Total compartment updates.
    pub compartment_updates: u64,
    /// Total learning synaptic updates.
    pub synaptic_updates: u64,
    /// Estimated busy time of each core, s (same order as [`MappingReport::cores`]).
    pub core_time: Vec<f64>,
    /// Estimated barrier-sync time, s.
    pub sync_time: f64,
    /// Estimated step time = slowest core + barrier sync, s (cores run in parallel).
    pub step_time: f64,
    /// Estimated dynamic energy per step, J (synaptic ops + neuron updates + spikes +
    /// learning; no static/leakage power).
    pub energy: f64,
    /// Energy of the synaptic ops alone, J.
    pub synaptic_energy: f64,
    /// Energy of the compartment updates alone, J.
    pub neuron_energy: f64,
    /// Figures used.
    pub figures: CostFigures,
    /// Whether the activity slice matched the number of cores (missing cores count as idle).
    pub activity_matched: bool,
}

/// Estimates one step's chip time and energy from per-core activity.
///
/// Per core: `time = synaptic_ops × t_synop + synaptic_updates × t_update + active × t_active
/// + inactive × t_inactive + spikes × t_spike`; the step takes the slowest core plus a
/// barrier sync over the tiles used (`ceil(cores / 4)`, the 32-tile figure for multi-chip,
/// which is a lower bound). Energy sums the same counts times the energy figures. All
/// results are estimates from [`COST_SOURCE`]'s pre-silicon figures.
pub fn estimate_step_cost(
    report: &MappingReport,
    activity: &[CoreActivity],
    figures: &CostFigures,
) -> StepCostEstimate {
    let mut est = StepCostEstimate {
        spikes: 0,
        synaptic_ops: 0,
        compartment_updates: 0,
        synaptic_updates: 0,
        core_time: Vec::with_capacity(report.cores.len()),
        sync_time: 0.0,
        step_time: 0.0,
        energy: 0.0,
        synaptic_energy: 0.0,
        neuron_energy: 0.0,
        figures: *figures,
        activity_matched: activity.len() == report.cores.len(),
    };
    for i in 0..report.cores.len() {
        let a = activity.get(i).copied().unwrap_or_default();
        let active = a.active_updates.min(a.compartment_updates) as f64;
        let inactive = a.compartment_updates.saturating_sub(a.active_updates) as f64;
        let t = a.synaptic_ops as f64 * figures.synaptic_op_time
            + a.synaptic_updates as f64 * figures.synaptic_update_time
            + active * figures.neuron_update_active_time
            + inactive * figures.neuron_update_inactive_time
            + a.spikes as f64 * figures.spike_time;
        est.core_time.push(t);
        est.spikes = est.spikes.saturating_add(a.spikes);
        est.synaptic_ops = est.synaptic_ops.saturating_add(a.synaptic_ops);
        est.compartment_updates = est
            .compartment_updates
            .saturating_add(a.compartment_updates);
        est.synaptic_updates = est.synaptic_updates.saturating_add(a.synaptic_updates);
        let syn = a.synaptic_ops as f64 * figures.synaptic_op_energy;
        let neu = active * figures.neuron_update_active_energy
            + inactive * figures.neuron_update_inactive_energy;
        est.synaptic_energy += syn;
        est.neuron_energy += neu;
        est.energy += syn
            + neu
            + a.spikes as f64 * figures.spike_energy
            + a.synaptic_updates as f64 * figures.synaptic_update_energy;
    }
    let tiles = if report.chips.len() > 1 {
        32
    } else {
        report.cores.len().div_ceil(figures.cores_per_tile.max(1))
    };
    est.sync_time = figures.barrier_sync(tiles);
    est.step_time = est.core_time.iter().copied().fold(0.0, f64::max) + est.sync_time;
    est
}

impl fmt::Display for StepCostEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Loihi per-step cost (ESTIMATE, not a measurement)")?;
        writeln!(
            f,
            "  activity: {} spikes, {} synaptic ops, {} compartment updates, {} synaptic \
             updates",
            self.spikes, self.synaptic_ops, self.compartment_updates, self.synaptic_updates
        )?;
        writeln!(
            f,
            "  est. step time:   {:>10.3} us (slowest core {:.3} us + barrier sync {:.3} us)",
            self.step_time * 1e6,
            (self.step_time - self.sync_time) * 1e6,
            self.sync_time * 1e6
        )?;
        writeln!(
            f,
            "  est. energy/step: {:>10.3} nJ (synaptic ops {:.3} nJ, neuron updates {:.3} nJ)",
            self.energy * 1e9,
            self.synaptic_energy * 1e9,
            self.neuron_energy * 1e9
        )?;
        let g = &self.figures;
        writeln!(
            f,
            "  figures: synaptic op {:.1} pJ / {:.1} ns, neuron update {:.0}/{:.0} pJ \
             (active/inactive) / {:.1}/{:.1} ns, spike {:.1} pJ / {:.1} ns, STDP update \
             {:.0} pJ / {:.1} ns, barrier sync {:.0}-{:.0} ns",
            g.synaptic_op_energy * 1e12,
            g.synaptic_op_time * 1e9,
            g.neuron_update_active_energy * 1e12,
            g.neuron_update_inactive_energy * 1e12,
            g.neuron_update_active_time * 1e9,
            g.neuron_update_inactive_time * 1e9,
            g.spike_energy * 1e12,
            g.spike_time * 1e9,
            g.synaptic_update_energy * 1e12,
            g.synaptic_update_time * 1e9,
            g.barrier_sync_1_tile * 1e9,
            g.barrier_sync_32_tiles * 1e9
        )?;
        writeln!(f, "  source: {COST_SOURCE}")?;
        if !self.activity_matched {
            writeln!(
                f,
                "  note: activity given for a different number of cores than mapped; \
                 missing cores counted idle"
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_per_axon_readme_examples() {
        let f = SynapseFormat::default();
        assert_eq!(f.bits_per_axon(2), Ok(64));
        assert_eq!(f.bits_per_axon(50), Ok(448));
        assert_eq!(f.bits_per_axon(10), Ok(128));
        assert_eq!(f.bits_per_axon(20), Ok(192));
        assert_eq!(f.bits_per_axon(0), Ok(0));
        // 64 weights: 64*8 + 10 = 522 -> 576; 65: 576 + (8 + 10 -> 64).
        assert_eq!(f.bits_per_axon(64), Ok(576));
        assert_eq!(f.bits_per_axon(65), Ok(640));
    }

    #[test]
    fn bits_per_axon_sparse_adds_index_bits() {
        let f = SynapseFormat {
            compression: 0,
            idx_bits: 1,
            ..SynapseFormat::default()
        };
        // 2 * (8 + 6) + 10 = 38 -> 64; 50 * 14 + 10 = 710 -> 768.
        assert_eq!(f.bits_per_axon(2), Ok(64));
        assert_eq!(f.bits_per_axon(50), Ok(768));
        let bad = SynapseFormat {
            compression: 1,
            ..SynapseFormat::default()
        };
        assert!(matches!(
            bad.bits_per_axon(2),
            Err(MappingError::Unsupported {
                limit: "compression",
                ..
            })
        ));
    }

    #[test]
    fn split_plans() {
        let p = split_plan(&BlockResources::new("e", 1500));
        assert_eq!((p.n_split, p.chunk_size, p.chunks.len()), (2, 750, 2));
        assert_eq!(p.chunks[0].label, "e[0:750:1]");
        let p = split_plan(&BlockResources::new("e", 10000));
        assert_eq!((p.n_split, p.chunks.len()), (10, 10));
        assert!(p.chunks.iter().all(|c| c.len() == 1000));
        let p = split_plan(&BlockResources::new("e", 0));
        assert_eq!((p.n_split, p.chunks.len()), (1, 1));
    }

    #[test]
    fn synapse_format_violations() {
        let f = SynapseFormat {
            weight_exp: 8,
            ..SynapseFormat::default()
        };
        let v = f.violations("Synapse(s)");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].limit, "weight_exp");
        assert_eq!(
            v[0].to_string(),
            "Synapse(s): weight_exp (8) exceeded max (7)"
        );
    }
}
