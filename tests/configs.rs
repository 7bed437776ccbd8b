//! Every config in `configs/` builds, runs for its `run.steps` and records something.

use cortecs::prelude::*;

#[test]
fn every_config_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut configs: Vec<_> = std::fs::read_dir(&dir)
        .expect("configs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    configs.sort();
    assert!(!configs.is_empty());
    for path in configs {
        let mut model = Model::from_config_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let steps = model.config().run.steps;
        assert!(steps > 0, "{}: set run.steps", path.display());
        model
            .run_steps(steps)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let probes: Vec<_> = model.probes().cloned().collect();
        assert!(
            !probes.is_empty(),
            "{}: a gallery config should record something",
            path.display()
        );
        for p in probes {
            let data = model.probe(&p.target, &p.compartment).unwrap();
            assert!(
                data.nrows() > 0 && data.iter().all(|x| x.is_finite()),
                "{}: {}.{}",
                path.display(),
                p.target,
                p.compartment
            );
        }
    }
}

#[test]
fn lif_poisson_demo_spikes_and_adapts() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/lif_poisson.ron");
    let mut model = Model::from_config_file(path).unwrap();
    model.run_steps(250).unwrap();
    let s = model.probe("z1", "s").unwrap();
    let theta = model.probe("z1", "thr_theta").unwrap();
    let spikes = s.sum();
    assert!(spikes > 0.0, "the demo must spike");
    // Adaptive threshold: theta rises by theta_plus per spike and decays with tau_theta = 1e7 ms,
    // so after 250 ms each unit's theta ≈ 0.05 × its spike count.
    for u in 0..100 {
        let n = s.column(u).sum();
        let th = theta[[249, u]];
        assert!(
            (th - 0.05 * n).abs() <= 1e-3 * (1.0 + n),
            "unit {u}: theta {th} for {n} spikes"
        );
    }
}
