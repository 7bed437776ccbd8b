//! Step cost of whole models, measured through [`Model::step`] (schedule, gather, kernels).
//!
//! - `lif_step/{n}`: one step of an LIF population of n = 10² … 10⁶ units driven by a constant
//!   current that makes every unit fire periodically; throughput is n elements, so criterion
//!   reports neuron-updates per second.
//! - `tiny_model/step`: one step of Poisson (2 units) → Dense → LIF (2 units): the fixed
//!   per-step overhead of the schedule and its systems; throughput is 1 step.
//!
//! Settings are short (≈ 1 minute in all): `cargo bench --bench population`; add a filter such
//! as `lif_step/1000000` to run one case.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cortecs::components::neurons::spiking::LifParams;
use cortecs::registry::builtin::{
    Constant, ConstantParams, Dense, DenseParams, Init, Lif, Poisson, PoissonParams, Values,
};
use cortecs::{Model, ModelBuilder};

/// One LIF population of `n` units with a constant input: R·I = 20 mV against a threshold
/// 13 mV above rest, so every unit spikes (every ≈ 15 ms with τ_m = 10 ms and dt = 0.1 ms).
fn lif_model(n: usize) -> Model {
    ModelBuilder::new(0.1)
        .cell::<Lif>("z", &LifParams::new(n, 10.0))
        .input::<Constant>(
            "I",
            "z",
            &ConstantParams {
                value: Values::Scalar(20.0),
            },
        )
        .build()
        .expect("the LIF benchmark model builds")
}

/// Poisson (2 units, 63.75 Hz) → Dense (2×2) → LIF (2 units).
fn tiny_model() -> Model {
    ModelBuilder::new(1.0)
        .seed(1)
        .cell::<Poisson>(
            "z0",
            &PoissonParams {
                n_units: 2,
                target_freq: 63.75,
                inputs: Values::Scalar(1.0),
            },
        )
        .cell::<Lif>("z1", &LifParams::new(2, 10.0))
        .synapse::<Dense>(
            "W",
            "z0",
            "z1",
            &DenseParams {
                shape: None,
                weight_init: Init::Constant { value: 10.0 },
                bias_init: None,
                resist_scale: 1.0,
                p_conn: 1.0,
            },
        )
        .build()
        .expect("the tiny benchmark model builds")
}

fn lif_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("lif_step");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in [100, 1_000, 10_000, 100_000, 1_000_000] {
        let mut model = lif_model(n);
        // Past the first spikes, so the measured steps mix spiking and integrating units.
        for _ in 0..200 {
            model.step();
        }
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(n.to_string(), |b| b.iter(|| model.step()));
    }
    group.finish();
}

fn tiny_model_step(c: &mut Criterion) {
    let mut model = tiny_model();
    let mut group = c.benchmark_group("tiny_model");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(1));
    group.bench_function("step", |b| b.iter(|| model.step()));
    group.finish();
}

criterion_group!(benches, lif_step, tiny_model_step);
criterion_main!(benches);
