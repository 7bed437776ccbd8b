//! Network fidelity against Nengo 4.1.0 (`nengo/network/` of the references, read at test
//! time): `Node(sin 2πt) → A(100) → B(100, x²)` for 1 s. Every setting is read from the
//! recording: dt and steps (`params.json` → `simulator`), and from the network's description
//! (`params.json` → `network`) the neuron type `LIF(…)`, each connection's `Lowpass(τ)`, A → B's
//! function and `LstsqL2(reg=…)`, and the probes' synapse; each ensemble's radius is
//! `encoder·gain/scaled_encoder` of its `<name>_neurons.csv`.
//!
//! Nengo's built parameters are injected — encoders, gains, biases, eval points and initial
//! voltages of A and B (`A_neurons.csv`, `A_eval_points.csv` …) — and the node replays the
//! recorded stimulus (`probes.csv`, column `stim`) as a `Piecewise` process. cortecs then solves
//! its own decoders on those eval points and runs its own step, in its own units (ms).
//!
//! Checked (f64 build): decoders within 1e-9 of Nengo's (relative to the largest decoder); A's
//! and B's spike trains identical; decoded probes, input currents, A's voltage and refractory
//! time within 1e-9 of the recording (relative to each signal's largest magnitude). In the f32
//! build: A's and B's spike trains identical, and decoders, decoded probes, both input
//! currents, A's voltage and refractory time within bounds derived from f32 rounding, step by
//! step (`f32_within_rounding_bounds`; the worst measured error is 0.37 of its bound).

mod common;

use common::{NengoCall, call_text, read_json, read_matrix, recorded_lif, refs_dir};
use cortecs::ModelBuilder;
use cortecs::components::nef::connection::ConnectionParams;
use cortecs::components::nef::dists::Distribution;
use cortecs::components::nef::ensemble::EnsembleParams;
use cortecs::components::nef::function::FunctionSpec;
use cortecs::components::nef::node::NodeParams;
use cortecs::components::nef::process::Process;
use cortecs::components::nef::solvers::Solver;
use cortecs::components::neurons::nef::NeuronType;
use cortecs::components::synapses::filter::Synapse;
use cortecs::probe::ProbeSpec;
use cortecs::registry::builtin::{Connection, Ensemble, Node};
use ndarray::{Array2, s};

/// What `network/params.json` records of the network: its description (`network`, a Nengo
/// script in words), the simulator's dt and steps.
struct Recorded {
    text: String,
    dt_ms: f64,
    steps: u64,
}

impl Recorded {
    fn read() -> Self {
        let p = read_json(&refs_dir("nengo").join("network").join("params.json"));
        let sim = &p["simulator"];
        Self {
            text: p["network"].as_str().expect("params.json: network").into(),
            dt_ms: 1000.0 * sim["dt"].as_f64().expect("params.json: simulator.dt"),
            steps: sim["steps"].as_u64().expect("params.json: simulator.steps"),
        }
    }

    /// The description from the first `from` on (e.g. `"Connection(A, B"`).
    fn after(&self, from: &str) -> &str {
        let at = self
            .text
            .find(from)
            .unwrap_or_else(|| panic!("no {from:?} in the recorded network {:?}", self.text));
        &self.text[at..]
    }

    /// The Lowpass time constant (ms) of the first `Lowpass(τ)` after `from`.
    fn lowpass_after(&self, from: &str) -> f64 {
        let tau_s = NengoCall::find(self.after(from), "Lowpass")
            .number("tau", Some(0))
            .expect("Lowpass(tau)");
        1000.0 * tau_s
    }

    /// The synapse (ms) of the first `Probe(…, synapse=τ)`.
    fn probe_synapse(&self) -> f64 {
        let probe = NengoCall::find(&self.text, "Probe");
        1000.0 * probe.number("synapse", None).expect("Probe(…, synapse=…)")
    }
}

