//! Network fidelity against Nengo 4.1.0 (`tests/refs/nengo/network/`, read at test time):
//! `Node(sin 2πt) → A(100) → B(100, x²)` at dt = 1 ms for 1 s, with Nengo's default synapses
//! (5 ms on connections, 10 ms on the decoded probes).
//!
//! Nengo's built parameters are injected — encoders, gains, biases, eval points and initial
//! voltages of A and B (`A_neurons.csv`, `A_eval_points.csv` …) — and the node replays the
//! recorded stimulus (`probes.csv`, column `stim`) as a `Piecewise` process. cortecs then solves
//! its own decoders on those eval points and runs its own step, in its own units (ms).
//!
//! Checked (f64 build): decoders within 1e-9 of Nengo's (relative to the largest decoder); A's
//! and B's spike trains identical; decoded probes, input currents, A's voltage and refractory
//! time within 1e-9 of the recording (relative to each signal's largest magnitude). In the f32
//! build the same run is checked against what f32 can hold: decoders to 1e-6 and the decoded
//! probes to within the network's own decoding error scale.

mod common;

use common::{read_matrix, refs_dir};
use cortecs::ModelBuilder;
use cortecs::components::nef::connection::ConnectionParams;
use cortecs::components::nef::dists::Distribution;
use cortecs::components::nef::ensemble::EnsembleParams;
use cortecs::components::nef::function::FunctionSpec;
use cortecs::components::nef::node::NodeParams;
use cortecs::components::nef::process::Process;
use cortecs::components::synapses::filter::Synapse;
use cortecs::probe::ProbeSpec;
use cortecs::registry::builtin::{Connection, Ensemble, Node};
use ndarray::{Array2, s};

/// Nengo's built ensemble `name` from `<name>_neurons.csv` and `<name>_eval_points.csv`.
fn injected(name: &str) -> EnsembleParams {
    let dir = refs_dir("nengo").join("network");
    let n = read_matrix(&dir.join(format!("{name}_neurons.csv")));
    let ep = read_matrix(&dir.join(format!("{name}_eval_points.csv")));
    let col = |c: usize| n.column(c).to_vec();
    let mut p = EnsembleParams::new(n.nrows(), 1);
    p.encoders = Distribution::Matrix(n.column(1).iter().map(|e| vec![*e]).collect());
    p.gain = Some(col(2));
    p.bias = Some(col(3));
    p.eval_points = Distribution::Matrix(ep.rows().into_iter().map(|r| r.to_vec()).collect());
    p.initial_voltage = Distribution::Values(col(7));
    p
}

/// `probe` rows × columns as f64.
fn as_f64(a: Array2<cortecs::Real>) -> Array2<f64> {
    a.mapv(f64::from)
}

/// `max |a − b| / max |b|`: the error relative to the signal's scale.
fn scaled_error(ours: &Array2<f64>, reference: &Array2<f64>) -> f64 {
    assert_eq!(ours.dim(), reference.dim(), "shape");
    let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let worst = ours
        .iter()
        .zip(reference)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    worst / scale
}

/// Time series columns `n0…` (dropping `step,t`).
fn series(file: &str) -> Array2<f64> {
    let m = read_matrix(&refs_dir("nengo").join("network").join(file));
    m.slice(s![.., 2..]).to_owned()
}

