//! NEF models (Nengo semantics), timed as Nengo users time them: one simulated second at
//! dt = 1 ms (1000 steps) per iteration.
//!
//! - `nef_ensemble/{n}`: a 1 Hz sine node → an ensemble of n = 10³, 10⁴, 10⁵ LIF neurons with a
//!   decoded probe (Lowpass 10 ms);
//! - `nef_channel/{n}`: sine → A(n) → B(n) with decoded probes on both, n = 10³ and 5·10³;
//! - `nef_build/channel_5000`: building the 5·10³ channel — sampling, gain/bias, and three
//!   decoder solves on 10⁴ eval points each (Nengo: 80–135 s on this machine,
//!   `../shared/refs/nengo/BENCH.md`).
//!
//! `cargo bench --bench nef` (≈ 2 minutes); add a filter such as `nef_channel` to run some.

use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use cortecs::components::nef::connection::ConnectionParams;
use cortecs::components::nef::ensemble::EnsembleParams;
use cortecs::components::nef::node::NodeParams;
use cortecs::components::nef::process::Process;
use cortecs::components::synapses::filter::Synapse;
use cortecs::probe::ProbeSpec;
use cortecs::registry::builtin::{Connection, Ensemble, Node};
use cortecs::{Model, ModelBuilder};

fn decoded(target: &str) -> ProbeSpec {
    ProbeSpec {
        synapse: Some(Synapse::Lowpass { tau: 10.0 }),
        ..ProbeSpec::new(target, "decoded")
    }
}

fn sine() -> NodeParams {
    NodeParams::new(Process::Sine {
        frequency: 1.0,
        amplitude: 1.0,
        phase: 0.0,
        offset: 0.0,
    })
}

fn ensemble(n: usize) -> Model {
    ModelBuilder::new(1.0)
        .cell::<Node>("stim", &sine())
        .cell::<Ensemble>("A", &EnsembleParams::new(n, 1))
        .synapse::<Connection>("in", "stim", "A", &ConnectionParams::default())
        .probe_spec(decoded("A"))
        .build()
        .expect("the benchmark model builds")
}

fn channel(n: usize) -> Model {
    ModelBuilder::new(1.0)
        .cell::<Node>("stim", &sine())
        .cell::<Ensemble>("A", &EnsembleParams::new(n, 1))
        .cell::<Ensemble>("B", &EnsembleParams::new(n, 1))
        .synapse::<Connection>("in", "stim", "A", &ConnectionParams::default())
        .synapse::<Connection>("ab", "A", "B", &ConnectionParams::default())
        .probe_spec(decoded("A"))
        .probe_spec(decoded("B"))
        .build()
        .expect("the benchmark model builds")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("nef_ensemble");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for n in [1_000, 10_000, 100_000] {
        g.bench_function(n.to_string(), |b| {
            b.iter_batched_ref(
                || ensemble(n),
                |m| m.run_steps(1000).expect("runs"),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    let mut g = c.benchmark_group("nef_channel");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for n in [1_000, 5_000] {
        g.bench_function(n.to_string(), |b| {
            b.iter_batched_ref(
                || channel(n),
                |m| m.run_steps(1000).expect("runs"),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    let mut g = c.benchmark_group("nef_build");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.bench_function("channel_5000", |b| b.iter(|| channel(5_000)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
