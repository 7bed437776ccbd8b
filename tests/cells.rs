//! Every spiking cell kind from Rust and from RON, and save → load → continue for each.
//!
//! Each kind is built with [`ModelBuilder`] (the Rust API) and driven by a constant current
//! that differs per unit, strong enough that most units spike. The same model written as RON
//! text must give bit-identical results, and a run saved at step 100, loaded and continued for
//! 150 steps must equal 250 uninterrupted steps, bit for bit, on every compartment and array.

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use cortecs::components::neurons::spiking::{
    FitzhughNagumoParams, Integrator, IzhikevichParams, IzhikevichPreset, LifParams, QuadLifParams,
    SlifParams,
};
use cortecs::prelude::*;
use cortecs::registry::builtin::{
    Constant, ConstantParams, FitzhughNagumo, Izhikevich, Lif, QuadLif, Slif, Values,
};

const N: usize = 8;

/// A model of one population `z` of kind `K` with per-unit currents `drive`, probing every
/// compartment of the kind.
fn model<K: Kind>(dt: f64, params: &K::Params, drive: Vec<f64>) -> ModelBuilder {
    let mut b = ModelBuilder::new(dt)
        .seed(7)
        .cell::<K>("z", params)
        .input::<Constant>(
            "I",
            "z",
            &ConstantParams {
                value: Values::PerUnit(drive),
            },
        );
    for c in K::COMPARTMENTS {
        b = b.probe("z", c);
    }
    b
}

fn ramp(lo: f64, hi: f64) -> Vec<f64> {
    (0..N)
        .map(|i| lo + (hi - lo) * i as f64 / (N - 1) as f64)
        .collect()
}

fn bits(m: &Model, c: &str) -> Vec<u64> {
    m.probe("z", c)
        .unwrap_or_else(|e| panic!("{c}: {e}"))
        .iter()
        .map(|x| f64::from(*x).to_bits())
        .collect()
}

/// Rust and RON give the same run; save → load → continue equals the uninterrupted run.
fn check<K: Kind>(dt: f64, params: K::Params, drive: Vec<f64>) {
    let builder = model::<K>(dt, &params, drive.clone());
    let ron = builder.to_ron();
    let mut rust = builder.build().expect("builds from Rust");
    let mut text = Model::from_config_str(&ron, &Registry::with_builtins())
        .unwrap_or_else(|e| panic!("{}: builds from RON: {e}\n{ron}", K::NAME));
    rust.run_steps(250).unwrap();
    text.run_steps(250).unwrap();
    for c in K::COMPARTMENTS {
        assert_eq!(
            bits(&rust, c),
            bits(&text, c),
            "{}: Rust vs RON `{c}`",
            K::NAME
        );
    }
    let spikes: f64 = rust
        .probe("z", "s")
        .unwrap()
        .iter()
        .map(|x| f64::from(*x))
        .sum();
    assert!(spikes > 0.0, "{}: the drive must make units spike", K::NAME);

    let dir = tempfile::tempdir().unwrap();
    let mut first = model::<K>(dt, &params, drive).build().unwrap();
    first.run_steps(100).unwrap();
    first.save(dir.path()).unwrap();
    let mut resumed = Model::load(dir.path()).unwrap();
    resumed.run_steps(150).unwrap();
    for c in K::COMPARTMENTS {
        let whole = bits(&rust, c);
        assert_eq!(
            whole[100 * N..],
            bits(&resumed, c)[..],
            "{}: `{c}` after save → load → continue",
            K::NAME
        );
    }
    for name in rust.array_names("z").unwrap() {
        assert_eq!(
            rust.array("z", name).unwrap(),
            resumed.array("z", name).unwrap(),
            "{}: array `{name}` after 250 steps",
            K::NAME
        );
    }
}

#[test]
fn lif() {
    let mut p = LifParams::new(N, 10.0);
    p.tau_theta = 200.0;
    p.theta_plus = 0.2;
    p.refract_time = 2.0;
    check::<Lif>(0.1, p, ramp(0.0, 40.0));
}

#[test]
fn quad_lif() {
    let mut p = QuadLifParams::new(N, 10.0);
    p.v_min = Some(-70.0);
    p.tau_theta = 200.0;
    p.theta_plus = 0.2;
    check::<QuadLif>(0.1, p, ramp(-5.0, 40.0));
}

