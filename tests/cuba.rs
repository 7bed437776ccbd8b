//! The CUBA benchmark network (`configs/cuba.ron`, `cortecs::bench::cuba`) against Brian2's
//! statistics (`benches/brian2/BENCH.md`: at N = 4000, over 10 seeds, mean rate
//! 5.65 ± 0.24 Hz, mean ISI CV 0.524 ± 0.009, silent fraction 0.160 ± 0.014), and the laws its
//! general components obey: sparse connectivity counts, thread-count independence, memory per
//! neuron and synapse, and clear errors for bad synapse parameters.

use cortecs::bench::cuba::{cuba_config, run_cuba, run_cuba_config};
use cortecs::bench::{BenchSpec, BenchSynapses, measure};
use cortecs::prelude::*;

fn config_file() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/configs/cuba.ron")).unwrap()
}

/// `configs/cuba.ron` is the model `cuba_config(4000)` generates (probes aside), so the figures
/// of `cortecs bench cuba` are those of the config.
#[test]
fn the_config_is_the_generated_model() {
    let strip = |text: &str| {
        let mut c = Model::from_config_str(text, &Registry::with_builtins())
            .unwrap()
            .config();
        c.probes.clear();
        c.to_ron()
    };
    assert_eq!(strip(&config_file()), strip(&cuba_config(4000, 1, 10_000)));
}

/// Rate, ISI irregularity and silent fraction agree with Brian2's at N = 4000 (the issue's
/// bounds: 5.6 ± 0.3 Hz, CV 0.52 ± 0.05); connectivity has ~80 inputs per neuron.
#[test]
fn cuba_statistics_agree_with_brian2() {
    let run = run_cuba_config(&config_file(), 1).unwrap();
    let (cv, n_cv) = run.cv_isi();
    let rate = run.rate_hz();
    println!(
        "CUBA N = 4000: {} synapses, {} spikes, rate {rate:.3} Hz, CV {cv:.3} over {n_cv} \
         neurons, {:.1} % silent",
        run.synapses,
        run.spikes(),
        run.frac_silent() * 100.0
    );
    assert!((rate - 5.6).abs() <= 0.3, "rate {rate}");
    assert!((cv - 0.52).abs() <= 0.05, "CV {cv}");
    assert!(
        (run.frac_silent() - 0.16).abs() <= 0.05,
        "silent {}",
        run.frac_silent()
    );
    // p = 0.02 over 4000 × 4000 ordered pairs: 320 000 ± 5·560
    assert!(
        (run.synapses as f64 - 320_000.0).abs() < 5.0 * 560.0,
        "{}",
        run.synapses
    );
    // minimum ISI = the 5 ms refractory period (50 steps)
    let min_isi = run
        .trains
        .iter()
        .flat_map(|t| t.windows(2).map(|w| w[1] - w[0]))
        .min()
        .unwrap();
    assert!(min_isi >= 50, "{min_isi}");
}

/// Same config and seed ⇒ the same spikes on 1 and 2 threads (populations large enough to be
/// split into parallel chunks).
#[test]
fn cuba_spikes_do_not_depend_on_the_thread_count() {
    let a = run_cuba(25_000, 3, 300, 1).unwrap();
    let b = run_cuba(25_000, 3, 300, 2).unwrap();
    assert!(a.spikes() > 1000, "{}", a.spikes());
    assert_eq!(a.trains, b.trains);
    assert_eq!(a.syn_events, b.syn_events);
}

/// Memory: an IAF neuron holds 4 values (16 bytes in f32) and a shared-weight sparse synapse
/// one 4-byte target, plus 8 bytes per presynaptic neuron of row pointers — so 10⁷ neurons
/// with 10⁹ synapses need about 10⁷·(16 + 8 + 4) + 10⁹·4 bytes ≈ 4.3 GB.
#[test]
fn memory_per_neuron_and_synapse() {
    let mut spec = BenchSpec::new("IAF");
    spec.steps = 5;
    spec.synapses = BenchSynapses::Sparse { fan_out: 50 };
    let n = 20_000;
    let row = measure(&spec, n, 1).unwrap();
    let real = std::mem::size_of::<Real>() as f64;
    let per_synapse = 4.0;
    let expected = 4.0 * real + real + 8.0 + per_synapse * row.synapses as f64 / n as f64;
    println!(
        "{} synapses; {:.1} bytes per neuron (expected {expected:.1})",
        row.synapses, row.bytes_per_neuron
    );
    assert!(
        (row.bytes_per_neuron - expected).abs() < 1.0,
        "{}",
        row.bytes_per_neuron
    );
}

#[test]
fn bad_sparse_parameters_are_named() {
    let model = |params: &str| {
        let text = format!(
            r#"Model(dt: 0.1, cells: [(name: "P", kind: "IAF", params: (n_units: 10))],
               synapses: [(name: "W", kind: "Sparse", pre: "P", post: "P", params: ({params}))])"#
        );
        match Model::from_config_str(&text, &Registry::with_builtins()) {
            Ok(_) => panic!("`{params}` should be rejected"),
            Err(e) => e.to_string(),
        }
    };
    let e = model("p_conn: 1.5, weight: 1.0");
    assert!(e.contains("p_conn") && e.contains("probability"), "{e}");
    let e = model("p_conn: 0.1, fan_in: 3, weight: 1.0");
    assert!(e.contains("exactly one of `p_conn` and `fan_in`"), "{e}");
    let e = model("fan_in: 30, weight: 1.0");
    assert!(
        e.contains("fan_in") && e.contains("at most the 10 units"),
        "{e}"
    );
    let e = model("p_conn: 0.1");
    assert!(
        e.contains("exactly one of `weight` and `weight_init`"),
        "{e}"
    );
    let e = model("p_conn: 0.1, weight: 1.0, tau_syn: -2.0");
    assert!(e.contains("tau_syn"), "{e}");
}

/// `delivery: dense` (full rows, zeros included) and the default sparse delivery give the same
/// spikes: each target receives the same additions in the same order.
#[test]
fn dense_and_sparse_delivery_give_the_same_spikes() {
    let sparse = cuba_config(2000, 5, 300);
    let dense = sparse
        .replace("tau_syn: 5))", "tau_syn: 5, delivery: dense))")
        .replace("tau_syn: 10))", "tau_syn: 10, delivery: dense))");
    assert_eq!(dense.matches("delivery: dense").count(), 4, "{dense}");
    let a = run_cuba_config(&sparse, 1).unwrap();
    let b = run_cuba_config(&dense, 1).unwrap();
    assert!(a.spikes() > 100);
    assert_eq!(a.trains, b.trains);
}
