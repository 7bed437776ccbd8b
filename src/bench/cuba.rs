//! The CUBA benchmark network (Vogels & Abbott 2005; Brette et al. 2007 benchmark 2) exactly
//! as `benches/brian2/cuba.py` builds it with Brian2: N current-based LIF neurons
//! (`IAF` defaults), 80 % excitatory, connection probability `p = 80/N` between every ordered
//! pair, exponential synaptic currents (τe 5 ms, we = 1.62 mV; τi 10 ms, wi = −9 mV), dt 0.1 ms.
//! `configs/cuba.ron` is this model at N = 4000.
//!
//! Timings follow Brian2's "loop only" figure: the step loop with every spike recorded (Brian2's
//! `SpikeMonitor` is part of its loop), after the build.
//!
//! ```
//! use cortecs::bench::cuba::run_cuba;
//! # fn main() -> Result<(), cortecs::Error> {
//! let run = run_cuba(200, 1, 100, 1)?; // N = 200, seed 1, 100 steps (10 ms), 1 thread
//! assert_eq!((run.n, run.steps, run.trains.len()), (200, 100, 200));
//! // IAF rests at −49 mV, above its −50 mV threshold: the network fires on its own
//! assert!(run.synapses > 0 && run.spikes() > 0);
//! assert!(run.rate_hz() > 0.0 && run.frac_silent() < 1.0);
//! assert!(run.trains.iter().flatten().all(|&step| step < 100));
//! # Ok(()) }
//! ```

use std::time::Instant;

use bevy_ecs::prelude::*;

use crate::components::Clock;
use crate::components::compartment::Spikes;
use crate::components::synapses::sparse::{SparseSynapse, for_each_spike};
use crate::config::Source;
use crate::error::Error;
use crate::model::Model;
use crate::registry::Registry;
use crate::schedule::Phase;

/// The CUBA config for `n` neurons (p = 80/n, at most 1), `steps` steps of 0.1 ms.
pub fn cuba_config(n: usize, seed: u64, steps: u64) -> String {
    let ne = (0.8 * n as f64) as usize;
    let ni = n - ne;
    let p = (80.0 / n as f64).min(1.0);
    let syn = |name: &str, pre: &str, post: &str, w: f64, tau: f64| {
        format!(
            r#"(name: "{name}", kind: "Sparse", pre: "{pre}", post: "{post}", params: (p_conn: {p}, weight: {w}, tau_syn: {tau}))"#
        )
    };
    format!(
        r#"Model(dt: 0.1, seed: {seed},
    cells: [
        (name: "E", kind: "IAF", params: (n_units: {ne})),
        (name: "I", kind: "IAF", params: (n_units: {ni})),
    ],
    synapses: [{}, {}, {}, {}],
    run: (steps: {steps}),
)"#,
        syn("EE", "E", "E", 1.62, 5.0),
        syn("EI", "E", "I", 1.62, 5.0),
        syn("IE", "I", "E", -9.0, 10.0),
        syn("II", "I", "I", -9.0, 10.0),
    )
}

/// What one CUBA run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct CubaRun {
    /// Neurons.
    pub n: usize,
    /// Synapses (all four projections).
    pub synapses: usize,
    /// Seconds to build the model (connectivity included).
    pub build_s: f64,
    /// Seconds of the step loop (spike recording included).
    pub loop_s: f64,
    /// Steps run.
    pub steps: u64,
    /// Spike steps per neuron (excitatory first, then inhibitory).
    pub trains: Vec<Vec<u32>>,
    /// Spikes × the out-degree of the spiking neuron, summed (Brian2's "synaptic events").
    pub syn_events: u64,
}

impl CubaRun {
    /// Total spikes.
    pub fn spikes(&self) -> usize {
        self.trains.iter().map(Vec::len).sum()
    }

    /// Mean rate over all neurons (Hz).
    pub fn rate_hz(&self) -> f64 {
        self.spikes() as f64 / self.n as f64 / (self.steps as f64 * 0.1e-3)
    }

