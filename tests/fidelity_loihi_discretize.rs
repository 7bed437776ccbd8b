//! Fidelity of the Loihi discretization against NengoLoihi 1.1.0
//! (`tests/refs/loihi/<case>/`, read at test time; README §2).
//!
//! For every case folder (`single_block`, `single_block_bias`, `channel`, `pes`):
//!
//! - **Float blocks.** The `*_float` columns of `compartments.csv` (the `target='simreal'`
//!   build) are rebuilt from Nengo-level parameters: LIF ensembles from their Nengo bias
//!   (`params.json["nengo_float_params"]`) with `configure_lif` of the ensemble's recorded
//!   neuron type (`nengo_float_params[name].neuron_type`, a Nengo repr: a type other than LIF
//!   fails the test, naming it) at the recorded `dt`, and the block's
//!   filter `tau_s` (`blocks[i].float_block.tau_s`, or the default `decode_tau` when `None`);
//!   the `f32` values must be bit-identical, and `refract_delay` equal.
//! - **Compartments.** Each block is discretized from those float columns and its block settings
//!   (`float_block`: `scale_u`, `scale_v`, `vmin`, `vmax`), with `w_max` taken over the
//!   `weight_float` of every `synapses.csv` row whose `block` (the target block) is this one.
//!   `decay_u`, `decay_v`, `vth` (and `vth_man`, `vth_exp`), `bias` (and `bias_man`,
//!   `bias_exp`), `refract_delay`, `vmin`, `vmax` must equal the integer columns exactly;
//!   `noise_exp` must equal `blocks[i].noise_exp`; `discretize_info` must match
//!   `blocks[i].discretize_info` (`w_exp` exactly, `w_max`, `v_scale`, `b_scale`, `w_scale`
//!   within 1e-12 relative).
//! - **Synapses.** Each synapse (rows of `synapses.csv` with its `syn` id, in file order;
//!   `learning` and the PES settings from `params.json["synapses"]`) is discretized from
//!   `weight_float`: `weight` and `chip_wgt` must be equal for every row, `weight_exp` equal to
//!   `synapse_cfg.weight_exp` (and `real_weight_exp`, `scale`), no "Lost N extra bits" where
//!   NengoLoihi did not warn, and for the learned synapse of `pes/` the discretized
//!   `learning_params` (`tracing_tau`, `tracing_mag`, `learning_rate`, `lr_int`, `lr_exp`)
//!   equal. The PES float parameters are those of `make_refs.py::net_pes`:
//!   `PES(learning_rate=1e-3)` with Nengo's default `pre_synapse = Lowpass(0.005)`, 50 pre
//!   neurons.
//!
//! `loihi_rates` is checked against its laws (whole-step periods, bracketing by the continuous
//! LIF rate with the discretized τ_rc, monotonicity) and against the emulator itself: in
//! `single_block_bias` the neurons are driven by their bias alone, and every inter-spike
//! interval of `spikes.csv` equals `1/loihi_rate` (the recorded decoders cannot be re-solved:
//! their eval points come from NumPy's random stream).
//!
//! Run with `-- --nocapture` for the per-case counts.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{read_json, read_matrix, recorded_lif, refs_dir};
use cortecs::components::loihi::discretize::{
    DiscreteBlock, DiscreteSynapse, FloatBlock, FloatLearning, FloatSynapse, INTERCEPT_LIMIT,
    PES_ERROR_SCALE, PES_WGT_EXP, discretize_block, discretize_tau_rc, discretize_tau_ref,
    filter_decay_u, limit_intercepts, loihi_rates, refract_delay,
};
use cortecs::components::nef::dists::Distribution;
use cortecs::components::neurons::nef::NeuronType;
use ndarray::Array2;
use serde_json::Value;

const CASES: [&str; 4] = ["single_block", "single_block_bias", "channel", "pes"];
/// The step of the `loihi_rates` law tests (synthetic, not a recording).
const DT_MS: f64 = 1.0;
/// τ_rc and τ_ref of the law tests: `NeuronType::default()`.
const TAU_RC_MS: f64 = 20.0;
const TAU_REF_MS: f64 = 2.0;

