//! Reading the reference recordings in `../shared/refs` (never copied into the repo).

#![allow(dead_code)]
// `Real` is `f32` or `f64`: converting it to `f64` is the identity in the `f64` build (a cast
// that is useless in both builds is still caught by the default build's clippy).
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use std::path::{Path, PathBuf};

use cortecs::Real;
use cortecs::components::neurons::nef::NeuronType;
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