/// Nengo's built ensemble `name` from `<name>_neurons.csv` and `<name>_eval_points.csv`, with
/// the recorded neuron type and its radius `encoder·gain/scaled_encoder`.
fn injected(name: &str, neuron_type: NeuronType) -> EnsembleParams {
    let dir = refs_dir("nengo").join("network");
    let n = read_matrix(&dir.join(format!("{name}_neurons.csv")));
    let ep = read_matrix(&dir.join(format!("{name}_eval_points.csv")));
    let col = |c: usize| n.column(c).to_vec();
    let mut p = EnsembleParams::new(n.nrows(), 1);
    p.neuron_type = neuron_type;
    p.radius = n[[0, 1]] * n[[0, 2]] / n[[0, 6]];
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
    let rec = Recorded::read();
    let probes = read_matrix(&dir.join("probes.csv"));
    let stim: Vec<Vec<f64>> = probes.column(2).iter().map(|v| vec![*v]).collect();
    assert_eq!(stim.len() as u64, rec.steps, "probes.csv rows");
    let times: Vec<f64> = (1..=stim.len()).map(|k| k as f64 * rec.dt_ms).collect();
    let steps = rec.steps;
    let lif = recorded_lif(call_text(&rec.text, "LIF"));
    let probe_tau = rec.probe_synapse();
    let filtered = |t: &str| ProbeSpec {
        synapse: Some(Synapse::Lowpass { tau: probe_tau }),
        ..ProbeSpec::new(t, "decoded")
    };
    let c_ab = NengoCall::find(rec.after("Connection(A, B"), "Connection");
    let function = c_ab
        .args
        .iter()
        .find(|(k, _)| k.as_deref() == Some("function"))
        .map(|(_, f)| f.clone())
        .expect("Connection(A, B, function=…)");
    let reg = NengoCall::find(rec.after("Connection(A, B"), "LstsqL2")
        .number("reg", Some(0))
        .expect("LstsqL2(reg)");
    let mut model = ModelBuilder::new(rec.dt_ms)
        .cell::<Node>(
            "stim",
            &NodeParams::new(Process::Piecewise {
                times,
                values: stim,
            }),
        )
        .cell::<Ensemble>("A", &injected("A", lif))
        .cell::<Ensemble>("B", &injected("B", lif))
        .synapse::<Connection>(
            "c_in",
            "stim",
            "A",
            &ConnectionParams {
                synapse: Synapse::Lowpass {
                    tau: rec.lowpass_after("Connection(stim, A)"),
                },
                ..ConnectionParams::default()
            },
        )
        .synapse::<Connection>(
            "c_ab",
            "A",
            "B",
            &ConnectionParams {
                function: Some(FunctionSpec::One(function)),
                synapse: Synapse::Lowpass {
                    tau: rec.lowpass_after("Connection(A, B"),
                },
                solver: Solver::LstsqL2 { reg },
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
        f32_within_rounding_bounds(&model, &rec, lif, probe_tau, e_dec, (da, db));
    }
}

/// Running bound of the f32 error of a filtered sum `X ← a·X + (1 − a)·Σ_i t_i` (a lowpass of
/// decay `a` per step) whose terms `t_i` are each known to `ε/2` (a decoder or input rounded
/// to f32), from the recorded terms' magnitudes `terms[k]` and the recorded filter value
/// `x[k]`: the sum of m terms rounds by at most `(m + 1)·ε·Σ|t_i|` (recursive summation plus
/// the terms' own rounding); the filter update rounds by `2ε·(|X| + (1 − a)·Σ|t_i|)` and
/// contracts what it holds by `a` each step. The running maximum of that error, so that a
/// signal read one step later (a probe's delay) is covered too.
fn filtered_sum_bound(terms: &[Vec<f64>], x: &[f64], a: f64) -> Vec<f64> {
    let eps = f64::from(f32::EPSILON);
    let (mut e, mut envelope) = (0.0f64, 0.0f64);
    terms
        .iter()
        .zip(x)
        .map(|(t, x)| {
            let w: f64 = t.iter().map(|v| v.abs()).sum();
            let m = t.iter().filter(|v| **v != 0.0).count() as f64;
            e = a * e + (1.0 - a) * (m + 1.0) * eps * w + 2.0 * eps * (x.abs() + (1.0 - a) * w);
            envelope = envelope.max(e);
            envelope
        })
        .collect()
}

/// The f32 build against Nengo's float64 run. Nengo's spike trains must be reproduced exactly
/// (f32 rounding could move a threshold crossing that falls within rounding distance of a step
/// boundary by one step; none does in this recording). Given identical spikes, every other
/// signal is an f32 computation over the same inputs and must stay within a bound derived
/// from f32's unit roundoff `ε = 2⁻²³`, step by step:
///
/// - decoders: solved in f64 (within 1e-9 of Nengo's, the f64 build's check) and stored as
///   f32: `ε/2` of the largest decoder more;
/// - decoded probes and the input currents: sums of recorded terms filtered by a lowpass
///   ([`filtered_sum_bound`]); a current `J = bias + e·x` adds `|e|` times the filter's bound
///   and `2ε·(|bias| + |e·x|)` for its own product and sum;
/// - A's voltage and refractory time: as in `fidelity_nengo_neurons` (the f32 LIF test), with
///   the current's own bound ΔJ added: `ε·max(1, |J|)·(τ_rc/dt + 1) + ΔJ + (|J| + 1)/τ_rc·shift`
///   and, while refractory, `ε·(τ_ref + dt) + shift`, where each spike adds
///   `τ_rc·(2ε + ΔJ)/|J − 1|` to the time shift.
fn f32_within_rounding_bounds(
    model: &cortecs::Model,
    rec: &Recorded,
    lif: NeuronType,
    probe_tau: f64,
    e_dec: f64,
    (da, db): (usize, usize),
) {
    let eps = f64::from(f32::EPSILON);
    let NeuronType::LIF {
        tau_rc, tau_ref, ..
    } = lif
    else {
        unreachable!()
    };
    let dt = rec.dt_ms;
    let dir = refs_dir("nengo").join("network");
    assert!(e_dec <= 1e-9 + eps / 2.0, "decoders {e_dec}");
    assert_eq!((da, db), (0, 0), "spike trains differ");

    let dec = read_matrix(&dir.join("decoders.csv"));
    let probes = read_matrix(&dir.join("probes.csv"));
    let (s_a, s_b) = (series("A_spikes.csv"), series("B_spikes.csv"));
    let (j_a, j_b) = (series("A_input.csv"), series("B_input.csv"));
    let (na, nb) = (
        read_matrix(&dir.join("A_neurons.csv")),
        read_matrix(&dir.join("B_neurons.csv")),
    );
    let decay = |tau: f64| (-dt / tau).exp();
    let terms = |d: usize, s: &Array2<f64>| -> Vec<Vec<f64>> {
        s.rows()
            .into_iter()
            .map(|row| row.iter().zip(dec.column(d)).map(|(s, d)| s * d).collect())
            .collect()
    };
    let mut worst = Vec::new();
    let mut check = |what: &str,
                     ours: &Array2<f64>,
                     reference: &Array2<f64>,
                     bound: &dyn Fn(usize, usize) -> f64| {
        assert_eq!(ours.dim(), reference.dim(), "{what}: shape");
        let mut w = (0.0f64, 0, 0);
        for ((k, i), a) in ours.indexed_iter() {
            let (e, b) = ((a - reference[[k, i]]).abs(), bound(k, i));
            assert!(
                e <= b,
                "{what}: step {} unit {i}: off by {e:e} > its bound {b:e}",
                k + 1
            );
            if e / b > w.0 {
                w = (e / b, k + 1, i);
            }
        }
        worst.push(format!("{what} {:.2} (step {}, unit {})", w.0, w.1, w.2));
    };

    // decoded probes
    for (e, d, s, col) in [("A", 2, &s_a, 3), ("B", 3, &s_b, 4)] {
        let x = probes.column(col).to_vec();
        let bound = filtered_sum_bound(&terms(d, s), &x, decay(probe_tau));
        let ours = as_f64(model.probe(e, "decoded").unwrap());
        let reference = probes.slice(s![.., col..col + 1]).to_owned();
        check(&format!("decoded {e}"), &ours, &reference, &|k, _| bound[k]);
    }

    // input currents J = bias + e·x: x from the recorded current of neuron 0
    let x_of = |j: &Array2<f64>, n: &Array2<f64>| -> Vec<f64> {
        j.column(0)
            .iter()
            .map(|j| (j - n[[0, 3]]) / n[[0, 6]])
            .collect()
    };
    let x_a = x_of(&j_a, &na);
    let stim: Vec<Vec<f64>> = probes.column(2).iter().map(|u| vec![*u]).collect();
    let tau_in = rec.lowpass_after("Connection(stim, A)");
    let e_xa = filtered_sum_bound(&stim, &x_a, decay(tau_in));
    let x_b = x_of(&j_b, &nb);
    let tau_ab = rec.lowpass_after("Connection(A, B");
    let e_xb = filtered_sum_bound(&terms(1, &s_a), &x_b, decay(tau_ab));
    let current_bound = |n: &Array2<f64>, e_x: &[f64], x: &[f64], k: usize, i: usize| {
        let (bias, enc) = (n[[i, 3]].abs(), n[[i, 6]].abs());
        enc * e_x[k] + 2.0 * eps * (bias + enc * x[k].abs())
    };
    let dj_a = |k: usize, i: usize| current_bound(&na, &e_xa, &x_a, k, i);
    check(
        "input A",
        &as_f64(model.probe("A", "input").unwrap()),
        &j_a,
        &dj_a,
    );
    check(
        "input B",
        &as_f64(model.probe("B", "input").unwrap()),
        &j_b,
        &|k, i| current_bound(&nb, &e_xb, &x_b, k, i),
    );

    // A's voltage and refractory time
    let n = j_a.ncols();
    let mut shift = Array2::<f64>::zeros(j_a.dim()); // ms
    for i in 0..n {
        let mut acc = 0.0;
        for k in 0..j_a.nrows() {
            if s_a[[k, i]] > 0.0 {
                acc += tau_rc * (2.0 * eps + dj_a(k, i)) / (j_a[[k, i]] - 1.0).abs();
            }
            shift[[k, i]] = acc;
        }
    }
    check(
        "voltage A",
        &as_f64(model.probe("A", "voltage").unwrap()),
        &series("A_voltage.csv"),
        &|k, i| {
            let j = j_a[[k, i]].abs();
            eps * j.max(1.0) * (tau_rc / dt + 1.0) + dj_a(k, i) + (j + 1.0) / tau_rc * shift[[k, i]]
        },
    );
    // compared while refractory (Nengo's value > 0): below 0 it only counts down, unused
    let rt_ref = series("A_refractory_time.csv");
    let rt_ours = as_f64(model.probe("A", "refractory_time").unwrap()) / 1000.0;
    let refractory = |m: &Array2<f64>| {
        Array2::from_shape_fn(
            m.dim(),
            |(k, i)| if rt_ref[[k, i]] > 0.0 { m[[k, i]] } else { 0.0 },
        )
    };
    check(
        "refractory_time A (s)",
        &refractory(&rt_ours),
        &refractory(&rt_ref),
        &|k, i| (eps * (tau_ref + dt) + shift[[k, i]]) / 1000.0,
    );
    println!(
        "f32: spikes identical; worst error / bound: {}",
        worst.join(", ")
    );
}
