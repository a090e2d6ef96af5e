#!/usr/bin/env bash
# The whole test suite: every crate's unit and integration tests (the golden Scheme
# tests and the GC stress programs among them), in release mode so that the large-heap
# tests run at full size, once with the default features (lazy sweeping) and once
# without (the sweep in the pause); then the loom model of the markers' protocol. Ends
# with one line that sums up every test binary's results.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== default features (lazy sweep)"
cargo test --workspace --release 2>&1 | tee "$log"
echo "== --no-default-features (eager sweep)"
# The differential tester does not depend on the sweep: it runs once.
cargo test --workspace --release --no-default-features --exclude rudo-difftest 2>&1 | tee -a "$log"
echo "== loom model of the marker protocol"
scripts/loom.sh 2>&1 | tee -a "$log"
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
