#!/usr/bin/env bash
# The differential tester for longer than the test suite runs it: new seeds for MINUTES
# minutes (default 10), each program run by the VM, the unoptimised VM and the
# reference evaluator (every tenth also under --gc-stress). A difference is printed with
# its program shrunk. FROM picks the first seed (default: one past the suite's).
#
#   scripts/fuzz-diff.sh 60
#   FROM=1000000 scripts/fuzz-diff.sh 5
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
from=${FROM:-3000}
cargo build --release -q -p rudo-difftest || exit 1
bin=target/release/rudo-difftest
# A program that runs away with memory ends in an abort the search below finds, not in
# the machine's swap.
ulimit -v 8000000
progress=$(mktemp)
trap 'rm -f "$progress"' EXIT
"$bin" --from "$from" --minutes "$minutes" 2> >(tee "$progress" >&2)
status=$?
if [ $status -gt 128 ]; then
    # The process died (a crash in the VM takes the tester with it): find the program.
    echo "rudo-difftest died with signal $((status - 128)); looking for the program..."
    seed=$(grep -o 'up to seed [0-9]*' "$progress" | tail -1 | grep -o '[0-9]*$')
    seed=${seed:-$from}
    while :; do
        if ! "$bin" --from "$seed" --count 1 >/dev/null 2>&1; then
            echo "seed $seed:"
            "$bin" --print "$seed"
            exit 1
        fi
        seed=$((seed + 1))
    done
fi
exit $status
