//! The step schedule.
//!
//! One step runs seven phases in order, each a bevy [`SystemSet`]:
//! `Input → Synapse → Gather → Cell → Decode → Learn → Record`.
//!
//! **Executor and parallelism.** The schedule runs on bevy's single-threaded executor and all
//! parallelism lives *inside* systems, on rayon's global pool (or the model's own pool, see
//! [`Model::set_threads`](crate::Model::set_threads)): kernels split large populations into
//! chunks ([`chunk`](crate::components::chunk)). Measured on this project's 2-core machine
//! (DESIGN §3), bevy's multi-threaded executor costs about 6 µs per step before any work
//! versus 0.6 µs single-threaded, and a model has a handful of systems but populations of up to
//! millions of units: splitting the units is where the parallelism is. One pool also means
//! bevy's task pool and rayon never fight over the 2 cores.
//!
//! Inside a phase, systems run in the order they were added (each phase's systems are
//! chained), so the schedule is free of ambiguities by construction and checked with bevy's
//! ambiguity detection set to `Error`.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{InternedSystemSet, LogLevel, ScheduleBuildSettings, ScheduleLabel};

/// The phases of one step, in order.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Nodes, encoders and current sources write their output for this step.
    Input,
    /// Every synapse reads its presynaptic compartment and writes its own output buffer.
    Synapse,
    /// Each population sums its afferents' outputs into its current `j`, in a fixed order.
    Gather,
    /// Each population advances its compartments by one `dt` (the kernels).
    Cell,
    /// NEF connections decode this step's outputs and advance their synapses; nodes that read
    /// this step's neurons run (Nengo's order: synapses update after every reader).
    Decode,
    /// Plasticity rules.
    Learn,
    /// Probes record what they watch.
    Record,
}

impl Phase {
    /// All phases in execution order.
    pub const ALL: [Phase; 7] = [
        Phase::Input,
        Phase::Synapse,
        Phase::Gather,
        Phase::Cell,
        Phase::Decode,
        Phase::Learn,
        Phase::Record,
    ];
}

/// The label of the step schedule.
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Step;

/// A step schedule under construction: phases in order, each phase's systems chained in the
/// order they are added.
pub struct StepSchedule {
    schedule: Schedule,
    last: [Option<InternedSystemSet>; 7],
    added: std::collections::HashSet<(Phase, std::any::TypeId)>,
    count: usize,
}

/// A set holding exactly one system, used to chain systems inside a phase.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Slot(usize);

impl Default for StepSchedule {
    fn default() -> Self {
        Self::new()
    }
}

impl StepSchedule {
    /// An empty step schedule with the seven phases configured.
    pub fn new() -> Self {
        let mut schedule = Schedule::new(Step);
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.set_build_settings(ScheduleBuildSettings {
            ambiguity_detection: LogLevel::Error,
            ..Default::default()
        });
        schedule.configure_sets(
            (
                Phase::Input,
                Phase::Synapse,
                Phase::Gather,
                Phase::Cell,
                Phase::Decode,
                Phase::Learn,
                Phase::Record,
            )
                .chain(),
        );
        Self {
            schedule,
            last: [None; 7],
            added: Default::default(),
            count: 0,
        }
    }

    /// Adds `system` to `phase`, after every system already in that phase. A system function
    /// added twice to the same phase is added once (kinds sharing a system, e.g. every encoder).
    pub fn add<M, S>(&mut self, phase: Phase, system: S) -> &mut Self
    where
        S: IntoSystem<(), (), M> + 'static,
    {
        if !self.added.insert((phase, std::any::TypeId::of::<S>())) {
            return self;
        }
        let idx = Phase::ALL.iter().position(|p| *p == phase).unwrap_or(0);
        let slot = Slot(self.count);
        self.count += 1;
        let config = system.in_set(phase).in_set(slot);
        match self.last[idx] {
            Some(prev) => self.schedule.add_systems(config.after(prev)),
            None => self.schedule.add_systems(config),
        };
        self.last[idx] = Some(slot.intern());
        self
    }

    /// The bevy schedule (to run it, or to inspect it).
    pub fn schedule_mut(&mut self) -> &mut Schedule {
        &mut self.schedule
    }
}