/// The recorded step of a case (`params.json` → `dt`, s) in ms.
fn case_dt_ms(params: &Value) -> f64 {
    1000.0 * params["dt"].as_f64().expect("params.json: dt")
}

/// The recorded neuron type of ensemble `name` (`nengo_float_params[name].neuron_type`, a
/// Nengo repr); panics naming it unless it is a LIF.
fn ensemble_lif(params: &Value, name: &str) -> NeuronType {
    recorded_lif(
        params["nengo_float_params"][name]["neuron_type"]
            .as_str()
            .unwrap_or_else(|| panic!("params.json: nengo_float_params.{name}.neuron_type")),
    )
}

/// The ensemble name of a block label `<Ensemble 'A'>`.
fn ensemble_name(label: &str) -> Option<&str> {
    label
        .strip_prefix("<Ensemble '")
        .and_then(|s| s.strip_suffix("'>"))
}
const FLOAT_RTOL: f64 = 1e-12;

/// An all-numeric CSV with its column names.
struct Table {
    names: Vec<String>,
    data: Array2<f64>,
}

impl Table {
    fn read(path: &Path) -> Self {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let names = text
            .lines()
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        Table {
            names,
            data: read_matrix(path),
        }
    }

    fn col(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.names))
    }

    /// Column `name` of the rows `rows`.
    fn get(&self, rows: &[usize], name: &str) -> Vec<f64> {
        let c = self.col(name);
        rows.iter().map(|&r| self.data[[r, c]]).collect()
    }

    /// The rows whose column `name` equals `value`, in file order.
    fn rows_where(&self, name: &str, value: usize) -> Vec<usize> {
        let c = self.col(name);
        (0..self.data.nrows())
            .filter(|&r| self.data[[r, c]] == value as f64)
            .collect()
    }
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        _ => v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")),
    }
}

fn ints(v: &[f64]) -> Vec<i32> {
    v.iter().map(|&x| x as i32).collect()
}

fn f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

/// Exact-match counter for one case.
#[derive(Default)]
struct Counts {
    compared: BTreeMap<&'static str, usize>,
    mismatched: BTreeMap<&'static str, usize>,
    first: Vec<String>,
    /// The worst relative error of the float comparisons.
    worst_float: f64,
}

impl Counts {
    fn int(&mut self, what: &'static str, ctx: &str, ours: &[i32], reference: &[i32]) {
        assert_eq!(ours.len(), reference.len(), "{ctx}: {what} length");
        *self.compared.entry(what).or_default() += ours.len();
        for (k, (a, b)) in ours.iter().zip(reference).enumerate() {
            if a != b {
                *self.mismatched.entry(what).or_default() += 1;
                if self.first.len() < 20 {
                    self.first
                        .push(format!("{ctx}: {what}[{k}] ours {a}, NengoLoihi {b}"));
                }
            }
        }
    }

    fn float(&mut self, what: &'static str, ctx: &str, ours: f64, reference: f64) {
        *self.compared.entry(what).or_default() += 1;
        let e = rel(ours, reference);
        self.worst_float = self.worst_float.max(e);
        if e > FLOAT_RTOL || e.is_nan() {
            *self.mismatched.entry(what).or_default() += 1;
            self.first.push(format!(
                "{ctx}: {what} ours {ours:e}, NengoLoihi {reference:e} (rel {e:e})"
            ));
        }
    }

    fn report(&self, case: &str) -> usize {
        let bad: usize = self.mismatched.values().sum();
        let summary: Vec<String> = self
            .compared
            .iter()
            .map(|(k, n)| {
                format!(
                    "{k} {}/{n}",
                    n - self.mismatched.get(k).copied().unwrap_or(0)
                )
            })
            .collect();
        println!(
            "{case}: exact {}; worst float relative error {:e}",
            summary.join(", "),
            self.worst_float
        );
        for line in &self.first {
            println!("  MISMATCH {line}");
        }
        bad
    }
}

