#!/usr/bin/env bash
# Builds fuzz target TARGET with libFuzzer's coverage instrumentation on the stable toolchain
# and runs it for SECONDS (default 600) over fuzz/corpus/TARGET, adding what it finds there.
#   fuzz/run.sh ron_config 600      (targets: ron_config, npz, table)
# A crash is written to fuzz/artifacts/TARGET/ and the script exits non-zero. Equivalent to
# `cargo fuzz run TARGET -s none` (which needs nightly) without installing cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?target: ron_config, npz or table}
seconds=${2:-600}
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares"
# With an explicit --target, RUSTFLAGS instrument the fuzzed code but not build scripts.
host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --target "$host" --bin "$target"
mkdir -p "corpus/$target" "artifacts/$target"
"target/$host/release/$target" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 \
  -max_len=8192 -artifact_prefix="artifacts/$target/" "corpus/$target"
