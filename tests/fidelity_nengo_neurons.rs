//! Fidelity: cortecs' Nengo neuron types against Nengo 4.1.0 (`nengo/` of the references,
//! `tests/common::refs_dir`). Every neuron parameter is read from the recording: the LIF of
//! `lif_spiking/params.json` (`neuron_type`, `T_seconds`, `folders`), the types of
//! `lif_rate/params.json` (`neuron_types`, Nengo reprs; `spiking_relu`: J, dt, initial
//! voltage), and the network's `LIF(…)` and radii for the tuning curves.
//!
//! - `lif_spiking/`: the LIF step driven directly by constant and sinusoidal currents at
//!   dt = 1 ms and 0.5 ms for 1 s. In the `f64` build: spike trains identical, voltage and
//!   refractory time within 1e-12 relative to their scale — `|a − b| / max(|a|, |b|, scale)`
//!   with scale 1 for the voltage (the threshold) and dt for the refractory time. cortecs
//!   integrates in ms and Nengo in s; 1000 is not a power of two, so the two round differently
//!   by ~1e-16 of the scale, and on the first, partial step after a refractory period (a voltage
//!   of ~1e-4) that is ~1e-12 of the value itself: the plain relative error is printed too.
//!   In the `f32` build: spike trains identical and voltage and refractory time within a bound
//!   derived from f32's rounding (see `lif_spiking_f32_stays_within_its_rounding_bound`; the
//!   worst measured error is 0.30 of the voltage bound and 0.76 of the refractory-time bound).
//!   In both builds: spike counts equal `floor((T + τ_ref)·rate)` as Nengo's do.
//! - `lif_rate/`: `rates`, `gain_bias`, `max_rates_intercepts` for LIF, LIFRate,
//!   RectifiedLinear, SpikingRectifiedLinear, Sigmoid and Tanh, and the LIFRate step, within
//!   1e-12 relative (build-time math is f64 in every build); the SpikingRectifiedLinear step.
//!
//! "Relative" is `|a − b| / max(|a|, |b|)`, 0 when both are equal (NaN equals NaN: Nengo's
//! Sigmoid round trip is NaN where the gain is 0).

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

mod common;

use std::path::Path;

use common::{call_text, recorded_lif, recorded_neuron_type, refs_dir};
use cortecs::Real;
use cortecs::components::neurons::nef::NeuronType;
use cortecs::components::neurons::nef::lif::{NefLifChunk, NefLifConsts, nef_lif_kernel};
use cortecs::components::neurons::nef::spiking_relu::{SpikingReluChunk, spiking_relu_kernel};