/// The float block of block `i` of a case, from the `*_float` columns and `float_block`.
fn float_block_from_files(
    comps: &Table,
    rows: &[usize],
    block: &Value,
    params: &Value,
) -> FloatBlock {
    let dt = case_dt_ms(params);
    let fb = &block["float_block"];
    let mut b = FloatBlock::new(rows.len());
    b.decay_u = f32s(&comps.get(rows, "decay_u_float"));
    b.decay_v = f32s(&comps.get(rows, "decay_v_float"));
    b.vth = f32s(&comps.get(rows, "vth_float"));
    b.bias = f32s(&comps.get(rows, "bias_float"));
    b.scale_u = fb["scale_u"].as_bool().expect("float_block.scale_u");
    b.scale_v = fb["scale_v"].as_bool().expect("float_block.scale_v");
    b.vmin = as_f64(&fb["vmin"]);
    b.vmax = as_f64(&fb["vmax"]);
    // refract_delay is set by the neuron type: LIF (scale_v, an ensemble block) round(τ_ref/dt)
    // + 1 with the ensemble's recorded τ_ref; decode neurons (configure_relu, τ_ref = 0) and
    // non-spiking probe blocks: 1
    let label = block["label"].as_str().unwrap_or_default();
    let delay = if b.scale_v {
        let name = ensemble_name(label)
            .unwrap_or_else(|| panic!("{label}: a LIF block that is not an ensemble"));
        let NeuronType::LIF { tau_ref, .. } = ensemble_lif(params, name) else {
            unreachable!()
        };
        refract_delay(dt, tau_ref)
    } else {
        refract_delay(dt, 0.0)
    };
    b.refract_delay = vec![delay; rows.len()];
    b
}

/// The filter time constant of a block in ms (`None` → the default `decode_tau`).
fn block_tau_s_ms(block: &Value, params: &Value) -> f64 {
    let tau = &block["float_block"]["tau_s"];
    let seconds = if tau.is_null() {
        params["model_settings"]["decode_tau"]
            .as_f64()
            .expect("decode_tau")
    } else {
        as_f64(tau)
    };
    seconds * 1000.0
}

/// The float block rebuilt from Nengo-level parameters, compared bit for bit with the files.
fn check_float_block(
    counts: &mut Counts,
    ctx: &str,
    params: &Value,
    block: &Value,
    from_files: &FloatBlock,
) {
    let tau_s = block_tau_s_ms(block, params);
    let dt = case_dt_ms(params);
    let label = block["label"].as_str().unwrap_or_default();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits() as i32).collect::<Vec<_>>();
    let decay_u = filter_decay_u(dt, tau_s) as f32;
    counts.int(
        "decay_u_float (from tau_s)",
        ctx,
        &bits(&vec![decay_u; from_files.len()]),
        &bits(&from_files.decay_u),
    );
    // an ensemble block: "<Ensemble 'A'>" ↔ nengo_float_params["A"]
    let Some(name) = ensemble_name(label) else {
        return;
    };
    let NeuronType::LIF {
        tau_rc,
        tau_ref,
        min_voltage,
        ..
    } = ensemble_lif(params, name)
    else {
        unreachable!()
    };
    let nengo = &params["nengo_float_params"][name];
    let bias: Vec<f64> = nengo["bias"]
        .as_array()
        .expect("nengo bias")
        .iter()
        .map(as_f64)
        .collect();
    let mut b = FloatBlock::new(from_files.len());
    b.set_bias(&bias).expect("bias length");
    b.configure_lif(tau_rc, tau_ref, 1.0, dt, min_voltage)
        .expect("configure_lif");
    if block["float_block"]["tau_s"].is_null() {
        b.configure_default_filter(tau_s, dt).expect("filter");
    } else {
        b.configure_filter(tau_s, dt).expect("filter");
    }
    counts.int(
        "decay_v_float (LIF)",
        ctx,
        &bits(&b.decay_v),
        &bits(&from_files.decay_v),
    );
    counts.int(
        "decay_u_float (LIF)",
        ctx,
        &bits(&b.decay_u),
        &bits(&from_files.decay_u),
    );
    counts.int(
        "vth_float (LIF)",
        ctx,
        &bits(&b.vth),
        &bits(&from_files.vth),
    );
    counts.int(
        "bias_float (Nengo bias)",
        ctx,
        &bits(&b.bias),
        &bits(&from_files.bias),
    );
    assert!(b.scale_u && b.scale_v, "{ctx}: LIF blocks scale u and v");
    assert_eq!(b.refract_delay, from_files.refract_delay, "{ctx}");
}