#[test]
fn slif() {
    let mut p = SlifParams::new(N, 10.0, 1.0, 0.5);
    p.resist_inh = 0.3;
    p.thr_gain = 0.005;
    p.thr_leak = 1e-4;
    p.refract_time = 1.0;
    p.sticky_spikes = true;
    check::<Slif>(0.1, p, ramp(0.0, 3.0));
}

#[test]
fn izhikevich() {
    for preset in [
        IzhikevichPreset::RegularSpiking,
        IzhikevichPreset::Chattering,
        IzhikevichPreset::Resonator,
    ] {
        check::<Izhikevich>(0.1, IzhikevichParams::preset(N, preset), ramp(0.0, 40.0));
    }
    let mut p = IzhikevichParams::new(N);
    p.integration_type = Integrator::Midpoint;
    check::<Izhikevich>(0.1, p, ramp(0.0, 40.0));
}

#[test]
fn fitzhugh_nagumo() {
    for integration_type in [Integrator::Euler, Integrator::Midpoint, Integrator::Rk4] {
        let mut p = FitzhughNagumoParams::new(N);
        p.integration_type = integration_type;
        p.spike_reset = integration_type == Integrator::Euler;
        check::<FitzhughNagumo>(0.2, p, ramp(0.0, 2.0));
    }
}

/// A preset in RON sets its four parameters; explicit ones override it; the resolved
/// parameters (what `model.ron` stores) keep both.
#[test]
fn izhikevich_preset_in_ron_and_override() {
    let text = r#"Model(dt: 0.1, cells: [
        (name: "a", kind: "Izhikevich", params: (n_units: 2, preset: "fast_spiking")),
        (name: "b", kind: "Izhikevich", params: (n_units: 2, preset: "chattering", w_reset: 3.0)),
    ])"#;
    let m = Model::from_config_str(text, &Registry::with_builtins()).unwrap();
    let params = |name: &str| {
        let cfg = m.config();
        let spec = cfg.cells.iter().find(|c| c.name == name).unwrap();
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str::<IzhikevichParams>(spec.params.get_ron())
            .unwrap()
    };
    let a = params("a");
    assert_eq!(
        (a.tau_w, a.coupling_factor, a.v_reset, a.w_reset),
        (10.0, 0.2, -65.0, 8.0)
    );
    assert_eq!(a.preset, Some(IzhikevichPreset::FastSpiking));
    let b = params("b");
    assert_eq!(
        (b.tau_w, b.coupling_factor, b.v_reset, b.w_reset),
        (50.0, 0.2, -50.0, 3.0)
    );
}

/// Every kind, large enough that its kernel is split into chunks on the thread pool, gives
/// bit-identical results on 1 and 2 threads.
#[test]
fn every_kind_is_bit_identical_at_one_and_two_threads() {
    const BIG: usize = 40_000;
    fn run<K: Kind>(dt: f64, params: &K::Params, drive: Vec<f64>, threads: usize) -> Model {
        let mut m = model::<K>(dt, params, drive).build().unwrap();
        m.set_threads(threads).unwrap();
        m.run_steps(60).unwrap();
        m
    }
    fn same<K: Kind>(dt: f64, params: K::Params, lo: f64, hi: f64) {
        let drive: Vec<f64> = (0..BIG)
            .map(|i| lo + (hi - lo) * i as f64 / (BIG - 1) as f64)
            .collect();
        let one = run::<K>(dt, &params, drive.clone(), 1);
        let two = run::<K>(dt, &params, drive, 2);
        for c in K::COMPARTMENTS {
            assert_eq!(bits(&one, c), bits(&two, c), "{}: `{c}`", K::NAME);
        }
    }
    same::<Lif>(0.1, LifParams::new(BIG, 10.0), 0.0, 400.0);
    same::<QuadLif>(0.1, QuadLifParams::new(BIG, 10.0), 0.0, 400.0);
    let mut slif = SlifParams::new(BIG, 10.0, 1.0, 0.5);
    slif.rho_b = 1e-6;
    same::<Slif>(0.1, slif, 0.0, 30.0);
    same::<Izhikevich>(0.1, IzhikevichParams::new(BIG), 0.0, 400.0);
    same::<FitzhughNagumo>(0.2, FitzhughNagumoParams::new(BIG), 0.0, 20.0);
}