/// A CSV with a header: column names and rows of numbers (`nan` allowed).
struct Table {
    names: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Table {
    fn read(path: &Path) -> Self {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines();
        let names = lines
            .next()
            .expect("header")
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .map(|l| {
                l.split(',')
                    .map(|x| x.parse::<f64>().unwrap_or_else(|_| panic!("{x:?}")))
                    .collect()
            })
            .collect();
        Self { names, rows }
    }
    fn col(&self, name: &str) -> Vec<f64> {
        let i = self
            .names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.rows.iter().map(|r| r[i]).collect()
    }
    /// Columns n0, n1, … (one per neuron), as rows × neurons.
    fn neurons(&self) -> Vec<Vec<f64>> {
        let first = self.names.iter().position(|n| n == "n0").expect("n0");
        self.rows.iter().map(|r| r[first..].to_vec()).collect()
    }
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

fn nengo(path: &str) -> std::path::PathBuf {
    refs_dir("nengo").join(path)
}

/// The recorded LIF of `lif_spiking/params.json` (`neuron_type`: times in s) as cortecs's
/// neuron type (ms), with the recorded duration T (s) and case folders.
fn lif_spiking() -> (NeuronType, f64, Vec<String>) {
    let p = common::read_json(&nengo("lif_spiking/params.json"));
    let nt = &p["neuron_type"];
    assert_eq!(
        nt["class"], "nengo.LIF",
        "lif_spiking: recorded neuron type {nt}: the test models only nengo.LIF"
    );
    let num = |k: &str| {
        nt[k]
            .as_f64()
            .unwrap_or_else(|| panic!("lif_spiking/params.json: neuron_type.{k}"))
    };
    let lif = NeuronType::LIF {
        tau_rc: 1000.0 * num("tau_rc"),
        tau_ref: 1000.0 * num("tau_ref"),
        min_voltage: num("min_voltage"),
        amplitude: num("amplitude"),
    };
    let folders = p["folders"]
        .as_array()
        .expect("lif_spiking/params.json: folders")
        .iter()
        .map(|f| f.as_str().expect("a folder name").to_string())
        .collect();
    (lif, p["T_seconds"].as_f64().expect("T_seconds"), folders)
}

/// One recorded LIF run and cortecs's run of the same currents: per step and neuron,
/// [voltage, refractory_time in s, output].
struct LifRun {
    dt_s: f64,
    /// The recorded currents, per step and neuron (read by the f32 test).
    #[cfg_attr(feature = "f64", allow(dead_code))]
    j: Vec<Vec<f64>>,
    ours: [Vec<Vec<f64>>; 3],
    nengo: [Vec<Vec<f64>>; 3],
}

/// Runs the LIF kernel with the recorded neuron type over a recorded case.
fn run_lif(case: &str, lif: &NeuronType) -> LifRun {
    let dir = nengo(&format!("lif_spiking/{case}"));
    let reference = Table::read(&dir.join("voltage.csv"));
    let t = reference.col("t");
    let dt_s = t[0];
    let dt_ms = dt_s * 1000.0;
    let steps = t.len();
    let j = Table::read(&dir.join("J.csv"));
    // Constant cases: one row per neuron (neuron, J); sine cases: one row per step.
    let current: Vec<Vec<f64>> = if j.names[0] == "neuron" {
        let js = j.col("J");
        vec![js; steps]
    } else {
        j.neurons()
    };
    let NeuronType::LIF {
        tau_rc,
        tau_ref,
        min_voltage,
        amplitude,
    } = *lif
    else {
        panic!("not a LIF: {lif:?}")
    };
    let n = current[0].len();
    let k = NefLifConsts::new(tau_rc, tau_ref, min_voltage, amplitude, dt_ms);
    let (mut v, mut rt, mut out) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut vs, mut rts, mut outs) = (vec![], vec![], vec![]);
    for row in &current {
        let jr: Vec<Real> = row.iter().map(|&x| x as Real).collect();
        nef_lif_kernel(
            &k,
            NefLifChunk {
                j: &jr,
                voltage: &mut v,
                refractory_time: &mut rt,
                output: &mut out,
            },
        );
        vs.push(v.iter().map(|&x| x as f64).collect());
        rts.push(rt.iter().map(|&x| x as f64 / 1000.0).collect());
        outs.push(out.iter().map(|&x| x as f64).collect());
    }
    LifRun {
        dt_s,
        j: current,
        ours: [vs, rts, outs],
        nengo: ["voltage.csv", "refractory_time.csv", "output.csv"]
            .map(|f| Table::read(&dir.join(f)).neurons()),
    }
}

#[cfg(feature = "f64")]
#[test]
fn lif_spiking_matches_nengo_step_by_step() {
    let (lif, _, folders) = lif_spiking();
    for case in &folders {
        let LifRun {
            dt_s,
            ours: [vs, rts, outs],
            nengo: [v_ref, rt_ref, out_ref],
            ..
        } = run_lif(case, &lif);
        assert_eq!(outs, out_ref, "{case}: spike trains differ");
        // (worst error relative to max(|a|, |b|, scale), at (step, neuron); worst plain relative)
        let worst = |a: &[Vec<f64>], b: &[Vec<f64>], scale: f64| {
            let mut w = (0.0, 0, 0, 0.0);
            for (k, (ra, rb)) in a.iter().zip(b).enumerate() {
                for (i, (&x, &y)) in ra.iter().zip(rb).enumerate() {
                    let e = (x - y).abs() / x.abs().max(y.abs()).max(scale);
                    if e > w.0 {
                        (w.0, w.1, w.2) = (e, k + 1, i);
                    }
                    w.3 = f64::max(w.3, rel(x, y));
                }
            }
            w
        };
        let (ev, kv, iv, pv) = worst(&vs, &v_ref, 1.0);
        let (er, kr, ir, pr) = worst(&rts, &rt_ref, dt_s);
        let spikes = outs.iter().flatten().filter(|&&x| x > 0.0).count();
        println!(
            "{case}: {spikes} spikes identical; voltage {ev:.1e} (plain relative {pv:.1e}), \
             refractory_time {er:.1e} (plain relative {pr:.1e})"
        );
        assert!(
            ev <= 1e-12,
            "{case}: voltage {ev:e} at step {kv}, neuron {iv}"
        );
        assert!(
            er <= 1e-12,
            "{case}: refractory_time {er:e} at step {kr}, neuron {ir}"
        );
    }
}

/// The f32 build against Nengo's float64 run, free-running over every recorded case.
///
/// Inputs: each recorded current is rounded to f32. Where that changes `J − 1` by more than
/// 1 % at a step where Nengo's neuron spikes, the f32 neuron's crossing times follow a
/// different input, not a rounded one (only J = 1 + 1e-7, which f32 holds as 1 + 1.19e-7):
/// it is left out and named. Every other neuron must have Nengo's
/// spike train exactly, and its voltage and refractory time must stay within a bound derived
/// from f32's unit roundoff `ε = 2⁻²³` (relative spacing, twice the rounding error):
///
/// - **between spikes** each step rounds `v` by about `ε·max(1, |J|)`; the update
///   `v ← v + (J − v)(1 − e^{−dt/τ_rc})` contracts an error by `e^{−dt/τ_rc}` per step, so it
///   settles below `ε·max(1, |J|)/(1 − e^{−dt/τ_rc}) ≤ ε·max(1, |J|)·(τ_rc/dt + 1)`;
/// - **at each spike** the crossing time `τ_rc·log1p(−(v − 1)/(J − 1))` divides `v − 1`, known
///   to `ε`, by `J − 1`: the spike (and the refractory period after it) moves by up to
///   `τ_rc·ε/|J − 1|`, and rounding J itself moves the crossing by as much again; these
///   shifts add up over the spikes so far, giving the refractory-time bound
///   `ε·(τ_ref + dt) + Σ_spikes 2·τ_rc·ε/|J_s − 1|`;
/// - a trajectory shifted in time by δt differs in voltage by `|dv/dt|·δt ≤
///   (|J| + 1)/τ_rc·δt`, which adds that shift to the voltage bound.
///
/// The refractory time is compared while the neuron is refractory (Nengo's value > 0); below
/// that Nengo only counts it down and `clip(dt − t_ref, 0, dt)` ignores it, while f32, counting
/// down from −1 s in ms, keeps fewer of its digits.
#[cfg(not(feature = "f64"))]
#[test]
fn lif_spiking_f32_stays_within_its_rounding_bound() {
    let (lif, _, folders) = lif_spiking();
    let NeuronType::LIF {
        tau_rc, tau_ref, ..
    } = lif
    else {
        unreachable!()
    };
    let eps = f64::from(f32::EPSILON);
    let (mut worst_v, mut worst_rt) = ((0.0f64, String::new()), (0.0f64, String::new()));
    for case in &folders {
        let r = run_lif(case, &lif);
        let dt = r.dt_s * 1000.0;
        let [vs, rts, outs] = &r.ours;
        let [v_ref, rt_ref, out_ref] = &r.nengo;
        let mut compared = 0;
        for i in 0..vs[0].len() {
            // the currents at Nengo's spikes, where J − 1 sets the crossing time
            let unrepresented = (0..vs.len()).find(|&k| {
                let j = r.j[k][i];
                out_ref[k][i] > 0.0 && (f64::from(j as f32) - j).abs() > 0.01 * (j - 1.0).abs()
            });
            if let Some(k) = unrepresented {
                let j = r.j[k][i];
                println!(
                    "{case}: neuron {i} left out: J = {j} (step {}) is not held by f32 ({})",
                    k + 1,
                    j as f32
                );
                continue;
            }
            compared += 1;
            let mut shift = 0.0; // Σ 2·τ_rc·ε/|J_s − 1| over the spikes so far (ms)
            for k in 0..vs.len() {
                let j = r.j[k][i];
                assert_eq!(
                    outs[k][i],
                    out_ref[k][i],
                    "{case}: neuron {i} (J = {j}) spikes differ at step {}",
                    k + 1
                );
                if out_ref[k][i] > 0.0 {
                    shift += 2.0 * tau_rc * eps / (j - 1.0).abs();
                }
                let rt_bound = eps * (tau_ref + dt) + shift; // ms
                let v_bound =
                    eps * j.abs().max(1.0) * (tau_rc / dt + 1.0) + (j.abs() + 1.0) / tau_rc * shift;
                let ev = (vs[k][i] - v_ref[k][i]).abs();
                assert!(
                    ev <= v_bound,
                    "{case}: neuron {i} (J = {j}) step {}: voltage off by {ev:e} > {v_bound:e}",
                    k + 1
                );
                if ev / v_bound > worst_v.0 {
                    worst_v = (ev / v_bound, format!("{case} neuron {i} step {}", k + 1));
                }
                if rt_ref[k][i] > 0.0 {
                    let er = 1000.0 * (rts[k][i] - rt_ref[k][i]).abs();
                    assert!(
                        er <= rt_bound,
                        "{case}: neuron {i} (J = {j}) step {}: refractory time off by \
                         {er:e} ms > {rt_bound:e} ms",
                        k + 1
                    );
                    if er / rt_bound > worst_rt.0 {
                        worst_rt = (er / rt_bound, format!("{case} neuron {i} step {}", k + 1));
                    }
                }
            }
        }
        println!("{case}: {compared} neurons: spike trains identical, state within its bound");
    }
    println!(
        "worst error / bound: voltage {:.3} ({}), refractory time {:.3} ({})",
        worst_v.0, worst_v.1, worst_rt.0, worst_rt.1
    );
}

/// Law (both builds): starting at v = 0, a neuron with constant J fires
/// `floor((T + τ_ref)·rate)` times in T — exactly Nengo's counts.
#[test]
fn lif_spike_counts_follow_the_rate_formula() {
    let (lif, t_s, folders) = lif_spiking();
    let NeuronType::LIF { tau_ref, .. } = lif else {
        unreachable!()
    };
    for case in folders.iter().filter(|f| f.starts_with("const")) {
        let dir = nengo(&format!("lif_spiking/{case}"));
        let outs = &run_lif(case, &lif).ours[2];
        let counts = Table::read(&dir.join("spike_counts_vs_rates.csv"));
        for (i, (&j, &nengo_count)) in counts
            .col("J")
            .iter()
            .zip(&counts.col("spike_count"))
            .enumerate()
        {
            let ours = outs.iter().filter(|r| r[i] > 0.0).count() as f64;
            let expected = ((t_s + tau_ref / 1000.0) * lif.rate(j)).floor();
            // In f32, J = 1 + 1e-7 rounds to a different current; the count law still holds
            // for currents that f32 represents within 1e-6 of their value.
            if cfg!(feature = "f64") || (j - 1.0).abs() > 1e-4 {
                assert_eq!(ours, nengo_count, "{case}: J = {j}");
                assert_eq!(ours, expected, "{case}: J = {j}");
            }
        }
    }
}

/// The neuron types of `lif_rate/params.json` (`neuron_types`: name → Nengo repr).
fn neuron_types() -> Vec<(String, NeuronType)> {
    let p = common::read_json(&nengo("lif_rate/params.json"));
    p["neuron_types"]
        .as_object()
        .expect("lif_rate/params.json: neuron_types")
        .iter()
        .map(|(name, repr)| {
            let repr = repr.as_str().expect("a repr");
            (name.clone(), recorded_neuron_type(repr))
        })
        .collect()
}

/// The recorded neuron type `name` of `lif_rate/params.json`.
fn neuron_type(name: &str) -> NeuronType {
    neuron_types()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("lif_rate/params.json: no neuron type {name}"))
        .1
}

