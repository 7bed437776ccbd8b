//! Steps per second of NEF models on the emulated Loihi chip (`LoihiSimulator`: host node and
//! on/off encoders, the bit-exact `LoihiStep` schedule, decoded-probe readout and host filter —
//! what NengoLoihi's `sim.run_steps()` does end to end), on the cases of NengoLoihi's own bench
//! (`tests/refs/loihi/BENCH.md`: 318, 24 and 168 steps/s of CPU time on this machine):
//!
//! - `loihi/ens1k`: `Node(sin)` → `Ensemble(1000)` with a decoded probe;
//! - `loihi/ens10k`: the same with 10 000 neurons (built without limit checks, as NengoLoihi's
//!   bench does: its decoded probe exceeds 4096 input axons);
//! - `loihi/chan1k`: A(1000) → B(1000) with B's decoded probe.
//!
//! All ensembles as in NengoLoihi's bench: LIF (τ_rc 20 ms, τ_ref 2 ms), max rates U(200, 400),
//! intercepts U(−1, 0.95), dt 1 ms, 20 warm-up steps. One criterion iteration = one step.
//!
//! `cargo bench --bench loihi`

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cortecs::loihi::{LoihiOptions, LoihiSimulator};
use cortecs::prelude::*;
use cortecs::{Model, Target};

fn model(n: usize, chain: bool) -> LoihiSimulator {
    let ens = |name: &str| {
        format!(
            r#"(name: "{name}", kind: "Ensemble", params: (n_neurons: {n}, dimensions: 1,
                n_eval_points: 1000,
                intercepts: Uniform(low: -1.0, high: 0.95)))"#
        )
    };
    let (cells, synapses, probed) = if chain {
        (
            format!("{}, {}", ens("A"), ens("B")),
            r#"(name: "in", kind: "Connection", pre: "stim", post: "A", params: ()),
               (name: "ab", kind: "Connection", pre: "A", post: "B", params: ())"#,
            "B",
        )
    } else {
        (
            ens("A"),
            r#"(name: "in", kind: "Connection", pre: "stim", post: "A", params: ())"#,
            "A",
        )
    };
    let text = format!(
        r#"Model(dt: 1.0, seed: 1, cells: [
            (name: "stim", kind: "Node", params: (output: Expr("sin(t_s)"))),
            {cells}], synapses: [{synapses}],
            probes: [(target: "{probed}", compartment: "decoded", synapse: Lowpass(tau: 10.0))])"#
    );
    let m = Model::from_source_for(
        &cortecs::config::Source::new(&text, "<bench>"),
        &Registry::with_builtins(),
        Target::Loihi,
    )
    .expect("builds");
    let options = LoihiOptions {
        validate: n <= 4096,
        ..LoihiOptions::default()
    };
    let mut sim = LoihiSimulator::new(m, options).expect("the chip builds");
    sim.run_steps(20).expect("runs");
    sim
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("loihi");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    for (name, mut sim) in [
        ("ens1k", model(1_000, false)),
        ("ens10k", model(10_000, false)),
        ("chan1k", model(1_000, true)),
    ] {
        g.bench_function(name, |b| b.iter(|| sim.run_steps(1).expect("runs")));
        let spikes = sim.chip().emulator.spikes().len();
        println!("{name}: {spikes} spikes in the last step");
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
