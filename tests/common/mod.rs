//! Shared helpers of the integration tests: the vendored reference recordings (`tests/refs/`,
//! see its README; in comments, `tests/refs/<set>/<case>` names a case folder of the archive
//! `tests/refs/<set>.zip`), CSV readers, tolerances and the `cortecs` binary.

#![allow(dead_code)]
// `Real` is `f32` or `f64`: converting it to `f64` is the identity in the `f64` build (a cast
// that is useless in both builds is still caught by the default build's clippy).
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cortecs::Real;
use cortecs::components::neurons::nef::NeuronType;
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

/// The bit patterns of `a`'s values (as `f64`): equal exactly when the arrays are bit for bit
/// equal, NaNs included.
pub fn bits(a: &Array2<Real>) -> Vec<u64> {
    a.iter().map(|x| f64::from(*x).to_bits()).collect()
}

/// A `step,u0,…` CSV as steps × units.
pub fn read_csv(path: &Path) -> Array2<Real> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    cortecs::registry::builtin::parse_csv(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON file. Python's `json` writes non-finite floats as the bare words `NaN`,
/// `Infinity` and `-Infinity`, which JSON lacks: they are read as the strings `"NaN"`,
/// `"Infinity"` and `"-Infinity"`.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut json = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        if let Some(word) = ["NaN", "Infinity", "-Infinity"]
            .into_iter()
            .find(|w| !in_string && rest.starts_with(w))
        {
            json.push_str(&format!("\"{word}\""));
            rest = &rest[word.len()..];
            continue;
        }
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            _ => {}
        }
        json.push(c);
        rest = &rest[c.len_utf8()..];
    }
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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

/// A call as Nengo's `repr` (or a recording's description) writes it, `Class(a, k=v, …)`:
/// the class name and its top-level arguments as text, positional (`None`) or keyword
/// (nested brackets and quotes kept whole).
pub struct NengoCall {
    /// The class name, e.g. `LIF`.
    pub class: String,
    /// The arguments in order: (keyword, value text).
    pub args: Vec<(Option<String>, String)>,
}

impl NengoCall {
    /// Parses `text`, which must be `Class(…)` (trailing text after the closing bracket is
    /// ignored); panics naming `text` otherwise.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let open = text
            .find('(')
            .unwrap_or_else(|| panic!("{text:?}: not a call `Class(…)`"));
        let class = text[..open].trim().to_string();
        let (mut args, mut depth, mut quote, mut start) = (Vec::new(), 0usize, None, open + 1);
        let push = |s: &str, args: &mut Vec<(Option<String>, String)>| {
            let s = s.trim();
            if s.is_empty() {
                return;
            }
            // `k=v` at the top level (not `==`, not inside brackets: those are kept whole).
            match s.find('=') {
                Some(i)
                    if s[..i].chars().all(|c| c.is_alphanumeric() || c == '_')
                        && !s[i + 1..].starts_with('=') =>
                {
                    args.push((Some(s[..i].to_string()), s[i + 1..].trim().to_string()))
                }
                _ => args.push((None, s.to_string())),
            }
        };
        for (i, c) in text.char_indices().skip(open + 1) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '(' | '[' | '{') => depth += 1,
                (None, ')' | ']' | '}') if depth > 0 => depth -= 1,
                (None, ')') => {
                    push(&text[start..i], &mut args);
                    return Self { class, args };
                }
                (None, ',') if depth == 0 => {
                    push(&text[start..i], &mut args);
                    start = i + 1;
                }
                _ => {}
            }
        }
        panic!("{text:?}: unclosed `(`")
    }

    /// The first call `class(…)` inside free text (e.g. a recording's description), as a
    /// whole word; panics naming `class` and the text if there is none.
    pub fn find(text: &str, class: &str) -> Self {
        Self::parse(call_text(text, class))
    }

    /// The number given as keyword `name`, or else as the positional argument `position`;
    /// `None` if the call gives neither.
    pub fn number(&self, name: &str, position: Option<usize>) -> Option<f64> {
        let text = self
            .args
            .iter()
            .find(|(k, _)| k.as_deref() == Some(name))
            .map(|(_, v)| v)
            .or_else(|| {
                position.and_then(|p| {
                    self.args
                        .iter()
                        .filter(|(k, _)| k.is_none())
                        .nth(p)
                        .map(|(_, v)| v)
                })
            })?;
        Some(text.parse().unwrap_or_else(|e| {
            panic!(
                "{}(…): `{name}` = {text:?} is not a number: {e}",
                self.class
            )
        }))
    }
}