#[test]
fn rates_match_nengo() {
    for (name, nt) in neuron_types() {
        let t = Table::read(&nengo(&format!("lif_rate/rates_grid_{name}.csv")));
        let (x, g, b, r) = (t.col("x"), t.col("gain"), t.col("bias"), t.col("rate"));
        let worst = (0..x.len())
            .map(|i| rel(nt.rates(x[i], g[i], b[i]), r[i]))
            .fold(0.0, f64::max);
        println!("rates {name}: {} points, worst {worst:.1e}", x.len());
        assert!(worst <= 1e-12, "{name}: rates {worst:e}");
    }
    let t = Table::read(&nengo("lif_rate/lifrate_step_J.csv"));
    let lif_rate = neuron_type("LIFRate");
    for (j, r) in t.col("J").iter().zip(t.col("rate")) {
        assert!(
            rel(lif_rate.rate(*j), r) <= 1e-12,
            "LIFRate step at J = {j}"
        );
    }
}

#[test]
fn gain_bias_and_inverse_match_nengo() {
    for (name, nt) in neuron_types() {
        let t = Table::read(&nengo(&format!("lif_rate/gain_bias_{name}.csv")));
        let (max_rates, intercepts) = (t.col("max_rate"), t.col("intercept"));
        let (gain, bias) = nt.gain_bias(&max_rates, &intercepts).expect("gain_bias");
        let (r2, c2) = nt.max_rates_intercepts(&gain, &bias).expect("inverse");
        let mut report = vec![];
        for (what, ours, theirs) in [
            ("gain", &gain, t.col("gain")),
            ("bias", &bias, t.col("bias")),
            ("max_rate_roundtrip", &r2, t.col("max_rate_roundtrip")),
            ("intercept_roundtrip", &c2, t.col("intercept_roundtrip")),
        ] {
            let (worst, at) = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| rel(*a, *b))
                .enumerate()
                .fold((0.0, 0), |w, (i, e)| if e > w.0 { (e, i) } else { w });
            report.push(format!("{what} {worst:.1e}"));
            assert!(
                worst <= 1e-12,
                "{name}: {what} {worst:e} at max_rate {}, intercept {}: ours {} vs Nengo {}",
                max_rates[at],
                intercepts[at],
                ours[at],
                theirs[at]
            );
        }
        let at_one: Vec<f64> = (0..gain.len())
            .map(|i| nt.rates(1.0, gain[i], bias[i]))
            .collect();
        for (a, b) in at_one.iter().zip(t.col("rate_at_x_1")) {
            assert!(rel(*a, b) <= 1e-12, "{name}: rate at x = 1");
        }
        println!(
            "gain_bias {name}: {} rows; {}",
            gain.len(),
            report.join(", ")
        );
    }
}

