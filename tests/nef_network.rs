//! NEF networks beyond the reference recordings: laws of recurrent, `.neurons` and node
//! connections; Rust closures; determinism across thread counts; save → load → continue;
//! `sample_every`.

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use std::sync::{Arc, Mutex};

use cortecs::components::nef::connection::ConnectionParams;
use cortecs::components::nef::ensemble::EnsembleParams;
use cortecs::components::nef::function::{Function, FunctionSpec};
use cortecs::components::nef::node::NodeParams;
use cortecs::components::nef::process::Process;
use cortecs::components::nef::transform::Transform;
use cortecs::components::synapses::filter::Synapse;
use cortecs::prelude::*;
use cortecs::probe::ProbeSpec;
use cortecs::registry::builtin::{Connection, Ensemble, Node};
use ndarray::Array2;

fn sine() -> NodeParams {
    NodeParams::new(Process::Sine {
        frequency: 1.0,
        amplitude: 1.0,
        phase: 0.0,
        offset: 0.0,
    })
}

fn passthrough(n: usize) -> NodeParams {
    NodeParams::passthrough(n)
}

fn decoded(target: &str, tau: Option<f64>) -> ProbeSpec {
    ProbeSpec {
        synapse: Some(tau.map_or(Synapse::None, |tau| Synapse::Lowpass { tau })),
        ..ProbeSpec::new(target, "decoded")
    }
}

fn conn() -> ConnectionParams {
    ConnectionParams::default()
}

/// `y[k] = a·y[k−1] + (1 − a)·u[k]` then one step of delay (Nengo's synapse rule).
fn delayed_lowpass(u: &Array2<f64>, tau: f64, dt: f64) -> Array2<f64> {
    let a = (-dt / tau).exp();
    let mut y = Array2::zeros(u.dim());
    let mut s = vec![0.0; u.ncols()];
    for k in 0..u.nrows() {
        for (j, sj) in s.iter_mut().enumerate() {
            if k > 0 {
                y[[k, j]] = *sj;
            }
            *sj = a * *sj + (1.0 - a) * u[[k, j]];
        }
    }
    y
}

fn f64s(a: Array2<Real>) -> Array2<f64> {
    a.mapv(f64::from)
}

/// Nengo's integrator: `A → A` through Lowpass(τ) with transform 1, input through transform τ
/// (in seconds), integrates its input: a constant 0.5 gives x(t) ≈ 0.5·t.
#[test]
fn recurrent_connection_integrates() {
    let tau = 100.0;
    let mut m = ModelBuilder::new(1.0)
        .seed(5)
        .cell::<Node>("u", &NodeParams::new(Process::Constant(vec![0.5])))
        .cell::<Ensemble>("A", &EnsembleParams::new(200, 1))
        .synapse::<Connection>(
            "in",
            "u",
            "A",
            &ConnectionParams {
                transform: Transform::Scalar(tau / 1000.0),
                synapse: Synapse::Lowpass { tau },
                ..conn()
            },
        )
        .synapse::<Connection>(
            "rec",
            "A",
            "A",
            &ConnectionParams {
                synapse: Synapse::Lowpass { tau },
                ..conn()
            },
        )
        .probe_spec(decoded("A", Some(10.0)))
        .build()
        .unwrap();
    m.run_steps(1000).unwrap();
    let x = m.probe("A", "decoded").unwrap();
    let (half, end) = (f64::from(x[[499, 0]]), f64::from(x[[999, 0]]));
    println!("integrator: x(0.5 s) = {half:.3}, x(1 s) = {end:.3}");
    assert!((half - 0.25).abs() < 0.08, "x(0.5 s) = {half}");
    assert!((end - 0.5).abs() < 0.1, "x(1 s) = {end}");
}

