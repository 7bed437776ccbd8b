//! The Loihi step as an ECS schedule: blocks, synapses and host spike inputs are entities
//! holding integer components, and one run of the [`LoihiStep`] schedule is one step of
//! NengoLoihi 1.1.0's emulator (`emulator/interface.py::EmulatorInterface.step`), bit for bit.
//!
//! # Phases
//!
//! The [`LoihiPhase`] sets run chained, in the emulator's order; each is named for the
//! neurocore stage it mirrors:
//!
//! | phase | `EmulatorInterface.step` call | neurocore stage | systems |
//! |---|---|---|---|
//! | [`AdvanceInput`](LoihiPhase::AdvanceInput) | `t += 1`; `compartment.advance_input()` | time-step advance; the dendrite's delay ring moves one slot (`MAX_DELAY = 1`, so `q = 0`) | `advance_input` |
//! | [`SpikeDelivery`](LoihiPhase::SpikeDelivery) | `synapses.inject_current(t, …)`, `synapses.update_input(input)` | axon routing (host→chip spikes of host step `t − 1` when `t ≥ 2`, and the on-chip spikes of the previous update, each through `Axon.map_spikes`), then synaptic fan-out into the dendritic accumulator `q[base + indices] += weights` | `route_spikes` → `deliver_spikes` |
//! | [`Learning`](LoihiPhase::Learning) | `synapses.update_traces(t, rng)`, `synapses.update_weights(t, rng)` | learning epoch: pre traces where `t % train_epoch == 0`, then weights where `t % learn_epoch == 0` | `update_traces` → `update_weights` |
//! | [`CompartmentUpdate`](LoihiPhase::CompartmentUpdate) | `compartment.update(rng)` | neuron update: noise draw, `q` wrap, `u`, `v`, threshold, reset, refractory counter | `update_compartments` |
//! | [`Probe`](LoihiPhase::Probe) | `probes.update(t, compartment)` | probes / chip→host spike output, reading the state after the update | `probe_spikes` |
//!
//! # Timing
//!
//! * **One step per hop.** A compartment that spikes in the `CompartmentUpdate` of step `t`
//!   is routed in the `SpikeDelivery` of step `t + 1`: its weights are in `q` (and enter `u`
//!   and `v`) at step `t + 1`. There are no axon or synaptic delays (the emulator's
//!   `CompartmentState.MAX_DELAY = 1`).
//! * **Host → chip one step later.** Spikes queued with host step `k` are injected at chip
//!   step `k + 1`; nothing is injected at chip step 1.
//!
//! # Data
//!
//! * A block (one `LoihiBlock`, one core on hardware) is an entity with [`LoihiBlock`] and
//!   [`LoihiCompartments`]: contiguous `i32` arrays, one value per compartment.
//! * A synapse is an entity with [`LoihiSynapseTarget`] (its id and target block entity),
//!   [`LoihiSynapse`] (weights, indices, axon tables) and, when it learns, [`PesState`].
//! * A host spike input (`SpikeInput`) is an entity with a [`SpikeInputQueue`].
//! * The axons are the [`AxonRoutes`] resource (source → `Spike(axon_idx, atom)` tables).
//! * [`LoihiRng`] is the emulator's single `np.random.RandomState` stream, shared by the
//!   noise draw and PES stochastic rounding in that order; [`LoihiClock`] holds `t`;
//!   [`LoihiSpikes`] is the probe output; [`LoihiEntities`] lists the entities in model order.
//!
//! The arithmetic lives with the data ([`LoihiCompartments::update`],
//! [`LoihiSynapse`]'s delivery, [`PesState`]'s trace and weight updates); the systems only
//! fetch and order it. [`LoihiWorld`] builds world and schedule from a
//! [`LoihiEmulatorBuilder`] (`LoihiEmulator` is an alias of it). Semantics:
//! `tests/refs/loihi/README.md` §1 and §3; learning §6.

