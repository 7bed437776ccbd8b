//! `cortecs run --plot`, `cortecs plot DIR`, `cortecs bench` and `cortecs kinds`: figures
//! (SVG and PNG) next to the probes and the bench table, clear messages for a directory without
//! probes and an unknown kind, never a panic.

mod common;

use std::path::{Path, PathBuf};

use common::cortecs;

/// The files in `dir` with extension `ext`.
fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

/// Asserts that `path` is a 1600 × 960 PNG with some dark pixels (text, frame).
fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let image =
        tiny_skia::Pixmap::decode_png(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        (image.width(), image.height()),
        (1600, 960),
        "{}",
        path.display()
    );
    let dark = image
        .pixels()
        .iter()
        .filter(|p| p.red() < 100 && p.green() < 100 && p.blue() < 100)
        .count();
    assert!(dark > 1000, "{}: {dark} dark pixels", path.display());
}

#[test]
fn run_plot_draws_every_probe_and_plot_redraws_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/lif_poisson.ron");
    let (ok, stdout, err) = cortecs(&["run", cfg, "--out", out.to_str().unwrap(), "--plot"]);
    assert!(ok, "{err}");
    assert!(stdout.contains("drew"), "{stdout}");
    let npys = files_with(&out, "npy");
    let svgs = files_with(&out, "svg");
    let pngs = files_with(&out, "png");
    assert_eq!(svgs.len(), npys.len());
    // A PNG beside every SVG.
    assert_eq!(
        pngs,
        svgs.iter()
            .map(|p| p.with_extension("png"))
            .collect::<Vec<_>>()
    );
    for png in &pngs {
        assert_png(png);
    }
    let v = std::fs::read_to_string(out.join("z1.v.svg")).unwrap();
    assert!(v.contains("v (mV)") && v.contains("time (ms)"));
    // re-plot from the saved probes
    std::fs::remove_file(out.join("z1.v.svg")).unwrap();
    std::fs::remove_file(out.join("z1.v.png")).unwrap();
    let (ok, stdout, err) = cortecs(&["plot", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(stdout.contains(".png"), "{stdout}");
    assert!(out.join("z1.v.svg").exists());
    assert_png(&out.join("z1.v.png"));
}

#[test]
fn bench_writes_its_chart_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench");
    let (ok, stdout, err) = cortecs(&[
        "bench",
        "IAF",
        "--sizes",
        "100,1000",
        "--threads",
        "1",
        "--steps",
        "20",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(stdout.contains("bench.png"), "{stdout}");
    let svg = std::fs::read_to_string(out.join("bench.svg")).unwrap();
    assert!(svg.contains("<polyline") && svg.contains("ns per neuron-step"));
    assert_png(&out.join("bench.png"));
}

#[test]
fn plot_without_probes_and_unknown_kinds_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = cortecs(&["plot", dir.path().to_str().unwrap()]);
    assert!(
        !ok && err.contains("no probe files") && !err.contains("panicked"),
        "{err}"
    );
    let (ok, out, _) = cortecs(&["kinds", "IAF"]);
    assert!(ok && out.contains("tau_m") && out.contains("[ms]"), "{out}");
    let (ok, _, err) = cortecs(&["kinds", "Nope"]);
    assert!(
        !ok && err.contains("no kind `Nope`") && err.contains("IAF"),
        "{err}"
    );
}
