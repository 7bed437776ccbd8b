//! The gallery configs (`configs/gallery_*.ron`, README "Questions this answers") show what
//! they say: each is run and its numbers are checked against a law, not against pixels.

use cortecs::prelude::*;

fn run(name: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name);
    let mut m = Model::from_config_file(path).unwrap_or_else(|e| panic!("{e}"));
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
    let j1 = 1.0 / (1.0 - (-(1.0 / 100.0 - 0.002) / 0.02f64).exp());
    (j1 - 1.0, 1.0)
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
