//! The bodies of the fuzz targets, shared by the libFuzzer binaries (`fuzz/fuzz_targets/`) and
//! the corpus replay test (`tests/fuzz_corpus.rs`). Each feeds arbitrary bytes to one reader
//! of user input; the law checked is that the reader returns (a value or an error) without
//! panicking or aborting, within the memory libFuzzer allows.

#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use cortecs::config::Source;
use cortecs::{Model, Registry};

/// A private folder for the files the targets write (each fuzzer worker, and each test
/// process, has its own).
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary folder"))
        .path()
}

/// Steps a model that builds is run for: enough to reach every phase's systems.
const STEPS: u64 = 3;

/// Memory a fuzzed model may use (bytes): `cortecs run --max-memory 256M`. Larger models must
/// be refused with an error before they allocate, well inside libFuzzer's RSS limit.
const MAX_MEMORY: u64 = 256 << 20;

/// A RON config: parsed, checked and built as `cortecs run` would (relative paths resolve in a
/// scratch folder), then run for a few steps.
pub fn ron_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let registry = Registry::with_builtins();
    let mut src = Source::new(text, "fuzz.ron").with_max_memory(MAX_MEMORY);
    src.base_dir = scratch().to_path_buf();
    if let Ok(mut model) = Model::from_source(&src, &registry) {
        let _ = model.run_steps(STEPS);
    }
}

/// A saved entity's `.npz` archive, as `Model::load` reads it.
pub fn npz(data: &[u8]) {
    let path = scratch().join("entity.npz");
    std::fs::write(&path, data).expect("scratch file");
    let _ = cortecs::persist::npz::read_npz(&path, "entity");
}

/// A steps × units table (`Replay` input): the first byte picks `.npy` or `.csv`.
pub fn table(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let ext = if kind & 1 == 0 { "npy" } else { "csv" };
    let path = scratch().join(format!("table.{ext}"));
    std::fs::write(&path, body).expect("scratch file");
    let _ = cortecs::registry::builtin::read_table(&path);
}
