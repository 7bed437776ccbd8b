//! Fidelity: cortecs' LIF against ngclearn 3.2.3's `LIFCell`, compartment by compartment,
//! step by step (`../shared/refs/ngclearn/lif_*`). The f32 build is compared with the float32
//! recordings (relative tolerance 1e-5), the `f64` build with the `_f64` recordings (1e-12);
//! spikes must be identical.

mod common;

use common::*;
use cortecs::prelude::*;
use ndarray::IxDyn;

fn lif_params(args: &serde_json::Value) -> String {
    let f = |k: &str| {
        args[k]
            .as_f64()
            .unwrap_or_else(|| panic!("constructor_args.{k}"))
    };
    let b = |k: &str| {
        args[k]
            .as_bool()
            .unwrap_or_else(|| panic!("constructor_args.{k}"))
    };
    let s = |k: &str| {
        args[k]
            .as_str()
            .unwrap_or_else(|| panic!("constructor_args.{k}"))
            .to_string()
    };
    let v_min = args["v_min"]
        .as_f64()
        .map_or("None".to_string(), |v| format!("{v:?}"));
    format!(
        "(n_units: {}, tau_m: {:?}, resist_m: {:?}, thr: {:?}, v_rest: {:?}, v_reset: {:?}, conduct_leak: {:?}, \
         tau_theta: {:?}, theta_plus: {:?}, refract_time: {:?}, one_spike: {}, integration_type: {:?}, \
         surrogate_type: {:?}, v_min: {v_min}, max_one_spike: {})",
        args["n_units"].as_u64().expect("n_units"),
        f("tau_m"),
        f("resist_m"),
        f("thr"),
        f("v_rest"),
        f("v_reset"),
        f("conduct_leak"),
        f("tau_theta"),
        f("theta_plus"),
        f("refract_time"),
        b("one_spike"),
        s("integration_type"),
        s("surrogate_type"),
        b("max_one_spike"),
    )
}

fn check_case(case: &str) {
    let dir = ngclearn_case(case);
    let params = read_json(&dir.join("params.json"));
    let dt = params["dt"].as_f64().expect("dt");
    let steps = params["n_steps"].as_u64().expect("n_steps");
    // Every compartment ngclearn recorded for this case.
    let compartments: Vec<&str> = params["recorded_compartments"]
        .as_array()
        .expect("recorded_compartments")
        .iter()
        .map(|c| c.as_str().expect("name"))
        .collect();
    assert_eq!(
        compartments.len(),
        9,
        "LIF records j v s s_raw rfr thr_theta v_thr tols surrogate"
    );
    let probes: String = compartments
        .iter()
        .map(|c| format!("(target: \"z0\", compartment: \"{c}\"),"))
        .collect();
    // The recorded input is clamped into j every step through a Replay current source: the
    // same path a user takes to drive a model from an external recording.
    let config = format!(
        "Model(dt: {dt:?}, cells: [(name: \"z0\", kind: \"LIF\", params: {})], \
         inputs: [(name: \"I\", kind: \"Replay\", target: \"z0\", params: (file: {:?}))], probes: [{probes}])",
        lif_params(&params["constructor_args"]),
        dir.join("input_current.csv").to_str().expect("utf-8 path"),
    );
    let mut model = Model::from_config_str(&config, &Registry::with_builtins()).expect("builds");

    // Start from the recorded state after ngclearn's reset().
    let init = read_json(&dir.join("initial_state.json"));
    for &c in &compartments {
        let rows = init["values"][c]
            .as_array()
            .unwrap_or_else(|| panic!("initial {c}"));
        let vals: Vec<Real> = rows[0]
            .as_array()
            .expect("row")
            .iter()
            .map(|x| x.as_f64().expect("num") as Real)
            .collect();
        let n = vals.len();
        let arr = ndarray::ArrayD::from_shape_vec(IxDyn(&[1, n]), vals).expect("shape");
        model
            .set_array("z0", c, arr.view())
            .expect("set initial state");
    }
    model.run_steps(steps).expect("runs");

    let mut report = Vec::new();
    for &c in &compartments {
        let ours = model.probe("z0", c).expect("probe");
        let reference = read_csv(&dir.join(format!("{c}.csv")));
        if c == "s" || c == "s_raw" {
            assert_eq!(ours, reference, "{case}: spikes `{c}` differ");
            continue;
        }
        let (e, at) = worst_relative(&ours, &reference);
        report.push(format!("{c}: {e:.2e}"));
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
        "{case}: {spikes} spikes identical; worst relative error per compartment: {}",
        report.join(", ")
    );
}

#[test]
fn lif_euler_matches_ngclearn() {
    check_case("lif_euler");
}

#[test]
fn lif_midpoint_vmin_matches_ngclearn() {
    check_case("lif_midpoint_vmin");
}
