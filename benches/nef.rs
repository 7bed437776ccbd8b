//! NEF models (Nengo semantics), timed as Nengo users time them: one simulated second at
//! dt = 1 ms (1000 steps) per iteration.
//!
//! - `nef_ensemble/{n}`: a 1 Hz sine node → an ensemble of n = 10³, 10⁴, 10⁵ LIF neurons with a
//!   decoded probe (Lowpass 10 ms);
//! - `nef_channel/{n}`: sine → A(n) → B(n) with decoded probes on both, n = 10³ and 5·10³;
//! - `nef_build/channel_1000` (criterion) and `nef_build/channel_5000` (one timed build,
//!   printed): building a channel — sampling, gain/bias, and three decoder solves on
//!   `max(750, 2n)` eval points each (Nengo: 80–135 s for n = 5·10³ on this machine,
//!   `tests/refs/nengo/BENCH.md`).
//!
//! `cargo bench --bench nef` (≈ 2 minutes); add a filter such as `nef_channel` to run some.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

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

/// An ensemble of `n`; from 10⁴ neurons on, decoders are solved on 200 eval points only (the
/// default `2n` would need a 2n × n activity matrix, 160 GB at 10⁵ — Nengo's own bench uses
/// fixed random decoders there). Per-step work does not depend on the decoder values.
fn ens(n: usize) -> EnsembleParams {
    EnsembleParams {
        n_eval_points: (n >= 10_000).then_some(200),
        ..EnsembleParams::new(n, 1)
    }
}

fn ensemble(n: usize) -> Model {
    ModelBuilder::new(1.0)
        .cell::<Node>("stim", &sine())
        .cell::<Ensemble>("A", &ens(n))
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

/// Runs `m` for one simulated second per iteration (the state carries on between
/// iterations; the cost per step does not depend on it).
fn one_second(
    g: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    id: String,
    mut m: Model,
) {
    g.bench_function(id, |b| b.iter(|| m.run_steps(1000).expect("runs")));
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("nef_ensemble");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for n in [1_000, 10_000, 100_000] {
        one_second(&mut g, n.to_string(), ensemble(n));
    }
    g.finish();

    // The 5·10³ channel's build takes seconds (three solves on 10⁴ eval points): it is timed
    // once here rather than ten times by criterion.
    let t0 = Instant::now();
    let big = channel(5_000);
    println!(
        "nef_build/channel_5000: {:.2} s (one build: sampling, gain/bias, 3 decoder solves)",
        t0.elapsed().as_secs_f64()
    );
    let mut g = c.benchmark_group("nef_channel");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    one_second(&mut g, "1000".into(), channel(1_000));
    one_second(&mut g, "5000".into(), big);
    g.finish();

    let mut g = c.benchmark_group("nef_build");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("channel_1000", |b| b.iter(|| channel(1_000)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
