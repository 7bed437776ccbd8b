//! Fidelity: Nengo's synapse filters (`tests/refs/nengo/network/synapse/`, Nengo 4.1.0).
//!
//! - Lowpass zero-order-hold coefficients `a`, `b` for τ ∈ {2, 5, 10, 20, 100} ms ×
//!   dt ∈ {1, 0.5, 0.1} ms: within 1e-15 relative. cortecs uses the closed form
//!   `exp(−dt/τ)`, `−expm1(−dt/τ)`; Nengo a Padé matrix exponential, which differs in the last
//!   bit or two.
//! - Lowpass(5 ms) applied to a recorded spike train: the filtered trace within 1e-12 of its
//!   peak (`|a − b| / max|ref|`).
//! - Alpha(5 ms) at dt = 1 ms: the output of cortecs' discretisation (state in ms units) and
//!   of Nengo's recorded state-space matrices (state in s units) on the same spike train agree
//!   within 1e-12 of the peak — the state coordinates differ, the filter is the same.
//!
//! The traces use the 1e-12 bound in the `f64` build; the f32 build runs the same filters in
//! float32 and is held to 1e-6 of the peak (float32 resolution with accumulation).

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

mod common;

use common::refs_dir;
use cortecs::Real;
use cortecs::components::synapses::{DiscreteFilter, FilterState, Synapse};

fn synapse_dir() -> std::path::PathBuf {
    refs_dir("nengo").join("network/synapse")
}

fn table(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(synapse_dir().join(name)).expect(name);
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(|x| x.parse().expect("number")).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<f64>], name: &str) -> Vec<f64> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{name}"));
    rows.iter().map(|r| r[i]).collect()
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

#[test]
fn lowpass_coefficients_match_nengo() {
    let (h, rows) = table("lowpass_coefficients.csv");
    let (tau, dt, a, b) = (
        column(&h, &rows, "tau"),
        column(&h, &rows, "dt"),
        column(&h, &rows, "a"),
        column(&h, &rows, "b"),
    );
    let mut worst: f64 = 0.0;
    for i in 0..rows.len() {
        let DiscreteFilter::First {
            a: ours_a,
            b: ours_b,
        } = Synapse::Lowpass {
            tau: tau[i] * 1000.0,
        }
        .discretize(dt[i] * 1000.0)
        else {
            panic!("Lowpass is first order");
        };
        worst = worst.max(rel(ours_a, a[i])).max(rel(ours_b, b[i]));
    }
    println!(
        "Lowpass a, b: {} pairs, worst relative {worst:.1e}",
        rows.len()
    );
    assert!(worst <= 1e-15, "{worst:e}");
}

/// The recorded spike train: 1000 (1/s) at the listed steps, 300 steps of 1 ms.
fn spike_train() -> Vec<f64> {
    let (h, rows) = table("lowpass0.005_spike_train.csv");
    column(&h, &rows, "input")
}

fn run(filter: &DiscreteFilter, u: &[f64]) -> Vec<f64> {
    let mut s = FilterState::new(1);
    let mut y = [0.0 as Real];
    u.iter()
        .map(|&ui| {
            filter.step(&mut s, &[ui as Real], &mut y);
            y[0] as f64
        })
        .collect()
}

fn worst_of_peak(ours: &[f64], reference: &[f64]) -> f64 {
    let peak = reference.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    ours.iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs() / peak)
        .fold(0.0, f64::max)
}

#[test]
fn lowpass_filters_a_spike_train_like_nengo() {
    let (h, rows) = table("lowpass0.005_spike_train.csv");
    let reference = column(&h, &rows, "Lowpass(0.005).filt");
    let ours = run(
        &Synapse::Lowpass { tau: 5.0 }.discretize(1.0),
        &spike_train(),
    );
    let e = worst_of_peak(&ours, &reference);
    println!("Lowpass(5 ms) on the spike train: worst {e:.1e} of the peak");
    let tol = if cfg!(feature = "f64") { 1e-12 } else { 1e-6 };
    assert!(e <= tol, "{e:e}");
}

#[test]
fn alpha_equals_nengos_state_space() {
    let text = std::fs::read_to_string(synapse_dir().join("params.json")).expect("params");
    let p: serde_json::Value = serde_json::from_str(&text).expect("json");
    let ss = &p["alpha_0.005_dt_0.001_state_space"];
    let m = |v: &serde_json::Value, i: usize, j: usize| v[i][j].as_f64().expect("number");
    let nengo = DiscreteFilter::Second {
        a: [
            [m(&ss["A"], 0, 0), m(&ss["A"], 0, 1)],
            [m(&ss["A"], 1, 0), m(&ss["A"], 1, 1)],
        ],
        b: [m(&ss["B"], 0, 0), m(&ss["B"], 1, 0)],
        c: [m(&ss["C"], 0, 0), m(&ss["C"], 0, 1)],
    };
    let u = spike_train();
    let reference = run(&nengo, &u);
    let ours = run(&Synapse::Alpha { tau: 5.0 }.discretize(1.0), &u);
    let e = worst_of_peak(&ours, &reference);
    println!("Alpha(5 ms) on the spike train: worst {e:.1e} of the peak");
    let tol = if cfg!(feature = "f64") { 1e-12 } else { 1e-6 };
    assert!(e <= tol, "{e:e}");
    assert!(
        reference.iter().any(|&y| y > 10.0),
        "the train must excite the filter"
    );
}