#[test]
fn spiking_relu_step_matches_nengo() {
    let out_ref = Table::read(&nengo("lif_rate/spiking_relu_step_output.csv"));
    let v_ref = Table::read(&nengo("lif_rate/spiking_relu_step_voltage.csv")).neurons();
    let p = &common::read_json(&nengo("lif_rate/params.json"))["spiking_relu"];
    let js: Vec<Real> = p["J"]
        .as_array()
        .expect("lif_rate/params.json: spiking_relu.J")
        .iter()
        .map(|x| x.as_f64().expect("a current") as Real)
        .collect();
    let dt_ms = 1000.0 * p["dt"].as_f64().expect("spiking_relu.dt");
    let v0 = p["initial_voltage"]
        .as_f64()
        .expect("spiking_relu.initial_voltage") as Real;
    let NeuronType::SpikingRectifiedLinear { amplitude } = neuron_type("SpikingRectifiedLinear")
    else {
        unreachable!()
    };
    let spike = amplitude / (dt_ms / 1000.0);
    let (mut v, mut out) = (vec![v0; js.len()], vec![0.0; js.len()]);
    // f64: every step identical in output and voltage within 1e-12. f32 (against float64
    // recordings): the running spike count of each neuron never differs from Nengo's by more
    // than one spike (the f32 voltage accumulates its own rounding).
    let (mut ours_total, mut nengo_total) = (vec![0.0; js.len()], vec![0.0; js.len()]);
    for (k, row) in out_ref.neurons().iter().enumerate() {
        spiking_relu_kernel(
            dt_ms,
            amplitude,
            SpikingReluChunk {
                j: &js,
                voltage: &mut v,
                output: &mut out,
            },
        );
        let ours: Vec<f64> = out.iter().map(|&x| x as f64).collect();
        if cfg!(feature = "f64") {
            assert_eq!(&ours, row, "step {}", k + 1);
            for (i, (&a, &b)) in v.iter().zip(&v_ref[k]).enumerate() {
                assert!(
                    rel(a as f64, b) <= 1e-12,
                    "step {} neuron {i}: voltage {a} vs {b}",
                    k + 1
                );
            }
        }
        for i in 0..js.len() {
            ours_total[i] += ours[i] / spike;
            nengo_total[i] += row[i] / spike;
            let d = f64::abs(ours_total[i] - nengo_total[i]);
            assert!(
                d <= 1.0,
                "step {} neuron {i}: spike counts differ by {d}",
                k + 1
            );
        }
    }
}

