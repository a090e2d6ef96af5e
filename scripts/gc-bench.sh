#!/usr/bin/env bash
# Pauses with lazy sweeping against the eager build, side by side: each GC benchmark in
# benches/gc at two live-heap sizes, run with both builds, printing the pause p50, p95
# and maximum, the longest and the 99th-percentile lazy-sweep step, and the wall time.
#   scripts/gc-bench.sh [SIZES...]   (live megabytes, default: 50 500)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-50 500}")
read -r -a sizes <<<"${sizes[*]}"
cargo build --release -q
CARGO_TARGET_DIR=target/eager cargo build --release -q --no-default-features
lazy=target/release/rudo-scheme
eager=target/eager/release/rudo-scheme

stat() { grep "^$1:" "$2" | cut -d' ' -f2; }
printf "%-13s %5s %-6s %5s %9s %9s %9s %10s %10s %8s\n" program live build gcs "p50 us" "p95 us" "max us" "step max" "step p99" "wall s"
for program in binary-trees list-churn; do
  for mb in "${sizes[@]}"; do
    collections=$(( mb >= 200 ? 10 : 20 ))
    for build in eager lazy; do
      bin=${!build}
      out=$(mktemp)
      start=$(date +%s.%N)
      "$bin" --gc-stats "benches/gc/$program.scm" "$mb" "$collections" >/dev/null 2>"$out"
      wall=$(echo "$(date +%s.%N) - $start" | bc)
      printf "%-13s %5s %-6s %5s %9s %9s %9s %10s %10s %8.2f\n" "$program" "$mb" "$build" \
        "$(stat collections "$out")" "$(stat pause-p50-us "$out")" "$(stat pause-p95-us "$out")" \
        "$(stat pause-max-us "$out")" "$(stat sweep-step-max-us "$out")" \
        "$(stat sweep-step-p99-us "$out")" "$wall"
      rm -f "$out"
    done
  done
done
