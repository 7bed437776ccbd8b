//! `cortecs run --plot`, `cortecs plot DIR` and `cortecs kinds`: figures next to the probes,
//! clear messages for a directory without probes and an unknown kind, never a panic.

mod common;

use common::cortecs;

#[test]
fn run_plot_draws_every_probe_and_plot_redraws_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/lif_poisson.ron");
    let (ok, stdout, err) = cortecs(&["run", cfg, "--out", out.to_str().unwrap(), "--plot"]);
    assert!(ok, "{err}");
    assert!(stdout.contains("drew"), "{stdout}");
    let svgs: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    let npys = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "npy"))
        })
        .count();
    assert_eq!(svgs.len(), npys);
    let v = std::fs::read_to_string(out.join("z1.v.svg")).unwrap();
    assert!(v.contains("v (mV)") && v.contains("time (ms)"));
    // re-plot from the saved probes
    std::fs::remove_file(out.join("z1.v.svg")).unwrap();
    let (ok, _, err) = cortecs(&["plot", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.join("z1.v.svg").exists());
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
