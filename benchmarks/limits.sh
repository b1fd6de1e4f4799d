#!/usr/bin/env bash
# The cost of the sandbox's checks: times the shared benchmark kernels under
# `tern run --invoke run N` with no limits and with every limit on
# (--timeout, --fuel, --max-memory, --max-depth; values that no kernel
# reaches), side by side in one run: each round runs every kernel in both
# configurations, alternating which goes first. Reports the best of the
# rounds, the ratio on/off per kernel and their geometric mean against the
# 10 % target, and checks every checksum against expected.txt (exit 1 on
# any mismatch).
#
#   benchmarks/limits.sh                 # all kernels, 5 rounds
#   benchmarks/limits.sh --rounds 3 --kernels fib,sort
#
# Environment: TERN_BIN (default: release build, built if missing),
# TERN_SHARED_DIR (default ../shared from the repository root).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${TERN_SHARED_DIR:-$root/../shared}"
bench="$shared/bench"
[ -f "$bench/expected.txt" ] || { echo "limits.sh: no benchmark kernels at $bench (set TERN_SHARED_DIR)" >&2; exit 1; }
if [ -z "${TERN_BIN:-}" ]; then
    (cd "$root" && swift build -c release --product tern >/dev/null)
    TERN_BIN="$root/.build/release/tern"
fi
exec python3 "$root/benchmarks/limits.py" --tern "$TERN_BIN" --bench "$bench" "$@"