fn check_compartments(
    counts: &mut Counts,
    ctx: &str,
    comps: &Table,
    rows: &[usize],
    d: &DiscreteBlock,
) {
    let col = |name| ints(&comps.get(rows, name));
    counts.int("decay_u", ctx, &d.decay_u, &col("decay_u"));
    counts.int("decay_v", ctx, &d.decay_v, &col("decay_v"));
    counts.int(
        "refract_delay",
        ctx,
        &d.refract_delay,
        &col("refract_delay"),
    );
    counts.int("vth", ctx, &d.vth, &col("vth"));
    counts.int("vth_man", ctx, &d.vth_man, &col("vth_man"));
    counts.int("vth_exp", ctx, &d.vth_exp, &col("vth_exp"));
    counts.int("bias", ctx, &d.bias, &col("bias"));
    counts.int("bias_man", ctx, &d.bias_man, &col("bias_man"));
    counts.int("bias_exp", ctx, &d.bias_exp, &col("bias_exp"));
    counts.int("vmin", ctx, &vec![d.vmin; rows.len()], &col("vmin"));
    counts.int("vmax", ctx, &vec![d.vmax; rows.len()], &col("vmax"));
}

/// The `discretize_info` objects of a `params.json`, in block order, parsed from the text with
/// Rust's correctly rounded `f64` parser: `serde_json` without its `float_roundtrip` feature
/// can read a decimal 1 ulp off (e.g. `200.55564880371094` as `200.55564880371097`).
fn raw_discretize_infos(text: &str) -> Vec<BTreeMap<String, f64>> {
    let key = "\"discretize_info\": {";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(key) {
        rest = &rest[start + key.len()..];
        let end = rest.find('}').expect("discretize_info: closing brace");
        let fields = rest[..end]
            .split(',')
            .filter_map(|kv| kv.split_once(':'))
            .map(|(k, v)| {
                let (k, v) = (k.trim().trim_matches('"'), v.trim());
                let x = v
                    .parse()
                    .unwrap_or_else(|e| panic!("discretize_info {k}: {v:?}: {e}"));
                (k.to_string(), x)
            })
            .collect();
        out.push(fields);
        rest = &rest[end..];
    }
    out
}

fn check_info(
    counts: &mut Counts,
    ctx: &str,
    block: &Value,
    raw: &BTreeMap<String, f64>,
    d: &DiscreteBlock,
) {
    let f = |k: &str| *raw.get(k).unwrap_or_else(|| panic!("discretize_info.{k}"));
    assert_eq!(
        f("w_exp"),
        as_f64(&block["discretize_info"]["w_exp"]),
        "{ctx}: raw and serde_json discretize_info agree"
    );
    counts.int("w_exp", ctx, &[d.info.w_exp], &[f("w_exp") as i32]);
    counts.float("w_max", ctx, d.info.w_max, f("w_max"));
    counts.float("v_scale", ctx, d.info.v_scale, f("v_scale"));
    counts.float("b_scale", ctx, d.info.b_scale[0], f("b_scale"));
    counts.float("w_scale", ctx, d.info.w_scale.first(), f("w_scale"));
    counts.int(
        "noise_exp",
        ctx,
        &[d.noise_exp],
        &[block["noise_exp"].as_i64().expect("noise_exp") as i32],
    );
    counts.int(
        "block vmin/vmax",
        ctx,
        &[d.vmin, d.vmax],
        &[
            block["vmin"].as_i64().expect("vmin") as i32,
            block["vmax"].as_i64().expect("vmax") as i32,
        ],
    );
}

