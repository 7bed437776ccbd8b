//! The `cortecs` binary on bad inputs: every error exits non-zero without a panic, fits on one
//! screen, and names the file, the `line:col`, the entity and what was expected.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A small valid model. The header comment mentions `dt` and `probes` on purpose: errors must
/// point at the fields, not at words in comments.
const BASE: &str = r#"// Small test model: a Poisson encoder drives LIF cells; dt is in ms, probes record v, s.
Model(
    dt: 1.0,
    seed: 7,
    cells: [
        (name: "z0", kind: "Poisson", params: (n_units: 3, target_freq: 50.0)),
        (name: "z1", kind: "LIF", params: (
            n_units: 2,
            tau_m: 10.0,
            thr: -52.0,
        )),
    ],
    synapses: [
        (name: "W1", kind: "Dense", pre: "z0", post: "z1",
         params: (weight_init: Uniform(amin: 0.0, amax: 0.3))),
    ],
    probes: [
        (target: "z1", compartment: "v"),
        (target: "z1", compartment: "s"),
    ],
    run: (steps: 10),
)
"#;

/// Runs the binary with `args`.
fn cortecs<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_cortecs"))
        .args(args)
        .output()
        .expect("cannot start the cortecs binary")
}

/// Writes `text` to `dir/name`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `BASE` with `from` replaced by `to` (which must occur exactly once).
fn base_with(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "fixture edit `{from}`");
    BASE.replacen(from, to, 1)
}

