#!/usr/bin/env bash
# Times the Scheme benchmark programs in benches/scheme with rudo-scheme and, where
# installed, guile (guile-3.0) and Chez Scheme (`scheme`), side by side in one run.
# Prints the median of RUNS runs of each, and each peer's time over rudo-scheme's.
#
#   scripts/bench.sh [RUNS] [PROGRAM...]     (RUNS defaults to 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(benches/scheme/*.scm)

cargo build --release -q
rudo=target/release/rudo-scheme
have() { command -v "$1" >/dev/null 2>&1; }

# Median wall time of `runs` runs of a command, in seconds.
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo "FAIL"; return; }
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'
}

ratio() { if [ "$1" = "-" ] || [ "$2" = "-" ] || [ "$1" = "FAIL" ] || [ "$2" = "FAIL" ]; then echo "-"; else echo "$1 / $2" | bc -l | xargs printf "%.2f"; fi; }

printf "%-16s %10s %10s %10s %12s %12s\n" program rudo guile chez rudo/guile rudo/chez
for p in "${programs[@]}"; do
  name=$(basename "$p" .scm)
  r=$(median "$rudo" "$p")
  g=-; c=-
  if have guile; then
    guile "$p" >/dev/null 2>&1 || true   # the first run compiles and caches
    g=$(median guile "$p")
  fi
  if have scheme; then
    c=$(median scheme --script "$p")
  fi
  printf "%-16s %10s %10s %10s %12s %12s\n" "$name" "$r" "$g" "$c" "$(ratio "$r" "$g")" "$(ratio "$r" "$c")"
done