fn check_synapse(
    counts: &mut Counts,
    ctx: &str,
    syns: &Table,
    rows: &[usize],
    spec: &Value,
    d: &DiscreteSynapse,
) {
    counts.int("weight", ctx, &d.weights, &ints(&syns.get(rows, "weight")));
    counts.int(
        "chip_wgt",
        ctx,
        &d.chip_weights,
        &ints(&syns.get(rows, "chip_wgt")),
    );
    let cfg = &spec["synapse_cfg"];
    let derived = &spec["derived"];
    counts.int(
        "weight_exp",
        ctx,
        &[d.weight_exp, 6 + d.weight_exp, 1 << (6 + d.weight_exp)],
        &[
            cfg["weight_exp"].as_i64().expect("weight_exp") as i32,
            derived["real_weight_exp"]
                .as_i64()
                .expect("real_weight_exp") as i32,
            derived["scale"].as_i64().expect("scale") as i32,
        ],
    );
    assert_eq!(d.lost_bits, None, "{ctx}: no 'Lost N extra bits' warning");
    if let Some(l) = &d.learning {
        let lp = &spec["learning_params"];
        let i = |k: &str| lp[k].as_i64().unwrap_or_else(|| panic!("{k}")) as i32;
        counts.int(
            "learning ints",
            ctx,
            &[l.tracing_tau, l.lr_int, l.lr_exp, d.weight_exp],
            &[
                i("tracing_tau"),
                i("lr_int"),
                i("lr_exp"),
                i("learning_wgt_exp"),
            ],
        );
        counts.float(
            "tracing_mag",
            ctx,
            l.tracing_mag,
            as_f64(&lp["tracing_mag"]),
        );
        counts.float(
            "learning_rate",
            ctx,
            l.learning_rate,
            as_f64(&lp["learning_rate"]),
        );
    }
}

#[test]
fn discretization_matches_nengo_loihi_exactly() {
    let mut bad = 0;
    for case in CASES {
        let dir = refs_dir("loihi").join(case);
        let params = read_json(&dir.join("params.json"));
        let raw_infos = raw_discretize_infos(
            &std::fs::read_to_string(dir.join("params.json")).expect("params.json"),
        );
        let comps = Table::read(&dir.join("compartments.csv"));
        let syns = Table::read(&dir.join("synapses.csv"));
        let blocks = params["blocks"].as_array().expect("blocks");
        assert_eq!(
            raw_infos.len(),
            blocks.len(),
            "{case}: discretize_info per block"
        );
        let syn_specs = params["synapses"].as_array().expect("synapses");
        let mut counts = Counts::default();
        let mut n_syn_rows = 0;
        for (bi, block) in blocks.iter().enumerate() {
            let ctx = format!("{case} block {bi}");
            let rows = comps.rows_where("block", bi);
            assert_eq!(
                comps.get(&rows, "comp"),
                (0..rows.len()).map(|k| k as f64).collect::<Vec<_>>(),
                "{ctx}: compartments in order"
            );
            let float = float_block_from_files(&comps, &rows, block, &params);
            check_float_block(&mut counts, &ctx, &params, block, &float);

            // the synapses into this block, identified by their target block
            let ids: Vec<usize> = syn_specs
                .iter()
                .filter(|s| s["target_block"].as_u64() == Some(bi as u64))
                .map(|s| s["id"].as_u64().expect("synapse id") as usize)
                .collect();
            let listed: Vec<usize> = block["synapses"]
                .as_array()
                .expect("block synapses")
                .iter()
                .map(|v| v.as_u64().expect("synapse id") as usize)
                .collect();
            assert_eq!(ids, listed, "{ctx}: synapses by target_block");
            let syn_rows: Vec<Vec<usize>> =
                ids.iter().map(|&id| syns.rows_where("syn", id)).collect();
            let float_syns: Vec<FloatSynapse> = ids
                .iter()
                .zip(&syn_rows)
                .map(|(&id, rows)| {
                    assert!(
                        syns.get(rows, "block").iter().all(|&b| b == bi as f64),
                        "{ctx}: syn {id} rows target block {bi}"
                    );
                    let learning = syn_specs[id]["learning"].as_bool().expect("learning");
                    FloatSynapse {
                        weights: f32s(&syns.get(rows, "weight_float")),
                        targets: syns
                            .get(rows, "target_comp")
                            .iter()
                            .map(|&t| t as usize)
                            .collect(),
                        // make_refs.py::net_pes: PES(1e-3), pre_synapse Lowpass(5 ms), 50 pre
                        learning: learning.then(|| {
                            FloatLearning::pes(
                                1e-3,
                                5.0,
                                syn_specs[id]["n_axons"].as_u64().expect("n_axons") as usize,
                                case_dt_ms(&params),
                                PES_ERROR_SCALE,
                                PES_WGT_EXP,
                            )
                        }),
                    }
                })
                .collect();

            let (d, dsyns) =
                discretize_block(&float, &float_syns).unwrap_or_else(|e| panic!("{ctx}: {e}"));
            check_compartments(&mut counts, &ctx, &comps, &rows, &d);
            check_info(&mut counts, &ctx, block, &raw_infos[bi], &d);
            for ((&id, rows), ds) in ids.iter().zip(&syn_rows).zip(&dsyns) {
                let sctx = format!("{ctx} syn {id}");
                check_synapse(&mut counts, &sctx, &syns, rows, &syn_specs[id], ds);
                n_syn_rows += rows.len();
            }
        }
        assert_eq!(
            n_syn_rows,
            syns.data.nrows(),
            "{case}: every synapse row checked"
        );
        bad += counts.report(case);
    }
    assert_eq!(bad, 0, "mismatches (see the output above)");
}

