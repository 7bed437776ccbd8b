//! `cortecs loihi-report`: the report for a model that fits (exit 0) and for one that does
//! not (the report, then the broken limit and the object, exit 1), never a panic.

use std::process::Command;

fn report(config: &str, extra: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cortecs"))
        .arg("loihi-report")
        .arg(config)
        .args(extra)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