use std::collections::BTreeMap;
use std::ops::Range;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};

use super::compartment::LoihiCompartments;
use super::emulator::{
    BlockId, EmulatorError, InputId, LoihiEmulatorBuilder, SpikeSource, SynapseId,
};
use super::learning::PesState;
use super::numpy_rng::NumpyRandomState;
use super::synapse::LoihiSynapse;

/// The label of the Loihi step schedule (separate from the NEF step schedule).
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct LoihiStep;

/// The phases of one Loihi step, in order, named for the neurocore stages they mirror (see
/// the module docs for the mapping to `EmulatorInterface.step`).
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoihiPhase {
    /// `t += 1` and the dendritic accumulator reset (`compartment.advance_input()`).
    AdvanceInput,
    /// Axon routing and synaptic fan-out into `q` (`inject_current` + `update_input`).
    SpikeDelivery,
    /// Trace update and learning epoch (`update_traces` + `update_weights`).
    Learning,
    /// The neuron update: `u`, `v`, threshold, refractory counter (`compartment.update`).
    CompartmentUpdate,
    /// Probes and chip→host spike output (`probes.update`).
    Probe,
}

impl LoihiPhase {
    /// All phases in execution order.
    pub const ALL: [LoihiPhase; 5] = [
        LoihiPhase::AdvanceInput,
        LoihiPhase::SpikeDelivery,
        LoihiPhase::Learning,
        LoihiPhase::CompartmentUpdate,
        LoihiPhase::Probe,
    ];
}

/// Marks a block entity: its id and the global index of its first compartment (blocks are
/// concatenated in the order added, `BlockInfo.slices`).
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoihiBlock {
    /// The block.
    pub id: BlockId,
    /// Global index of its first compartment.
    pub offset: usize,
}

/// Marks a synapse entity: its id and the block entity whose `q` it writes.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoihiSynapseTarget {
    /// The synapse.
    pub id: SynapseId,
    /// The target block's entity.
    pub block: Entity,
}

/// A host→chip spike input (`SpikeInput`): spikes queued by host step.
#[derive(Component, Clone, Debug, PartialEq, Eq)]
pub struct SpikeInputQueue {
    id: InputId,
    n: usize,
    offset: usize,
    queue: BTreeMap<u64, Vec<u32>>,
}

impl SpikeInputQueue {
    /// The input.
    pub fn id(&self) -> InputId {
        self.id
    }

    /// Number of neurons of the input.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the input has no neurons.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Host steps that still have spikes queued.
    pub fn pending_steps(&self) -> impl Iterator<Item = u64> + '_ {
        self.queue.keys().copied()
    }
}

/// A route entry: one `Spike(axon_idx, atom)` into a synapse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Route {
    synapse: u32,
    axon: u32,
    atom: u32,
}

/// Routes grouped by source (CSR): the routes of source `s` are
/// `routes[offsets[s]..offsets[s + 1]]`.
#[derive(Clone, Debug, Default)]
struct Csr {
    offsets: Vec<u32>,
    routes: Vec<Route>,
}

impl Csr {
    fn build(n_sources: usize, mut pairs: Vec<(usize, Route)>) -> Result<Self, EmulatorError> {
        if n_sources >= u32::MAX as usize || pairs.len() >= u32::MAX as usize {
            return Err(EmulatorError::TooLarge);
        }
        pairs.sort_by_key(|(s, _)| *s); // stable: keeps the order the axons were added
        let mut offsets = vec![0u32; n_sources + 1];
        for (s, _) in &pairs {
            offsets[s + 1] += 1;
        }
        for i in 0..n_sources {
            offsets[i + 1] += offsets[i];
        }
        Ok(Self {
            offsets,
            routes: pairs.into_iter().map(|(_, r)| r).collect(),
        })
    }