/// `A.neurons → B.neurons` with a scalar transform: B's input current is
/// `bias_B + gain_B ⊙ delay(LP₅(s·spikes_A))`, B having no other input.
#[test]
fn neurons_to_neurons_scales_by_post_gain() {
    let mut m = ModelBuilder::new(1.0)
        .cell::<Node>("stim", &sine())
        .cell::<Ensemble>("A", &EnsembleParams::new(30, 1))
        .cell::<Ensemble>("B", &EnsembleParams::new(30, 1))
        .synapse::<Connection>("in", "stim", "A", &conn())
        .synapse::<Connection>(
            "nn",
            "A.neurons",
            "B.neurons",
            &ConnectionParams {
                transform: Transform::Scalar(0.002),
                ..conn()
            },
        )
        .probe("A", "output")
        .probe("B", "input")
        .build()
        .unwrap();
    m.run_steps(300).unwrap();
    let spikes = f64s(m.probe("A", "output").unwrap()) * 0.002;
    let filtered = delayed_lowpass(&spikes, 5.0, 1.0);
    let j = f64s(m.probe("B", "input").unwrap());
    let w = m.array("nn", "weights").unwrap();
    assert_eq!(w.shape(), &[30, 30]);
    // At step 1 nothing has arrived yet (one step of synaptic delay), so J = bias.
    let bias: Vec<f64> = j.row(0).to_vec();
    // Recover each gain from the first step with input and check every later step with it.
    let mut worst: f64 = 0.0;
    for i in 0..30 {
        let Some(k0) = (1..300).find(|k| filtered[[*k, i]] > 0.0) else {
            // A silent presynaptic neuron: its partner only ever gets its bias.
            assert!(j.column(i).iter().all(|v| *v == bias[i]), "neuron {i}");
            continue;
        };
        let gain = (j[[k0, i]] - bias[i]) / filtered[[k0, i]];
        assert!(gain > 0.0);
        for k in 0..300 {
            let expected = bias[i] + gain * filtered[[k, i]];
            worst = worst.max((j[[k, i]] - expected).abs() / (1.0 + expected.abs()));
        }
    }
    let tol = if cfg!(feature = "f64") { 1e-12 } else { 1e-4 };
    assert!(
        worst < tol,
        "B input vs bias + gain ⊙ filtered spikes: {worst}"
    );
}

/// A doubling node built two ways (Nengo's passthrough question): a passthrough node fed
/// through transform 2, and a node computing `2*x0` from its input.
#[test]
fn passthrough_and_function_nodes_double_alike() {
    let mut m = ModelBuilder::new(1.0)
        .cell::<Node>("stim", &sine())
        .cell::<Node>("pass", &passthrough(1))
        .cell::<Node>(
            "fn",
            &NodeParams {
                size_in: 1,
                ..NodeParams::new(Process::Expr(FunctionSpec::One("2*x0".into())))
            },
        )
        .synapse::<Connection>(
            "to_pass",
            "stim",
            "pass",
            &ConnectionParams {
                transform: Transform::Scalar(2.0),
                synapse: Synapse::None,
                ..conn()
            },
        )
        .synapse::<Connection>(
            "to_fn",
            "stim",
            "fn",
            &ConnectionParams {
                synapse: Synapse::None,
                ..conn()
            },
        )
        .probe("stim", "output")
        .probe("pass", "output")
        .probe("fn", "output")
        .build()
        .unwrap();
    assert!(m.is_passthrough("pass").unwrap());
    assert!(!m.is_passthrough("fn").unwrap());
    assert!(!m.is_passthrough("stim").unwrap());
    m.run_steps(100).unwrap();
    let stim = m.probe("stim", "output").unwrap();
    // Without a synapse the value arrives in the same step.
    assert_eq!(m.probe("pass", "output").unwrap(), &stim * 2.0);
    assert_eq!(m.probe("fn", "output").unwrap(), &stim * 2.0);
}

