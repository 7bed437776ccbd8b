//! Bad input never panics or aborts, and the CLI never misleads: huge sizes are refused
//! before allocation (naming the entity, the field and the bytes), names cannot escape the
//! output folder, nonsense values are errors, and every message names the real cause.

mod common;

use std::path::{Path, PathBuf};

use common::cortecs;

/// Bytes per state value in this build (`cortecs::Real`: 4 in f32, 8 with `--features f64`).
const REAL: u64 = std::mem::size_of::<cortecs::Real>() as u64;

/// A model of one `kind` population named `name` with `n_units` (LIF: τ_m = 10 ms), a probe of
/// `probe`, `steps` steps (the population is on line 3).
fn model(name: &str, kind: &str, n_units: &str, probe: &str, steps: &str) -> String {
    let tau = if kind == "LIF" { ", tau_m: 10.0" } else { "" };
    format!(
        r#"Model(
    dt: 1.0,
    cells: [(name: "{name}", kind: "{kind}", params: (n_units: {n_units}{tau})),],
    probes: [(target: "{name}", compartment: "{probe}")],
    run: (steps: {steps}),
)
"#
    )
}

/// Writes `text` as `dir/name`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Asserts a clean failure (no panic, no abort) whose stderr has every needle; returns stderr.
fn fails(args: &[&str], needles: &[&str]) -> String {
    let (ok, out, err) = cortecs(args);
    assert!(!ok, "expected a failure of {args:?}, got success:\n{out}");
    for bad in ["panicked", "memory allocation", "capacity overflow"] {
        assert!(!err.contains(bad), "{args:?}: {bad}:\n{err}");
    }
    for n in needles {
        assert!(err.contains(n), "{args:?}: stderr lacks `{n}`:\n{err}");
    }
    err
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn huge_populations_are_refused_before_allocation_naming_the_field_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // LIF: 9 arrays of 10^12 units; Poisson: 3 arrays.
    for (kind, probe, arrays) in [("LIF", "v", 9u64), ("Poisson", "s", 3)] {
        let cfg = write(
            dir.path(),
            "huge.ron",
            &model("z1", kind, "1000000000000", probe, "10"),
        );
        let bytes = format!("{} bytes", arrays * REAL * 1_000_000_000_000);
        for cmd in ["check", "run"] {
            let mut args = vec![cmd, s(&cfg)];
            if cmd == "run" {
                args.extend(["--out", s(&out)]);
            }
            let e = fails(&args, &["entity `z1`", "parameter `n_units`", &bytes]);
            assert!(e.contains(&format!("{}:3:", cfg.display())), "{e}");
        }
    }
    assert!(!out.exists(), "a refused run wrote its output folder");

    // 10^6 LIF cells need 36 MB (f32; 72 MB in f64): refused under --max-memory 1M, accepted
    // under 1G.
    let cfg = write(
        dir.path(),
        "m.ron",
        &model("z1", "LIF", "1000000", "v", "1"),
    );
    fails(
        &["check", s(&cfg), "--max-memory", "1M"],
        &[
            "parameter `n_units`",
            &format!("{} bytes", 9 * REAL * 1_000_000),
            "1048576 bytes",
        ],
    );
    let (ok, _, err) = cortecs(&["check", s(&cfg), "--max-memory", "1G"]);
    assert!(ok, "{err}");
    fails(&["check", s(&cfg), "--max-memory", "lots"], &["4G"]);

    // a dense matrix of 10^6 × 10^6 (4 TB) names the synapse
    let dense = r#"Model(dt: 1.0,
    cells: [(name: "a", kind: "Poisson", params: (n_units: 1000000)),
            (name: "b", kind: "LIF", params: (n_units: 1000000, tau_m: 10.0))],
    synapses: [(name: "W", kind: "Dense", pre: "a", post: "b", params: ())],
)"#;
    let cfg = write(dir.path(), "dense.ron", dense);
    fails(
        &["check", s(&cfg), "--max-memory", "1G"],
        &[
            "entity `W`",
            "parameter `pre`",
            "1000000 × 1000000",
            if REAL == 4 { "3.6 TiB" } else { "7.3 TiB" }, // 10^12 weights
        ],
    );
}

