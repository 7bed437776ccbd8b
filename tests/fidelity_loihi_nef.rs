//! End to end against NengoLoihi 1.1.0 (`tests/refs/loihi/{single_block, single_block_bias,
//! channel}`, read at test time): the same NEF networks written as cortecs models, built for
//! the Loihi target and run by `LoihiSimulator` — host node, host filter and on/off encoders,
//! layout, splitting, discretization, emulator, decoded-probe readout and host probe filter.
//!
//! Injected from the recording (NengoLoihi samples them with numpy's RandomState, which cortecs
//! does not reproduce): each ensemble's gain, bias and encoders (`params.json`
//! `nengo_float_params`, with its recorded neuron type, dimensions and radius), and decoders through `NoSolver` — A → B from the recorded float
//! weights (`transform·decoders/dt`), the decoded probes from the float weights of their
//! `probe_decoders` synapse (`decoders/dt`). Everything else is computed by cortecs.
//!
//! Checked: every integer compartment parameter (`compartments.csv`) and synapse weight
//! (`synapses.csv`) equal; `q, u, v, spiked, ref_count` equal on every step for every
//! compartment (`state.csv`); spike, raw voltage and raw input probes equal; decoded probes
//! within float32 precision of `probes.csv` (`emu_*`; NengoLoihi takes the product
//! `state @ weights` through BLAS and its own summation order). Separately, the A → B decoders
//! cortecs solves itself (against `loihi_rates`) decode like NengoLoihi's recorded ones
//! (`solved_decoders_decode_like_nengo_loihis`).

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::{read_json, read_matrix, recorded_lif, refs_dir};
use cortecs::components::nef::connection::ConnectionParams;
use cortecs::components::nef::dists::Distribution;
use cortecs::components::nef::ensemble::EnsembleParams;
use cortecs::components::nef::node::NodeParams;
use cortecs::components::nef::process::Process;
use cortecs::components::nef::solvers::Solver;
use cortecs::components::synapses::filter::Synapse;
use cortecs::loihi::{LoihiOptions, LoihiSimulator};
use cortecs::probe::ProbeSpec;
use cortecs::registry::builtin::{Connection, Ensemble, Node};
use cortecs::{ModelBuilder, Target};
use ndarray::Array2;
use serde_json::Value;

