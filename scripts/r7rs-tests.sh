#!/usr/bin/env bash
# Runs chibi-scheme's R7RS test file (tests/r7rs-tests.scm of ashinn/chibi-scheme) from
# a checkout of chibi-scheme, with the stand-in (chibi test) of tests/r7rs-suite, and
# prints each failed assertion and the totals.
#
#   scripts/r7rs-tests.sh CHIBI-DIR
#
# The file is read where it is; nothing is copied into this repository.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 CHIBI-DIR" >&2; exit 2; }
tests="$(cd "$1" && pwd)/tests/r7rs-tests.scm"
[ -f "$tests" ] || { echo "$tests not found" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q --manifest-path "$root/Cargo.toml" -p rudo-scheme
cd "$(mktemp -d)"
exec "$root/target/release/rudo-scheme" -I "$root/tests/r7rs-suite" "$tests"
