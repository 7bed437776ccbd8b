//! The CUBA benchmark network (Brian2's `examples/CUBA.py`, `configs/cuba.ron`) and the cost of
//! running the schedule once:
//!
//! - `cuba/n4000_1s`: N = 4000, 1 s of biological time (10 000 steps of 0.1 ms), 1 thread
//!   (Brian2 2.11 cpp_standalone, 1 thread, on this machine: 0.171 s best, 0.183 s median,
//!   `benches/brian2/BENCH.md`);
//! - `cuba/tiny_step`: one step of a 2-population, 4-projection CUBA of 10 neurons — the
//!   per-step overhead of the schedule (target ≤ 5 µs).
//!
//! `cargo bench --bench cuba`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use cortecs::bench::cuba::cuba_config;
use cortecs::prelude::*;

fn model(n: usize) -> Model {
    let mut m =
        Model::from_config_str(&cuba_config(n, 1, 10_000), &Registry::with_builtins()).unwrap();
    m.set_threads(1).unwrap();
    m
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("cuba");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("n4000_1s", |b| {
        b.iter_batched(
            || model(4000),
            |mut m| m.run_steps(10_000).unwrap(),
            criterion::BatchSize::LargeInput,
        )
    });
    let mut tiny = model(10);
    g.sample_size(50)
        .bench_function("tiny_step", |b| b.iter(|| tiny.step()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