/// A stateful Rust closure on a node fed by `A.neurons` without a synapse sees this step's
/// spikes (it runs after the neurons): it counts exactly the spikes the probe records.
#[test]
fn closure_node_sees_this_steps_spikes() {
    let mut m = ModelBuilder::new(1.0)
        .cell::<Node>("stim", &sine())
        .cell::<Ensemble>("A", &EnsembleParams::new(20, 1))
        .cell::<Node>("isi", &passthrough(20))
        .synapse::<Connection>("in", "stim", "A", &conn())
        .synapse::<Connection>(
            "watch",
            "A.neurons",
            "isi",
            &ConnectionParams {
                synapse: Synapse::None,
                ..conn()
            },
        )
        .probe("A", "output")
        .build()
        .unwrap();
    let times: Arc<Mutex<Vec<Vec<f64>>>> = Arc::new(Mutex::new(vec![vec![]; 20]));
    let seen = times.clone();
    m.set_node_function("isi", move |t, x, out| {
        let mut s = seen.lock().unwrap();
        for (i, v) in x.iter().enumerate() {
            if *v > 0.0 {
                s[i].push(t);
            }
        }
        out.copy_from_slice(x);
    })
    .unwrap();
    assert!(!m.is_passthrough("isi").unwrap());
    m.run_steps(500).unwrap();
    let spikes = m.probe("A", "output").unwrap();
    let times = times.lock().unwrap();
    for i in 0..20 {
        let recorded: Vec<f64> = (0..500)
            .filter(|k| spikes[[*k, i]] > 0.0)
            .map(|k| (k + 1) as f64)
            .collect();
        assert_eq!(times[i], recorded, "neuron {i}");
    }
    assert!(times.iter().map(Vec::len).sum::<usize>() > 100);
}

