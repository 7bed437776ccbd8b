//! Resume is bit for bit for every shipped config: N steps straight equal K steps, save, load,
//! N − K steps — every probe sample and, at the end, every saved array.

mod common;

use std::path::Path;

use cortecs::prelude::*;

/// At most this many steps per config (longer configs are cut short to keep the test quick).
const MAX_STEPS: u64 = 2000;

fn build(path: &Path, threads: usize) -> Model {
    let mut m = Model::from_config_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    m.set_threads(threads).expect("pool");
    m
}

/// Runs `path` straight and with a save/load after `k` steps; returns mismatches.
fn check(path: &Path, threads: usize) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut whole = build(path, threads);
    let n = whole.config().run.steps.clamp(1, MAX_STEPS);
    // An odd split, so that sampled probes and filters are caught mid-period.
    let k = n / 3 + 1;
    whole.run_steps(n).unwrap();

    let mut first = build(path, threads);
    first.run_steps(k).unwrap();
    let dir = tempfile::tempdir().unwrap();
    first.save(dir.path()).unwrap();
    let mut resumed = Model::load(dir.path()).unwrap_or_else(|e| panic!("{name}: load: {e}"));
    resumed.set_threads(threads).expect("pool");
    assert_eq!(resumed.clock().step, k);
    resumed.run_steps(n - k).unwrap();

    let mut bad = Vec::new();
    let specs: Vec<_> = whole.probes().cloned().collect();
    assert!(!specs.is_empty(), "{name} has no probes");
    for (i, spec) in specs.iter().enumerate() {
        let a = whole.probe_at(i).unwrap();
        let b = resumed.probe_at(i).unwrap();
        let before = (k / spec.sample_every) as usize;
        let tail = a.slice(ndarray::s![before.., ..]).to_owned();
        if tail.dim() != b.dim() {
            bad.push(format!(
                "{name} ({threads} threads): probe {i} {}.{}: {:?} rows after resume, expected {:?}",
                spec.target,
                spec.compartment,
                b.dim(),
                tail.dim()
            ));
            continue;
        }
        let (ta, tb) = (common::bits(&tail), common::bits(&b));
        if let Some(at) = ta.iter().zip(&tb).position(|(x, y)| x != y) {
            let differ = ta.iter().zip(&tb).filter(|(x, y)| x != y).count();
            let (r, c) = (at / tail.ncols(), at % tail.ncols());
            bad.push(format!(
                "{name} ({threads} threads): probe {i} {}.{} differs at row {} unit {c}: {} vs {} \
                 ({differ} values differ)",
                spec.target,
                spec.compartment,
                before + r,
                tail[[r, c]],
                b[[r, c]]
            ));
        }
    }
    for e in whole.entities() {
        for array in whole.array_names(&e.name).unwrap() {
            let (a, b) = (
                whole.array(&e.name, array).unwrap(),
                resumed.array(&e.name, array).unwrap(),
            );
            let same =
                a.shape() == b.shape() && a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits());
            if !same {
                bad.push(format!(
                    "{name} ({threads} threads): array {}.{array} differs at the end",
                    e.name
                ));
            }
        }
    }
    bad
}

fn configs() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 17, "configs: {paths:?}");
    paths
}

#[test]
fn every_config_resumes_bit_for_bit() {
    let mut bad = Vec::new();
    for path in configs() {
        for threads in [1, 2] {
            bad.extend(check(&path, threads));
        }
    }
    assert!(
        bad.is_empty(),
        "resume is not bit for bit:\n{}",
        bad.join("\n")
    );
}