#[test]
fn channel_with_square_matches_nengo() {
    let dir = refs_dir("nengo").join("network");
    let probes = read_matrix(&dir.join("probes.csv"));
    let stim: Vec<Vec<f64>> = probes.column(2).iter().map(|v| vec![*v]).collect();
    let times: Vec<f64> = (1..=stim.len()).map(|k| k as f64).collect();
    let steps = stim.len() as u64;
    let filtered = |t: &str| ProbeSpec {
        synapse: Some(Synapse::Lowpass { tau: 10.0 }),
        ..ProbeSpec::new(t, "decoded")
    };
    let mut model = ModelBuilder::new(1.0)
        .cell::<Node>(
            "stim",
            &NodeParams::new(Process::Piecewise {
                times,
                values: stim,
            }),
        )
        .cell::<Ensemble>("A", &injected("A"))
        .cell::<Ensemble>("B", &injected("B"))
        .synapse::<Connection>("c_in", "stim", "A", &ConnectionParams::default())
        .synapse::<Connection>(
            "c_ab",
            "A",
            "B",
            &ConnectionParams {
                function: Some(FunctionSpec::One("x**2".into())),
                ..ConnectionParams::default()
            },
        )
        .probe_spec(filtered("A"))
        .probe_spec(filtered("B"))
        .probe("A", "output")
        .probe("B", "output")
        .probe("A", "input")
        .probe("B", "input")
        .probe("A", "voltage")
        .probe("A", "refractory_time")
        .build()
        .unwrap();
    model.run_steps(steps).unwrap();

    // Decoders of A → B (x²), solved by cortecs on Nengo's eval points.
    let dec = read_matrix(&dir.join("decoders.csv"));
    let ours = as_f64(
        model
            .array("c_ab", "decoders")
            .unwrap()
            .into_dimensionality()
            .unwrap(),
    );
    let reference = dec.slice(s![.., 1..2]).to_owned();
    let e_dec = scaled_error(&ours, &reference);

    let exact = cfg!(feature = "f64");
    let spikes_a = as_f64(model.probe("A", "output").unwrap());
    let spikes_b = as_f64(model.probe("B", "output").unwrap());
    let diff = |a: &Array2<f64>, b: &Array2<f64>| a.iter().zip(b).filter(|(x, y)| x != y).count();
    let (da, db) = (
        diff(&spikes_a, &series("A_spikes.csv")),
        diff(&spikes_b, &series("B_spikes.csv")),
    );
    let decoded = |e: &str, col: usize| {
        let p = as_f64(model.probe(e, "decoded").unwrap());
        let r = probes.slice(s![.., col..col + 1]).to_owned();
        scaled_error(&p, &r)
    };
    let (e_pa, e_pb) = (decoded("A", 3), decoded("B", 4));
    let e_in_a = scaled_error(
        &as_f64(model.probe("A", "input").unwrap()),
        &series("A_input.csv"),
    );
    let e_in_b = scaled_error(
        &as_f64(model.probe("B", "input").unwrap()),
        &series("B_input.csv"),
    );
    let e_v = scaled_error(
        &as_f64(model.probe("A", "voltage").unwrap()),
        &series("A_voltage.csv"),
    );
    // cortecs keeps refractory time in ms; Nengo in s.
    let e_rt = scaled_error(
        &(as_f64(model.probe("A", "refractory_time").unwrap()) / 1000.0),
        &series("A_refractory_time.csv"),
    );
    println!(
        "decoders {e_dec:.2e}; spike mismatches A {da} B {db}; decoded A {e_pa:.2e} B {e_pb:.2e}; \
         input A {e_in_a:.2e} B {e_in_b:.2e}; voltage {e_v:.2e}; refractory {e_rt:.2e}"
    );
    if exact {
        assert!(e_dec <= 1e-9, "decoders {e_dec}");
        assert_eq!((da, db), (0, 0), "spike trains differ");
        for (what, e) in [
            ("decoded A", e_pa),
            ("decoded B", e_pb),
            ("input A", e_in_a),
            ("input B", e_in_b),
            ("voltage A", e_v),
            ("refractory_time A", e_rt),
        ] {
            assert!(e <= 1e-9, "{what}: {e}");
        }
    } else {
        // f32 holds decoders to ~1e-7 relative; spikes drift apart once a voltage rounds
        // differently, so the decoded signals are compared at the scale of the network's own
        // decoding error (RMSE vs ideal ≈ 0.02–0.03, README of the refs).
        assert!(e_dec <= 1e-6, "decoders {e_dec}");
        assert!(e_pa < 0.1 && e_pb < 0.1, "decoded A {e_pa}, B {e_pb}");
    }
}
