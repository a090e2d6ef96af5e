#!/usr/bin/env bash
# The reader and the compiler under libFuzzer with AddressSanitizer, for SECONDS
# (default 600): no input may make them panic, overflow the stack or hang. The corpus
# starts from the golden test programs. Installs cargo-fuzz and nightly if needed.
#
#   scripts/fuzz-compile.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
corpus=fuzz/corpus/read_compile
mkdir -p "$corpus"
find tests/scheme tests/gc examples -name '*.scm' -size -4k -exec cp {} "$corpus/" \;
cd fuzz
# A hang is an input that takes more than 60 s (AddressSanitizer and debug
# assertions slow the compiler tenfold or more); inputs are at most 4 KB.
cargo +nightly fuzz run read_compile -- -max_total_time="$seconds" -timeout=60 \
    -max_len=4096 -rss_limit_mb=4096
