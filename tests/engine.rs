//! Engine laws: determinism across thread counts, save → load → continue, the schedule's
//! ambiguity check, probes, encoders and the dense synapse.

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use cortecs::components::neurons::spiking::LifParams;
use cortecs::persist::folder::state_dir;
use cortecs::prelude::*;
use cortecs::probe::ProbeSpec;
use cortecs::registry::builtin::{
    Constant, ConstantParams, Dense, DenseParams, Init, Lif, Poisson, PoissonParams, Values,
};
use ndarray::{Array2, Axis};

/// A model big enough that every kernel is split into chunks (> 16 Ki units per population).
fn big_model() -> Model {
    let n = 40_000;
    let mut lif = LifParams::new(n, 10.0);
    lif.tau_theta = 50.0;
    lif.theta_plus = 0.5;
    let drive: Vec<f64> = (0..n).map(|i| 5.0 + 15.0 * (i as f64 / n as f64)).collect();
    ModelBuilder::new(0.5)
        .seed(42)
        .cell::<Poisson>(
            "p",
            &PoissonParams {
                n_units: 50,
                target_freq: 200.0,
                inputs: Values::Scalar(1.0),
            },
        )
        .cell::<Lif>("z", &lif)
        .input::<Constant>(
            "I",
            "z",
            &ConstantParams {
                value: Values::PerUnit(drive),
            },
        )
        .synapse::<Dense>(
            "W",
            "p",
            "z",
            &DenseParams {
                shape: None,
                weight_init: Init::Uniform {
                    amin: 0.0,
                    amax: 2.0,
                },
                bias_init: None,
                resist_scale: 1.0,
                p_conn: 0.5,
            },
        )
        .probe("z", "v")
        .probe("z", "s")
        .probe("z", "thr_theta")
        .probe("p", "s")
        .build()
        .expect("builds")
}

#[test]
fn bit_identical_at_one_and_two_threads() {
    let run = |threads| {
        let mut m = big_model();
        m.set_threads(threads).expect("pool");
        m.run_steps(60).expect("runs");
        (
            m.probe("z", "v").unwrap(),
            m.probe("z", "s").unwrap(),
            m.probe("z", "thr_theta").unwrap(),
        )
    };
    let (v1, s1, t1) = run(1);
    let (v2, s2, t2) = run(2);
    assert!(s1.sum() > 1000.0, "the model must spike: {}", s1.sum());
    let bits = |a: &Array2<Real>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&v1), bits(&v2));
    assert_eq!(bits(&s1), bits(&s2));
    assert_eq!(bits(&t1), bits(&t2));
}

fn lif_poisson() -> Model {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/lif_poisson.ron");
    Model::from_config_file(path).expect("builds")
}

#[test]
fn save_load_continue_equals_an_uninterrupted_run() {
    let mut whole = lif_poisson();
    whole.run_steps(250).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut first = lif_poisson();
    first.run_steps(100).unwrap();
    first.save(dir.path()).unwrap();
    let mut resumed = Model::load(dir.path()).unwrap();
    assert_eq!(resumed.clock().step, 100);
    resumed.run_steps(150).unwrap();

    for (entity, comp) in [("z1", "v"), ("z1", "s"), ("z1", "thr_theta"), ("z0", "s")] {
        let a = whole.probe(entity, comp).unwrap();
        let b = resumed.probe(entity, comp).unwrap();
        let tail = a.slice(ndarray::s![100.., ..]).to_owned();
        let bits = |x: &Array2<Real>| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&tail), bits(&b), "{entity}.{comp} after resume");
    }
    assert!(
        whole.probe("z1", "s").unwrap().sum() > 0.0,
        "the demo must spike"
    );
    for name in whole.array_names("W1").unwrap() {
        assert_eq!(
            whole.array("W1", name).unwrap(),
            resumed.array("W1", name).unwrap(),
            "W1.{name}"
        );
    }
}

