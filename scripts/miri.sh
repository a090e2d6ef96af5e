#!/usr/bin/env bash
# Runs rudo-gc's tests and the embedding API's under Miri, installing Miri on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
  rustup +nightly component add miri rust-src
fi
# Words decode pointers with exposed provenance, so Miri checks with permissive provenance.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-permissive-provenance}"
cargo +nightly miri test -p rudo-gc "$@"
# The embedding API's tests: each loads the prelude, so they take minutes under Miri.
cargo +nightly miri test -p rudo-lang --test embedding "$@"
