#!/usr/bin/env bash
# Runs rudo-gc's unit tests and its parallel marking tests under ThreadSanitizer
# (nightly, with the standard library rebuilt instrumented), installing what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup +nightly component list --installed 2>/dev/null | grep -q rust-src; then
  rustup toolchain install nightly --profile minimal
  rustup +nightly component add rust-src
fi
target=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Zsanitizer=thread"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1}"
# Doctests do not run under the sanitizer; the unit tests and the parallel marking tests do.
exec cargo +nightly test -Zbuild-std --target "$target" --target-dir target/tsan \
  -p rudo-gc --lib --test parallel_mark "$@"
