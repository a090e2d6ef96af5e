#!/usr/bin/env bash
# Times the Scheme benchmark programs in benches/scheme with rudo-scheme and, where
# installed, guile (guile-3.0) and Chez Scheme (`scheme`), side by side in one run.
# Prints the median of RUNS runs of each, and rudo-scheme's time over each peer's.
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

# Wall time of one run of a command, in seconds; FAIL when it fails.
time_once() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo FAIL; return; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

ratio() { if [ "$1" = "-" ] || [ "$2" = "-" ] || [ "$1" = "FAIL" ] || [ "$2" = "FAIL" ]; then echo "-"; else echo "$1 / $2" | bc -l | xargs printf "%.2f"; fi; }

# The runs of the systems alternate (rudo, guile, chez, rudo, ...), so that a slow
# spell of a noisy machine falls on all of them alike.
printf "%-16s %10s %10s %10s %12s %12s\n" program rudo guile chez rudo/guile rudo/chez
for p in "${programs[@]}"; do
  name=$(basename "$p" .scm)
  have guile && { guile "$p" >/dev/null 2>&1 || true; }   # the first run compiles and caches
  rs=(); gs=(); cs=()
  for _ in $(seq "$runs"); do
    rs+=("$(time_once "$rudo" "$p")")
    have guile && gs+=("$(time_once guile "$p")")
    have scheme && cs+=("$(time_once scheme --script "$p")")
  done
  summary() { if [ $# -eq 0 ]; then echo -; elif printf '%s\n' "$@" | grep -q FAIL; then echo FAIL; else printf '%s\n' "$@" | median; fi; }
  r=$(summary "${rs[@]}"); g=$(summary "${gs[@]}"); c=$(summary "${cs[@]}")
  printf "%-16s %10s %10s %10s %12s %12s\n" "$name" "$r" "$g" "$c" "$(ratio "$r" "$g")" "$(ratio "$r" "$c")"
done
