#!/usr/bin/env bash
# Times the shared benchmark kernels under `tern run --invoke run N` and under
# WasmKit (`wasmkit run K.wasm run i32:N`), side by side in one run: each of
# the rounds runs every kernel once on both engines, so a slow phase of the
# machine hits both alike. Reports the best of the rounds per engine, the
# ratio tern/wasmkit per kernel and their geometric mean, and checks every
# checksum against expected.txt (exit 1 on any mismatch).
#
#   benchmarks/engine.sh                 # all kernels, 5 rounds
#   benchmarks/engine.sh --rounds 3 --kernels fib,sort
#
# Environment: TERN_BIN (default: release build, built if missing),
# WASMKIT (default /opt/swift/usr/bin/wasmkit), TERN_SHARED_DIR (default
# ../shared from the repository root).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${TERN_SHARED_DIR:-$root/../shared}"
bench="$shared/bench"
[ -f "$bench/expected.txt" ] || { echo "engine.sh: no benchmark kernels at $bench (set TERN_SHARED_DIR)" >&2; exit 1; }
wasmkit="${WASMKIT:-/opt/swift/usr/bin/wasmkit}"
if [ -z "${TERN_BIN:-}" ]; then
    (cd "$root" && swift build -c release --product tern >/dev/null)
    TERN_BIN="$root/.build/release/tern"
fi
exec python3 "$root/benchmarks/engine.py" --tern "$TERN_BIN" --wasmkit "$wasmkit" --bench "$bench" "$@"
