//! Step cost of whole models, measured through [`Model::step`] (schedule, gather, kernels).
//!
//! - `<cell>_step/{n}` for every spiking cell kind (`lif`, `quadlif`, `slif`, `izhikevich`,
//!   `fitzhugh_nagumo`): one step of a population of n = 10² … 10⁶ units driven by a constant
//!   current that makes the units fire periodically; throughput is n elements, so criterion
//!   reports neuron-updates per second. (SLIF has no lateral inhibition here: its n × n matrix
//!   would need 4 TB at 10⁶ units; the kernel is the same.)
//! - `tiny_model/step`: one step of Poisson (2 units) → Dense → LIF (2 units): the fixed
//!   per-step overhead of the schedule and its systems; throughput is 1 step.
//!
//! Settings are short (≈ 3 minutes in all): `cargo bench --bench population`; add a filter such
//! as `lif_step/1000000` or `izhikevich_step` to run some cases.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cortecs::components::neurons::spiking::{
    FitzhughNagumoParams, IzhikevichParams, LifParams, QuadLifParams, SlifParams,
};
use cortecs::registry::Kind;
use cortecs::registry::builtin::{
    Constant, ConstantParams, Dense, DenseParams, FitzhughNagumo, Init, Izhikevich, Lif, Poisson,
    PoissonParams, QuadLif, Slif, Values,
};
use cortecs::{Model, ModelBuilder};

/// One population of kind `K` with a constant input `drive` into every unit.
fn population<K: Kind>(dt: f64, params: &K::Params, drive: f64) -> Model {
    ModelBuilder::new(dt)
        .cell::<K>("z", params)
        .input::<Constant>(
            "I",
            "z",
            &ConstantParams {
                value: Values::Scalar(drive),
            },
        )
        .build()
        .expect("the benchmark model builds")
}

/// Every cell kind at `n` units, each with a drive that makes it fire periodically (dt 0.1 ms;
/// 0.2 ms for FitzHugh–Nagumo, as in ngclearn's tutorial): LIF and QuadLIF with R·I = 20 mV,
/// SLIF with j = 1.5 against thresholds near 0.5, Izhikevich (regular spiking) with I = 10,
/// FitzHugh–Nagumo with I = 0.5.
fn cells(n: usize) -> Vec<(&'static str, Model)> {
    let mut slif = SlifParams::new(n, 10.0, 1.0, 0.5);
    slif.refract_time = 1.0;
    slif.thr_gain = 0.005;
    slif.thr_leak = 1e-4;
    vec![
        (
            "lif_step",
            population::<Lif>(0.1, &LifParams::new(n, 10.0), 20.0),
        ),
        (
            "quadlif_step",
            population::<QuadLif>(0.1, &QuadLifParams::new(n, 10.0), 20.0),
        ),
        ("slif_step", population::<Slif>(0.1, &slif, 1.5)),
        (
            "izhikevich_step",
            population::<Izhikevich>(0.1, &IzhikevichParams::new(n), 10.0),
        ),
        (
            "fitzhugh_nagumo_step",
            population::<FitzhughNagumo>(0.2, &FitzhughNagumoParams::new(n), 0.5),
        ),
    ]
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

fn cell_step(c: &mut Criterion) {
    for n in [100, 1_000, 10_000, 100_000, 1_000_000] {
        for (group_name, mut model) in cells(n) {
            let mut group = c.benchmark_group(group_name);
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_secs(1));
            // Past the first spikes, so the measured steps mix spiking and integrating units.
            for _ in 0..200 {
                model.step();
            }
            group.throughput(Throughput::Elements(n as u64));
            group.bench_function(n.to_string(), |b| b.iter(|| model.step()));
            group.finish();
        }
    }
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

criterion_group!(benches, cell_step, tiny_model_step);
criterion_main!(benches);
