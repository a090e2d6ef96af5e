#!/usr/bin/env bash
# Programs read, compiled and run under libFuzzer with AddressSanitizer, for SECONDS
# (default 600), each under a 256 MB memory limit and a 2 s deadline: none may panic,
# abort, overflow the stack or touch memory it should not. The corpus starts from the
# golden test programs. Installs cargo-fuzz and nightly if needed.
#
#   scripts/fuzz-eval.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
corpus=fuzz/corpus/eval
mkdir -p "$corpus"
find tests/scheme tests/gc examples -name '*.scm' -size -4k -exec cp {} "$corpus/" \;
# Programs may create and delete files: they do it in a directory of their own.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd fuzz
cargo +nightly fuzz build eval
target=$(pwd)/target/x86_64-unknown-linux-gnu/release/eval
corpus_dir=$(pwd)/corpus/eval
artifacts=$(pwd)/artifacts/eval/
mkdir -p "$artifacts"
cd "$scratch"
# A hang is an input that takes more than 60 s: the deadline interrupts programs at
# 2 s, so only a builtin or the compiler running that long is one.
"$target" "$corpus_dir" -artifact_prefix="$artifacts" -max_total_time="$seconds" \
    -timeout=60 -max_len=4096 -rss_limit_mb=4096 </dev/null