/// 1-based (line, column) of the `nth` (0-based) occurrence of `needle` in `text`.
fn pos_nth(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let off = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` (#{nth}) not in the fixture"))
        .0;
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

/// (line, column) of the only occurrence of `needle` in `text`.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(text.matches(needle).count(), 1, "`{needle}` must be unique");
    pos_nth(text, needle, 0)
}

/// Asserts a failed run that did not panic and fits on one screen; returns stderr.
fn failed(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "expected a clean failure, got {:?}\nstderr:\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert!(!stderr.trim().is_empty(), "no message on stderr");
    let lines = stderr.lines().count();
    assert!(lines <= 25, "{lines} lines of stderr:\n{stderr}");
    stderr
}

/// Asserts `stderr` contains every one of `needles`.
fn has(stderr: &str, needles: &[&str]) {
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks `{n}`:\n{stderr}");
    }
}

/// Asserts `stderr` locates the error at `file:line:col`.
fn at(stderr: &str, file: &Path, (line, col): (usize, usize)) {
    let loc = format!("{}:{line}:{col}:", file.display());
    assert!(stderr.contains(&loc), "stderr lacks `{loc}`:\n{stderr}");
}

/// Asserts `stderr` locates the error on `line` of `file` (any column).
fn at_line(stderr: &str, file: &Path, line: usize) {
    let loc = format!("{}:{line}:", file.display());
    assert!(stderr.contains(&loc), "stderr lacks `{loc}`:\n{stderr}");
}

/// Writes `text` as a config in a fresh tempdir and runs `cortecs run` on it; returns the
/// tempdir, the config path and stderr (after the checks of [`failed`]).
fn run_bad(text: &str) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "model.ron", text);
    let out = cortecs([
        "run".as_ref(),
        cfg.as_os_str(),
        "--out".as_ref(),
        dir.path().join("out").as_os_str(),
    ]);
    let stderr = failed(&out);
    assert!(
        !dir.path().join("out").join("model.ron").exists(),
        "a failed run wrote results"
    );
    (dir, cfg, stderr)
}

/// The first line of the report (the one a log grep sees).
fn headline(stderr: &str) -> &str {
    stderr.lines().next().unwrap_or("")
}

#[test]
fn valid_config_runs_and_writes_probes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "model.ron", BASE);
    let out_dir = dir.path().join("out");
    let out = cortecs([
        "run".as_ref(),
        cfg.as_os_str(),
        "--out".as_ref(),
        out_dir.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}\nstderr:\n{stderr}", out.status);
    for f in ["z1.v.npy", "z1.s.npy", "model.ron"] {
        assert!(out_dir.join(f).is_file(), "{f} not written");
    }
    // steps × units, as the probe promises.
    let npy = std::fs::read(out_dir.join("z1.v.npy")).unwrap();
    assert!(npy.starts_with(b"\x93NUMPY"), "not an .npy file");
    let header = String::from_utf8_lossy(&npy[..npy.len().min(128)]);
    assert!(header.contains("(10, 2)"), "shape: {header}");
    // The resolved model.ron is a valid config itself.
    let again = cortecs(["check".as_ref(), out_dir.join("model.ron").as_os_str()]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn typo_in_kind() {
    let text = base_with(r#"kind: "LIF""#, r#"kind: "LIFF""#);
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, r#""LIFF""#));
    has(&e, &["`LIFF`", "entity `z1`", "did you mean `LIF`?"]);
}

#[test]
fn missing_required_field() {
    let text = base_with("            tau_m: 10.0,\n", "");
    let (_d, cfg, e) = run_bad(&text);
    // ron notices at the end of z1's params.
    at_line(&e, &cfg, pos(&text, "        )),").0);
    has(&e, &["`tau_m`", "entity `z1`", "missing"]);
}

#[test]
fn wrong_field_type() {
    let text = base_with("n_units: 2,", r#"n_units: "ten","#);
    let (_d, cfg, e) = run_bad(&text);
    at_line(&e, &cfg, pos(&text, "n_units: \"ten\"").0);
    has(&e, &["entity `z1`"]);
    // The message itself (not only the quoted source line) names the field and the value.
    has(headline(&e), &["`n_units`", "integer", "\"ten\""]);
}

#[test]
fn unknown_parameter() {
    let text = base_with("tau_m: 10.0", "tau_mm: 10.0");
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, "tau_mm"));
    has(&e, &["`tau_mm`", "entity `z1`", "did you mean `tau_m`?"]);
}

#[test]
fn bad_time_constant() {
    for (value, shown) in [("NaN", "NaN"), ("-5.0", "-5"), ("0.0", "found 0")] {
        let text = base_with("tau_m: 10.0", &format!("tau_m: {value}"));
        let (_d, cfg, e) = run_bad(&text);
        at(&e, &cfg, pos(&text, "tau_m:"));
        has(&e, &["`tau_m`", "entity `z1`", "> 0 ms", shown]);
    }
}

#[test]
fn bad_dt() {
    for value in ["0.0", "-1.0"] {
        let text = base_with("dt: 1.0", &format!("dt: {value}"));
        let (_d, cfg, e) = run_bad(&text);
        // Not the `dt` in the header comment.
        at(&e, &cfg, pos(&text, &format!("dt: {value}")));
        let e = e.replacen(&format!("{}:", cfg.display()), "", 1);
        has(&e, &["`dt`", "> 0 ms"]);
        assert!(e.contains(&format!("found {}", value.trim_end_matches(".0"))));
    }
    // A dt that is not a number at all.
    let text = base_with("dt: 1.0", r#"dt: "one""#);
    let (_d, cfg, e) = run_bad(&text);
    at_line(&e, &cfg, pos(&text, "dt: \"one\"").0);
    has(headline(&e), &["`dt`", "float", "\"one\""]);
}

#[test]
fn synapse_names_missing_population() {
    let text = base_with(r#"pre: "z0""#, r#"pre: "z9""#);
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, r#""z9""#));
    has(
        &e,
        &[
            "`pre: \"z9\"`",
            "entity `W1`",
            "z0, z1",
            "did you mean `z0`?",
        ],
    );

    let text = base_with(r#"post: "z1""#, r#"post: "z01""#);
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, r#""z01""#));
    has(&e, &["`post: \"z01\"`", "entity `W1`", "z0, z1"]);
    // `z01` is one edit from both `z0` and `z1`: either is a fair guess.
    assert!(
        e.contains("did you mean `z0`?") || e.contains("did you mean `z1`?"),
        "no suggestion:\n{e}"
    );
}

