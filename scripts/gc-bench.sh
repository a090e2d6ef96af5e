#!/usr/bin/env bash
# Pauses of the collector's configurations side by side: each GC benchmark in benches/gc
# at two live-heap sizes, run with the eager build and the lazy build, each on one marker
# thread and on the default number (one per core, at most 8) with page ownership, and
# the lazy build on the default number with shared marking (lazy-Ns, atomic ORs). The
# five configurations' runs alternate, RUNS times (default 3), so that a slow spell of
# the machine falls on all of them; each column is the median over the runs: the pause
# p50, p95 and maximum, the p95 over the eager single-marker build's, the mark time, the
# longest and the 99th-percentile lazy-sweep step, and the wall time. Beside the longest step, "noise
# max" is the longest of as many windows of plain arithmetic, each as long as a typical
# step, and "touch max" the longest of as many windows of writes to the first kilobyte
# of four pages of a buffer as large as the heap (examples/noise_floor.rs), timed right
# after the run: the longest this machine lets code of that length, or writes to that
# much memory, take.
#   RUNS=3 scripts/gc-bench.sh [SIZES...]   (live megabytes, default: 50 500)
# PROGRAMS="binary-trees list-churn" picks programs (default: all three).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
runs=${RUNS:-3}
sizes=("${@:-50 500}")
read -r -a sizes <<<"${sizes[*]}"
cargo build --release -q --bin rudo-scheme --example noise_floor
CARGO_TARGET_DIR=target/eager cargo build --release -q --no-default-features
lazy=target/release/rudo-scheme
eager=target/eager/release/rudo-scheme
noise=target/release/examples/noise_floor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stat() { grep "^$1:" "$2" | cut -d' ' -f2; }
printf "%-13s %5s %-8s %5s %9s %9s %9s %8s %9s %9s %9s %10s %10s %8s\n" program live config gcs \
  "p50 us" "p95 us" "max us" "p95/e-1" "mark ms" "step max" "step p99" "noise max" "touch max" "wall s"
markers=$(nproc | awk '{print ($1 > 8) ? 8 : $1}')
configs=("eager-1 $eager 1 owned" "eager-N $eager $markers owned" "lazy-1 $lazy 1 owned"
  "lazy-N $lazy $markers owned" "lazy-Ns $lazy $markers shared")
read -r -a programs <<<"${PROGRAMS:-binary-trees list-churn chain-churn}"
for program in "${programs[@]}"; do
  for mb in "${sizes[@]}"; do
    collections=$(( mb >= 200 ? 10 : 20 ))
    rm -f "$work"/*.rows
    for _ in $(seq "$runs"); do
      for config in "${configs[@]}"; do
        read -r name bin threads marking <<<"$config"
        out="$work/stats"
        start=$(date +%s.%N)
        "$bin" --gc-stats --gc-threads "$threads" --gc-marking "$marking" \
          "benches/gc/$program.scm" "$mb" "$collections" >/dev/null 2>"$out"
        wall=$(echo "$(date +%s.%N) - $start" | bc)
        steps=$(stat lazy-sweep-steps "$out")
        noise_max=0
        touch_max=0
        if [ "$steps" -gt 0 ]; then
          "$noise" "$steps" 2 $(( $(stat heap-bytes "$out") >> 20 )) >"$work/noise"
          noise_max=$(stat window-max-us "$work/noise")
          touch_max=$(stat touch-max-us "$work/noise")
        fi
        echo "$(stat collections "$out") $(stat pause-p50-us "$out") $(stat pause-p95-us "$out")" \
          "$(stat pause-max-us "$out") $(( $(stat mark-total-us "$out") / 1000 ))" \
          "$(stat sweep-step-max-us "$out") $(stat sweep-step-p99-us "$out") $noise_max $touch_max" \
          "$wall" \
          >>"$work/$name.rows"
      done
    done
    base_p95=$(medians "$work/eager-1.rows" | cut -d' ' -f3)
    for config in "${configs[@]}"; do
      read -r name _ <<<"$config"
      read -r gcs p50 p95 max mark step_max step_p99 noise_max touch_max wall \
        <<<"$(medians "$work/$name.rows")"
      printf "%-13s %5s %-8s %5s %9s %9s %9s %8.2f %9s %9s %9s %10s %10s %8.2f\n" "$program" \
        "$mb" "$name" "$gcs" "$p50" "$p95" "$max" "$(echo "$p95 / $base_p95" | bc -l)" "$mark" \
        "$step_max" "$step_p99" "$noise_max" "$touch_max" "$wall"
    done
  done
done
