#!/usr/bin/env bash
# Collection pauses of rudo-scheme beside guile and Chez Scheme (where installed) on
# programs with a long-lived structure and short-lived churn (benches/pauses): a tree
# kept live at 32 MB and 268 MB while small trees come and go, a vector cache whose slots
# take young lists, and a list extended at its tail. The systems' runs alternate, RUNS
# times (default 3); each column is the median over the runs of that run's pause p50,
# p95 and maximum, its number of collections, its total time in collections, and the
# process's peak resident memory.
#
# rudo-scheme runs generational (`rudo`, with its minor and its full collections also
# apart, `rudo:minor` and `rudo:major`) and not (`rudo-full`, --gc-generational=off).
#
# Pauses come from each system itself: rudo-scheme's --gc-log lines, guile's
# GC_PRINT_STATS=1 ("Complete collection took"), and for Chez the time of each
# collection its collect-request handler runs (benches/pauses/chez-pauses.ss).
#   RUNS=3 scripts/gc-pauses.sh [CASE...]    (cases: tree-32mb tree-268mb cache tail)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
runs=${RUNS:-3}
cases=("${@:-tree-32mb tree-268mb cache tail}")
read -r -a cases <<<"${cases[*]}"
cargo build --release -q --bin rudo-scheme
rudo=target/release/rudo-scheme
have() { command -v "$1" >/dev/null 2>&1; }
systems=(rudo rudo-full)
have guile && systems+=(guile)
have scheme && systems+=(chez)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

program_of() {
  case $1 in
    tree-32mb) echo "tree-churn 21 20000" ;;
    tree-268mb) echo "tree-churn 23 20000" ;;
    cache) echo "vector-cache 1048576 4000000" ;;
    tail) echo "tail-list 2000000 20" ;;
    *) echo "unknown case $1" >&2; exit 2 ;;
  esac
}

# Runs one system on one program: its pauses in milliseconds, one a line, in $3 (and
# for rudo-scheme, those of minor and of full collections in $3.minor and $3.major);
# its peak resident memory in MB in $3.rss.
pauses() {
  local system=$1 args=$2 out=$3 program rest log=$work/log
  read -r program rest <<<"$args"
  local file=benches/pauses/$program.scm
  local timed=(/usr/bin/time -f "rss %M" -o "$out.time")
  case $system in
    rudo|rudo-full)
      local on=on
      [ "$system" = rudo-full ] && on=off
      "${timed[@]}" "$rudo" --gc-generational=$on --gc-log "$file" $rest >/dev/null 2>"$log"
      sed -n 's/^gc [0-9]*: pause \([0-9.]*\) ms.*/\1/p' "$log" >"$out"
      sed -n 's/^gc [0-9]*: pause \([0-9.]*\) ms.*, minor,.*/\1/p' "$log" >"$out.minor"
      sed -n 's/^gc [0-9]*: pause \([0-9.]*\) ms.*, major,.*/\1/p' "$log" >"$out.major" ;;
    guile) GC_PRINT_STATS=1 "${timed[@]}" guile "$file" $rest >/dev/null 2>"$log"
           sed -n 's/^Complete collection took \([0-9]*\) ms \([0-9]*\) ns.*/\1 \2/p' "$log" |
             awk '{ printf "%.6f\n", $1 + $2 / 1e6 }' >"$out" ;;
    chez) "${timed[@]}" scheme --script benches/pauses/chez-pauses.ss "$file" $rest >/dev/null 2>"$log"
          sed -n 's/^pause \([0-9.e+-]*\)$/\1/p' "$log" >"$out" ;;
  esac
  sed -n 's/^rss \([0-9]*\)$/\1/p' "$out.time" | awk '{ printf "%.1f\n", $1 / 1024 }' >"$out.rss"
}

# p50 p95 max count total of a file of pauses.
summary() {
  sort -g "$1" | awk '{ v[NR] = $1; t += $1 }
    END { if (NR == 0) { print "0 0 0 0 0"; exit }
          i50 = int((NR + 1) / 2); i95 = int(NR * 0.95 + 0.999); if (i95 < 1) i95 = 1
          printf "%.3f %.3f %.3f %d %.1f\n", v[i50], v[i95], v[NR], NR, t }'
}

# Guile compiles a program on its first run; that run is not timed.
if have guile; then
  for p in benches/pauses/*.scm; do guile "$p" 1 1 >/dev/null 2>&1 || true; done
fi

row() { printf "%-11s %-11s %10s %10s %10s %6s %12s %8s\n" "$@"; }
row case system "p50 ms" "p95 ms" "max ms" count "total ms" "RSS MB"
for c in "${cases[@]}"; do
  args=$(program_of "$c")
  shown=()
  for s in "${systems[@]}"; do
    shown+=("$s")
    [ "$s" = rudo ] && shown+=(rudo:minor rudo:major)
  done
  for s in "${shown[@]}"; do : >"$work/$s.rows"; done
  for _ in $(seq "$runs"); do
    for s in "${systems[@]}"; do
      pauses "$s" "$args" "$work/pauses"
      rss=$(cat "$work/pauses.rss")
      echo "$(summary "$work/pauses") $rss" >>"$work/$s.rows"
      if [ "$s" = rudo ]; then
        for kind in minor major; do
          echo "$(summary "$work/pauses.$kind") $rss" >>"$work/rudo:$kind.rows"
        done
      fi
    done
  done
  for s in "${shown[@]}"; do
    read -r p50 p95 max count total rss <<<"$(medians "$work/$s.rows")"
    row "$c" "$s" "$p50" "$p95" "$max" "$count" "$total" "$rss"
  done
done
