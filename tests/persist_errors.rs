//! Loading a damaged save of an SLIF population: an `inh_weights` matrix of the wrong shape is
//! rejected with an error naming the entity, the array and both shapes, from the library and
//! from the `cortecs` binary.

use std::path::Path;
use std::process::Command;

use cortecs::components::neurons::spiking::SlifParams;
use cortecs::persist::PersistError;
use cortecs::persist::npz::{read_npz, write_npz};
use cortecs::prelude::*;
use cortecs::registry::builtin::{Constant, ConstantParams, Slif, Values};
use ndarray::{ArrayD, IxDyn};

/// Units of the SLIF population: `inh_weights` is `N × N`.
const N: usize = 3;

/// Saves a few steps of a 3-unit SLIF population `sl` with lateral inhibition to `dir`.
fn save_slif(dir: &Path) {
    let mut p = SlifParams::new(N, 10.0, 1.0, 0.5);
    p.resist_inh = 0.3;
    let mut model = ModelBuilder::new(0.1)
        .seed(3)
        .cell::<Slif>("sl", &p)
        .input::<Constant>(
            "I",
            "sl",
            &ConstantParams {
                value: Values::PerUnit(vec![0.4, 0.8, 1.2]),
            },
        )
        .probe("sl", "s")
        .build()
        .unwrap();
    model.run_steps(20).unwrap();
    model.save(dir).unwrap();
}

/// Rewrites `dir/sl.npz` with `inh_weights` replaced by `w` (every other array kept).
fn replace_inh_weights(dir: &Path, w: ArrayD<Real>) {
    let file = dir.join("sl.npz");
    let mut arrays = read_npz(&file, "sl").unwrap();
    let slot = arrays
        .iter_mut()
        .find(|(n, _)| n == "inh_weights")
        .expect("a save of an SLIF population holds `inh_weights`");
    slot.1 = w;
    write_npz(&file, &arrays).unwrap();
}

/// A matrix of `shape` with distinct values.
fn matrix(shape: &[usize]) -> ArrayD<Real> {
    let n: usize = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| 0.01 * i as Real).collect()).unwrap()
}

#[test]
fn inh_weights_of_the_right_shape_load() {
    // The control: the rewrite itself is harmless, and the values come back.
    let dir = tempfile::tempdir().unwrap();
    save_slif(dir.path());
    let w = matrix(&[N, N]);
    replace_inh_weights(dir.path(), w.clone());
    let model = Model::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.array("sl", "inh_weights").unwrap(), w);
}

#[test]
fn inh_weights_of_the_wrong_shape_fail_to_load() {
    // Too few rows, too many units, flat (same count of values), and one axis too many.
    for found in [
        vec![N - 1, N],
        vec![N + 1, N + 1],
        vec![N * N],
        vec![N, N, 1],
    ] {
        let dir = tempfile::tempdir().unwrap();
        save_slif(dir.path());
        replace_inh_weights(dir.path(), matrix(&found));
        let err = Model::load(dir.path())
            .err()
            .unwrap_or_else(|| panic!("inh_weights of shape {found:?} loaded"));
        let text = err.to_string();
        match &err {
            Error::Persist(p) => match p.as_ref() {
                PersistError::Shape {
                    path,
                    entity,
                    array,
                    expected,
                    found: f,
                } => {
                    assert_eq!(path, &dir.path().join("sl.npz"), "{text}");
                    assert_eq!(entity, "sl", "{text}");
                    assert_eq!(array, "inh_weights", "{text}");
                    assert_eq!(expected, &vec![N, N], "{text}");
                    assert_eq!(f, &found, "{text}");
                }
                other => panic!("expected a shape error, got {other:?}"),
            },
            other => panic!("expected a persist error, got {other:?}"),
        }
        for needle in [
            "entity `sl`".to_string(),
            "`inh_weights`".to_string(),
            format!("{:?}", [N, N]),
            format!("{found:?}"),
        ] {
            assert!(text.contains(&needle), "message lacks `{needle}`: {text}");
        }
    }
}

#[test]
fn cli_resume_reports_the_wrong_inh_weights_shape() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("save");
    save_slif(&save);
    replace_inh_weights(&save, matrix(&[N - 1, N]));
    let out = Command::new(env!("CARGO_BIN_EXE_cortecs"))
        .args(["run".as_ref(), "--resume".as_ref(), save.as_os_str()])
        .args(["--steps", "5", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .expect("cannot start the cortecs binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "expected a clean failure, got {:?}\nstderr:\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert!(stderr.lines().count() <= 25, "too long:\n{stderr}");
    for needle in [
        save.join("sl.npz").display().to_string(),
        "entity `sl`".to_string(),
        "`inh_weights`".to_string(),
        format!("{:?}", [N, N]),
        format!("{:?}", [N - 1, N]),
    ] {
        assert!(
            stderr.contains(&needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
    }
    assert!(
        !dir.path().join("out").join("model.ron").exists(),
        "a failed resume wrote results"
    );
}
