//! The NEF configs run on the emulated Loihi chip (`cortecs run --target loihi`) and still decode
//! what they should. The ideal signal follows NengoLoihi's signal path (README of
//! `tests/refs/loihi`, §4): every link is filtered twice and delayed twice —
//!
//! ```text
//! node → ensemble:      host Lowpass(synapse), on/off spikes (+1 step), chip filter decode_tau (5 ms)
//! ensemble → ensemble:  decode neurons filtered by the synapse (+1 step), post filter decode_tau (+1 step)
//! decoded probe:        non-spiking readout (+1 step), host Lowpass(10 ms)
//! ```
//!
//! so with `D(τ)` a first-order lowpass followed by one step of delay (`delayed_lowpass`),
//! `x_A = D(5)·D(5)·u`, `probe_A = D(10)·x_A`, `x_B = D(5)·D(5)·f(x_A)`.
//!
//! Bounds: NengoLoihi's own channel (50 + 50 neurons, `tests/refs/loihi/channel`) is 0.051
//! from the ideal Nengo chain; the chip's quantized rates and integer filters make the error
//! 2–3 × a float run's (`tests/nef_configs.rs`).

mod common;

use common::{delayed_lowpass, rmse};
use cortecs::loihi::{LoihiOptions, LoihiSimulator};
use cortecs::{Model, Target};
use ndarray::Array2;

fn run(name: &str) -> LoihiSimulator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name);
    let model = Model::from_config_file_for(path, Target::Loihi).unwrap_or_else(|e| panic!("{e}"));
    let steps = model.config().run.steps;
    let mut sim =
        LoihiSimulator::new(model, LoihiOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    sim.run_steps(steps).unwrap();
    sim
}

/// A link on the chip: two lowpass-and-delay stages (`τ` then decode_tau = 5 ms).
fn link(u: &Array2<f64>, tau: f64) -> Array2<f64> {
    delayed_lowpass(&delayed_lowpass(u, tau, 1.0), 5.0, 1.0)
}

fn probe(x: &Array2<f64>) -> Array2<f64> {
    delayed_lowpass(x, 10.0, 1.0)
}

fn nodes(sim: &LoihiSimulator, names: &[&str]) -> Array2<f64> {
    let cols: Vec<Array2<f64>> = names
        .iter()
        .map(|n| sim.probe(n, "output").unwrap())
        .collect();
    let views: Vec<_> = cols.iter().map(|c| c.view()).collect();
    ndarray::concatenate(ndarray::Axis(1), &views).unwrap()
}

#[test]
fn channel_runs_on_the_chip() {
    let sim = run("nef_channel.ron");
    let x_a = link(&nodes(&sim, &["stim"]), 5.0);
    let x_b = link(&x_a, 5.0);
    let e_a = rmse(&sim.probe("A", "decoded").unwrap(), &probe(&x_a));
    let e_b = rmse(&sim.probe("B", "decoded").unwrap(), &probe(&x_b));
    println!("loihi channel RMSE: A {e_a:.4}, B {e_b:.4}");
    assert!(e_a < 0.06 && e_b < 0.08, "A {e_a}, B {e_b}");
    // spikes come back as amplitude/dt
    let s = sim.probe("A", "output").unwrap();
    assert!(s.iter().all(|v| *v == 0.0 || *v == 1000.0));
    assert!(s.iter().any(|v| *v > 0.0));
}

#[test]
fn square_runs_on_the_chip() {
    let sim = run("nef_square.ron");
    let x_a = link(&nodes(&sim, &["stim"]), 5.0);
    let x_b = link(&x_a.mapv(|x| x * x), 5.0);
    let e_b = rmse(&sim.probe("B", "decoded").unwrap(), &probe(&x_b));
    println!("loihi square RMSE: B {e_b:.4}");
    assert!(e_b < 0.08, "B {e_b}");
    assert!(
        rmse(
            &sim.probe("B", "decoded").unwrap(),
            &probe(&link(&x_a, 5.0))
        ) > 0.2
    );
}

#[test]
fn product_runs_on_the_chip() {
    let sim = run("nef_product.ron");
    let x_ab = link(&nodes(&sim, &["a", "b"]), 5.0);
    let prod = Array2::from_shape_fn((x_ab.nrows(), 1), |(k, _)| x_ab[[k, 0]] * x_ab[[k, 1]]);
    let x_p = link(&prod, 5.0);
    let e_ab = rmse(&sim.probe("AB", "decoded").unwrap(), &probe(&x_ab));
    let e_p = rmse(&sim.probe("P", "decoded").unwrap(), &probe(&x_p));
    println!("loihi product RMSE: AB {e_ab:.4}, P {e_p:.4}");
    assert!(e_ab < 0.12 && e_p < 0.1, "AB {e_ab}, P {e_p}");
}

#[test]
fn pooling_runs_on_the_chip() {
    let sim = run("nef_pooling.ron");
    let x4 = link(&nodes(&sim, &["x0", "x1", "x2", "x3"]), 5.0);
    let pooled = Array2::from_shape_fn((x4.nrows(), 2), |(k, j)| {
        0.5 * (x4[[k, 2 * j]] + x4[[k, 2 * j + 1]])
    });
    let x2 = link(&pooled, 5.0);
    let e4 = rmse(&sim.probe("E4", "decoded").unwrap(), &probe(&x4));
    let e2 = rmse(&sim.probe("E2", "decoded").unwrap(), &probe(&x2));
    println!("loihi pooling RMSE: E4 {e4:.4}, E2 {e2:.4}");
    assert!(e4 < 0.12 && e2 < 0.1, "E4 {e4}, E2 {e2}");
}