/// A Rust closure as a connection's function gives the same decoders as the same function
/// written as an expression.
#[test]
fn closure_function_equals_expression() {
    let build = || {
        ModelBuilder::new(1.0)
            .cell::<Ensemble>("A", &EnsembleParams::new(50, 1))
            .cell::<Ensemble>("B", &EnsembleParams::new(50, 1))
            .synapse::<Connection>(
                "sq",
                "A",
                "B",
                &ConnectionParams {
                    function: Some(FunctionSpec::One("x**2".into())),
                    ..conn()
                },
            )
            .build()
            .unwrap()
    };
    let expr = build();
    let mut closure = build();
    closure
        .set_connection_function("sq", Function::from_fn(1, 1, |x, y| y[0] = x[0] * x[0]))
        .unwrap();
    assert_eq!(
        expr.array("sq", "decoders").unwrap(),
        closure.array("sq", "decoders").unwrap()
    );
    // A closure of the wrong size is an error naming the connection.
    let e = closure
        .set_connection_function("sq", Function::from_fn(2, 1, |x, y| y[0] = x[0] * x[1]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`sq`") && e.contains("1 inputs"), "{e}");
}

/// sine → A(n) → B(n, x²); decoders on 200 eval points (enough here, and cheap at n = 20 000).
fn channel(n: usize) -> ModelBuilder {
    let ens = EnsembleParams {
        n_eval_points: Some(200),
        ..EnsembleParams::new(n, 1)
    };
    ModelBuilder::new(1.0)
        .seed(9)
        .cell::<Node>("stim", &sine())
        .cell::<Ensemble>("A", &ens)
        .cell::<Ensemble>("B", &ens)
        .synapse::<Connection>("in", "stim", "A", &conn())
        .synapse::<Connection>(
            "sq",
            "A",
            "B",
            &ConnectionParams {
                function: Some(FunctionSpec::One("x**2".into())),
                ..conn()
            },
        )
        .probe("B", "output")
        .probe_spec(decoded("B", None))
}

/// Same model, 1 or 2 threads: bit-identical spikes and decoded values (the ensembles are
/// large enough to be split across threads).
#[test]
fn thread_count_does_not_change_results() {
    let run = |threads| {
        let mut m = channel(20_000).build().unwrap();
        m.set_threads(threads).unwrap();
        m.run_steps(50).unwrap();
        (
            m.probe("B", "output").unwrap(),
            m.probe("B", "decoded").unwrap(),
        )
    };
    let (a, b) = (run(1), run(2));
    assert!(a.0.iter().any(|v| *v > 0.0));
    assert_eq!(a, b);
}

/// Saved at step 200, loaded and run 150 more steps = 350 steps uninterrupted (voltages,
/// refractory times and synapse states are saved).
#[test]
fn save_load_continue_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut whole = channel(60).build().unwrap();
    whole.run_steps(350).unwrap();
    let mut first = channel(60).build().unwrap();
    first.run_steps(200).unwrap();
    first.save(dir.path()).unwrap();
    let mut resumed = Model::load(dir.path()).unwrap();
    resumed.run_steps(150).unwrap();
    for c in ["output", "decoded"] {
        let w = whole.probe("B", c).unwrap();
        let r = resumed.probe("B", c).unwrap();
        assert_eq!(r.nrows(), 150);
        assert_eq!(r, w.slice(ndarray::s![200.., ..]), "B.{c}");
    }
}

/// `sample_every: 5` records rows 5, 10, … of the full-rate probe, while its filter still
/// advances every step.
#[test]
fn sample_every_keeps_the_filter_running() {
    let mut m = channel(40)
        .probe_spec(decoded("A", Some(10.0)))
        .probe_spec(ProbeSpec {
            sample_every: 5,
            ..decoded("A", Some(10.0))
        })
        .build()
        .unwrap();
    m.run_steps(100).unwrap();
    let probes: Vec<_> = m.probes().cloned().collect();
    assert_eq!(probes.len(), 4);
    let full = m.probe("A", "decoded").unwrap();
    assert_eq!(full.nrows(), 100);
    // The sampled probe is the second `A.decoded`: read it through its entity's data.
    let sampled = m.probe_at(3).unwrap();
    assert_eq!(sampled.nrows(), 20);
    for r in 0..20 {
        assert_eq!(sampled.row(r), full.row(5 * r + 4));
    }
}

/// A node replaying a file outputs row k at step k and holds the last row.
#[test]
fn replay_node_outputs_the_file_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("u.csv"), "a,b\n0.5,1\n-0.25,2\n0.125,3\n").unwrap();
    let text = r#"Model(dt: 1.0, cells: [
        (name: "u", kind: "Node", params: (file: "u.csv")),
    ], probes: [(target: "u", compartment: "output")])"#;
    let path = dir.path().join("m.ron");
    std::fs::write(&path, text).unwrap();
    let mut m = Model::from_config_file(&path).unwrap();
    m.run_steps(5).unwrap();
    let out = m.probe("u", "output").unwrap();
    let expected = [
        [0.5, 1.0],
        [-0.25, 2.0],
        [0.125, 3.0],
        [0.125, 3.0],
        [0.125, 3.0],
    ];
    for (k, row) in expected.iter().enumerate() {
        assert_eq!(
            out.row(k).to_vec(),
            row.map(|v| v as Real).to_vec(),
            "step {k}"
        );
    }
}

/// Rate neurons decode as well as spiking ones, with no spike noise: an LIFRate channel
/// follows the delayed, filtered sine closely.
#[test]
fn rate_neurons_decode_smoothly() {
    use cortecs::components::neurons::nef::NeuronType;
    let ens = EnsembleParams {
        neuron_type: NeuronType::LIFRate {
            tau_rc: 20.0,
            tau_ref: 2.0,
            amplitude: 1.0,
        },
        ..EnsembleParams::new(50, 1)
    };
    let mut m = ModelBuilder::new(1.0)
        .cell::<Node>("stim", &sine())
        .cell::<Ensemble>("A", &ens)
        .synapse::<Connection>("in", "stim", "A", &conn())
        .probe("stim", "output")
        .probe_spec(decoded("A", None))
        .build()
        .unwrap();
    m.run_steps(1000).unwrap();
    let ideal = delayed_lowpass(&f64s(m.probe("stim", "output").unwrap()), 5.0, 1.0);
    let got = f64s(m.probe("A", "decoded").unwrap());
    let err = ((&got - &ideal).mapv(|e| e * e).sum() / 1000.0).sqrt();
    println!("LIFRate RMSE {err:.4}");
    assert!(err < 0.02, "{err}");
}
