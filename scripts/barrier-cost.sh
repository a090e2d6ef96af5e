#!/usr/bin/env bash
# What the write barrier costs: the R7RS benchmark suite on two builds of rudo-scheme,
# one with the barrier (the default features) and one without it (no `generational`
# feature: the barrier compiles to nothing), both collecting the whole heap every time
# (--gc-generational=off), their runs alternating. The last line is the geometric mean
# of the time ratios, with the barrier over without.
#   scripts/barrier-cost.sh SUITE-DIR [RUNS]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 SUITE-DIR [RUNS]" >&2; exit 2; }
cd "$(dirname "$0")/.."
cargo build --release -q -p rudo-scheme
CARGO_TARGET_DIR=target/no-barrier cargo build --release -q -p rudo-scheme \
  --no-default-features --features lazy-sweep
SCHEMES="rudo rudo-base" RUDO_ARGS=--gc-generational=off \
  RUDO_BASE="$PWD/target/no-barrier/release/rudo-scheme --gc-generational=off" \
  scripts/r7rs-benchmarks.sh "$@"