#[test]
fn huge_step_counts_are_refused_by_check_and_run_before_probes_are_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cfg = write(
        dir.path(),
        "steps.ron",
        &model("z1", "LIF", "10", "v", "1000000000000"),
    );
    // 10^12 steps × 10 values × REAL bytes
    let probe_bytes = format!("{} bytes", 10 * REAL * 1_000_000_000_000);
    let needles = ["probe `z1.v`", probe_bytes.as_str(), "--stream"];
    fails(&["check", s(&cfg)], &needles);
    fails(&["run", s(&cfg), "--out", s(&out)], &needles);
    // u64::MAX steps: no overflow, the same error
    let max = u64::MAX.to_string();
    fails(
        &["run", s(&cfg), "--steps", &max, "--out", s(&out)],
        &["probe `z1.v`"],
    );
    assert!(!out.exists(), "a refused run wrote its output folder");
    // streamed, only 1000 steps of samples are held
    let (ok, _, err) = cortecs(&["check", s(&cfg), "--stream"]);
    assert!(ok, "{err}");
}

#[test]
fn names_that_would_escape_or_hide_files_are_refused_at_check() {
    let dir = tempfile::tempdir().unwrap();
    let long = "n".repeat(300);
    let cases = [
        ("../../x", "path separator"),
        ("a/b", "path separator"),
        ("a\\\\b", "path separator"),
        ("..", "`..`"),
        ("", "not empty"),
        (".v", "leading `.`"),
        ("a\\u{1}b", "control characters"),
        (long.as_str(), "at most 100 bytes"),
    ];
    for (name, rule) in cases {
        let text = model(name, "LIF", "3", "v", "5");
        let cfg = write(dir.path(), "names.ron", &text);
        let out = dir.path().join("sub").join("out");
        let at = format!("{}:3:", cfg.display());
        fails(&["check", s(&cfg)], &[rule, &at, "entity name"]);
        fails(&["run", s(&cfg), "--out", s(&out)], &[rule, &at]);
        assert!(!dir.path().join("sub").exists(), "{name:?}: files written");
    }
    assert!(!dir.path().join("x.v.npy").exists());
    // names that are fine
    let cfg = write(dir.path(), "ok.ron", &model("z1-A_b", "LIF", "3", "v", "5"));
    let (ok, _, err) = cortecs(&["check", s(&cfg)]);
    assert!(ok, "{err}");
}

#[test]
fn nonsense_values_are_errors_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // a step that makes the LIF's leak diverge
    let text = model("z1", "LIF", "3", "v", "5").replace("dt: 1.0", "dt: 1e300");
    let cfg = write(dir.path(), "dt.ron", &text);
    fails(
        &["run", s(&cfg), "--out", s(&out)],
        &["entity `z1`", "parameter `tau_m`", "dt = 1e300 ms"],
    );
    // 2·tau_m is the limit: dt 20 with tau_m 10 runs, dt 20.5 does not
    let at = |dt: &str| {
        model("z1", "LIF", "3", "v", "5")
            .replace("dt: 1.0", &format!("dt: {dt}"))
            .replace("tau_m: 10.0", "tau_m: 10.0, tau_theta: 1e7")
    };
    let ok_cfg = write(dir.path(), "dt20.ron", &at("20.0"));
    assert!(cortecs(&["check", s(&ok_cfg)]).0);
    let bad_cfg = write(dir.path(), "dt205.ron", &at("20.5"));
    fails(&["check", s(&bad_cfg)], &["parameter `tau_m`"]);

    // sample_every: 0
    let text = model("z1", "LIF", "3", "v", "5").replace(
        "compartment: \"v\")",
        "compartment: \"v\", sample_every: 0)",
    );
    let cfg = write(dir.path(), "every.ron", &text);
    fails(
        &["check", s(&cfg)],
        &[
            "`sample_every`",
            "≥ 1, found 0",
            &format!("{}:4:", cfg.display()),
        ],
    );

    // a Replay table of NaN
    let csv = write(
        dir.path(),
        "nan.csv",
        "u0,u1,u2\n1.0,2.0,3.0\n0.5,NaN,1.0\n",
    );
    let replay = format!(
        r#"Model(dt: 1.0,
    cells: [(name: "z1", kind: "LIF", params: (n_units: 3, tau_m: 10.0))],
    inputs: [(name: "I", kind: "Replay", target: "z1", params: (file: "{}"))],
)"#,
        csv.file_name().unwrap().to_str().unwrap()
    );
    let cfg = write(dir.path(), "replay.ron", &replay);
    fails(
        &["check", s(&cfg)],
        &["entity `I`", "`file`", "finite", "row 2", "column 2", "NaN"],
    );

    // n_units: -3 names the field
    let cfg = write(dir.path(), "neg.ron", &model("z1", "LIF", "-3", "v", "5"));
    fails(
        &["check", s(&cfg)],
        &[
            "parameter `n_units`",
            "found `-3`",
            &format!("{}:3:", cfg.display()),
        ],
    );
}

