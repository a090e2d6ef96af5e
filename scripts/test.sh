#!/usr/bin/env bash
# The whole test suite: every crate's unit and integration tests (the golden Scheme
# tests and the GC stress programs among them), in release mode so that the large-heap
# tests run at full size.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --release
