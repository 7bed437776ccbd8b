//! libFuzzer entry point; the body is `npz` in `fuzz/src/targets.rs`, which
//! `tests/fuzz_corpus.rs` also replays over the saved corpus (`fuzz/corpus/npz/`).
#![no_main]

#[path = "../src/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::npz(data));