#[test]
fn a_replay_file_that_is_not_a_table_is_named_without_posing_as_the_config() {
    let dir = tempfile::tempdir().unwrap();
    // pointed at a config by mistake: its long first lines are not numbers
    let other = write(
        dir.path(),
        "other.ron",
        "// A long comment line of the other file that is clearly not a table of numbers\n\
         Model(dt: 1.0)\n",
    );
    let replay = r#"Model(dt: 1.0,
    cells: [(name: "z1", kind: "LIF", params: (n_units: 3, tau_m: 10.0))],
    inputs: [(name: "I", kind: "Replay", target: "z1", params: (file: "other.ron"))],
)"#;
    let cfg = write(dir.path(), "replay.ron", replay);
    let e = fails(
        &["check", s(&cfg)],
        &[
            "data file",
            &other.display().to_string(),
            "line 2, column 1",
            "is not a number",
        ],
    );
    assert!(
        !e.contains("clearly not a table"),
        "quotes the data file:\n{e}"
    );
}

#[test]
fn cli_flags_that_mislead_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = write(d, "m.ron", &model("z1", "LIF", "3", "v", "5"));
    let out = d.join("out");
    fails(
        &["run", s(&cfg), "--threads", "0", "--out", s(&out)],
        &["--threads", "≥ 1"],
    );
    // a save, then a resume that also names a config
    let save = d.join("save");
    let (ok, _, err) = cortecs(&["run", s(&cfg), "--out", s(&out), "--save", s(&save)]);
    assert!(ok, "{err}");
    fails(
        &["run", s(&cfg), "--resume", s(&save), "--out", s(&out)],
        &["not both", "ignored"],
    );
    // --save or --out naming an existing file: refused before the run
    let file = write(d, "file.txt", "x");
    let out2 = d.join("out2");
    fails(
        &["run", s(&cfg), "--out", s(&out2), "--save", s(&file)],
        &["--save", "not a folder"],
    );
    assert!(!out2.exists(), "the run went ahead");
    fails(
        &["run", s(&cfg), "--out", s(&file)],
        &["--out", "not a folder"],
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    // inspect: a missing path, a run output folder
    let missing = d.join("missing");
    fails(
        &["inspect", s(&missing)],
        &[&format!("{} does not exist", missing.display())],
    );
    fails(
        &["inspect", s(&out)],
        &["is a run output folder (probes), not a save", "--save"],
    );
    fails(
        &["run", "--resume", s(&out), "--out", s(&out2)],
        &["is a run output folder"],
    );
    let (ok, stdout, err) = cortecs(&["inspect", s(&save)]);
    assert!(ok && stdout.contains("step 5"), "{err}");
}

#[test]
fn rates_and_plot_refuse_a_folder_without_its_dt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = model("z1", "Poisson", "4", "s", "200").replace("dt: 1.0", "dt: 0.1");
    let cfg = write(d, "m.ron", &text);
    let out = d.join("out");
    let (ok, _, err) = cortecs(&["run", s(&cfg), "--out", s(&out), "--stream"]);
    assert!(ok, "{err}");
    // the run's model.ron has the dt: rates over 200 steps of 0.1 ms = 20 ms
    let (ok, stdout, err) = cortecs(&["rates", s(&out)]);
    assert!(ok, "{err}");
    assert!(stdout.contains("20 ms"), "{stdout}");
    // as an interrupted run that wrote no model.ron would be: an error, not a guess
    std::fs::remove_file(out.join("model.ron")).unwrap();
    for cmd in ["rates", "plot"] {
        fails(&[cmd, s(&out)], &["no `model.ron`", "dt"]);
    }
}

