#!/usr/bin/env bash
# The whole test suite: every crate's unit and integration tests, in release mode so the
# large-heap tests run at full size.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --release