#[test]
fn save_writes_numpy_archives_under_reference_names() {
    let mut m = lif_poisson();
    m.run_steps(3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    m.save(dir.path()).unwrap();
    let z1 = cortecs::persist::npz::read_npz(&state_dir(dir.path()).unwrap().join("z1.npz"), "z1")
        .unwrap();
    let names: Vec<&str> = z1.iter().map(|(n, _)| n.as_str()).collect();
    for c in cortecs::components::neurons::spiking::lif::LIF_COMPARTMENTS {
        assert!(names.contains(c), "z1.npz lacks {c}: {names:?}");
    }
    let w = cortecs::persist::npz::read_npz(&state_dir(dir.path()).unwrap().join("W1.npz"), "W1")
        .unwrap();
    let weights = &w.iter().find(|(n, _)| n == "weights").unwrap().1;
    assert_eq!(weights.shape(), &[784, 100]);
    // Saving again over the same directory replaces the files and leaves no temp files.
    m.save(dir.path()).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn load_rejects_a_wrong_shape_naming_entity_and_array() {
    let m = lif_poisson();
    let dir = tempfile::tempdir().unwrap();
    m.save(dir.path()).unwrap();
    let bad = vec![(
        "v".to_string(),
        ndarray::ArrayD::<Real>::zeros(ndarray::IxDyn(&[7])),
    )];
    let mut arrays =
        cortecs::persist::npz::read_npz(&state_dir(dir.path()).unwrap().join("z1.npz"), "z1")
            .unwrap();
    arrays.retain(|(n, _)| n != "v");
    arrays.extend(bad);
    cortecs::persist::npz::write_npz(&state_dir(dir.path()).unwrap().join("z1.npz"), &arrays)
        .unwrap();
    let err = Model::load(dir.path())
        .err()
        .expect("must fail")
        .to_string();
    assert!(
        err.contains("z1") && err.contains('v') && err.contains("100") && err.contains('7'),
        "{err}"
    );
}

#[test]
fn schedule_ambiguity_detection_is_an_error() {
    // Two unordered systems writing the same compartment in one phase are rejected when the
    // schedule is built: phases are chained and systems inside a phase are ordered on purpose.
    fn a(_: Query<&mut Voltage>) {}
    fn b(_: Query<&mut Voltage>) {}
    let mut m = lif_poisson();
    m.schedule_mut()
        .schedule_mut()
        .add_systems((a, b).in_set(Phase::Cell));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.step()));
    assert!(r.is_err(), "an ambiguous schedule must not run");
    // Through the ordered API the same two systems are fine.
    let mut m = lif_poisson();
    m.schedule_mut().add(Phase::Cell, a).add(Phase::Cell, b);
    m.run_steps(2).unwrap();
}

#[test]
fn probes_slice_units_and_sample_every_k_steps() {
    let mut m = ModelBuilder::new(1.0)
        .cell::<Lif>("z", &LifParams::new(10, 10.0))
        .input::<Constant>(
            "I",
            "z",
            &ConstantParams {
                value: Values::Scalar(20.0),
            },
        )
        .probe("z", "v")
        .probe_spec(ProbeSpec {
            start: Some(2),
            end: Some(5),
            sample_every: 4,
            ..ProbeSpec::new("z", "rfr")
        })
        .build()
        .unwrap();
    m.run_steps(10).unwrap();
    let v = m.probe("z", "v").unwrap();
    let r = m.probe("z", "rfr").unwrap();
    assert_eq!(v.dim(), (10, 10));
    assert_eq!(r.dim(), (2, 3)); // after steps 3 and 7 (k + 1 divisible by 4)
    assert!(m.probe("z", "s").is_err());
}

#[test]
fn poisson_rate_matches_target_freq() {
    // Law: E[spikes per unit per step] = inputs · target_freq · dt / 1000.
    let inputs: Vec<f64> = (0..2000)
        .map(|i| if i < 1000 { 1.0 } else { 0.25 })
        .collect();
    let mut m = ModelBuilder::new(1.0)
        .seed(3)
        .cell::<Poisson>(
            "p",
            &PoissonParams {
                n_units: 2000,
                target_freq: 100.0,
                inputs: Values::PerUnit(inputs),
            },
        )
        .probe("p", "s")
        .build()
        .unwrap();
    m.run_steps(500).unwrap();
    let s = m.probe("p", "s").unwrap();
    let rate = |a: usize, b: usize| {
        f64::from(s.slice(ndarray::s![.., a..b]).sum()) / ((b - a) as f64 * 0.5)
    };
    // 500k Bernoulli(0.1) draws: sd of the rate ≈ 0.13 Hz; allow 5 sd.
    assert!((rate(0, 1000) - 100.0).abs() < 0.7, "{}", rate(0, 1000));
    assert!(
        (rate(1000, 2000) - 25.0).abs() < 0.4,
        "{}",
        rate(1000, 2000)
    );
    // Different seeds give different trains; the same seed the same.
    let again = |seed| {
        let mut m = ModelBuilder::new(1.0)
            .seed(seed)
            .cell::<Poisson>(
                "p",
                &PoissonParams {
                    n_units: 50,
                    target_freq: 100.0,
                    inputs: Values::Scalar(1.0),
                },
            )
            .probe("p", "s")
            .build()
            .unwrap();
        m.run_steps(50).unwrap();
        m.probe("p", "s").unwrap()
    };
    assert_eq!(again(1), again(1));
    assert_ne!(again(1), again(2));
}

