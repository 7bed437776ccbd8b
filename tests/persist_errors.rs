//! Loading a damaged save of an SLIF population: an `inh_weights` matrix of the wrong shape is
//! rejected with an error naming the entity, the array and both shapes, from the library and
//! from the `cortecs` binary.

use std::path::Path;
use std::process::Command;

use cortecs::components::neurons::spiking::SlifParams;
use cortecs::persist::PersistError;
use cortecs::persist::folder::state_dir;
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
    let file = state_dir(dir).unwrap().join("sl.npz");
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
                    assert_eq!(
                        path,
                        &state_dir(dir.path()).unwrap().join("sl.npz"),
                        "{text}"
                    );
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
        state_dir(&save)
            .unwrap()
            .join("sl.npz")
            .display()
            .to_string(),
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

/// Rewrites array `name` of `dir`'s saved `sl` with `f` applied to it.
fn edit_array(dir: &Path, name: &str, f: impl FnOnce(&mut ArrayD<Real>)) {
    let file = state_dir(dir).unwrap().join("sl.npz");
    let mut arrays = read_npz(&file, "sl").unwrap();
    let slot = arrays.iter_mut().find(|(n, _)| n == name).expect("array");
    f(&mut slot.1);
    write_npz(&file, &arrays).unwrap();
}

/// The rank of saved array `name` of the SLIF population (matrices are 2-D).
fn values_rank(name: &str) -> usize {
    if name == "inh_weights" { 2 } else { 1 }
}

/// A NaN or an infinity in a saved array is an error naming the file, the entity, the array and
/// the first bad index — for every array the save holds.
#[test]
fn non_finite_values_in_a_save_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    save_slif(dir.path());
    let file = state_dir(dir.path()).unwrap().join("sl.npz");
    let names: Vec<String> = read_npz(&file, "sl")
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    for bad in [Real::NAN, Real::INFINITY, Real::NEG_INFINITY] {
        for name in &names {
            let d = tempfile::tempdir().unwrap();
            save_slif(d.path());
            edit_array(d.path(), name, |a| {
                let last = a.len() - 1;
                a.as_slice_mut().unwrap()[last] = bad;
            });
            let err = match Model::load(d.path()) {
                Err(e) => e,
                Ok(_) => panic!("{name} = {bad} was loaded"),
            };
            let text = err.to_string();
            match err {
                Error::Persist(p) => match *p {
                    PersistError::NonFinite {
                        ref path,
                        ref entity,
                        ref array,
                        ref index,
                        count,
                        ..
                    } => {
                        assert_eq!(path, &state_dir(d.path()).unwrap().join("sl.npz"));
                        assert_eq!(entity, "sl");
                        assert_eq!(array, name);
                        assert_eq!(index.len(), values_rank(name), "{text}");
                        assert_eq!(count, 1, "{text}");
                    }
                    ref other => panic!("{name}: expected NonFinite, got {other:?}"),
                },
                other => panic!("{name}: expected a persist error, got {other:?}"),
            }
            for needle in [
                "sl.npz",
                "entity `sl`",
                &format!("`{name}`"),
                &format!("{bad}"),
            ] {
                assert!(text.contains(needle), "message lacks `{needle}`: {text}");
            }
        }
    }
}

/// The index named is that of the first bad value.
#[test]
fn the_first_non_finite_index_is_named() {
    let dir = tempfile::tempdir().unwrap();
    save_slif(dir.path());
    edit_array(dir.path(), "inh_weights", |a| {
        a[[1, 2]] = Real::NAN;
        a[[2, 0]] = Real::INFINITY;
    });
    let text = Model::load(dir.path()).err().expect("refused").to_string();
    assert!(text.contains("index [1, 2]"), "{text}");
    assert!(text.contains("2 of its values"), "{text}");
}

/// `cortecs inspect` counts NaN and infinities instead of printing a nonsense min and max, and
/// says the save cannot be resumed; `--resume` refuses it.
#[test]
fn cli_inspect_counts_non_finite_values_and_resume_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("save");
    save_slif(&save);
    edit_array(&save, "v", |a| a.fill(Real::NAN));
    let out = Command::new(env!("CARGO_BIN_EXE_cortecs"))
        .arg("inspect")
        .arg(&save)
        .output()
        .expect("cannot start the cortecs binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("v "))
        .unwrap_or_else(|| panic!("no line for v:\n{stdout}"));
    assert!(line.contains(&format!("{N} NaN")), "{line}");
    assert!(line.contains("no finite value"), "{line}");
    assert!(!line.contains("inf max"), "{line}");
    assert!(stdout.contains("cannot be resumed"), "{stdout}");

    let out = Command::new(env!("CARGO_BIN_EXE_cortecs"))
        .args(["run".as_ref(), "--resume".as_ref(), save.as_os_str()])
        .args(["--steps", "5", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .expect("cannot start the cortecs binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "resumed a save of NaN");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in ["entity `sl`", "`v`", "NaN", "index [0]"] {
        assert!(
            stderr.contains(needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
    }
}

/// A save of the earlier flat layout (`model.ron` without `state`, `<entity>.npz` beside it)
/// still loads, and the next save turns it into the folder layout.
#[test]
fn a_save_of_the_flat_layout_loads() {
    let dir = tempfile::tempdir().unwrap();
    save_slif(dir.path());
    let state = state_dir(dir.path()).unwrap();
    assert_ne!(state, dir.path());
    let v = Model::load(dir.path()).unwrap().array("sl", "v").unwrap();
    for entry in std::fs::read_dir(&state).unwrap() {
        let name = entry.unwrap().file_name();
        std::fs::rename(state.join(&name), dir.path().join(&name)).unwrap();
    }
    std::fs::remove_dir(&state).unwrap();
    let manifest = dir.path().join("model.ron");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let flat: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("state:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(flat, text);
    std::fs::write(&manifest, flat).unwrap();
    assert_eq!(state_dir(dir.path()).unwrap(), dir.path());

    let model = Model::load(dir.path()).unwrap();
    assert_eq!(model.array("sl", "v").unwrap(), v);
    model.save(dir.path()).unwrap();
    assert_ne!(state_dir(dir.path()).unwrap(), dir.path());
    assert_eq!(
        Model::load(dir.path()).unwrap().array("sl", "v").unwrap(),
        v
    );
}
