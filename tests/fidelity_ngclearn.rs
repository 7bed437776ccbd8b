//! Fidelity: cortecs' spiking cells against ngclearn 3.2.3, compartment by compartment, step
//! by step, for every case recorded in `tests/refs/ngclearn/` (LIF, QuadLIF, SLIF,
//! Izhikevich, FitzHugh–Nagumo). The f32 build is compared with the float32 recordings
//! (relative tolerance 1e-5), the `f64` build with the `_f64` recordings (1e-12); spikes must be
//! identical.
//!
//! Each case is built from a config whose parameters are the recorded constructor arguments
//! (under ngclearn's names), driven by a `Replay` of `input_current.csv` (re-clamped into `j`
//! every step, as ngclearn's driving loop does), and started from `initial_state.json` through
//! `Model::set_array` — the path `load` uses. SLIF's random constants (`threshold0.csv`,
//! `inh_weights.csv`) go in the same way.

mod common;

use std::path::Path;

use common::*;
use cortecs::prelude::*;
use ndarray::{ArrayD, IxDyn};

/// The cortecs kind of an ngclearn class.
fn kind_of(class: &str) -> &'static str {
    match class {
        "LIFCell" => "LIF",
        "QuadLIFCell" => "QuadLIF",
        "SLIFCell" => "SLIF",
        "IzhikevichCell" => "Izhikevich",
        "FitzhughNagumoCell" => "FitzhughNagumo",
        other => panic!("no cortecs kind for ngclearn's {other}"),
    }
}

/// The recorded constructor arguments as RON parameters, under the same names. `name` and
/// `key` (JAX's PRNG key) have no counterpart; `batch_size` is always 1 in cortecs.
fn params_ron(args: &serde_json::Value) -> String {
    let obj = args.as_object().expect("constructor_args is an object");
    let fields: Vec<String> = obj
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "name" | "key" | "batch_size"))
        .map(|(k, v)| {
            let value = match v {
                serde_json::Value::Null => "None".to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::String(s) => format!("{s:?}"),
                serde_json::Value::Number(n) if n.is_u64() && k == "n_units" => n.to_string(),
                serde_json::Value::Number(n) => format!("{:?}", n.as_f64().expect("number")),
                other => panic!("constructor argument {k} = {other}"),
            };
            format!("{k}: {value}")
        })
        .collect();
    format!("({})", fields.join(", "))
}

/// A CSV whose first column labels the rows (`step` or `u0…`): the numbers only.
fn read_labelled(path: &Path) -> Vec<Vec<Real>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .skip(1)
                .map(|x| x.parse::<f64>().expect("number") as Real)
                .collect()
        })
        .collect()
}

fn set(model: &mut Model, array: &str, shape: &[usize], values: Vec<Real>) {
    let a = ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape");
    model
        .set_array("z0", array, a.view())
        .unwrap_or_else(|e| panic!("set {array}: {e}"));
}

fn check_case(case: &str) {
    let dir = ngclearn_case(case);
    let params = read_json(&dir.join("params.json"));
    let kind = kind_of(params["ngclearn_class"].as_str().expect("ngclearn_class"));
    let dt = params["dt"].as_f64().expect("dt");
    let steps = params["n_steps"].as_u64().expect("n_steps");
    let compartments: Vec<&str> = params["recorded_compartments"]
        .as_array()
        .expect("recorded_compartments")
        .iter()
        .map(|c| c.as_str().expect("name"))
        .collect();
    let probes: String = compartments
        .iter()
        .map(|c| format!("(target: \"z0\", compartment: \"{c}\"),"))
        .collect();
    let config = format!(
        "Model(dt: {dt:?}, cells: [(name: \"z0\", kind: \"{kind}\", params: {})], \
         inputs: [(name: \"I\", kind: \"Replay\", target: \"z0\", params: (file: {:?}))], probes: [{probes}])",
        params_ron(&params["constructor_args"]),
        dir.join("input_current.csv").to_str().expect("utf-8 path"),
    );
    let mut model = Model::from_config_str(&config, &Registry::with_builtins())
        .unwrap_or_else(|e| panic!("{case}: {e}\n{config}"));

    // Start from the recorded state after ngclearn's reset().
    let init = read_json(&dir.join("initial_state.json"));
    for (c, rows) in init["values"].as_object().expect("initial values") {
        let row: Vec<Real> = rows[0]
            .as_array()
            .expect("row")
            .iter()
            .map(|x| x.as_f64().expect("num") as Real)
            .collect();
        let n = row.len();
        set(&mut model, c, &[1, n], row);
    }
    if kind == "SLIF" {
        let t0 = read_labelled(&dir.join("threshold0.csv")).remove(0);
        let n = t0.len();
        set(&mut model, "threshold0", &[n], t0);
        let w: Vec<Real> = read_labelled(&dir.join("inh_weights.csv")).concat();
        set(&mut model, "inh_weights", &[n, n], w);
    }
    model.run_steps(steps).expect("runs");

    let mut report = Vec::new();
    for &c in &compartments {
        let ours = model.probe("z0", c).expect("probe");
        let reference = read_csv(&dir.join(format!("{c}.csv")));
        if c == "s" || c == "s_raw" {
            if let Some((at, _)) = ours
                .indexed_iter()
                .zip(reference.iter())
                .find(|((_, a), b)| a != b)
            {
                panic!(
                    "{case}: spikes `{c}` differ first at (step, unit) {:?}: ours {} vs ngclearn {}",
                    at.0, at.1, reference[at.0]
                );
            }
            continue;
        }
        let (e, at) = worst_relative(&ours, &reference);
        report.push(format!("{c} {e:.1e}"));
        assert!(
            e <= RTOL,
            "{case}: `{c}` relative error {e:.3e} > {RTOL:e} at (step, unit) {at:?}: ours {} vs ngclearn {}",
            ours[at],
            reference[at]
        );
    }
    let spikes: Real = model.probe("z0", "s").expect("s").sum();
    assert!(
        spikes > 10.0,
        "{case}: the case must exercise spiking ({spikes} spikes)"
    );
    println!(
        "{case}: {spikes} spikes identical; worst relative error: {}",
        report.join(", ")
    );
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_case(stringify!($name));
            }
        )*
    };
}

cases!(
    lif_euler,
    lif_midpoint_vmin,
    quadlif_euler,
    slif_inhib,
    slif_inhib_sticky,
    izh_rs,
    izh_rs_midpoint,
    izh_ib,
    izh_ch,
    izh_fs,
    izh_lts,
    izh_rz,
    fn_euler,
    fn_midpoint,
    fn_euler_spike_reset,
);
