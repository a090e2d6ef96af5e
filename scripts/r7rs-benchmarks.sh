#!/usr/bin/env bash
# Runs the R7RS benchmark suite (ecraven/r7rs-benchmarks) from a checkout of it, with
# its own unmodified src/common.scm, on rudo-scheme and, where installed, guile and Chez
# Scheme (`scheme`), and checks every result the suite checks.
#
#   scripts/r7rs-benchmarks.sh SUITE-DIR [RUNS]
#
# RUNS (default 3) timed runs of each program per Scheme, the Schemes alternating so
# that a slow spell of the machine falls on all of them; the table gives medians of
# wall time in seconds, rudo-scheme's time over each other Scheme's, and the geometric
# mean of those ratios. With /usr/bin/time installed it also gives each Scheme's peak
# resident memory: the median over the programs of each program's median, and the
# median over the programs of rudo-scheme's peak over the other Scheme's.
# BENCHMARKS="fib tak" picks programs; SCHEMES="rudo guile" picks Schemes; TIMEOUT
# (seconds, default 120) ends a run that takes too long. KEEP=DIR keeps the programs
# and their inputs in DIR, to profile them: run `PROGRAM < NAME.input` from DIR. RUDO_ARGS gives rudo-scheme
# options; the Scheme `rudo-base`, a second rudo-scheme to compare against, runs the
# command RUDO_BASE (a binary and its options: see scripts/barrier-cost.sh).
#
# Inputs are the suite's, with the iteration count (the first datum) lowered so that
# guile 3.0.8 takes about half a second on the 2-core machine; programs whose single
# iteration takes guile much longer get the smaller parameters their input files list
# as older ones, or ones whose results guile and Chez agree on. inputs/bib, missing from
# some checkouts, is made (600 KB of text) and wc's expected counts computed from it.
# The suite's files are read where they are; nothing is copied into this repository.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 SUITE-DIR [RUNS]" >&2; exit 2; }
suite=$(cd "$1" && pwd)
runs=${2:-3}
timeout_s=${TIMEOUT:-120}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$suite/src/common.scm" ] || { echo "$suite has no src/common.scm" >&2; exit 2; }

cargo build --release -q --manifest-path "$root/Cargo.toml" -p rudo-scheme
rudo="$root/target/release/rudo-scheme"
schemes=${SCHEMES:-"rudo guile chez"}
have() {
    case $1 in
        rudo) true ;;
        rudo-base) [ -n "${RUDO_BASE:-}" ] ;;
        guile) command -v guile >/dev/null ;;
        chez) command -v scheme >/dev/null ;;
    esac
}

all="browse deriv destruc diviter divrec puzzle triangl tak takl ntakl cpstak ctak
fib fibc fibfp sum sumfp fft mbrot mbrotZ nucleic pi pnpoly ray simplex ack array1 string
sum1 cat tail wc read1 compiler conform dynamic earley graphs lattice matrix maze mazefun
nqueens paraffins parsing peval primes quicksort scheme slatex chudnovsky nboyer sboyer
gcbench mperm equal bv2string"
benchmarks=${BENCHMARKS:-$all}

