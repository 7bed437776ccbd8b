//! Shared helpers of the integration tests: the vendored reference recordings (`tests/refs/`,
//! see its README; in comments, `tests/refs/<set>/<case>` names a case folder of the archive
//! `tests/refs/<set>.zip`), CSV readers, tolerances and the `cortecs` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cortecs::Real;
use ndarray::Array2;

/// The reference recordings of `lib` (`ngclearn`, `nengo` or `loihi`), unpacked.
///
/// They are vendored as `tests/refs/<lib>.zip` with the SHA-256 of every original file in
/// `tests/refs/<lib>.sha256`. The first call in a process unpacks the archive into this
/// build's temporary folder (`CARGO_TARGET_TMPDIR/refs/<lib>`), checks every file against the
/// manifest and marks the folder complete; later calls, and later test binaries, reuse it
/// while the marker matches the manifest. Panics (the test fails) if the archive is missing,
/// damaged or disagrees with its manifest.
pub fn refs_dir(lib: &str) -> PathBuf {
    static UNPACKED: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let done = UNPACKED.get_or_init(|| Mutex::new(Vec::new()));
    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("refs")
        .join(lib);
    if !done.iter().any(|l| l == lib) {
        unpack_refs(lib, &dir);
        done.push(lib.to_string());
    }
    dir
}

/// `tests/refs/<lib>.zip` and `.sha256`.
fn vendored(lib: &str) -> (PathBuf, PathBuf) {
    let refs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/refs");
    (
        refs.join(format!("{lib}.zip")),
        refs.join(format!("{lib}.sha256")),
    )
}

/// The manifest's (SHA-256, path) lines.
pub fn refs_manifest(lib: &str) -> Vec<(String, String)> {
    let (_, sums) = vendored(lib);
    let text = std::fs::read_to_string(&sums).unwrap_or_else(|e| panic!("{}: {e}", sums.display()));
    text.lines()
        .map(|line| {
            let (hash, path) = line
                .split_once("  ")
                .unwrap_or_else(|| panic!("{}: not `sha256  path`: {line:?}", sums.display()));
            (hash.to_string(), path.to_string())
        })
        .collect()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Unpacks `tests/refs/<lib>.zip` into `dir` unless a complete copy of this manifest is
/// there. Unpacks into a sibling temporary folder and renames it into place, so a test binary
/// running beside another (nextest) never sees a half-unpacked folder.
fn unpack_refs(lib: &str, dir: &Path) {
    let (zip_path, sums) = vendored(lib);
    let manifest_text = std::fs::read(&sums).unwrap_or_else(|e| panic!("{}: {e}", sums.display()));
    let stamp = sha256_hex(&manifest_text);
    let marker = dir.join(".unpacked");
    if std::fs::read_to_string(&marker).is_ok_and(|s| s == stamp) {
        return;
    }
    let parent = dir.parent().expect("refs folder has a parent");
    std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    let tmp = parent.join(format!(".{lib}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let file = std::fs::File::open(&zip_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the vendored reference recordings)",
            zip_path.display()
        )
    });
    let mut archive = zip::ZipArchive::new(file)
        .unwrap_or_else(|e| panic!("{}: not a readable zip: {e}", zip_path.display()));
    let manifest = refs_manifest(lib);
    assert_eq!(
        archive.len(),
        manifest.len(),
        "{}: {} members, {} lines in {}",
        zip_path.display(),
        archive.len(),
        manifest.len(),
        sums.display()
    );
    for (hash, name) in &manifest {
        let mut member = archive
            .by_name(name)
            .unwrap_or_else(|e| panic!("{}: no member {name}: {e}", zip_path.display()));
        let mut bytes = Vec::with_capacity(member.size() as usize);
        std::io::Read::read_to_end(&mut member, &mut bytes)
            .unwrap_or_else(|e| panic!("{}: {name}: {e}", zip_path.display()));
        assert_eq!(
            &sha256_hex(&bytes),
            hash,
            "{}: {name} does not match its SHA-256 in {}",
            zip_path.display(),
            sums.display()
        );
        let out = tmp.join(name);
        std::fs::create_dir_all(out.parent().expect("member in a folder"))
            .unwrap_or_else(|e| panic!("{}: {e}", out.display()));
        std::fs::write(&out, &bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    }
    std::fs::write(tmp.join(".unpacked"), &stamp)
        .unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    // Replace an outdated or incomplete copy; if another process got there first with the same
    // manifest, keep its copy.
    if dir.exists() {
        if std::fs::read_to_string(&marker).is_ok_and(|s| s == stamp) {
            let _ = std::fs::remove_dir_all(&tmp);
            return;
        }
        let old = parent.join(format!(".{lib}.old-{}", std::process::id()));
        if std::fs::rename(dir, &old).is_ok() {
            let _ = std::fs::remove_dir_all(&old);
        }
    }
    if std::fs::rename(&tmp, dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        assert!(
            std::fs::read_to_string(&marker).is_ok_and(|s| s == stamp),
            "{}: could not unpack the reference recordings",
            dir.display()
        );
    }
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
