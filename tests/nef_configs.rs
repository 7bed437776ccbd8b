//! The NEF configs decode what they should: each `configs/nef_*.ron` is run and its decoded
//! probes are compared with the ideal signal, built here from the recorded node outputs with
//! Nengo's delay rule (`tests/refs/nengo/README.md` §f): every synapse is a first-order
//! lowpass `y[k] = a·y[k−1] + (1−a)·u[k]`, `a = e^(−dt/τ)`, followed by one step of delay, so
//!
//! ```text
//! x_A   = delay(LP_5(u))            decoded input of the first ensemble
//! ideal = delay(LP_10(x_A))         its decoded probe
//! x_B   = delay(LP_5(f(x_A)))       the next ensemble, through a function or transform
//! ```
//!
//! The RMSE bounds are quality bars for 100–400 LIF neurons per ensemble at dt = 1 ms (Nengo's
//! own channel reaches 0.018 for A and 0.030 for x² in the recorded `network` case,
//! `tests/refs/nengo.zip`).

mod common;

use common::{delayed_lowpass, rmse};
use cortecs::prelude::*;
use ndarray::Array2;

fn config(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name)
}

fn run(name: &str) -> Model {
    let mut m = Model::from_config_file(config(name)).unwrap_or_else(|e| panic!("{e}"));
    let steps = m.config().run.steps;
    m.run_steps(steps).unwrap();
    m
}

fn signal(m: &Model, target: &str, compartment: &str) -> Array2<f64> {
    m.probe(target, compartment).unwrap().mapv(f64::from)
}

/// Node outputs side by side, steps × nodes.
fn nodes(m: &Model, names: &[&str]) -> Array2<f64> {
    let cols: Vec<Array2<f64>> = names.iter().map(|n| signal(m, n, "output")).collect();
    let views: Vec<_> = cols.iter().map(|c| c.view()).collect();
    ndarray::concatenate(ndarray::Axis(1), &views).unwrap()
}

#[test]
fn channel_passes_the_sine_through_two_ensembles() {
    let m = run("nef_channel.ron");
    let u = nodes(&m, &["stim"]);
    let x_a = delayed_lowpass(&u, 5.0, 1.0);
    let x_b = delayed_lowpass(&x_a, 5.0, 1.0);
    let (e_a, e_b) = (
        rmse(
            &signal(&m, "A", "decoded"),
            &delayed_lowpass(&x_a, 10.0, 1.0),
        ),
        rmse(
            &signal(&m, "B", "decoded"),
            &delayed_lowpass(&x_b, 10.0, 1.0),
        ),
    );
    println!("channel RMSE: A {e_a:.4}, B {e_b:.4}");
    assert!(e_a < 0.04 && e_b < 0.05, "A {e_a}, B {e_b}");
    // The raw sine is not what B holds: the delays and filters matter.
    assert!(rmse(&signal(&m, "B", "decoded"), &u) > e_b);
}

#[test]
fn square_decodes_x_squared() {
    let m = run("nef_square.ron");
    let u = nodes(&m, &["stim"]);
    let x_a = delayed_lowpass(&u, 5.0, 1.0);
    let x_b = delayed_lowpass(&x_a.mapv(|x| x * x), 5.0, 1.0);
    let e_b = rmse(
        &signal(&m, "B", "decoded"),
        &delayed_lowpass(&x_b, 10.0, 1.0),
    );
    println!("square RMSE: B {e_b:.4}");
    assert!(e_b < 0.05, "B {e_b}");
    // Not the identity: B is far from A's value.
    let ideal_identity = delayed_lowpass(&delayed_lowpass(&x_a, 5.0, 1.0), 10.0, 1.0);
    assert!(rmse(&signal(&m, "B", "decoded"), &ideal_identity) > 0.2);
}

#[test]
fn product_decodes_x0_times_x1() {
    let m = run("nef_product.ron");
    let u = nodes(&m, &["a", "b"]);
    let x_ab = delayed_lowpass(&u, 5.0, 1.0);
    let e_ab = rmse(
        &signal(&m, "AB", "decoded"),
        &delayed_lowpass(&x_ab, 10.0, 1.0),
    );
    let prod = Array2::from_shape_fn((x_ab.nrows(), 1), |(k, _)| x_ab[[k, 0]] * x_ab[[k, 1]]);
    let x_p = delayed_lowpass(&prod, 5.0, 1.0);
    let e_p = rmse(
        &signal(&m, "P", "decoded"),
        &delayed_lowpass(&x_p, 10.0, 1.0),
    );
    println!("product RMSE: AB {e_ab:.4}, P {e_p:.4}");
    assert!(e_ab < 0.08 && e_p < 0.06, "AB {e_ab}, P {e_p}");
}

#[test]
fn pooling_is_a_transform_between_ensembles() {
    let m = run("nef_pooling.ron");
    let u = nodes(&m, &["x0", "x1", "x2", "x3"]);
    let x4 = delayed_lowpass(&u, 5.0, 1.0);
    let e4 = rmse(
        &signal(&m, "E4", "decoded"),
        &delayed_lowpass(&x4, 10.0, 1.0),
    );
    let pooled = Array2::from_shape_fn((x4.nrows(), 2), |(k, j)| {
        0.5 * (x4[[k, 2 * j]] + x4[[k, 2 * j + 1]])
    });
    let x2 = delayed_lowpass(&pooled, 5.0, 1.0);
    let e2 = rmse(
        &signal(&m, "E2", "decoded"),
        &delayed_lowpass(&x2, 10.0, 1.0),
    );
    println!("pooling RMSE: E4 {e4:.4}, E2 {e2:.4}");
    assert!(e4 < 0.08 && e2 < 0.06, "E4 {e4}, E2 {e2}");
    let w = m.array("pool", "weights").unwrap();
    assert_eq!(
        w.shape(),
        &[400, 2],
        "weights are pre neurons × post dimensions"
    );
}
