//! The vendored reference recordings (`tests/refs/`, see its README) are complete and
//! unchanged, and nothing in the repository reads reference data from outside it.

mod common;

use std::path::Path;

const SETS: [&str; 3] = ["ngclearn", "nengo", "loihi"];

/// Every file of every set, as unpacked for the tests, has the SHA-256 its manifest records
/// for the original recording, and nothing else was unpacked.
#[test]
fn every_unpacked_file_matches_the_recordings_checksums() {
    for set in SETS {
        let dir = common::refs_dir(set);
        let manifest = common::refs_manifest(set);
        assert!(manifest.len() > 30, "{set}: {} files", manifest.len());
        for (hash, name) in &manifest {
            let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&common::sha256_hex(&bytes), hash, "{set}/{name}");
        }
        let mut on_disk = 0;
        count_files(&dir, &mut on_disk);
        // the unpacker's completion marker is the one file that is not a recording
        assert_eq!(
            on_disk,
            manifest.len() + 1,
            "{set}: files in {}",
            dir.display()
        );
    }
}

fn count_files(dir: &Path, n: &mut usize) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            count_files(&path, n);
        } else {
            *n += 1;
        }
    }
}

/// Every case folder a fidelity test names is in the vendored sets (with its `params.json`).
#[test]
fn the_cases_the_fidelity_tests_read_are_vendored() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "ngclearn",
            &[
                "lif_euler",
                "lif_midpoint_vmin",
                "quadlif_euler",
                "slif_inhib",
                "slif_inhib_sticky",
                "izh_rs",
                "izh_rs_midpoint",
                "fn_euler",
                "fn_midpoint",
                "fn_euler_spike_reset",
            ],
        ),
        (
            "nengo",
            &[
                "lif_spiking",
                "lif_rate",
                "decoders",
                "network",
                "tuning_curves",
            ],
        ),
        (
            "loihi",
            &["single_block", "single_block_bias", "channel", "pes"],
        ),
    ];
    for (set, names) in cases {
        let dir = common::refs_dir(set);
        for case in names {
            assert!(
                dir.join(case).join("params.json").is_file(),
                "{set}/{case}/params.json"
            );
        }
    }
    for case in ["lif_euler", "izh_rs"] {
        let f64_case = common::refs_dir("ngclearn").join(format!("{case}_f64"));
        assert!(f64_case.join("v.csv").is_file(), "{}", f64_case.display());
    }
}

/// No source, config, doc or script of the repository points at the team's shared folder
/// beside the checkout: a user's clone does not have it.
#[test]
fn nothing_points_outside_the_repository() {
    let needle = ["..", "shared"].join("/");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut offenders = Vec::new();
    let mut checked = 0;
    for top in [
        "src",
        "components",
        "tests",
        "configs",
        "examples",
        "benches",
        "docs",
        ".ci",
        "README.md",
        "Cargo.toml",
    ] {
        scan(&root.join(top), &needle, &mut offenders, &mut checked);
    }
    assert!(checked > 100, "only {checked} files scanned");
    assert!(
        offenders.is_empty(),
        "these files point at `{needle}`, which a clone does not have: {offenders:?}"
    );
}

fn scan(path: &Path, needle: &str, offenders: &mut Vec<String>, checked: &mut usize) {
    if path.is_dir() {
        if path.file_name().is_some_and(|n| n == "target") {
            return;
        }
        for entry in std::fs::read_dir(path).expect("read_dir") {
            scan(&entry.expect("entry").path(), needle, offenders, checked);
        }
    } else if let Ok(text) = std::fs::read_to_string(path) {
        // binary files (archives, images) are not text and hold no paths
        *checked += 1;
        if text.contains(needle) {
            offenders.push(path.display().to_string());
        }
    }
}
