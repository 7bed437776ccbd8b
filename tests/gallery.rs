//! The gallery configs (`configs/gallery_*.ron`, README "Questions this answers") show what
//! they say: each is run and its numbers are checked against a law, not against pixels.

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use cortecs::analysis::{decoder_report, ensemble_report};
use cortecs::prelude::*;
use ndarray::Array2;

mod common;
/// Accuracy vs population size (`examples/gallery_population.rs`).
#[path = "gallery/population.rs"]
mod population;
/// Response curves, precise vs grid-aligned LIF (`examples/gallery_response.rs`).
#[path = "gallery/response.rs"]
mod response;

/// The gallery config `name`, built.
fn build(name: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name);
    Model::from_config_file(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The gallery config `name`, built and run for its `run.steps`.
fn run(name: &str) -> Model {
    let mut m = build(name);
    let steps = m.config().run.steps;
    m.run_steps(steps).unwrap();
    m
}

/// Nengo's LIF rate (Hz) for input current J (dimensionless), τ_rc 20 ms, τ_ref 2 ms.
fn lif_rate(j: f64) -> f64 {
    if j <= 1.0 {
        0.0
    } else {
        1.0 / (0.002 + 0.02 * (1.0 / (j - 1.0)).ln_1p())
    }
}

/// Gain and bias of a neuron with intercept 0 and 100 Hz at x = 1 (Nengo's `LIF.gain_bias`):
/// J(x) = gain·x + bias with J(0) = 1 and rate(J(1)) = 100 Hz.
fn gain_bias() -> (f64, f64) {
    gain_bias_for(0.0, 100.0)
}

/// Gain and bias of an LIF neuron (τ_rc 20 ms, τ_ref 2 ms) that starts firing at `intercept`
/// and fires `max_rate` Hz at x = 1: J(intercept) = 1 and rate(J(1)) = max_rate, solved by
/// inverting the rate formula: J(1) = 1/(1 − exp((τ_ref − 1/max_rate)/τ_rc)).
fn gain_bias_for(intercept: f64, max_rate: f64) -> (f64, f64) {
    let j1 = 1.0 / (1.0 - ((0.002 - 1.0 / max_rate) / 0.02f64).exp());
    let gain = (j1 - 1.0) / (1.0 - intercept);
    (gain, 1.0 - gain * intercept)
}

/// One LIF neuron under a 1 Hz sine fires only while the (filtered) sine is positive, as many
/// spikes as its rate curve integrates to, and its filtered output is continuous.
#[test]
fn a_single_lif_neuron_fires_on_the_positive_half_wave() {
    let m = run("gallery_single_lif.ron");
    let s = m.probe("A", "output").unwrap();
    let times: Vec<usize> = (0..s.nrows()).filter(|&k| s[[k, 0]] > 0.0).collect();
    let (first, last) = (times[0], *times.last().unwrap());
    println!("{} spikes between {first} and {last} ms", times.len());
    assert!(first > 5 && last < 520, "spikes at {first}..{last} ms");
    // expected count: ∫ rate(gain·x(t) + bias) dt over the positive half wave, x(t) the sine
    // through the connection's 5 ms lowpass (~ the sine itself, a few ms late)
    let (gain, bias) = gain_bias();
    let expected: f64 = (1..1000)
        .map(|k| {
            lif_rate(gain * (2.0 * std::f64::consts::PI * k as f64 / 1000.0).sin() + bias) / 1000.0
        })
        .sum();
    let n = times.len() as f64;
    assert!(
        (n - expected).abs() <= 0.1 * expected + 2.0,
        "{n} spikes, expected ≈ {expected:.1}"
    );
    // the filtered spike train: positive between spikes, no jumps to 0 while firing
    let f = m.probe_at(3).unwrap();
    assert!((first + 1..last).all(|k| f[[k, 0]] > 0.0));
}

/// Each neuron's inter-spike interval is the analytic LIF period of its input, to one step.
#[test]
fn isis_of_two_neurons_match_their_rates() {
    let m = run("gallery_isi.ron");
    let (gain, bias) = gain_bias();
    for (name, x) in [("a", 0.9), ("b", 0.1)] {
        let s = m.probe(name, "output").unwrap();
        let isis = cortecs::analysis::isis(s.view(), 1.0).unwrap().remove(0);
        let mean = isis[1..].iter().sum::<f64>() / (isis.len() - 1) as f64;
        let period = 1000.0 / lif_rate(gain * x + bias);
        println!("{name}: x = {x}, mean ISI {mean:.2} ms, analytic {period:.2} ms");
        assert!((mean - period).abs() <= 1.0, "{name}: {mean} vs {period}");
        assert!(isis[1..].iter().all(|i| (i - period).abs() <= 1.0));
    }
}

/// A passthrough node (no output) and a function node double the sine identically; only the
/// first is passthrough.
#[test]
fn the_doubling_node_two_ways() {
    let m = run("gallery_passthrough.ron");
    assert!(m.is_passthrough("double_pass").unwrap());
    assert!(!m.is_passthrough("double_fn").unwrap());
    let a = m.probe("double_pass", "output").unwrap();
    let b = m.probe("double_fn", "output").unwrap();
    let stim = m.probe("stim", "output").unwrap();
    // synapse None: no delay, the same step's value
    for k in 0..stim.nrows() {
        assert!((a[[k, 0]] - b[[k, 0]]).abs() < 1e-6);
        assert!((a[[k, 0]] - 2.0 * stim[[k, 0]]).abs() < 1e-5, "step {k}");
    }
}

/// Gain and bias come from (intercept, max rate) as Nengo computes them: equal to Nengo's own
/// table, J(intercept) = 1 (the neuron starts firing there), rate(x = 1) = max rate; a later
/// intercept or a higher max rate needs more gain.
#[test]
fn gain_and_bias_follow_from_intercept_and_max_rate() {
    let m = build("gallery_gain_bias.ron");
    let table = common::read_matrix(&common::refs_dir("nengo").join("lif_rate/gain_bias_LIF.csv"));
    let nengo = |max_rate: f64, intercept: f64| {
        let row = table
            .rows()
            .into_iter()
            .find(|r| r[0] == max_rate && (r[1] - intercept).abs() < 1e-12)
            .unwrap_or_else(|| panic!("no Nengo row for ({max_rate}, {intercept})"));
        (row[2], row[3])
    };
    for name in ["intercepts", "max_rates"] {
        let r = ensemble_report(&m, name, 201).unwrap();
        println!("{r}");
        let last = r.xs.len() - 1;
        assert_eq!((r.xs[0], r.xs[last]), (-1.0, 1.0));
        let mut previous_gain = 0.0;
        for (i, n) in r.neurons.iter().enumerate() {
            let (gain, bias) = nengo(n.max_rate, n.intercept);
            assert!((n.gain - gain).abs() <= 1e-12 * gain, "{name}[{i}] gain");
            assert!(
                (n.bias - bias).abs() <= 1e-12 * bias.abs().max(1.0),
                "{name}[{i}] bias"
            );
            let (g, b) = gain_bias_for(n.intercept, n.max_rate);
            assert!((n.gain - g).abs() <= 1e-9 * g && (n.bias - b).abs() <= 1e-9 * g);
            assert!(
                (n.gain * n.intercept + n.bias - 1.0).abs() < 1e-12,
                "J(intercept) = 1"
            );
            assert!((r.rates[[last, i]] - n.max_rate).abs() < 1e-9 * n.max_rate);
            for (p, &x) in r.xs.iter().enumerate() {
                let firing = r.rates[[p, i]] > 0.0;
                assert_eq!(firing, x > n.intercept + 1e-12, "{name}[{i}] at x = {x}");
            }
            assert!(n.gain > previous_gain, "{name}: gain grows along the table");
            previous_gain = n.gain;
        }
    }

    // The run sweeps x = 2·t − 1 over one second (t in s): a neuron cannot fire while its
    // current is below threshold (J < 1 ⇔ x < intercept, its voltage stays below J), and over
    // the sweep it fires as many spikes as its rate integrates to, within a couple of spikes
    // (the first interval starts from rest, and rates change along the sweep).
    let m = run("gallery_gain_bias.ron");
    for name in ["intercepts", "max_rates"] {
        let spikes = m.probe(name, "output").unwrap();
        let b = m.ensemble(name).unwrap();
        for i in 0..b.n_neurons() {
            let steps: Vec<usize> = (0..spikes.nrows())
                .filter(|&k| spikes[[k, i]] > 0.0)
                .collect();
            let x = |k: usize| 2.0 * k as f64 / 1000.0 - 1.0;
            let first = steps[0];
            assert!(
                x(first) > b.intercepts[i],
                "{name}[{i}] fired at x = {}",
                x(first)
            );
            let expected: f64 = (0..spikes.nrows())
                .map(|k| lif_rate(b.gain[i] * x(k) + b.bias[i]) / 1000.0)
                .sum();
            let n = steps.len() as f64;
            println!(
                "{name}[{i}]: first spike at x = {:.3} (intercept {}), {n} spikes, ∫rate {expected:.1}",
                x(first),
                b.intercepts[i]
            );
            assert!(
                (n - expected).abs() <= 2.0,
                "{name}[{i}]: {n} vs {expected:.1}"
            );
        }
    }
}

/// Rates of the LIF neurons of a built 1-D ensemble at the points `xs` (the rate formula,
/// computed here from the built gain, bias and encoders).
fn rates_at(m: &Model, name: &str, xs: &[f64]) -> Array2<f64> {
    let b = m.ensemble(name).unwrap();
    Array2::from_shape_fn((xs.len(), b.n_neurons()), |(p, i)| {
        lif_rate(b.gain[i] * b.encoders[[i, 0]] * xs[p] / b.radius + b.bias[i])
    })
}

/// The least-squares decoders of two neurons for `targets`: the 2×2 normal equations
/// (AᵀA)·d = Aᵀy, solved by Cramer's rule.
fn least_squares_2(a: &Array2<f64>, targets: &[f64]) -> [f64; 2] {
    let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (row, y) in a.rows().into_iter().zip(targets) {
        a11 += row[0] * row[0];
        a12 += row[0] * row[1];
        a22 += row[1] * row[1];
        b1 += row[0] * y;
        b2 += row[1] * y;
    }
    let det = a11 * a22 - a12 * a12;
    [(a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det]
}

/// Two mirrored neurons: their x decoders are the least-squares solution on the eval points,
/// mirrored (d₁ ≈ −d₀) and ≈ ±0.85 of the inverse max rate (0.848 on a uniform grid); the
/// x² decoders from the same curves are equal. Run under a sine, the decoded x follows it.
#[test]
fn two_mirrored_neurons_decode_x_and_x_squared() {
    let m = build("gallery_two_neurons.ron");
    let b = m.ensemble("A").unwrap();
    let eval: Vec<f64> = b.eval_points.column(0).to_vec();
    let a = rates_at(&m, "A", &eval);
    let grid: Vec<f64> = (0..10_001).map(|k| -1.0 + k as f64 / 5000.0).collect();
    let uniform = least_squares_2(&rates_at(&m, "A", &grid), &grid);
    for (conn, f) in [
        ("A_x", (|x| x) as fn(f64) -> f64),
        ("A_x_squared", |x| x * x),
    ] {
        let d = decoder_report(&m, conn, 201).unwrap().unwrap();
        println!("{d}");
        let targets: Vec<f64> = eval.iter().map(|&x| f(x)).collect();
        let expected = least_squares_2(&a, &targets);
        for (i, want) in expected.iter().enumerate() {
            let got = d.decoders[[i, 0]];
            assert!((got - want).abs() <= 1e-9 * want.abs(), "{conn}[{i}]");
        }
        // the decoded function is the tuning curves weighted by the decoders
        let decoded = d.decoded.as_ref().unwrap();
        let xs = ensemble_report(&m, "A", 201).unwrap().xs;
        let curves = rates_at(&m, "A", &xs);
        // … and the ideal beside it is the connection's function
        let ideal = d.ideal.as_ref().unwrap();
        let mut sq = 0.0;
        for p in 0..xs.len() {
            let y = curves[[p, 0]] * expected[0] + curves[[p, 1]] * expected[1];
            assert!((decoded[[p, 0]] - y).abs() < 1e-9);
            assert!((ideal[[p, 0]] - f(xs[p])).abs() < 1e-12);
            sq += (y - f(xs[p])).powi(2);
        }
        let curve = d.curve_rmse().unwrap()[0];
        assert!((curve - (sq / xs.len() as f64).sqrt()).abs() < 1e-9);
    }
    let x = decoder_report(&m, "A_x", 201).unwrap().unwrap();
    let (d0, d1) = (x.normalized[[0, 0]], x.normalized[[1, 0]]);
    println!(
        "normalized x decoders {d0:.4} {d1:.4}; uniform grid {:.4}",
        uniform[0] * 100.0
    );
    // random eval points are not exactly symmetric: mirrored to their asymmetry
    assert!((d0 + d1).abs() < 0.01 * d0, "mirrored: {d0} {d1}");
    assert!((d0 - 0.85).abs() < 0.01, "≈ 0.85: {d0}");
    assert!((uniform[0] * 100.0 - 0.848).abs() < 5e-4 && (uniform[0] + uniform[1]).abs() < 1e-12);
    let sq = decoder_report(&m, "A_x_squared", 201).unwrap().unwrap();
    let (s0, s1) = (sq.decoders[[0, 0]], sq.decoders[[1, 0]]);
    assert!(
        s0 > 0.0 && (s0 - s1).abs() < 0.01 * s0,
        "x² decoders equal: {s0} {s1}"
    );
    // x² needs neurons silent where x² is small: A's pair (both firing at 0) does no better
    // than the best constant on its eval points; B's (intercepts 0) does.
    let mean_sq = eval.iter().map(|x| x * x).sum::<f64>() / eval.len() as f64;
    let constant =
        (eval.iter().map(|x| (x * x - mean_sq).powi(2)).sum::<f64>() / eval.len() as f64).sqrt();
    let b_sq = decoder_report(&m, "B_x_squared", 201).unwrap().unwrap();
    println!(
        "x² RMSE on the eval points: A {:.3}, B {:.3}, best constant {constant:.3}",
        sq.solver_rmse[0], b_sq.solver_rmse[0]
    );
    assert!(sq.solver_rmse[0] >= 0.95 * constant);
    assert!(b_sq.solver_rmse[0] < 0.7 * constant);

    // the run: decoded x follows the sine through the two lowpasses (5 ms into A, 10 ms out)
    let m = run("gallery_two_neurons.ron");
    let stim = m.probe("stim", "output").unwrap().mapv(f64::from);
    let ideal = common::delayed_lowpass(&common::delayed_lowpass(&stim, 5.0, 1.0), 10.0, 1.0);
    let out = m.probe("x", "output").unwrap().mapv(f64::from);
    let (xs, ys) = (ideal.column(0), out.column(0));
    let corr = xs.dot(&ys) / (xs.dot(&xs) * ys.dot(&ys)).sqrt();
    println!(
        "decoded x vs ideal: correlation {corr:.3}, RMSE {:.3}",
        common::rmse(&out, &ideal)
    );
    assert!(corr > 0.9, "{corr}");
    // The spikes' law: over a window, the filtered spike train carries each spike's area
    // d_i (decoder × one spike), so its mean is the rate prediction Σ d_i·r_i(u(t)) (u the
    // input through the 5 ms synapse, then the same 10 ms lowpass) up to one spike per
    // neuron at the window's edges: |Δ| ≤ Σ|d_i|/T = 2·0.0085/0.3 s ≈ 0.057.
    let u = common::delayed_lowpass(&stim, 5.0, 1.0);
    let us: Vec<f64> = u.column(0).to_vec();
    let r = rates_at(&m, "A", &us);
    let d = x.decoders.column(0);
    let predicted = Array2::from_shape_fn((us.len(), 1), |(k, _)| r.row(k).dot(&d));
    let predicted = common::delayed_lowpass(&predicted, 10.0, 1.0);
    let bound = 2.0 * d.iter().map(|v| v.abs()).fold(0.0, f64::max) / 0.3;
    for window in [100..400, 600..900] {
        let mean = |y: &Array2<f64>| y.slice(ndarray::s![window.clone(), 0]).mean().unwrap();
        let (got, want) = (mean(&out), mean(&predicted));
        println!("{window:?} ms: mean decoded {got:.4}, rate prediction {want:.4}");
        assert!(
            (got - want).abs() <= bound,
            "{window:?}: {got} vs {want} (≤ {bound})"
        );
    }
}

/// `cortecs tuning` prints the tables, writes every array to `tuning.npz` and draws each
/// chart as SVG and PNG; a config without NEF ensembles, or fewer than 2 points, is a clear
/// error.
#[test]
fn cortecs_tuning_prints_writes_and_draws() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let two = config.join("gallery_two_neurons.ron");
    let out = dir.path().join("tuning");
    let (ok, stdout, stderr) = common::cortecs(&[
        "tuning",
        two.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--points",
        "51",
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("ensemble `A`: 2 neurons") && stdout.contains("connection `A_x`"));
    let m = build("gallery_two_neurons.ron");
    let mut npz =
        ndarray_npy::NpzReader::new(std::fs::File::open(out.join("tuning.npz")).unwrap()).unwrap();
    let rates: Array2<f64> = npz.by_name("A.rates").unwrap();
    assert_eq!(rates, ensemble_report(&m, "A", 51).unwrap().rates);
    let decoders: Array2<f64> = npz.by_name("A_x.decoders").unwrap();
    assert_eq!(&decoders, m.decoders("A_x").unwrap().unwrap().values);
    let ideal: Array2<f64> = npz.by_name("A_x_squared.ideal").unwrap();
    assert_eq!(ideal.dim(), (51, 1));
    for stem in ["A.tuning", "B.tuning", "A_x.decoded", "A_x_squared.decoded"] {
        for ext in ["svg", "png"] {
            let path = out.join(format!("{stem}.{ext}"));
            assert!(path.metadata().unwrap().len() > 1000, "{}", path.display());
        }
    }

    let cuba = config.join("cuba.ron");
    let (ok, _, stderr) = common::cortecs(&["tuning", cuba.to_str().unwrap()]);
    assert!(
        !ok && stderr.contains("no NEF ensembles or decoded connections"),
        "{stderr}"
    );
    let (ok, _, stderr) = common::cortecs(&["tuning", two.to_str().unwrap(), "--points", "1"]);
    assert!(!ok && stderr.contains("at least 2 points"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

/// `cortecs rates DIR`: each spike probe's per-neuron count, rate and ISI statistics, as the
/// table, a CSV and a chart — the ISI entry's numbers from the CLI. A run without spike probes
/// is a clear error.
#[test]
fn cortecs_rates_gives_each_neurons_isi() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let out = dir.path().join("isi");
    let isi = config.join("gallery_isi.ron");
    let (ok, _, stderr) =
        common::cortecs(&["run", isi.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = common::cortecs(&["rates", out.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    println!("{stdout}");
    let (gain, bias) = gain_bias();
    for (name, x) in [("a", 0.9), ("b", 0.1)] {
        let csv = std::fs::read_to_string(out.join(format!("{name}.output.rates.csv"))).unwrap();
        let row: Vec<f64> = csv
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .map(|v| v.parse().unwrap())
            .collect();
        let (spikes, rate, mean_isi) = (row[1], row[2], row[3]);
        let period = 1000.0 / lif_rate(gain * x + bias);
        assert!(
            (mean_isi - period).abs() <= 1.0,
            "{name}: ISI {mean_isi} vs {period}"
        );
        assert_eq!(rate, spikes / 2.0, "2 s of recording");
        assert!(stdout.contains(&format!("{name}.output: 1 neurons, {spikes} spikes")));
        for ext in ["svg", "png"] {
            assert!(out.join(format!("{name}.output.rates.{ext}")).is_file());
        }
    }

    let two = config.join("gallery_gain_bias.ron");
    let traces = dir.path().join("traces");
    let (ok, _, stderr) = common::cortecs(&[
        "run",
        two.to_str().unwrap(),
        "--out",
        traces.to_str().unwrap(),
        "--steps",
        "5",
    ]);
    assert!(ok, "{stderr}");
    for f in std::fs::read_dir(&traces).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "npy") {
            // replace the spike probes with a voltage-like trace
            let trace = ndarray::Array2::<f32>::from_elem((5, 2), 0.5);
            ndarray_npy::write_npy(path.with_file_name("v.v.npy"), &trace).unwrap();
            std::fs::remove_file(path).unwrap();
        }
    }
    let (ok, _, stderr) = common::cortecs(&["rates", traces.to_str().unwrap()]);
    assert!(!ok && stderr.contains("no spike probes") && !stderr.contains("panicked"));
}

/// Output piped into a reader that stops early (`cortecs kinds | head -1`) ends the command
/// quietly, without a panic message.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cortecs"))
        .arg("kinds")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before anything is read
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