    #[inline]
    fn of(&self, s: usize) -> &[Route] {
        match (self.offsets.get(s), self.offsets.get(s + 1)) {
            (Some(&a), Some(&b)) => &self.routes[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// The axons (`Axon.map_spikes` of every block and spike input) as routing tables, and the
/// per-synapse spike mailboxes filled by routing and drained by delivery each step.
#[derive(Resource, Clone, Debug, Default)]
pub struct AxonRoutes {
    comp: Csr,
    input: Csr,
    mail: Vec<Vec<(u32, u32)>>,
}

impl AxonRoutes {
    /// Posts the routes of one spike into the synapses' mailboxes.
    #[inline]
    fn post(routes: &[Route], mail: &mut [Vec<(u32, u32)>]) {
        for r in routes {
            if let Some(m) = mail.get_mut(r.synapse as usize) {
                m.push((r.axon, r.atom));
            }
        }
    }

    /// The `(axon_idx, atom)` spikes routed to `synapse` in the current step.
    pub fn mail(&self, synapse: SynapseId) -> &[(u32, u32)] {
        self.mail.get(synapse.0).map_or(&[], Vec::as_slice)
    }
}

/// The emulator's `np.random.RandomState` (seeded with the simulator seed), drawn by the
/// compartment update (noise, every step for every compartment whenever noise or learning
/// exists) and by PES stochastic rounding, in the emulator's order.
#[derive(Resource, Clone, Debug)]
pub struct LoihiRng {
    rng: NumpyRandomState,
    draws: Vec<i32>,
    enabled: bool,
}

/// The emulator's step counter `t` (steps run so far).
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoihiClock {
    t: u64,
}

impl LoihiClock {
    /// Steps run so far.
    pub fn t(&self) -> u64 {
        self.t
    }
}

/// Probe output: global indices of the compartments that spiked in the last step, ascending.
#[derive(Resource, Clone, Debug, Default, PartialEq, Eq)]
pub struct LoihiSpikes {
    spikes: Vec<u32>,
}

impl LoihiSpikes {
    /// The spikes of the last step (global compartment indices, ascending).
    pub fn spikes(&self) -> &[u32] {
        &self.spikes
    }
}

/// The model's entities in model order (the order of ids).
#[derive(Resource, Clone, Debug, Default, PartialEq, Eq)]
pub struct LoihiEntities {
    /// Block entities, by [`BlockId`].
    pub blocks: Vec<Entity>,
    /// Spike input entities, by [`InputId`].
    pub inputs: Vec<Entity>,
    /// Synapse entities, by [`SynapseId`].
    pub synapses: Vec<Entity>,
    /// The learning synapses' entities, in synapse order.
    pub learning: Vec<Entity>,
}

/// `AdvanceInput`: `t += 1`; `q = 0` in every block.
fn advance_input(
    mut clock: ResMut<LoihiClock>,
    mut blocks: Query<&mut LoihiCompartments, With<LoihiBlock>>,
) {
    clock.t += 1;
    for mut c in &mut blocks {
        c.advance_input();
    }
}

/// `SpikeDelivery`, axon routing (`inject_current`): host spikes of host step `t − 1` (for
/// `t ≥ 2`) and the spikes of the previous compartment update, through their axons, into
/// the synapses' mailboxes.
fn route_spikes(
    clock: Res<LoihiClock>,
    mut routes: ResMut<AxonRoutes>,
    mut inputs: Query<&mut SpikeInputQueue>,
    blocks: Query<(&LoihiBlock, &LoihiCompartments)>,
) {
    let t = clock.t;
    let AxonRoutes { comp, input, mail } = &mut *routes;
    for m in mail.iter_mut() {
        m.clear();
    }
    if t >= 2 {
        for mut q in &mut inputs {
            if let Some(idxs) = q.queue.remove(&(t - 1)) {
                for &s in &idxs {
                    AxonRoutes::post(input.of(s as usize), mail);
                }
            }
        }
    }
    for (b, c) in &blocks {
        for &i in c.spike_list() {
            AxonRoutes::post(comp.of(b.offset + i as usize), mail);
        }
    }
}

/// `SpikeDelivery`, synaptic fan-out (`update_input`): each synapse adds the weight rows of
/// its routed spikes to its block's `q`, and marks the axons' trace spikes when it learns
/// (`update_traces`, first loop). Integer addition commutes and `q` wraps only later, so
/// the order of spikes and synapses does not matter.
fn deliver_spikes(
    routes: Res<AxonRoutes>,
    mut synapses: Query<(&LoihiSynapseTarget, &LoihiSynapse, Option<&mut PesState>)>,
    mut blocks: Query<&mut LoihiCompartments>,
) {
    for (tgt, syn, mut pes) in &mut synapses {
        let mail = routes.mail(tgt.id);
        if mail.is_empty() {
            continue;
        }
        let Ok(mut block) = blocks.get_mut(tgt.block) else {
            continue;
        };
        let q = block.q_mut();
        for &(axon, atom) in mail {
            syn.deliver(axon as usize, atom as usize, 0, q);
            if let Some(p) = pes.as_deref_mut() {
                p.mark(axon as usize);
            }
        }
    }
}

/// `Learning`, traces (`update_traces`): every learning synapse (in synapse order, for the
/// RNG stream) where `t % train_epoch == 0`.
fn update_traces(
    clock: Res<LoihiClock>,
    entities: Res<LoihiEntities>,
    mut rng: ResMut<LoihiRng>,
    mut synapses: Query<(&LoihiSynapse, &mut PesState)>,
) {
    for &e in &entities.learning {
        if let Ok((s, mut p)) = synapses.get_mut(e)
            && let Some(params) = s.learning()
            && clock.t.is_multiple_of(params.train_epoch)
        {
            p.update_traces(params, &mut rng.rng);
        }
    }
}

/// `Learning`, weights (`update_weights`): every learning synapse (in synapse order) where
/// `t % learn_epoch == 0`.
fn update_weights(
    clock: Res<LoihiClock>,
    entities: Res<LoihiEntities>,
    mut rng: ResMut<LoihiRng>,
    mut synapses: Query<(&mut LoihiSynapse, &PesState)>,
) {
    for &e in &entities.learning {
        if let Ok((mut s, p)) = synapses.get_mut(e)
            && let Some(params) = s.learning().copied()
            && clock.t.is_multiple_of(params.learn_epoch)
        {
            p.update_weights(&params, &mut s, &mut rng.rng);
        }
    }
}

/// `CompartmentUpdate` (`compartment.update(rng)`): the noise draw
/// `rng.randint(-127, 128, n_compartments)` over all blocks (made whenever noise or
/// learning exists, since it advances the shared stream), then every block's update with
/// its slice of the draws.
fn update_compartments(
    mut rng: ResMut<LoihiRng>,
    mut blocks: Query<(&LoihiBlock, &mut LoihiCompartments)>,
) {
    let LoihiRng {
        rng,
        draws,
        enabled,
    } = &mut *rng;
    if *enabled {
        rng.randint_i32(-127, 128, draws);
    }
    for (b, mut c) in &mut blocks {
        let x = draws.get(b.offset..b.offset + c.len());
        match x {
            Some(x) if *enabled && c.has_noise() => c.update_drawn(x),
            _ => c.update(),
        }
    }
}

/// `Probe`: the global spike list of this step, blocks in order.
fn probe_spikes(
    entities: Res<LoihiEntities>,
    mut out: ResMut<LoihiSpikes>,
    blocks: Query<(&LoihiBlock, &LoihiCompartments)>,
) {
    out.spikes.clear();
    for &e in &entities.blocks {
        if let Ok((b, c)) = blocks.get(e) {
            // offsets fit u32: checked when the routes were built
            let off = b.offset as u32;
            out.spikes.extend(c.spike_list().iter().map(|&i| off + i));
        }
    }
}

/// The [`LoihiStep`] schedule: the five phases chained, the systems of each phase chained,
/// bevy's single-threaded executor (see `src/schedule` for the measurement behind that) and
/// ambiguity detection set to `Error`.
pub fn loihi_schedule() -> Schedule {
    let mut schedule = Schedule::new(LoihiStep);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    schedule.configure_sets(
        (
            LoihiPhase::AdvanceInput,
            LoihiPhase::SpikeDelivery,
            LoihiPhase::Learning,
            LoihiPhase::CompartmentUpdate,
            LoihiPhase::Probe,
        )
            .chain(),
    );
    schedule.add_systems((
        advance_input.in_set(LoihiPhase::AdvanceInput),
        (route_spikes, deliver_spikes)
            .chain()
            .in_set(LoihiPhase::SpikeDelivery),
        (update_traces, update_weights)
            .chain()
            .in_set(LoihiPhase::Learning),
        update_compartments.in_set(LoihiPhase::CompartmentUpdate),
        probe_spikes.in_set(LoihiPhase::Probe),
    ));
    schedule
}

/// The emulated chip as an ECS world plus its [`LoihiStep`] schedule.
pub struct LoihiWorld {
    world: World,
    schedule: Schedule,
    blocks: Vec<Range<usize>>,
}

impl std::fmt::Debug for LoihiWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoihiWorld")
            .field("t", &self.t())
            .field("blocks", &self.blocks)
            .finish_non_exhaustive()
    }
}

impl LoihiWorld {
    /// Builds the world (one entity per block, synapse and spike input; the routing tables,
    /// RNG, clock and probe resources) and the schedule at `t = 0`, all state zero.
    pub fn new(b: &LoihiEmulatorBuilder) -> Result<Self, EmulatorError> {
        let mut world = World::new();
        let mut entities = LoihiEntities::default();
        let n_comp = b.compartments.len();
        let mut any_noise = false;
        for (i, r) in b.blocks.iter().enumerate() {
            let c = LoihiCompartments::new(&b.compartments[r.clone()])?;
            any_noise |= c.has_noise();
            let block = LoihiBlock {
                id: BlockId(i),
                offset: r.start,
            };
            entities.blocks.push(world.spawn((block, c)).id());
        }
        let mut input_offsets = Vec::with_capacity(b.inputs.len());
        let mut n_input_sources = 0usize;
        for (i, &n) in b.inputs.iter().enumerate() {
            input_offsets.push(n_input_sources);
            let q = SpikeInputQueue {
                id: InputId(i),
                n,
                offset: n_input_sources,
                queue: BTreeMap::new(),
            };
            entities.inputs.push(world.spawn(q).id());
            n_input_sources += n;
        }
        for (i, (block, s)) in b.synapses.iter().enumerate() {
            let target = LoihiSynapseTarget {
                id: SynapseId(i),
                block: *entities
                    .blocks
                    .get(block.0)
                    .ok_or(EmulatorError::UnknownBlock(block.0))?,
            };
            let mut e = world.spawn((target, s.clone()));
            if s.learning().is_some() {
                let len = b.blocks[block.0].len();
                e.insert(PesState::new(s.n_axons(), len / 2));
                entities.learning.push(e.id());
            }
            entities.synapses.push(e.id());
        }
        let too_large = |x: usize| u32::try_from(x).map_err(|_| EmulatorError::TooLarge);
        let mut comp_pairs = Vec::new();
        let mut input_pairs = Vec::new();
        for (src, tgt) in &b.axons {
            let route = Route {
                synapse: too_large(tgt.synapse.0)?,
                axon: too_large(tgt.axon_idx)?,
                atom: too_large(tgt.atom)?,
            };
            match *src {
                SpikeSource::Compartment { block, comp } => {
                    comp_pairs.push((b.blocks[block.0].start + comp, route));
                }
                SpikeSource::Input { input, idx } => {
                    input_pairs.push((input_offsets[input.0] + idx, route));
                }
            }
        }
        world.insert_resource(AxonRoutes {
            comp: Csr::build(n_comp, comp_pairs)?,
            input: Csr::build(n_input_sources, input_pairs)?,
            mail: vec![Vec::new(); b.synapses.len()],
        });
        let enabled = any_noise || !entities.learning.is_empty();
        world.insert_resource(LoihiRng {
            rng: NumpyRandomState::new(b.seed),
            draws: vec![0; if enabled { n_comp } else { 0 }],
            enabled,
        });
        world.insert_resource(LoihiClock::default());
        world.insert_resource(LoihiSpikes::default());
        world.insert_resource(entities);
        let mut schedule = loihi_schedule();
        schedule
            .initialize(&mut world)
            .map_err(|e| EmulatorError::Schedule(e.to_string(schedule.graph(), &world)))?;
        Ok(Self {
            world,
            schedule,
            blocks: b.blocks.clone(),
        })
    }

    /// Steps run so far (`EmulatorInterface.t`).
    pub fn t(&self) -> u64 {
        self.world.resource::<LoihiClock>().t
    }

    /// One emulator step: one run of the [`LoihiStep`] schedule.
    pub fn step(&mut self) {
        self.schedule.run(&mut self.world);
    }

    /// Runs `n` steps.
    pub fn run_steps(&mut self, n: u64) {
        for _ in 0..n {
            self.step();
        }
    }

    /// The ECS world (entities, components, resources).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The ECS world, mutable (e.g. to add resources read by systems added to the schedule).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// The [`LoihiStep`] schedule, to add systems to a [`LoihiPhase`]. Added systems must be
    /// ordered against the existing ones (ambiguity detection is `Error`): a badly ordered
    /// system makes the next [`step`](Self::step) panic.
    pub fn schedule_mut(&mut self) -> &mut Schedule {
        &mut self.schedule
    }

    fn entities(&self) -> &LoihiEntities {
        self.world.resource::<LoihiEntities>()
    }

    /// Number of blocks.
    pub fn n_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Total number of compartments (all blocks).
    pub fn n_compartments(&self) -> usize {
        self.blocks.last().map_or(0, |r| r.end)
    }

    /// Global compartment range of `block`.
    pub fn block_range(&self, block: BlockId) -> Option<Range<usize>> {
        self.blocks.get(block.0).cloned()
    }

    /// The compartments of `block` (parameters and the state after the last step).
    pub fn block(&self, block: BlockId) -> Option<&LoihiCompartments> {
        let e = *self.entities().blocks.get(block.0)?;
        self.world.get::<LoihiCompartments>(e)
    }

    /// Global indices of the compartments that spiked in the last step, ascending.
    pub fn spikes(&self) -> &[u32] {
        self.world.resource::<LoihiSpikes>().spikes()
    }

    /// A synapse (with its current, possibly learned, weights).
    pub fn synapse(&self, id: SynapseId) -> Option<&LoihiSynapse> {
        let e = *self.entities().synapses.get(id.0)?;
        self.world.get::<LoihiSynapse>(e)
    }

    /// Learning state of a PES synapse.
    pub fn pes_state(&self, id: SynapseId) -> Option<&PesState> {
        let e = *self.entities().synapses.get(id.0)?;
        self.world.get::<PesState>(e)
    }

    /// Queues host→chip spikes of `input` stamped with host step `host_step` (≥ 1): they
    /// enter `q` at chip step `host_step + 1` (`SpikeInput.add_spikes`; `inject_current`
    /// reads `spike_idxs(t − 1)` for `t ≥ 2`). Spikes already queued for that step are kept.
    pub fn queue_input_spikes(
        &mut self,
        input: InputId,
        host_step: u64,
        idxs: &[usize],
    ) -> Result<(), EmulatorError> {
        let t = self.t();
        let e = *self
            .entities()
            .inputs
            .get(input.0)
            .ok_or(EmulatorError::UnknownInput(input.0))?;
        let mut q = self
            .world
            .get_mut::<SpikeInputQueue>(e)
            .ok_or(EmulatorError::UnknownInput(input.0))?;
        if host_step == 0 || host_step < t {
            return Err(EmulatorError::InputStep {
                host_step,
                next: t + 1,
            });
        }
        if let Some(&bad) = idxs.iter().find(|&&i| i >= q.n) {
            return Err(EmulatorError::SourceOutOfRange {
                index: bad,
                size: q.n,
            });
        }
        // every global source index is < n_input_sources, checked to fit u32 at build
        let off = q.offset;
        q.queue
            .entry(host_step)
            .or_default()
            .extend(idxs.iter().map(|&i| (off + i) as u32));
        Ok(())
    }

    /// Sets the integer PES error of a learning synapse (`SynapseState.update_pes_errors`
    /// after `scale_pes_errors`): it is used by every weight update until replaced. The
    /// emulator's host sends it every step, before the chip step that uses it.
    pub fn set_pes_errors(&mut self, id: SynapseId, errors: &[i32]) -> Result<(), EmulatorError> {
        let e = *self
            .entities()
            .synapses
            .get(id.0)
            .ok_or(EmulatorError::UnknownSynapse(id.0))?;
        let mut p = self
            .world
            .get_mut::<PesState>(e)
            .ok_or(EmulatorError::NotLearning(id.0))?;
        if errors.len() != p.errors.len() {
            return Err(EmulatorError::ErrorLength {
                synapse: id.0,
                expected: p.errors.len(),
                got: errors.len(),
            });
        }
        p.errors.copy_from_slice(errors);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loihi::compartment::{CompartmentParams, NoiseParams};

    fn noisy(i: i32) -> CompartmentParams {
        CompartmentParams {
            decay_u: 400 + i,
            decay_v: 300,
            vth: 3000,
            bias: 200 + 10 * i,
            refract_delay: 2,
            vmin: 0,
            vmax: (1 << 23) - 1,
            noise: NoiseParams {
                enable: i % 2 == 0,
                exp: 10,
                offset: 0,
                at_membrane: i % 3 == 0,
            },
        }
    }

    /// The noise draw is one stream over all compartments: splitting them into blocks (one
    /// entity each) changes nothing.
    #[test]
    fn blocks_share_one_noise_stream() {
        let params: Vec<_> = (0..12).map(noisy).collect();
        let mut one = LoihiEmulatorBuilder::new();
        one.seed(5);
        one.add_block(&params);
        let mut three = LoihiEmulatorBuilder::new();
        three.seed(5);
        for c in params.chunks(4) {
            three.add_block(c);
        }
        let (mut a, mut b) = (one.build().unwrap(), three.build().unwrap());
        assert_eq!(b.n_blocks(), 3);
        for _ in 0..50 {
            a.step();
            b.step();
            let va = a.block(BlockId(0)).unwrap().v().to_vec();
            let vb: Vec<i32> = (0..3)
                .flat_map(|k| b.block(BlockId(k)).unwrap().v().to_vec())
                .collect();
            assert_eq!(va, vb);
            assert_eq!(a.spikes(), b.spikes());
        }
        assert_eq!(b.t(), 50);
        assert!(a.block(BlockId(1)).is_none());
    }

    /// The phases are the schedule's only sets besides the systems' own, in order.
    #[test]
    fn schedule_builds_without_ambiguities() {
        let mut world = World::new();
        let mut b = LoihiEmulatorBuilder::new();
        b.add_block(&[noisy(1)]);
        assert!(LoihiWorld::new(&b).is_ok());
        let mut s = loihi_schedule();
        world.insert_resource(LoihiClock::default());
        assert!(s.initialize(&mut world).is_ok());
        assert_eq!(LoihiPhase::ALL.len(), 5);
    }
}