/// The neuron type of the ensembles of `network/` (ensemble A of `tuning_curves/` is the same
/// ensemble), from the `LIF(…)` of the network's description in `network/params.json`.
fn network_lif() -> NeuronType {
    let p = common::read_json(&nengo("network/params.json"));
    recorded_lif(call_text(
        p["network"].as_str().expect("network/params.json: network"),
        "LIF",
    ))
}

/// Nengo's built neuron parameters of an ensemble (`neuron, encoder, gain, bias, …`).
fn ensemble(path: &str) -> (ndarray::Array2<f64>, Vec<f64>, Vec<f64>) {
    let t = Table::read(&nengo(path));
    let enc = t.col("encoder");
    let encoders = ndarray::Array2::from_shape_vec((enc.len(), 1), enc).expect("shape");
    (encoders, t.col("gain"), t.col("bias"))
}

/// The radius of ensemble `name` of `network/`: `encoder·gain/scaled_encoder`
/// (`<name>_neurons.csv`), the same for every neuron.
fn network_radius(name: &str) -> f64 {
    let t = Table::read(&nengo(&format!("network/{name}_neurons.csv")));
    let (e, g, s) = (t.col("encoder"), t.col("gain"), t.col("scaled_encoder"));
    let r = e[0] * g[0] / s[0];
    for i in 0..e.len() {
        assert!(
            rel(e[i] * g[i] / s[i], r) <= 1e-15,
            "{name}: radius of neuron {i}"
        );
    }
    r
}