fn case_dir(case: &str) -> PathBuf {
    refs_dir("loihi").join(case)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// Nengo's built ensemble `name`, injected; the chip starts from v = 0 (so does the reference).
fn injected(params: &Value, name: &str) -> EnsembleParams {
    let p = &params["nengo_float_params"][name];
    let gain = floats(&p["gain"]);
    let n = gain.len();
    let dims = p["dimensions"].as_u64().expect("dimensions") as usize;
    let mut e = EnsembleParams::new(n, dims);
    // the recorded neuron type (a Nengo repr); a type other than LIF fails here, named
    e.neuron_type = recorded_lif(p["neuron_type"].as_str().expect("neuron_type"));
    e.radius = p["radius"].as_f64().expect("radius");
    e.gain = Some(gain);
    e.bias = Some(floats(&p["bias"]));
    e.encoders = Distribution::Matrix(
        p["encoders"]
            .as_array()
            .expect("encoders")
            .iter()
            .map(floats)
            .collect(),
    );
    e.initial_voltage = Distribution::Values(vec![0.0; n]);
    e
}

/// A table with a header row, by column name.
struct Table {
    cols: HashMap<String, usize>,
    rows: Array2<f64>,
}

impl Table {
    fn read(path: PathBuf) -> Self {
        let text = std::fs::read_to_string(&path).expect("read");
        let header = text.lines().next().expect("header");
        let cols = header
            .split(',')
            .enumerate()
            .map(|(i, c)| (c.to_string(), i))
            .collect();
        Self {
            cols,
            rows: read_matrix(&path),
        }
    }

    fn col(&self, name: &str) -> usize {
        *self
            .cols
            .get(name)
            .unwrap_or_else(|| panic!("column {name}"))
    }

    fn get(&self, r: usize, name: &str) -> f64 {
        self.rows[[r, self.col(name)]]
    }
}

/// Decoders (neurons × 1) from the float weights `decoders/dt` of synapse `syn`: weight
/// `weight_float` of axon `i` onto the on compartment (target 0) is `f32(d_i/dt)`.
fn probe_decoders(case: &str, syn: usize, dt_s: f64) -> Vec<Vec<f64>> {
    let t = Table::read(case_dir(case).join("synapses.csv"));
    let mut d = Vec::new();
    for r in 0..t.rows.nrows() {
        if t.get(r, "syn") as usize == syn && t.get(r, "target_comp") == 0.0 {
            d.push(vec![t.get(r, "weight_float") * dt_s]);
        }
    }
    d
}

fn decoded_probe(target: &str, decoders: Vec<Vec<f64>>) -> ProbeSpec {
    ProbeSpec {
        synapse: Some(Synapse::Lowpass { tau: 10.0 }),
        solver: Some(Solver::NoSolver {
            values: Some(decoders),
        }),
        ..ProbeSpec::new(target, "decoded")
    }
}

/// Builds and runs `case`'s network; returns the simulator after `n_steps`, having checked
/// the state of every step.
fn run_case(case: &str, builder: ModelBuilder) -> LoihiSimulator {
    let params = read_json(&case_dir(case).join("params.json"));
    let n_steps = params["n_steps"].as_u64().expect("n_steps");
    let model = builder.build_for(Target::Loihi).expect("the model builds");
    let mut sim = LoihiSimulator::new(model, LoihiOptions::default()).expect("the chip builds");
    check_parameters(case, &sim);
    let state = Table::read(case_dir(case).join("state.csv"));
    let emu = &sim.chip().emulator;
    let n_comp = emu.n_compartments();
    assert_eq!(
        state.rows.nrows() as u64,
        n_steps * n_comp as u64,
        "{case}: state rows"
    );
    let mut mismatches = 0usize;
    for step in 0..n_steps as usize {
        sim.run_steps(1).unwrap();
        let emu = &sim.chip().emulator;
        let mut global = 0;
        for b in 0..emu.n_blocks() {
            let c = emu
                .block(cortecs::components::loihi::emulator::BlockId(b))
                .unwrap();
            for k in 0..c.len() {
                let r = step * n_comp + global;
                assert_eq!(state.get(r, "global_idx") as usize, global);
                let ours = [
                    c.q()[k],
                    c.u()[k],
                    c.v()[k],
                    i32::from(c.spiked()[k]),
                    c.ref_count()[k],
                ];
                let reference =
                    ["q", "u", "v", "spiked", "ref_count"].map(|n| state.get(r, n) as i32);
                if ours != reference {
                    if mismatches < 5 {
                        eprintln!(
                            "{case}: step {} compartment {global}: ours {ours:?} reference {reference:?}",
                            step + 1
                        );
                    }
                    mismatches += 1;
                }
                global += 1;
            }
        }
    }
    println!("{case}: {n_steps} steps × {n_comp} compartments, {mismatches} state mismatches");
    assert_eq!(mismatches, 0, "{case}: q/u/v/spiked/ref_count differ");
    sim
}

/// Integer parameters and weights of every core equal NengoLoihi's.
fn check_parameters(case: &str, sim: &LoihiSimulator) {
    let comps = Table::read(case_dir(case).join("compartments.csv"));
    let chip = sim.chip();
    let mut r = 0;
    for cores in &chip.cores {
        for core in cores {
            let d = &core.discrete;
            for k in 0..d.vth.len() {
                let ours = [
                    d.decay_u[k],
                    d.decay_v[k],
                    d.refract_delay[k],
                    d.vth[k],
                    d.bias[k],
                    d.vmin,
                    d.vmax,
                ];
                let reference = [
                    "decay_u",
                    "decay_v",
                    "refract_delay",
                    "vth",
                    "bias",
                    "vmin",
                    "vmax",
                ]
                .map(|n| comps.get(r, n) as i32);
                assert_eq!(ours, reference, "{case}: compartment {r}");
                r += 1;
            }
        }
    }
    assert_eq!(r, comps.rows.nrows(), "{case}: compartments");
    let syns = Table::read(case_dir(case).join("synapses.csv"));
    let mut expected: HashMap<(usize, usize, usize), i32> = HashMap::new();
    let mut syn_ids: Vec<(usize, usize)> = Vec::new();
    for r in 0..syns.rows.nrows() {
        let (s, b) = (syns.get(r, "syn") as usize, syns.get(r, "block") as usize);
        if !syn_ids.contains(&(b, s)) {
            syn_ids.push((b, s));
        }
        let key = (
            s,
            syns.get(r, "axon_idx") as usize,
            syns.get(r, "target_comp") as usize,
        );
        expected.insert(key, syns.get(r, "weight") as i32);
    }
    syn_ids.sort();
    let mut checked = 0;
    for (b, cores) in chip.cores.iter().enumerate() {
        let ref_syns: Vec<usize> = syn_ids.iter().filter(|x| x.0 == b).map(|x| x.1).collect();
        let core = &cores[0];
        assert_eq!(
            core.synapses.len(),
            ref_syns.len(),
            "{case}: synapses of block {b}"
        );
        for (id, ref_s) in core.synapses.iter().zip(ref_syns) {
            let s = chip.emulator.synapse(*id).unwrap();
            for axon in 0..s.n_axons() {
                let w = s.entry_weights(axon).unwrap();
                for (t, wt) in w.iter().enumerate() {
                    let e = expected.get(&(ref_s, axon, t)).copied().unwrap_or(0);
                    assert_eq!(*wt, e, "{case}: synapse {ref_s} axon {axon} target {t}");
                    checked += 1;
                }
            }
        }
    }
    println!("{case}: {r} compartments and {checked} weights equal");
}

/// `probes.csv` columns `<prefix>_0 …` as a matrix.
fn ref_probe(case: &str, prefix: &str) -> Array2<f64> {
    let t = Table::read(case_dir(case).join("probes.csv"));
    let mut idx: Vec<(usize, usize)> = t
        .cols
        .iter()
        .filter_map(|(c, i)| {
            c.strip_prefix(prefix)
                .and_then(|s| s.strip_prefix('_'))
                .and_then(|s| s.parse().ok())
                .map(|k: usize| (k, *i))
        })
        .collect();
    idx.sort();
    let mut m = Array2::zeros((t.rows.nrows(), idx.len()));
    for (j, (_, c)) in idx.iter().enumerate() {
        m.column_mut(j).assign(&t.rows.column(*c));
    }
    m
}

fn assert_equal(case: &str, what: &str, ours: &Array2<f64>, reference: &Array2<f64>) {
    assert_eq!(ours.dim(), reference.dim(), "{case} {what}: shape");
    let diff = ours.iter().zip(reference).filter(|(a, b)| a != b).count();
    println!("{case}: {what} {:?}, {diff} values differ", ours.dim());
    assert_eq!(diff, 0, "{case}: {what}");
}

/// Decoded probes: within float32 precision (relative to the signal's scale).
fn assert_f32_close(case: &str, what: &str, ours: &Array2<f64>, reference: &Array2<f64>) {
    assert_eq!(ours.dim(), reference.dim(), "{case} {what}: shape");
    let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let worst = ours
        .iter()
        .zip(reference)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    println!("{case}: {what} worst |ours − NengoLoihi| = {worst:.3e} (scale {scale:.3})");
    assert!(
        worst <= 4.0 * f64::from(f32::EPSILON) * scale,
        "{case}: {what} off by {worst}"
    );
}

#[test]
fn single_block_matches_nengo_loihi() {
    let case = "single_block";
    let params = read_json(&case_dir(case).join("params.json"));
    let builder = ModelBuilder::new(1.0)
        .cell::<Node>("stim", &NodeParams::new(Process::Constant(vec![0.5])))
        .cell::<Ensemble>("A", &injected(&params, "A"))
        .synapse::<Connection>("stim_to_A", "stim", "A", &ConnectionParams::default())
        .probe_spec(decoded_probe("A", probe_decoders(case, 1, 0.001)))
        .probe("A", "output")
        .probe("A", "voltage")
        .probe("A", "input");
    let sim = run_case(case, builder);
    assert_f32_close(
        case,
        "A decoded",
        &sim.probe("A", "decoded").unwrap(),
        &ref_probe(case, "emu_A_decoded"),
    );
    assert_equal(
        case,
        "A spikes",
        &sim.probe("A", "output").unwrap(),
        &ref_probe(case, "emu_A_spikes"),
    );
    assert_equal(
        case,
        "A voltage",
        &sim.probe("A", "voltage").unwrap(),
        &ref_probe(case, "emu_A_voltage_raw"),
    );
    assert_equal(
        case,
        "A input",
        &sim.probe("A", "input").unwrap(),
        &ref_probe(case, "emu_A_input_raw"),
    );
}

#[test]
fn single_block_bias_matches_nengo_loihi() {
    let case = "single_block_bias";
    let params = read_json(&case_dir(case).join("params.json"));
    let builder = ModelBuilder::new(1.0)
        .cell::<Ensemble>("A", &injected(&params, "A"))
        .probe("A", "output")
        .probe("A", "voltage")
        .probe_spec(decoded_probe("A", probe_decoders(case, 0, 0.001)));
    let sim = run_case(case, builder);
    assert_f32_close(
        case,
        "A decoded",
        &sim.probe("A", "decoded").unwrap(),
        &ref_probe(case, "emu_A_decoded"),
    );
    assert_equal(
        case,
        "A spikes",
        &sim.probe("A", "output").unwrap(),
        &ref_probe(case, "emu_A_spikes"),
    );
    assert_equal(
        case,
        "A voltage",
        &sim.probe("A", "voltage").unwrap(),
        &ref_probe(case, "emu_A_voltage_raw"),
    );
}

#[test]
fn channel_matches_nengo_loihi() {
    let case = "channel";
    let params = read_json(&case_dir(case).join("params.json"));
    let ab: Vec<Vec<f64>> = floats(&params["nengo_float_params"]["A_to_B"]["weights"][0])
        .iter()
        .map(|w| vec![w * 0.001])
        .collect();
    let builder = ModelBuilder::new(1.0)
        .cell::<Node>(
            "sin",
            &NodeParams::new(Process::Expr(
                cortecs::components::nef::function::FunctionSpec::One("sin(t_s)".into()),
            )),
        )
        .cell::<Ensemble>("A", &injected(&params, "A"))
        .cell::<Ensemble>("B", &injected(&params, "B"))
        .synapse::<Connection>("sin_to_A", "sin", "A", &ConnectionParams::default())
        .synapse::<Connection>(
            "A_to_B",
            "A",
            "B",
            &ConnectionParams {
                solver: Solver::NoSolver { values: Some(ab) },
                ..ConnectionParams::default()
            },
        )
        .probe_spec(decoded_probe("B", probe_decoders(case, 3, 0.001)))
        .probe("A", "output");
    let sim = run_case(case, builder);
    assert_f32_close(
        case,
        "B decoded",
        &sim.probe("B", "decoded").unwrap(),
        &ref_probe(case, "emu_B_decoded"),
    );
    assert_equal(
        case,
        "A spikes",
        &sim.probe("A", "output").unwrap(),
        &ref_probe(case, "emu_A_spikes"),
    );
}

/// The decoders cortecs solves itself for `channel`'s A → B (LstsqL2 against `loihi_rates`,
/// on cortecs's own eval points: NengoLoihi's are drawn from NumPy's stream and not recorded)
/// against NengoLoihi's (`nengo_float_params.A_to_B.weights`, `transform·decoders/dt`),
/// compared by what they decode: both decoders applied to A's `loihi_rates` activities on a
/// grid of 201 points over [−radius, radius].
#[test]
fn solved_decoders_decode_like_nengo_loihis() {
    use cortecs::components::loihi::discretize::loihi_rates;
    let case = "channel";
    let params = read_json(&case_dir(case).join("params.json"));
    let dt_s = params["dt"].as_f64().expect("dt");
    let a = injected(&params, "A");
    let model = ModelBuilder::new(1000.0 * dt_s)
        .cell::<Ensemble>("A", &a)
        .cell::<Ensemble>("B", &injected(&params, "B"))
        .synapse::<Connection>("A_to_B", "A", "B", &ConnectionParams::default())
        .build_for(Target::Loihi)
        .expect("the model builds");
    let ours: Vec<f64> = model
        .array("A_to_B", "decoders")
        .unwrap()
        .iter()
        .map(|d| f64::from(*d))
        .collect();
    let recorded: Vec<f64> = floats(&params["nengo_float_params"]["A_to_B"]["weights"][0])
        .iter()
        .map(|w| w * dt_s)
        .collect();
    assert_eq!(ours.len(), recorded.len(), "decoder count");
    let (gain, bias) = (a.gain.clone().unwrap(), a.bias.clone().unwrap());
    let encoders: Vec<f64> = params["nengo_float_params"]["A"]["encoders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| floats(e)[0])
        .collect();
    let (mut e_ours, mut e_rec, mut e_diff) = (0.0, 0.0, 0.0);
    let n = 201;
    for k in 0..n {
        let x = a.radius * (-1.0 + 2.0 * k as f64 / (n - 1) as f64);
        let (mut y_ours, mut y_rec) = (0.0, 0.0);
        for i in 0..gain.len() {
            let r = loihi_rates(
                &a.neuron_type,
                encoders[i] * x / a.radius,
                gain[i],
                bias[i],
                1000.0 * dt_s,
            );
            y_ours += r * ours[i];
            y_rec += r * recorded[i];
        }
        e_ours += (y_ours - x).powi(2);
        e_rec += (y_rec - x).powi(2);
        e_diff += (y_ours - y_rec).powi(2);
    }
    let rms = |s: f64| (s / n as f64).sqrt();
    let (e_ours, e_rec, e_diff) = (rms(e_ours), rms(e_rec), rms(e_diff));
    // Both are LstsqL2 fits (same activities, target and reg) to m eval points drawn from the
    // same distribution, m = max(clip(500·d, 750, 2500), 2n) (Nengo's default, both sides).
    // A fit's deviation from the fit to the whole distribution is sampling noise of RMS about
    // e/√m on the grid; two independent fits differ by √2 times that: bound 2·e/√m, and
    // cortecs's own decoding error within that of NengoLoihi's.
    let (n_neurons, d) = (gain.len() as f64, 1.0f64);
    let m = (500.0 * d).clamp(750.0, 2500.0).max(2.0 * n_neurons);
    let noise = 2.0 * e_rec / m.sqrt();
    println!(
        "decoding RMSE on the grid: cortecs {e_ours:.4e}, NengoLoihi {e_rec:.4e}; between \
         them {e_diff:.4e} (bound {noise:.4e})"
    );
    assert!(
        e_diff <= noise,
        "decoded curves differ by {e_diff:e} > {noise:e}"
    );
    assert!(
        e_ours <= e_rec + noise,
        "cortecs decodes worse: {e_ours:e} vs {e_rec:e}"
    );
}
