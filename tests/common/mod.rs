//! Reading the reference recordings in `../shared/refs` (never copied into the repo).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cortecs::Real;
use ndarray::Array2;

/// `../shared/refs/<lib>` beside the checkout.
pub fn refs_dir(lib: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/refs")
        .join(lib)
}

/// The ngclearn case folder matching this build's precision (`<case>` for f32,
/// `<case>_f64` for f64).
pub fn ngclearn_case(case: &str) -> PathBuf {
    let name = if cfg!(feature = "f64") {
        format!("{case}_f64")
    } else {
        case.to_string()
    };
    refs_dir("ngclearn").join(name)
}

/// A `step,u0,…` CSV as steps × units.
pub fn read_csv(path: &Path) -> Array2<Real> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    cortecs::registry::builtin::parse_csv(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Relative tolerance of fidelity tests for this build's precision.
pub const RTOL: f64 = if cfg!(feature = "f64") { 1e-12 } else { 1e-5 };

/// Largest relative error `|a − b| / max(|a|, |b|)` (0 where both are exactly equal),
/// with the (step, unit) where it occurs.
pub fn worst_relative(ours: &Array2<Real>, reference: &Array2<Real>) -> (f64, (usize, usize)) {
    assert_eq!(ours.dim(), reference.dim(), "shape");
    let mut worst = (0.0, (0, 0));
    for ((idx, a), b) in ours.indexed_iter().zip(reference.iter()) {
        let (a, b) = (f64::from(*a), f64::from(*b));
        let e = if a == b {
            0.0
        } else {
            (a - b).abs() / a.abs().max(b.abs())
        };
        if e > worst.0 || e.is_nan() {
            worst = (e, idx);
        }
    }
    worst
}

/// A CSV of floats with one header line, as rows × columns (every column is data).
pub fn read_matrix(path: &Path) -> Array2<f64> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("{}: empty", path.display()));
    let cols = header.split(',').count();
    let mut values = Vec::new();
    let mut rows = 0;
    for (k, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row: Vec<f64> = line
            .split(',')
            .map(|v| {
                v.trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("{}:{}: {v:?}: {e}", path.display(), k + 2))
            })
            .collect();
        assert_eq!(
            row.len(),
            cols,
            "{}:{}: column count",
            path.display(),
            k + 2
        );
        values.extend(row);
        rows += 1;
    }
    Array2::from_shape_vec((rows, cols), values).unwrap()
}

/// Lowpass with time constant `tau` (ms) at dt (ms) and then one step of delay, per column.
pub fn delayed_lowpass(u: &Array2<f64>, tau: f64, dt: f64) -> Array2<f64> {
    let a = (-dt / tau).exp();
    let mut y = Array2::zeros(u.dim());
    let mut state = vec![0.0; u.ncols()];
    for k in 0..u.nrows() {
        for (j, s) in state.iter_mut().enumerate() {
            if k > 0 {
                y[[k, j]] = *s;
            }
            *s = a * *s + (1.0 - a) * u[[k, j]];
        }
    }
    y
}

/// Root-mean-square difference of two equally shaped signals.
pub fn rmse(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    ((a - b).mapv(|e| e * e).sum() / a.len() as f64).sqrt()
}

/// Runs the `cortecs` binary with `args`: (success, stdout, stderr).
pub fn cortecs(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cortecs"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