#[test]
fn weight_shape_mismatch() {
    let text = base_with(
        "Uniform(amin: 0.0, amax: 0.3)",
        "Matrix([[1.0, 2.0], [3.0, 4.0]])",
    );
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, "weight_init"));
    has(&e, &["`weight_init`", "entity `W1`", "3×2", "found 2 rows"]);

    let text = base_with(
        "params: (weight_init",
        "params: (shape: (5, 2), weight_init",
    );
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, "shape:"));
    has(
        &e,
        &[
            "`shape`",
            "entity `W1`",
            "(3, 2)",
            "`z0`",
            "`z1`",
            "found (5, 2)",
        ],
    );
}

#[test]
fn probe_of_missing_compartment() {
    // Another probe of the same entity comes after the bad one: the error must point at the
    // bad one.
    let text = base_with(r#"compartment: "v""#, r#"compartment: "w""#);
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, r#""w""#));
    has(
        &e,
        &[
            "`w`",
            "entity `z1`",
            "(LIF)",
            "expected one of:",
            "v, s",
            "thr_theta",
        ],
    );
    // `w` is no typo of any one-letter compartment: no made-up suggestion.
    assert!(!e.contains("did you mean"), "{e}");

    let text = base_with(r#"compartment: "s""#, r#"compartment: "thr_thetta""#);
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, r#""thr_thetta""#));
    has(&e, &["entity `z1`", "did you mean `thr_theta`?"]);
}

#[test]
fn duplicate_entity_names() {
    // A synapse named like a cell: the error points at its `name`, not at `post: "z1"`.
    let text = base_with(r#"name: "W1""#, r#"name: "z1""#);
    let (_d, cfg, e) = run_bad(&text);
    let (line, col) = pos_nth(&text, r#"name: "z1""#, 1);
    at(&e, &cfg, (line, col + "name: ".len()));
    has(&e, &["duplicate", "`z1`"]);

    let text = base_with(
        r#"(name: "z0", kind: "Poisson""#,
        r#"(name: "z1", kind: "Poisson""#,
    );
    let text = text.replace(r#"pre: "z0""#, r#"pre: "z1""#);
    let (_d, cfg, e) = run_bad(&text);
    let (line, col) = pos_nth(&text, r#"name: "z1""#, 1);
    at(&e, &cfg, (line, col + "name: ".len()));
    has(&e, &["duplicate", "`z1`"]);
}

const REPLAY: &str = r#"Model(
    dt: 1.0,
    cells: [ (name: "z0", kind: "LIF", params: (n_units: 3, tau_m: 10.0)) ],
    inputs: [
        (name: "I", kind: "Replay", target: "z0",
         params: (file: "in.csv")),
    ],
    probes: [ (target: "z0", compartment: "v") ],
    run: (steps: 4),
)
"#;

#[test]
fn replay_file_with_bad_table() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "model.ron", REPLAY);
    let csv = dir.path().join("in.csv");
    let run = || {
        cortecs([
            "run".as_ref(),
            cfg.as_os_str(),
            "--out".as_ref(),
            dir.path().join("out").as_os_str(),
        ])
    };
    let file_at = pos(REPLAY, "file:");

    // Two columns for three units.
    std::fs::write(&csv, "u0,u1\n1.0,2.0\n3.0,4.0\n").unwrap();
    let e = failed(&run());
    at(&e, &cfg, file_at);
    has(
        &e,
        &[
            "entity `I`",
            "`file`",
            &csv.display().to_string(),
            "3 columns",
            "`z0`",
            "has 2",
        ],
    );

    // A cell that is not a number: line 3 (after the header), column 2.
    std::fs::write(&csv, "u0,u1,u2\n1.0,2.0,3.0\n3.0,abc,4.0\n").unwrap();
    let e = failed(&run());
    at(&e, &cfg, file_at);
    has(
        &e,
        &[
            "entity `I`",
            &csv.display().to_string(),
            "line 3, column 2",
            "`abc`",
        ],
    );

    // A ragged table.
    std::fs::write(&csv, "1.0,2.0,3.0\n4.0,5.0\n").unwrap();
    let e = failed(&run());
    at(&e, &cfg, file_at);
    has(&e, &["entity `I`", &csv.display().to_string(), "line 2"]);

    // No file at all.
    std::fs::remove_file(&csv).unwrap();
    let e = failed(&run());
    at(&e, &cfg, file_at);
    has(&e, &["entity `I`", &csv.display().to_string()]);
}

#[test]
fn resume_from_damaged_save() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = write(d, "model.ron", BASE);
    let save = |s: &str| {
        let out = cortecs([
            "run".as_ref(),
            cfg.as_os_str(),
            "--steps".as_ref(),
            "5".as_ref(),
            "--out".as_ref(),
            d.join("o").as_os_str(),
            "--save".as_ref(),
            d.join(s).as_os_str(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        d.join(s)
    };
    let resume = |s: &Path| {
        cortecs([
            "run".as_ref(),
            "--resume".as_ref(),
            s.as_os_str(),
            "--steps".as_ref(),
            "5".as_ref(),
            "--out".as_ref(),
            d.join("o2").as_os_str(),
        ])
    };

    // The control: an intact save resumes.
    let s = save("s_ok");
    let out = resume(&s);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A missing entity file.
    let s = save("s_missing");
    let file = cortecs::persist::folder::state_dir(&s)
        .unwrap()
        .join("z1.npz");
    std::fs::remove_file(&file).unwrap();
    let e = failed(&resume(&s));
    has(&e, &["entity `z1`", &file.display().to_string()]);

    // A truncated one.
    let s = save("s_truncated");
    let file = cortecs::persist::folder::state_dir(&s)
        .unwrap()
        .join("W1.npz");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let e = failed(&resume(&s));
    has(&e, &[&file.display().to_string(), "truncated"]);
}

#[test]
fn ron_syntax_error() {
    // The `)` closing z0's entry is missing: ron notices at the next entry.
    let text = base_with("target_freq: 50.0)),", "target_freq: 50.0),");
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, r#"(name: "z1""#));
    let (l, c) = pos(&text, r#"(name: "z0""#);
    has(
        &e,
        &[
            &format!("opened at line {l}, column {c}"),
            "is a `)` missing?",
        ],
    );

    // The file ends before `Model(` is closed.
    let text = BASE.trim_end().strip_suffix(')').unwrap().to_string();
    let (_d, cfg, e) = run_bad(&text);
    let last = text.trim_end().lines().count();
    at_line(&e, &cfg, last);
    let (l, c) = pos(&text, "(\n    dt");
    has(
        &e,
        &[
            &format!("opened at line {l}, column {c}"),
            "is a `)` missing?",
        ],
    );
}

/// A small valid model of the newer cell kinds. The header comment mentions `tau_w` and
/// `integration_type` on purpose, and `tau_m`/`tau_w` occur in more than one entity: errors
/// must point at the field of the right entity, not at words in comments.
const KINDS: &str = r#"// Izhikevich, FitzHugh–Nagumo and SLIF cells under constant currents; tau_w is in ms and
// integration_type is "euler" unless given.
Model(
    dt: 0.1,
    seed: 7,
    cells: [
        (name: "iz", kind: "Izhikevich", params: (
            n_units: 2,
            preset: "fast_spiking",
            tau_w: 20.0,
            integration_type: "midpoint",
        )),
        (name: "fhn", kind: "FitzhughNagumo", params: (
            n_units: 2,
            tau_m: 1.0,
            gamma: 3.0,
            integration_type: "rk2",
        )),
        (name: "sl", kind: "SLIF", params: (
            n_units: 3,
            tau_m: 10.0,
            resist_m: 1.0,
            thr: 0.5,
            resist_inh: 0.3,
            refract_time: 1.0,
        )),
    ],
    inputs: [
        (name: "I_iz", kind: "Constant", target: "iz", params: (value: 10.0)),
        (name: "I_fhn", kind: "Constant", target: "fhn", params: (value: 0.5)),
        (name: "I_sl", kind: "Constant", target: "sl", params: (value: [0.4, 0.8, 1.2])),
    ],
    probes: [
        (target: "iz", compartment: "v"),
        (target: "fhn", compartment: "w"),
        (target: "sl", compartment: "thr"),
    ],
    run: (steps: 10),
)
"#;

/// `KINDS` with `from` replaced by `to` (which must occur exactly once).
fn kinds_with(from: &str, to: &str) -> String {
    assert_eq!(KINDS.matches(from).count(), 1, "fixture edit `{from}`");
    KINDS.replacen(from, to, 1)
}

/// The valid `preset` names, quoted as the message lists them.
const PRESETS: [&str; 6] = [
    "\"regular_spiking\"",
    "\"intrinsically_bursting\"",
    "\"chattering\"",
    "\"fast_spiking\"",
    "\"low_threshold_spiking\"",
    "\"resonator\"",
];

/// The valid `integration_type` names, quoted as the message lists them.
const INTEGRATORS: [&str; 4] = ["\"euler\"", "\"midpoint\"", "\"rk2\"", "\"rk4\""];

#[test]
fn new_kinds_valid_config_checks_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "model.ron", KINDS);
    for args in [
        vec!["check".as_ref(), cfg.as_os_str()],
        vec![
            "run".as_ref(),
            cfg.as_os_str(),
            "--out".as_ref(),
            dir.path().join("out").as_os_str(),
        ],
    ] {
        let out = cortecs(args);
        assert!(
            out.status.success(),
            "{:?}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("out").join("sl.thr.npy").is_file());
}

#[test]
fn unknown_izhikevich_preset() {
    let text = kinds_with(r#""fast_spiking""#, r#""fast_spikng""#);
    let (_d, cfg, e) = run_bad(&text);
    at_line(&e, &cfg, pos(&text, r#""fast_spikng""#).0);
    has(headline(&e), &["entity `iz`", "preset", "\"fast_spikng\""]);
    has(&e, &["did you mean \"fast_spiking\"?"]);
    has(&e, &PRESETS);
}

#[test]
fn unknown_izhikevich_preset_location_and_field() {
    let text = kinds_with(r#""fast_spiking""#, r#""fast_spikng""#);
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, r#""fast_spikng""#));
    has(
        headline(&e),
        &["entity `iz`", "`preset`", "\"fast_spikng\""],
    );
}

#[test]
fn unknown_integration_type() {
    for (entity, from, bad, suggestion) in [
        ("iz", "\"midpoint\"", "\"rk3\"", None),
        ("fhn", "\"rk2\"", "\"eular\"", Some("\"euler\"")),
    ] {
        let text = kinds_with(from, bad);
        let (_d, cfg, e) = run_bad(&text);
        at_line(&e, &cfg, pos(&text, bad).0);
        has(
            headline(&e),
            &[&format!("entity `{entity}`"), "integration_type", bad],
        );
        has(&e, &INTEGRATORS);
        if let Some(s) = suggestion {
            has(&e, &[&format!("did you mean {s}?")]);
        }
    }
}

#[test]
fn unknown_integration_type_location_and_field() {
    for (entity, from, bad) in [
        ("iz", "\"midpoint\"", "\"rk3\""),
        ("fhn", "\"rk2\"", "\"eular\""),
    ] {
        let text = kinds_with(from, bad);
        let (_d, cfg, e) = run_bad(&text);
        at(&e, &cfg, pos(&text, bad));
        has(
            headline(&e),
            &[&format!("entity `{entity}`"), "`integration_type`", bad],
        );
    }
}

#[test]
fn bad_izhikevich_tau_w() {
    // Given next to a preset, `tau_w` overrides it and is checked like any time constant.
    for (value, shown) in [
        ("0.0", "found 0"),
        ("-1.0", "found -1"),
        ("NaN", "found NaN"),
    ] {
        let text = kinds_with("tau_w: 20.0", &format!("tau_w: {value}"));
        let (_d, cfg, e) = run_bad(&text);
        at(&e, &cfg, pos(&text, "tau_w:"));
        has(headline(&e), &["`tau_w`", "entity `iz`", "> 0 ms", shown]);
    }
}

#[test]
fn bad_fitzhugh_nagumo_time_constants() {
    // `tau_m` also occurs in `sl` (after `fhn`): the error points at fhn's.
    for (value, shown) in [("0.0", "found 0"), ("-2.0", "found -2")] {
        let text = kinds_with("tau_m: 1.0", &format!("tau_m: {value}"));
        let (_d, cfg, e) = run_bad(&text);
        at(&e, &cfg, pos(&text, &format!("tau_m: {value}")));
        has(headline(&e), &["`tau_m`", "entity `fhn`", "> 0 ms", shown]);
    }
    // `tau_w` also occurs in `iz` (before `fhn`): the error points at fhn's.
    let text = kinds_with("gamma: 3.0,", "gamma: 3.0, tau_w: -12.5,");
    let (_d, cfg, e) = run_bad(&text);
    at(&e, &cfg, pos(&text, "tau_w: -12.5"));
    has(
        headline(&e),
        &["`tau_w`", "entity `fhn`", "> 0 ms", "found -12.5"],
    );
}

#[test]
fn fitzhugh_nagumo_gamma_zero() {
    // v³/γ: γ = 0 would divide by zero.
    for (value, shown) in [("0.0", "found 0"), ("NaN", "found NaN")] {
        let text = kinds_with("gamma: 3.0", &format!("gamma: {value}"));
        let (_d, cfg, e) = run_bad(&text);
        at(&e, &cfg, pos(&text, "gamma:"));
        has(headline(&e), &["`gamma`", "entity `fhn`", "≠ 0", shown]);
    }
}

#[test]
fn bad_slif_parameters() {
    for (from, to, field, shown) in [
        (
            "refract_time: 1.0",
            "refract_time: -1.0",
            "refract_time",
            "found -1",
        ),
        (
            "resist_inh: 0.3",
            "resist_inh: -0.3",
            "resist_inh",
            "found -0.3",
        ),
        // `tau_m` also occurs in `fhn` (before `sl`): the error points at sl's.
        ("tau_m: 10.0", "tau_m: 0.0", "tau_m", "found 0"),
    ] {
        let text = kinds_with(from, to);
        let (_d, cfg, e) = run_bad(&text);
        at(&e, &cfg, pos(&text, to));
        has(headline(&e), &[&format!("`{field}`"), "entity `sl`", shown]);
        if field != "tau_m" {
            has(headline(&e), &["≥ 0"]);
        }
    }
}

/// `run --dt/--seed` build the config at another step size or seed (recorded in the run's
/// `model.ron`); with `--resume`, or with a dt that is not a positive number, they are a clear
/// error.
#[test]
fn run_overrides_dt_and_seed() {
    let dir = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/gallery_isi.ron");
    let out = dir.path().join("run");
    let args = |extra: &[&str]| {
        let mut a = vec!["run".to_owned(), config.display().to_string()];
        a.extend(["--out".to_owned(), out.display().to_string()]);
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let ok = cortecs(args(&["--dt", "0.5", "--seed", "9", "--steps", "10"]));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("t = 5 ms"));
    let model = std::fs::read_to_string(out.join("model.ron")).unwrap();
    assert!(
        model.contains("dt: 0.5") && model.contains("seed: 9"),
        "{model}"
    );

    let saved = dir.path().join("saved");
    let resumed = cortecs(["run", "--resume", saved.to_str().unwrap(), "--dt", "0.1"]);
    has(&failed(&resumed), &["--dt and --seed", "resumed"]);
    let stderr = failed(&cortecs(args(&["--dt", "0"])));
    has(
        &stderr,
        &[
            "gallery_isi.ron",
            "dt given instead of the config's",
            "found 0",
        ],
    );
}