work=$(mktemp -d)
trap 'if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -rP "$work"/. "$KEEP"; fi; rm -rf "$work"' EXIT
mkdir -p "$work/inputs" "$work/outputs" "$work/programs"
for f in "$suite"/inputs/*; do
    ln -s "$f" "$work/inputs/$(basename "$f")"
done
if [ ! -s "$work/inputs/bib" ]; then
    rm -f "$work/inputs/bib"
    awk 'BEGIN { srand(7); split("the of and a to in is was that for with as on by at from scheme collector page mark sweep pair vector string", w, " ");
                 for (line = 0; line < 11000; line++) { s = ""; n = 4 + int(rand() * 9);
                   for (i = 0; i < n; i++) s = s (i ? " " : "") w[1 + int(rand() * 24)]; print s } }' \
        > "$work/inputs/bib"
fi
read -r bib_lines bib_words bib_chars < <(wc -l -w -c < "$work/inputs/bib")

# The input of a benchmark: the suite's with its first datum (the iteration count) set
# to COUNT, or the whole input given here.
count_of() {
    case $1 in
        browse) echo 100 ;; deriv) echo 40000 ;; destruc) echo 240 ;; diviter) echo 25000 ;;
        divrec) echo 5000 ;; puzzle) echo 28 ;; triangl) echo 4 ;; fibc) echo 1 ;;
        sum) echo 25000 ;; sumfp) echo 6 ;; fft) echo 8 ;; mbrot) echo 12 ;;
        mbrotZ) echo 12 ;; nucleic) echo 2 ;; pi) echo 200 ;; pnpoly) echo 10000 ;;
        ray) echo 1 ;; simplex) echo 7000 ;; array1) echo 25 ;; string) echo 17 ;;
        sum1) echo 2 ;; cat) echo 12 ;; tail) echo 10 ;; wc) echo 12 ;; read1) echo 120 ;;
        compiler) echo 60 ;; conform) echo 17 ;; dynamic) echo 23 ;; lattice) echo 1 ;;
        matrix) echo 90 ;; maze) echo 500 ;; mazefun) echo 135 ;;
        paraffins) echo 1 ;; parsing) echo 90 ;; peval) echo 50 ;; primes) echo 500 ;;
        quicksort) echo 150 ;; scheme) echo 1400 ;; slatex) echo 18 ;; chudnovsky) echo 1350 ;;
        bv2string) echo 14 ;; *) echo "" ;;
    esac
}
input_of() {
    local name=$1
    case $name in
        tak) printf '2\n32\n16\n8\n9\n' ;;
        cpstak) printf '70\n18\n12\n6\n7\n' ;;
        ctak) printf '1\n18\n12\n6\n7\n' ;;
        takl | ntakl)
            printf '150\n(18 17 16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1)\n'
            printf '(12 11 10 9 8 7 6 5 4 3 2 1)\n(6 5 4 3 2 1)\n7\n' ;;
        fib) printf '28\n30\n832040\n' ;;
        fibfp) printf '4\n30.\n832040.\n' ;;
        nqueens) printf '1\n12\n14200\n' ;;
        ack) printf '6\n3\n9\n4093\n' ;;
        earley) printf '2\n12\n58786\n' ;;
        graphs) printf '2\n6\n10275\n' ;;
        nboyer | sboyer) printf '1\n3\n5375678\n' ;;
        gcbench) printf '1\n18\n0\n' ;;
        mperm) printf '1\n10\n2\n1\n16329600\n' ;;
        equal) printf '1\n100\n8\n1000\n2000\n5000\n#t\n' ;;
        wc) printf '%s\n"inputs/bib"\n(%s %s %s)\n' "$(count_of wc)" "$bib_lines" "$bib_words" "$bib_chars" ;;
        *)
            local count
            count=$(count_of "$name")
            if [ -z "$count" ]; then
                cat "$suite/inputs/$name.input"
            else
                # The first datum is the first token outside comments.
                awk -v count="$count" '!done && $0 !~ /^[ \t]*(;|$)/ { sub(/[^ \t;]+/, count); done = 1 } { print }' \
                    "$suite/inputs/$name.input"
            fi ;;
    esac
}

# Chez 9.5.8 has no R7RS libraries: the import forms go, and what the benchmarks use
# of R7RS that Chez lacks is defined. Names a benchmark defines that Chez also has are
# declared first, so that uses compiled before the definition refer to it.
chez_prelude='(define partition #f)
(define compile-program #f)
(define (this-scheme-implementation-name) (string-append "chez-" (scheme-version)))
(define (current-jiffy) (real-time))
(define (jiffies-per-second) 1000)
(define (current-second) (/ (real-time) 1000.))
(define (square x) (* x x))
(define (exact-integer? x) (and (integer? x) (exact? x)))
(define r6rs-flush-output-port flush-output-port)
(define (flush-output-port . p) (r6rs-flush-output-port (if (null? p) (current-output-port) (car p))))
(define (write-string s . p) (put-string (if (null? p) (current-output-port) (car p)) s))
(define (read-line . p) (get-line (if (null? p) (current-input-port) (car p))))
(define (truncate-quotient a b) (quotient a b))
(define (truncate-remainder a b) (remainder a b))
(define (floor-remainder a b) (modulo a b))
(define (exact-integer-sqrt* n) (exact-integer-sqrt n))
'
strip_imports() {
    awk 'skipping || /^\(import/ { skipping = 1; for (i = 1; i <= length($0); i++) { c = substr($0, i, 1); if (c == "(") d++; else if (c == ")") d-- }
                                    if (d <= 0) { skipping = 0; d = 0 } ; next } { print }' "$1"
}

make_program() {
    local scheme=$1 name=$2 out=$work/programs/$name.$1.scm
    case $scheme in
        rudo | rudo-base)
            { echo '(define (this-scheme-implementation-name) "rudo-scheme")'
              cat "$suite/src/$name.scm" "$suite/src/common.scm" "$suite/src/common-postlude.scm"; } > "$out" ;;
        guile)
            cat "$suite/src/Guile3-prelude.scm" "$suite/src/$name.scm" "$suite/src/common.scm" \
                "$suite/src/common-postlude.scm" > "$out" ;;
        chez)
            { printf '%s' "$chez_prelude"; strip_imports "$suite/src/$name.scm"
              strip_imports "$suite/src/common.scm"; cat "$suite/src/common-postlude.scm"; } > "$out" ;;
    esac
    echo "$out"
}

# Runs one program once: its wall time in seconds, or a word saying why not.
run_once() {
    local scheme=$1 program=$2 input=$3 log=$4 start end status
    local measure=()
    [ -x /usr/bin/time ] && measure=(/usr/bin/time -f %M -o "$log.rss")
    start=$(date +%s%N)
    set +e
    case $scheme in
        rudo) timeout "$timeout_s" "${measure[@]}" "$rudo" ${RUDO_ARGS:-} "$program" < "$input" > "$log" 2>&1 ;;
        rudo-base) timeout "$timeout_s" "${measure[@]}" $RUDO_BASE "$program" < "$input" > "$log" 2>&1 ;;
        guile) GC_INITIAL_HEAP_SIZE=100000000 timeout "$timeout_s" "${measure[@]}" guile "$program" < "$input" > "$log" 2>&1 ;;
        chez) timeout "$timeout_s" "${measure[@]}" scheme --script "$program" < "$input" > "$log" 2>&1 ;;
    esac
    status=$?
    set -e
    end=$(date +%s%N)
    if [ $status -eq 124 ]; then
        echo timeout
    elif grep -q 'INCORRECT' "$log"; then
        echo wrong
    elif [ $status -ne 0 ] || ! grep -q '^+!CSVLINE!+.*,[0-9][0-9.e-]*$' "$log"; then
        echo fails
    else
        awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
    fi
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

active=""
for s in $schemes; do have "$s" && active="$active $s"; done
printf '%-11s' benchmark
for s in $active; do printf ' %10s' "$s"; [ "$s" = rudo ] || printf ' %11s' "rudo/$s"; done
echo
cd "$work"
correct=0
total=0
declare -A ratio_logs
declare -A rss_medians rss_ratios
for name in $benchmarks; do
    total=$((total + 1))
    input_of "$name" > "$work/$name.input"
    declare -A times=()
    declare -A rss=()
    declare -A verdict=()
    for s in $active; do
        program=$(make_program "$s" "$name")
        [ "$s" = guile ] && run_once guile "$program" "$work/$name.input" /dev/null >/dev/null  # compiles
        times[$s]=""
        verdict[$s]=ok
    done
    for ((r = 0; r < runs; r++)); do
        for s in $active; do
            [ "${verdict[$s]}" = ok ] || continue
            t=$(run_once "$s" "$work/programs/$name.$s.scm" "$work/$name.input" "$work/$name.$s.log")
            case $t in
                [0-9]*)
                    times[$s]="${times[$s]} $t"
                    if [ -s "$work/$name.$s.log.rss" ]; then
                        rss[$s]="${rss[$s]:-} $(tail -1 "$work/$name.$s.log.rss")"
                    fi ;;
                *) verdict[$s]=$t ;;
            esac
        done
    done
    printf '%-11s' "$name"
    base=""
    for s in $active; do
        if [ "${verdict[$s]}" = ok ]; then
            m=$(tr ' ' '\n' <<<"${times[$s]}" | grep . | median)
        else
            m=${verdict[$s]}
        fi
        printf ' %10s' "$m"
        if [ "$s" = rudo ]; then
            base=$m
            [ "${verdict[$s]}" = ok ] && correct=$((correct + 1))
        else
            if [[ $m =~ ^[0-9] && $base =~ ^[0-9] ]]; then
                q=$(awk -v a="$base" -v b="$m" 'BEGIN { printf "%.3f", a / b }')
                printf ' %11s' "$q"
                ratio_logs[$s]="${ratio_logs[$s]:-} $q"
            else
                printf ' %11s' "-"
            fi
        fi
    done
    echo
    for s in $active; do
        [ -n "${rss[$s]:-}" ] || continue
        rss_medians[$s]="${rss_medians[$s]:-} $(tr ' ' '\n' <<<"${rss[$s]}" | grep . | median)"
    done
    if [ -n "${rss[rudo]:-}" ]; then
        mine=$(tr ' ' '\n' <<<"${rss[rudo]}" | grep . | median)
        for s in $active; do
            [ "$s" != rudo ] && [ -n "${rss[$s]:-}" ] || continue
            theirs=$(tr ' ' '\n' <<<"${rss[$s]}" | grep . | median)
            rss_ratios[$s]="${rss_ratios[$s]:-} $(awk -v a="$mine" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')"
        done
    fi
    unset times rss verdict
done
echo
echo "rudo-scheme: $correct of $total programs ran with correct results"
for s in $active; do
    [ "$s" = rudo ] && continue
    [ -n "${ratio_logs[$s]:-}" ] || continue
    tr ' ' '\n' <<<"${ratio_logs[$s]}" | grep . |
        awk -v s="$s" '{ l += log($1); n++ } END { printf "rudo-scheme / %s: geometric mean %.3f over %d programs (below 1: rudo-scheme is faster)\n", s, exp(l / n), n }'
done
for s in $active; do
    [ -n "${rss_medians[$s]:-}" ] || continue
    tr ' ' '\n' <<<"${rss_medians[$s]}" | grep . | median |
        awk -v s="$s" '{ printf "%s: peak resident memory, median over the programs, %.1f MB\n", s, $1 / 1024 }'
    [ "$s" != rudo ] && [ -n "${rss_ratios[$s]:-}" ] || continue
    tr ' ' '\n' <<<"${rss_ratios[$s]}" | grep . | median |
        awk -v s="$s" '{ printf "rudo-scheme / %s: peak memory, median ratio over the programs %.3f\n", s, $1 }'
done