/// `loihi_rates` laws for LIF: a whole number `k ≥ 3` of 1 ms steps per spike (τ_ref = 2 ms),
/// so the rate is `1000/k` Hz; the period `1/rate_continuous` of the LIF rate with the
/// discretized τ_rc and τ_ref lies in `((k − 1)·dt, k·dt]`; rates never decrease with x.
#[test]
fn loihi_lif_rates_obey_their_laws() {
    let lif = NeuronType::default();
    let tau_rc = discretize_tau_rc(TAU_RC_MS, DT_MS);
    let tau_ref = discretize_tau_ref(TAU_REF_MS, DT_MS);
    assert!((tau_rc - TAU_RC_MS).abs() < 0.05 && tau_rc != TAU_RC_MS);
    assert_eq!(tau_ref, TAU_REF_MS);
    let continuous = NeuronType::LIFRate {
        tau_rc,
        tau_ref,
        amplitude: 1.0,
    };
    let mut n_checked = 0;
    for &gain in &[0.5, 3.0, 11.0, 47.3, 95.6, 218.0] {
        for &bias in &[-68.5, -20.0, -1.0, 0.0, 1.0, 2.79, 10.08, 40.0] {
            let mut last = 0.0;
            for k in -100..=100 {
                let x = f64::from(k) / 100.0;
                let r = loihi_rates(&lif, x, gain, bias, DT_MS);
                assert!(
                    r >= last,
                    "rate decreases at x = {x}, gain {gain}, bias {bias}"
                );
                last = r;
                let rc = continuous.rates(x, gain, bias);
                if r == 0.0 {
                    assert_eq!(rc, 0.0, "zero Loihi rate only below threshold");
                    continue;
                }
                let steps = 1000.0 / r;
                assert!(
                    (steps - steps.round()).abs() < 1e-9 && steps.round() >= 3.0,
                    "{r} Hz is not 1000/k with k >= 3"
                );
                let period_ms = 1000.0 / rc;
                assert!(
                    period_ms <= steps * DT_MS * (1.0 + 1e-12)
                        && period_ms > (steps - 1.0) * DT_MS * (1.0 - 1e-12),
                    "period {period_ms} ms outside ({}, {}] ms",
                    steps - 1.0,
                    steps
                );
                assert!(r <= rc * (1.0 + 1e-12));
                n_checked += 1;
            }
        }
    }
    println!("LIF loihi_rates laws: {n_checked} spiking (x, gain, bias) points");
    assert!(n_checked > 3000);

    // SpikingRectifiedLinear: 1000/ceil(1000/J) Hz
    let relu = NeuronType::SpikingRectifiedLinear { amplitude: 1.0 };
    for j in [0.5f64, 1.0, 7.3, 250.0, 333.4, 999.9, 1000.0, 1500.0] {
        let expected = 1000.0 / (1000.0 / j).ceil();
        assert_eq!(loihi_rates(&relu, 1.0, j, 0.0, DT_MS), expected, "J = {j}");
    }
    assert_eq!(loihi_rates(&relu, -1.0, 10.0, 0.0, DT_MS), 0.0);
    // other types fall back to Nengo's rates (LIFRate is not a LIF subclass)
    let rate = NeuronType::LIFRate {
        tau_rc: 20.0,
        tau_ref: 2.0,
        amplitude: 1.0,
    };
    assert_eq!(
        loihi_rates(&rate, 0.3, 20.0, 1.5, DT_MS),
        rate.rates(0.3, 20.0, 1.5)
    );
}

