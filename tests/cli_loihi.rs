//! `cortecs loihi-report`: the report for a model that fits (exit 0) and for one that does
//! not (the report, then the broken limit and the object, exit 1), never a panic.

mod common;

use common::cortecs;

fn report(config: &str, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec!["loihi-report", config];
    args.extend_from_slice(extra);
    cortecs(&args)
}

#[test]
fn a_fitting_model_gets_the_report_and_an_estimate() {
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/nef_channel.ron");
    let (ok, out, err) = report(cfg, &["--steps", "50"]);
    assert!(ok, "{err}");
    for s in [
        "<Ensemble 'A'>",
        "<decode neurons of 'A_to_B'>",
        "violations: none",
        "ESTIMATE",
        "Davies et al. 2018",
    ] {
        assert!(out.contains(s), "`{s}` missing:\n{out}");
    }
}

#[test]
fn a_model_that_does_not_fit_names_the_limit_after_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ron");
    std::fs::write(
        &path,
        r#"Model(dt: 1.0, cells: [
            (name: "A", kind: "Ensemble", params: (n_neurons: 5000, dimensions: 1, n_eval_points: 50)),
        ], probes: [(target: "A", compartment: "decoded")])"#,
    )
    .unwrap();
    let (ok, out, err) = report(path.to_str().unwrap(), &["--steps", "0"]);
    assert!(!ok);
    assert!(out.contains("<Ensemble 'A'>"), "{out}");
    assert!(
        err.contains("Input axons (5000) exceeded max (4096)") && err.contains("Probe of 'A'"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// `cortecs run --target loihi` runs a NEF config on the emulator and writes numpy-readable
/// probes of the configured shapes.
#[test]
fn run_target_loihi_writes_the_probes() {
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/nef_channel.ron");
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("run");
    let (ok, out, err) = cortecs(&[
        "run",
        "--target",
        "loihi",
        cfg,
        "--steps",
        "300",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("emulated Loihi chip (5 cores, 224 compartments)"),
        "{out}"
    );
    let b: ndarray::Array2<f64> = ndarray_npy::read_npy(out_dir.join("B.decoded.npy")).unwrap();
    assert_eq!(b.dim(), (300, 1));
    let spikes: ndarray::Array2<f64> = ndarray_npy::read_npy(out_dir.join("A.output.npy")).unwrap();
    assert_eq!(spikes.dim(), (300, 100));
    // B follows the 1 Hz sine: positive and rising over the first 300 ms
    assert!(b[[299, 0]] > 0.5, "{}", b[[299, 0]]);
}

fn loihi_error(config: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.ron");
    std::fs::write(&path, config).unwrap();
    let out_dir = dir.path().join("out");
    let (ok, _, err) = cortecs(&[
        "run",
        "--target",
        "loihi",
        path.to_str().unwrap(),
        "--steps",
        "10",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!ok, "expected a failure");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn run_target_loihi_rejects_what_the_chip_cannot_do() {
    // an unsupported neuron type, named with its ensemble
    let err = loihi_error(
        r#"Model(dt: 1.0, cells: [
            (name: "R", kind: "Ensemble", params: (n_neurons: 10, dimensions: 1, neuron_type: LIFRate())),
        ])"#,
    );
    assert!(
        err.contains("ensemble `R`") && err.contains("cannot run on the chip"),
        "{err}"
    );
    // a model that does not fit: the broken limit and the object, then the report
    let err = loihi_error(
        r#"Model(dt: 1.0, cells: [
            (name: "A", kind: "Ensemble", params: (n_neurons: 5000, dimensions: 1, n_eval_points: 50)),
        ], probes: [(target: "A", compartment: "decoded")])"#,
    );
    assert!(
        err.contains("Input axons (5000) exceeded max (4096)") && err.contains("<Ensemble 'A'"),
        "{err}"
    );
    // weights too small for any weight exponent next to the neurons' own scale
    let err = loihi_error(
        r#"Model(dt: 1.0, cells: [
            (name: "A", kind: "Ensemble", params: (n_neurons: 20, dimensions: 1)),
            (name: "B", kind: "Ensemble", params: (n_neurons: 20, dimensions: 1)),
        ], synapses: [
            (name: "tiny", kind: "Connection", pre: "A.neurons", post: "B.neurons",
             params: (transform: Scalar(1e-9))),
        ])"#,
    );
    assert!(err.contains("<Ensemble 'B'>"), "{err}");
}