#[test]
fn streaming_writes_model_ron_before_the_run() {
    use cortecs::prelude::*;
    let text = model("z1", "LIF", "3", "v", "5").replace("dt: 1.0", "dt: 0.1");
    let mut m = Model::from_config_str(&text, &Registry::with_builtins()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    m.stream_probes(dir.path(), 10).unwrap();
    let ron = std::fs::read_to_string(dir.path().join("model.ron")).unwrap();
    assert_eq!(
        cortecs::plot::run_dir_dt(dir.path()).unwrap(),
        Some(0.1),
        "{ron}"
    );
}

#[test]
fn library_limits_and_thread_counts() {
    use cortecs::config::Source;
    use cortecs::prelude::*;
    let registry = Registry::with_builtins();
    let text = model("z1", "LIF", "1000", "v", "5");
    // 9 arrays of 1000 units
    let need = 9 * REAL * 1000;
    let tight = Source::new(&text, "m.ron").with_max_memory(need - 1);
    let err = Model::from_source(&tight, &registry)
        .err()
        .expect("refused");
    assert!(err.to_string().contains(&format!("{need} bytes")), "{err}");
    let fits = Source::new(&text, "m.ron").with_max_memory(need);
    let mut m = Model::from_source(&fits, &registry).unwrap();
    assert_eq!(m.memory().used, need);
    // no room left for probe buffers
    assert!(matches!(m.run_steps(1), Err(Error::Memory { .. })));
    m.set_max_memory(1 << 20);
    m.run_steps(5).unwrap();
    assert!(m.set_threads(0).is_err());
    assert!(m.set_threads(1).is_ok());
}

#[test]
fn an_expr_node_that_is_not_finite_is_refused_naming_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"Model(dt: 1.0, seed: 1,
    cells: [(name: "stim", kind: "Node", params: (output: Expr("1/0"))),
            (name: "A", kind: "Ensemble", params: (n_neurons: 20, dimensions: 1))],
    synapses: [(name: "c", kind: "Connection", pre: "stim", post: "A", params: ())],
)"#;
    let cfg = write(dir.path(), "expr.ron", text);
    fails(
        &["check", s(&cfg)],
        &[
            "entity `stim`",
            "`output`",
            "`1/0`",
            "inf",
            &format!("{}:2:", cfg.display()),
        ],
    );
}

#[test]
fn bench_prints_its_table_once_with_a_readable_title_and_sparse_lif_fires() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench");
    let (ok, stdout, err) = cortecs(&[
        "bench",
        "LIF",
        "--synapses",
        "sparse",
        "--sizes",
        "500",
        "--threads",
        "1",
        "--steps",
        "300",
        "--out",
        s(&out),
    ]);
    assert!(ok, "{err}");
    assert_eq!(stdout.matches("spikes/step").count(), 1, "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("500 "))
        .unwrap_or_else(|| panic!("no row for 500 neurons:\n{stdout}"));
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("500 "))
            .count(),
        1
    );
    // columns: neurons thr steps/s updates/s ns/upd spikes/step syn-events/s …
    let cols: Vec<&str> = row.split_whitespace().collect();
    let spikes_per_step: f64 = cols[5].parse().unwrap();
    let events: f64 = cols[6].parse().unwrap();
    // 500 cells at dt 0.1 ms: 1 spike/step is 20 Hz; realistic is 1–100 Hz
    let rate_hz = spikes_per_step / (500.0 * 1e-4);
    assert!((1.0..100.0).contains(&rate_hz), "{rate_hz} Hz:\n{stdout}");
    assert!(events > 0.0, "{stdout}");
    let svg = std::fs::read_to_string(out.join("bench.svg")).unwrap();
    assert!(svg.contains("(sparse synapses, fan-out 80)"), "title");
    assert!(!svg.contains("Sparse {"), "Rust debug text in the title");
}
