#!/usr/bin/env bash
# Model-checks the markers' work-transfer and termination protocol with loom: the tests
# in gc/src/mark/exchange.rs, built with `--cfg loom` (in their own target directory, so
# that the normal build is not rebuilt).
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="--cfg loom" exec cargo test --release --target-dir target/loom -p rudo-gc --lib loom "$@"