#[test]
fn dense_synapse_delivers_presynaptic_spikes_through_its_weights() {
    let mut m = ModelBuilder::new(1.0)
        .seed(9)
        .cell::<Poisson>(
            "p",
            &PoissonParams {
                n_units: 30,
                target_freq: 300.0,
                inputs: Values::Scalar(1.0),
            },
        )
        .cell::<Lif>("z", &LifParams::new(4, 10.0))
        .synapse::<Dense>(
            "W",
            "p",
            "z",
            &DenseParams {
                shape: Some((30, 4)),
                weight_init: Init::Gaussian {
                    mu: 0.0,
                    sigma: 1.0,
                },
                bias_init: Some(Init::Constant { value: 0.5 }),
                resist_scale: 2.0,
                p_conn: 1.0,
            },
        )
        .probe("p", "s")
        .probe("W", "outputs")
        .probe("z", "j")
        .build()
        .unwrap();
    m.run_steps(20).unwrap();
    let s = m.probe("p", "s").unwrap();
    let out = m.probe("W", "outputs").unwrap();
    let w = m
        .array("W", "weights")
        .unwrap()
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap();
    // The encoder fires in the Input phase; the synapse delivers in the same step.
    let expected = s.dot(&w) * 2.0 + 0.5;
    for (a, b) in out.iter().zip(expected.iter()) {
        assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
    }
    assert_eq!(
        m.probe("z", "j").unwrap(),
        out,
        "Gather copies the single afferent into j"
    );
    assert!(s.sum_axis(Axis(1)).iter().any(|&x| x > 0.0));
}

#[test]
fn bernoulli_fires_with_its_input_probability() {
    use cortecs::registry::builtin::{Bernoulli, BernoulliParams};
    let p: Vec<f64> = (0..1000).map(|i| if i < 500 { 0.3 } else { 0.0 }).collect();
    let mut m = ModelBuilder::new(1.0)
        .seed(5)
        .cell::<Bernoulli>(
            "b",
            &BernoulliParams {
                n_units: 1000,
                inputs: Values::PerUnit(p),
            },
        )
        .probe("b", "s")
        .build()
        .unwrap();
    m.run_steps(200).unwrap();
    let s = m.probe("b", "s").unwrap();
    let mean = f64::from(s.slice(ndarray::s![.., ..500]).sum()) / (500.0 * 200.0);
    // 100k Bernoulli(0.3) draws: sd of the mean ≈ 0.0014; allow 5 sd.
    assert!((mean - 0.3).abs() < 0.0073, "{mean}");
    assert_eq!(s.slice(ndarray::s![.., 500..]).sum(), 0.0);
}

#[test]
fn replay_clamps_npy_and_csv_rows_into_j() {
    use cortecs::components::currents::AfterEnd;
    use cortecs::registry::builtin::{Replay, ReplayParams};
    let dir = tempfile::tempdir().unwrap();
    let table = Array2::from_shape_fn((5, 3), |(k, u)| (k * 10 + u) as f64 * 0.5);
    ndarray_npy::write_npy(dir.path().join("i.npy"), &table).unwrap();
    let csv: String = std::iter::once("step,u0,u1,u2\n".to_string())
        .chain((0..5).map(|k| {
            format!(
                "{k},{},{},{}\n",
                table[[k, 0]],
                table[[k, 1]],
                table[[k, 2]]
            )
        }))
        .collect();
    std::fs::write(dir.path().join("i.csv"), csv).unwrap();
    for (file, after_end) in [("i.npy", AfterEnd::Hold), ("i.csv", AfterEnd::Zero)] {
        let path = dir.path().join(file).to_string_lossy().into_owned();
        let mut m = ModelBuilder::new(1.0)
            .cell::<Lif>("z", &LifParams::new(3, 10.0))
            .input::<Replay>(
                "I",
                "z",
                &ReplayParams {
                    file: path,
                    after_end,
                },
            )
            .probe("z", "j")
            .build()
            .unwrap();
        m.run_steps(7).unwrap();
        let j = m.probe("z", "j").unwrap();
        for k in 0..7 {
            for u in 0..3 {
                let expected = match (k < 5, after_end) {
                    (true, _) => table[[k, u]],
                    (false, AfterEnd::Hold) => table[[4, u]],
                    _ => 0.0,
                };
                assert_eq!(f64::from(j[[k, u]]), expected, "{file} step {k} unit {u}");
            }
        }
    }
}