    /// Mean coefficient of variation of the inter-spike intervals over the neurons with at
    /// least 2 intervals (std with ddof 0 / mean), and how many such neurons there are.
    pub fn cv_isi(&self) -> (f64, usize) {
        let cvs: Vec<f64> = self
            .trains
            .iter()
            .filter(|t| t.len() >= 3)
            .map(|t| {
                let isi: Vec<f64> = t.windows(2).map(|w| f64::from(w[1] - w[0])).collect();
                let m = isi.iter().sum::<f64>() / isi.len() as f64;
                let var = isi.iter().map(|x| (x - m).powi(2)).sum::<f64>() / isi.len() as f64;
                var.sqrt() / m
            })
            .collect();
        (cvs.iter().sum::<f64>() / cvs.len().max(1) as f64, cvs.len())
    }

    /// Fraction of neurons that never spiked.
    pub fn frac_silent(&self) -> f64 {
        self.trains.iter().filter(|t| t.is_empty()).count() as f64 / self.n as f64
    }
}

/// Every spike of the populations, as (neuron, step) lists — a Brian2 `SpikeMonitor`, added
/// to the Record phase.
#[derive(Resource)]
struct SpikeLog {
    pops: Vec<(Entity, usize)>,
    trains: Vec<Vec<u32>>,
    out_degree: Vec<u64>,
    events: u64,
}

fn log_spikes(clock: Res<Clock>, mut log: ResMut<SpikeLog>, spikes: Query<&Spikes>) {
    let log = &mut *log;
    for &(pop, offset) in &log.pops {
        if let Ok(s) = spikes.get(pop) {
            for_each_spike(&s.0, |u, _| {
                log.trains[offset + u].push(clock.step as u32);
                log.events += log.out_degree[offset + u];
            });
        }
    }
}

/// Builds CUBA from `text` (a CUBA config: populations `E`, `I`; synapses `EE`, `EI`, `IE`,
/// `II`), runs its `run.steps` on `threads` threads, recording every spike.
pub fn run_cuba_config(text: &str, threads: usize) -> Result<CubaRun, Error> {
    let t0 = Instant::now();
    let mut model = Model::from_source(&Source::new(text, "<cuba>"), &Registry::with_builtins())?;
    let build_s = t0.elapsed().as_secs_f64();
    model.set_threads(threads)?;
    let steps = model.config().run.steps;
    let e = model.info("E")?.entity;
    let i = model.info("I")?.entity;
    let (ne, ni) = (model.info("E")?.n_units, model.info("I")?.n_units);
    let mut out_degree = vec![0u64; ne + ni];
    let mut synapses = 0;
    for (name, offset) in [("EE", 0), ("EI", 0), ("IE", ne), ("II", ne)] {
        let s = model
            .world()
            .get::<SparseSynapse>(model.info(name)?.entity)
            .ok_or_else(|| Error::Build(format!("`{name}` is not a Sparse synapse")))?;
        synapses += s.len();
        for (k, w) in s.row_ptr.windows(2).enumerate() {
            out_degree[offset + k] += (w[1] - w[0]) as u64;
        }
    }
    model.world_mut().insert_resource(SpikeLog {
        pops: vec![(e, 0), (i, ne)],
        trains: vec![Vec::new(); ne + ni],
        out_degree,
        events: 0,
    });
    model.schedule_mut().add(Phase::Record, log_spikes);
    let t0 = Instant::now();
    model.run_steps(steps)?;
    let loop_s = t0.elapsed().as_secs_f64();
    let log = model
        .world_mut()
        .remove_resource::<SpikeLog>()
        .ok_or_else(|| Error::Build("the spike log is gone".into()))?;
    let (trains, syn_events) = (log.trains, log.events);
    Ok(CubaRun {
        n: ne + ni,
        synapses,
        build_s,
        loop_s,
        steps,
        trains,
        syn_events,
    })
}

/// [`run_cuba_config`] of [`cuba_config`]`(n, seed, steps)`.
pub fn run_cuba(n: usize, seed: u64, steps: u64, threads: usize) -> Result<CubaRun, Error> {
    run_cuba_config(&cuba_config(n, seed, steps), threads)
}