/// Tuning curves of Nengo's ensembles A and B (1-D, 100 LIF neurons) from their built
/// encoders, gains and biases, with the network's neuron type and radii: identical within
/// 1e-12 relative.
#[test]
fn tuning_curves_match_nengo() {
    let lif = network_lif();
    for (ens, neurons, inputs, activities) in [
        (
            "A",
            "tuning_curves/A_neurons.csv",
            "tuning_curves/A_inputs_default.csv",
            "tuning_curves/A_activities_default.csv",
        ),
        (
            "A",
            "tuning_curves/A_neurons.csv",
            "tuning_curves/A_inputs_fine.csv",
            "tuning_curves/A_activities_fine.csv",
        ),
        (
            "B",
            "network/B_neurons.csv",
            "tuning_curves/A_inputs_default.csv",
            "tuning_curves/B_activities_default.csv",
        ),
    ] {
        let (encoders, gain, bias) = ensemble(neurons);
        let x = Table::read(&nengo(inputs)).col("x");
        let inputs = ndarray::Array2::from_shape_vec((x.len(), 1), x).expect("shape");
        let ours = cortecs::analysis::tuning_curves(
            &lif,
            encoders.view(),
            &gain,
            &bias,
            network_radius(ens),
            inputs.view(),
        )
        .expect("shapes agree");
        let reference = Table::read(&nengo(activities)).rows;
        let mut worst: f64 = 0.0;
        for (p, row) in reference.iter().enumerate() {
            for (i, &r) in row.iter().enumerate() {
                worst = worst.max(rel(ours[[p, i]], r));
            }
        }
        println!(
            "{activities}: {} × {}, worst {worst:.1e}",
            reference.len(),
            gain.len()
        );
        assert!(worst <= 1e-12, "{activities}: {worst:e}");
    }
    // The recorded max rates and intercepts follow from the built gains and biases.
    let t = Table::read(&nengo("tuning_curves/A_neurons.csv"));
    let (r, c) = lif
        .max_rates_intercepts(&t.col("gain"), &t.col("bias"))
        .expect("inverse");
    for (i, (a, b)) in r.iter().zip(t.col("max_rate")).enumerate() {
        assert!(rel(*a, b) <= 1e-12, "neuron {i}: max rate {a} vs {b}");
    }
    for (i, (a, b)) in c.iter().zip(t.col("intercept")).enumerate() {
        assert!(rel(*a, b) <= 1e-12, "neuron {i}: intercept {a} vs {b}");
    }
}