/// In `single_block_bias` the ensemble has no input: each neuron is driven by its bias alone
/// (`J = bias`, x = 0), and the emulator's inter-spike intervals are exactly
/// `ceil(period/dt)` steps, i.e. `1000/loihi_rate`.
#[test]
fn loihi_rates_match_the_emulator_isis() {
    let dir = refs_dir("loihi").join("single_block_bias");
    let params = read_json(&dir.join("params.json"));
    let a = &params["nengo_float_params"]["A"];
    let gain: Vec<f64> = a["gain"].as_array().unwrap().iter().map(as_f64).collect();
    let bias: Vec<f64> = a["bias"].as_array().unwrap().iter().map(as_f64).collect();
    let spikes = Table::read(&dir.join("spikes.csv"));
    let n_steps = params["n_steps"].as_u64().unwrap() as f64;
    let lif = ensemble_lif(&params, "A");
    let dt = case_dt_ms(&params);
    let (mut isis, mut silent) = (0, 0);
    for (i, (&g, &b)) in gain.iter().zip(&bias).enumerate() {
        let steps = spikes.get(&spikes.rows_where("global_idx", i), "step");
        let r = loihi_rates(&lif, 0.0, g, b, dt);
        if r == 0.0 {
            assert!(steps.is_empty(), "neuron {i}: silent at rate 0");
            silent += 1;
            continue;
        }
        let k = 1000.0 / r / dt; // steps per spike
        assert!(steps.len() as f64 >= n_steps / k - 1.0, "neuron {i}");
        for w in steps.windows(2) {
            assert_eq!(w[1] - w[0], k, "neuron {i}: ISI vs 1000/loihi_rate");
            isis += 1;
        }
    }
    println!("single_block_bias: {isis} ISIs equal 1000/loihi_rate, {silent} silent neurons");
    assert!(isis > 100);
}

/// Every reference ensemble samples `Uniform(-1, 0.95)`, which the intercept limit keeps, and
/// its recorded intercepts are all ≤ 0.95; Nengo's default `Uniform(-1, 1)` would be cut.
#[test]
fn intercepts_respect_the_limit() {
    let kept = Distribution::Uniform {
        low: -1.0,
        high: 0.95,
    };
    assert_eq!(limit_intercepts(&kept, INTERCEPT_LIMIT), None);
    let nengo_default = Distribution::Uniform {
        low: -1.0,
        high: 1.0,
    };
    assert_eq!(
        limit_intercepts(&nengo_default, INTERCEPT_LIMIT),
        Some(kept)
    );
    for case in CASES {
        let params = read_json(&refs_dir("loihi").join(case).join("params.json"));
        assert_eq!(
            params["model_settings"]["intercept_limit"].as_f64(),
            Some(INTERCEPT_LIMIT)
        );
        for (name, p) in params["nengo_float_params"].as_object().unwrap() {
            if let Some(c) = p["intercepts"].as_array() {
                assert!(
                    c.iter().map(as_f64).all(|c| c <= INTERCEPT_LIMIT),
                    "{case} {name}"
                );
            }
        }
    }
}
