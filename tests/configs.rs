//! Every config in `configs/` builds, runs for its `run.steps` and records something.

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

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

/// Builds and runs `configs/<name>.ron` for its `run.steps`.
fn run_config(name: &str) -> Model {
    let path = format!("{}/configs/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    let mut model = Model::from_config_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let steps = model.config().run.steps;
    model
        .run_steps(steps)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    model
}

/// The steps at which column `u` of a spike record is 1.
fn spike_steps(s: &ndarray::Array2<Real>, u: usize) -> Vec<usize> {
    s.column(u)
        .iter()
        .enumerate()
        .filter(|&(_, &x)| x != 0.0)
        .map(|(k, _)| k)
        .collect()
}

/// The per-unit current a `Constant` or (after its onset) `Step` source delivers.
fn source_current(model: &Model, source: &str) -> Vec<f64> {
    model
        .array(source, "outputs")
        .unwrap()
        .iter()
        .map(|&x| x as f64)
        .collect()
}

#[test]
fn quadlif_rests_on_v_rest_without_input_and_fires_with_positive_input() {
    let model = run_config("quadlif");
    let v = model.probe("z", "v").unwrap();
    let s = model.probe("z", "s").unwrap();
    let amp = source_current(&model, "I");
    let (v_rest, v_min, onset_step) = (-65.0, -70.0, 100); // the config: onset 10 ms, dt 0.1 ms
    assert!(amp.contains(&0.0) && amp.iter().any(|&a| a < 0.0) && amp.iter().any(|&a| a > 0.0));
    // v_rest is a fixed point of the quadratic leak: with no input v stays there exactly.
    for u in 0..amp.len() {
        for k in 0..onset_step {
            assert_eq!(
                v[[k, u]],
                v_rest,
                "unit {u} moved off v_rest at step {k} before the onset"
            );
        }
    }
    let mut first_spikes = Vec::new();
    for (u, &a) in amp.iter().enumerate() {
        let spikes = spike_steps(&s, u);
        let col = v.column(u);
        if a == 0.0 {
            assert!(
                col.iter().all(|&x| x == v_rest),
                "unit {u} (no input) left v_rest"
            );
            assert!(spikes.is_empty(), "unit {u} spiked without input");
        } else if a < 0.0 {
            // Below v_rest the leak pushes v further down: a runaway that v_min stops.
            assert!(spikes.is_empty(), "unit {u} (input {a}) spiked");
            assert!(
                col.iter().all(|&x| x <= v_rest && x >= v_min),
                "unit {u} (input {a}) left [v_min, v_rest]"
            );
            assert_eq!(
                col.iter().cloned().fold(Real::INFINITY, Real::min),
                v_min,
                "unit {u} (input {a}) never reached v_min"
            );
        } else {
            assert!(!spikes.is_empty(), "unit {u} (input {a}) never spiked");
            assert!(spikes[0] >= onset_step, "unit {u} spiked before its input");
            first_spikes.push((a, spikes[0]));
        }
    }
    // dv/dt grows with the input, so a more strongly driven unit reaches thr no later.
    first_spikes.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in first_spikes.windows(2) {
        assert!(
            w[1].1 <= w[0].1,
            "input {} first spiked at step {}, after input {} (step {})",
            w[1].0,
            w[1].1,
            w[0].0,
            w[0].1
        );
    }
    let (weak, strong) = (first_spikes[0], first_spikes[first_spikes.len() - 1]);
    assert!(
        strong.1 < weak.1,
        "input {} fired no earlier than input {}",
        strong.0,
        weak.0
    );
}

#[test]
fn slif_inhibition_stronger_drive_wins_and_thresholds_follow_gain_and_leak() {
    use cortecs::components::neurons::spiking::SlifParams;
    let mut model = run_config("slif_inhibition");
    let p = {
        let world = model.world_mut();
        world.query::<&SlifParams>().single(world).unwrap().clone()
    };
    let s = model.probe("z", "s").unwrap();
    let thr = model.probe("z", "thr").unwrap();
    let thr0 = model.probe("z", "threshold0").unwrap();
    let drive = source_current(&model, "I");
    let n = s.nrows();
    let (g, lambda) = (p.thr_gain, 1.0 - p.thr_leak);
    assert!(
        p.tau_m > model.config().dt,
        "v must be a convex combination below"
    );
    let counts: Vec<usize> = (0..p.n_units).map(|u| spike_steps(&s, u).len()).collect();
    for u in 0..p.n_units {
        let (t0, t_end, k) = (
            thr0[[0, u]] as f64,
            thr[[n - 1, u]] as f64,
            counts[u] as f64,
        );
        // thr' = thr·(1 − thr_leak) + s·thr_gain each step, so after n steps with k spikes
        // thr0·λⁿ + k·g·λⁿ⁻¹ ≤ thr ≤ thr0·λⁿ + k·g (λ = 1 − thr_leak).
        let decayed = t0 * lambda.powi(n as i32);
        let (lo, hi) = (decayed + k * g * lambda.powi(n as i32 - 1), decayed + k * g);
        assert!(
            t_end >= lo - 1e-4 && t_end <= hi + 1e-4,
            "unit {u}: threshold {t_end} outside [{lo}, {hi}] after {k} spikes"
        );
        // v starts at 0 and relaxes towards j·R minus inhibition (≥ 0), so it never exceeds
        // max(0, R·drive); a unit driven below the lowest its threshold can fall never fires.
        if p.resist_m * drive[u] <= decayed {
            assert_eq!(
                counts[u], 0,
                "unit {u} (drive {}) fired below threshold",
                drive[u]
            );
        }
    }
    assert!(
        counts.contains(&0),
        "some unit should be driven below threshold"
    );
    // Drives are 0.2 apart and inhibition arrives as one-step pulses: the more strongly driven
    // unit fires at least as often.
    let mut by_drive: Vec<(f64, usize)> = drive.iter().cloned().zip(counts.clone()).collect();
    by_drive.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in by_drive.windows(2) {
        assert!(
            w[1].1 >= w[0].1,
            "drive {} fired {} times, drive {} {} times",
            w[1].0,
            w[1].1,
            w[0].0,
            w[0].1
        );
    }
    // The most strongly driven unit spikes often enough to outweigh the leak: its threshold
    // ends above where it started.
    let top = (0..p.n_units)
        .max_by(|&a, &b| drive[a].total_cmp(&drive[b]))
        .unwrap();
    assert!(
        thr[[n - 1, top]] > thr0[[0, top]],
        "unit {top}: {} spikes left its threshold at {} (started at {})",
        counts[top],
        thr[[n - 1, top]],
        thr0[[0, top]]
    );
}

#[test]
fn izhikevich_presets_show_their_firing_patterns() {
    let model = run_config("izhikevich_presets");
    let dt = model.config().dt;
    // Inter-spike intervals (ms) of each preset's single unit.
    let isis = |name: &str| -> Vec<f64> {
        let s = model.probe(name, "s").unwrap();
        let t = spike_steps(&s, 0);
        assert!(
            t.len() >= 3,
            "{name}: {} spikes under the drive; expected a spike train",
            t.len()
        );
        t.windows(2).map(|w| (w[1] - w[0]) as f64 * dt).collect()
    };
    let min = |x: &[f64]| x.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = |x: &[f64]| x.iter().cloned().fold(0.0, f64::max);
    // A burster's spikes come in groups: its longest interval (between bursts) is many
    // times its shortest (inside a burst).
    let bursts = |x: &[f64]| max(x) >= 5.0 * min(x);
    for name in ["rs", "ib", "ch", "fs", "lts", "rz"] {
        isis(name); // every preset fires under the drive
    }

    let rs = isis("rs");
    assert!(
        !bursts(&rs),
        "regular spiking should not burst: ISIs {rs:?}"
    );
    assert!(
        rs[0] < rs[rs.len() - 1],
        "regular spiking adapts (first ISI shorter than the last): {rs:?}"
    );

    let ib = isis("ib");
    assert!(
        bursts(&ib),
        "intrinsically bursting: no burst in ISIs {ib:?}"
    );
    assert!(
        5.0 * ib[0] <= ib[ib.len() - 1],
        "intrinsically bursting opens with a burst, then spikes singly: ISIs {ib:?}"
    );

    let ch = isis("ch");
    assert!(bursts(&ch), "chattering: no burst in ISIs {ch:?}");
    let long: Vec<usize> = (0..ch.len()).filter(|&i| ch[i] >= 5.0 * min(&ch)).collect();
    assert!(
        long.len() >= 2 && long[1] > long[0] + 1,
        "chattering repeats bursts of several spikes: ISIs {ch:?}"
    );

    let lts = isis("lts");
    assert!(
        lts[0] < lts[lts.len() - 1],
        "low-threshold spiking adapts: {lts:?}"
    );
    let fs = isis("fs");
    assert!(
        fs.len() > rs.len(),
        "fast spiking fires more than regular spiking ({} vs {} ISIs)",
        fs.len(),
        rs.len()
    );
}

#[test]
fn fitzhugh_nagumo_integrators_agree_and_recovery_stays_bounded() {
    use cortecs::components::neurons::spiking::FitzhughNagumoParams;
    let model = run_config("fitzhugh_nagumo");
    // The config keeps ngclearn's defaults (v0 = w0 = 0).
    let d = FitzhughNagumoParams::new(1);
    let (alpha, beta) = (d.alpha, d.beta);
    let mut spikes = Vec::new();
    for (name, convex_step) in [("fn_euler", true), ("fn_midpoint", true), ("fn_rk4", false)] {
        let v = model.probe(name, "v").unwrap();
        let w = model.probe(name, "w").unwrap();
        let s = model.probe(name, "s").unwrap();
        let (v, w) = (v.column(0), w.column(0));
        // s = [v > v_thr] is a level: a spike is a rising edge.
        let s = s.column(0);
        let onsets = (0..s.len())
            .filter(|&k| s[k] != 0.0 && (k == 0 || s[k - 1] == 0.0))
            .count();
        assert!(
            onsets >= 5,
            "{name}: {onsets} spikes; the drive should make it oscillate"
        );
        spikes.push((name, onsets));
        // The cubic term confines v.
        assert!(
            v.iter().all(|x| x.abs() < 2.5),
            "{name}: v left (−2.5, 2.5)"
        );
        // dw/dt = (v + α − β·w)/τ_w pulls w towards (v + α)/β, so w stays within
        // [min(w0, (v_min + α)/β), max(w0, (v_max + α)/β)].
        let vmin = v.iter().cloned().fold(Real::INFINITY, Real::min) as f64;
        let vmax = v.iter().cloned().fold(Real::NEG_INFINITY, Real::max) as f64;
        let lo = d.w0.min((vmin + alpha) / beta) - 1e-4;
        let hi = d.w0.max((vmax + alpha) / beta) + 1e-4;
        assert!(
            w.iter().all(|&x| (x as f64) >= lo && (x as f64) <= hi),
            "{name}: w left [{lo}, {hi}]"
        );
        // Euler and ngclearn's midpoint integrate w with v frozen at its start-of-step value
        // and dt·β/τ_w < 1: each new w lies between the old w and (v_start + α)/β.
        if convex_step {
            for k in 0..w.len() {
                let (v0, w0) = if k == 0 {
                    (d.v0, d.w0)
                } else {
                    (v[k - 1] as f64, w[k - 1] as f64)
                };
                let target = (v0 + alpha) / beta;
                let (a, b) = (w0.min(target) - 1e-6, w0.max(target) + 1e-6);
                let x = w[k] as f64;
                assert!(
                    x >= a && x <= b,
                    "{name} step {k}: w {x} not between {w0} and {target}"
                );
            }
        }
    }
    let counts: Vec<usize> = spikes.iter().map(|s| s.1).collect();
    let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    assert!(
        hi - lo <= 1,
        "integrators disagree on the spike count by more than one: {spikes:?}"
    );
}