/// `text` from its first call `class(…)` on, `class` as a whole word (not the end of a longer
/// name): the start of a call inside a recording's description, for [`NengoCall::parse`] or
/// [`recorded_neuron_type`]. Panics naming `class` and the text if there is none.
pub fn call_text<'a>(text: &'a str, class: &str) -> &'a str {
    let pat = format!("{class}(");
    text.match_indices(&pat)
        .map(|(i, _)| i)
        .find(|&i| {
            text[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
        .map(|i| &text[i..])
        .unwrap_or_else(|| panic!("no `{class}(…)` in the recorded text {text:?}"))
}

/// A recorded Nengo neuron type `repr` (`LIF(tau_rc=0.05, initial_state=…)`,
/// `nengo.Sigmoid(tau_ref=0.0025)`) as cortecs's [`NeuronType`], times in ms. Nengo's `repr`
/// prints only the arguments that differ from the class's `__init__` defaults (LIF and
/// LIFRate: tau_rc = 0.02 s, tau_ref = 0.002 s; LIF: min_voltage = 0; Sigmoid and Tanh:
/// tau_ref = 0.0025 s; amplitude = 1), so an omitted argument is that default. Panics naming
/// the type if its class or one of its arguments is not one the fidelity tests model
/// (`initial_state` is accepted: the tests set initial states themselves).
pub fn recorded_neuron_type(repr: &str) -> NeuronType {
    let call = NengoCall::parse(repr);
    let class = call.class.strip_prefix("nengo.").unwrap_or(&call.class);
    let known: &[&str] = match class {
        "LIF" => &["tau_rc", "tau_ref", "min_voltage", "amplitude"],
        "LIFRate" => &["tau_rc", "tau_ref", "amplitude"],
        "RectifiedLinear" | "SpikingRectifiedLinear" => &["amplitude"],
        "Sigmoid" | "Tanh" => &["tau_ref"],
        _ => panic!("recorded neuron type {repr:?}: the class is not modelled by the test"),
    };
    for (k, _) in &call.args {
        let k = k.as_deref().unwrap_or("<positional>");
        assert!(
            known.contains(&k) || k == "initial_state",
            "recorded neuron type {repr:?}: argument `{k}` is not modelled by the test"
        );
    }
    let arg = |name: &str, default: f64| {
        let position = known.iter().position(|k| *k == name);
        call.number(name, position).unwrap_or(default)
    };
    match class {
        "LIF" => NeuronType::LIF {
            tau_rc: 1000.0 * arg("tau_rc", 0.02),
            tau_ref: 1000.0 * arg("tau_ref", 0.002),
            min_voltage: arg("min_voltage", 0.0),
            amplitude: arg("amplitude", 1.0),
        },
        "LIFRate" => NeuronType::LIFRate {
            tau_rc: 1000.0 * arg("tau_rc", 0.02),
            tau_ref: 1000.0 * arg("tau_ref", 0.002),
            amplitude: arg("amplitude", 1.0),
        },
        "RectifiedLinear" => NeuronType::RectifiedLinear {
            amplitude: arg("amplitude", 1.0),
        },
        "SpikingRectifiedLinear" => NeuronType::SpikingRectifiedLinear {
            amplitude: arg("amplitude", 1.0),
        },
        "Sigmoid" => NeuronType::Sigmoid {
            tau_ref: 1000.0 * arg("tau_ref", 0.0025),
        },
        _ => NeuronType::Tanh {
            tau_ref: 1000.0 * arg("tau_ref", 0.0025),
        },
    }
}

/// [`recorded_neuron_type`], which must be a LIF: panics naming the recorded type otherwise
/// (the test models only `nengo.LIF`).
pub fn recorded_lif(repr: &str) -> NeuronType {
    let nt = recorded_neuron_type(repr);
    assert!(
        matches!(nt, NeuronType::LIF { .. }),
        "recorded neuron type {repr:?}: the test models only nengo.LIF"
    );
    nt
}
