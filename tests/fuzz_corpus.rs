//! Replays the fuzz corpus (`fuzz/corpus/<target>/`: the seeds and every input the fuzzer kept
//! for reaching new code) through the fuzz targets' bodies, on the stable toolchain: each reader
//! of user input must answer every saved input without panicking. Crashes the fuzzer found are
//! fixed and their inputs kept in the corpus, so this is also their regression test.

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: empty corpus", dir.display());
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: {} of {} corpus inputs panicked: {failed:?}",
        failed.len(),
        files.len()
    );
}

#[test]
fn ron_config_corpus() {
    replay("ron_config", targets::ron_config);
}

#[test]
fn npz_corpus() {
    replay("npz", targets::npz);
}

#[test]
fn table_corpus() {
    replay("table", targets::table);
}
