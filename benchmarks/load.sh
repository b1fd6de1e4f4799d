#!/usr/bin/env bash
# Module load + instantiate time of a ~300 KB module, tern vs wasmkit, side by
# side: whole-process time of invoking an empty export of the large module
# minus the same for a one-function module, best of the rounds.
#
#   benchmarks/load.sh [--rounds 10]
#
# Needs wat2wasm (Debian's wabt). Environment: TERN_BIN, WASMKIT as engine.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
wasmkit="${WASMKIT:-/opt/swift/usr/bin/wasmkit}"
command -v wat2wasm >/dev/null || { echo "load.sh: wat2wasm not found (apt-get install wabt)" >&2; exit 1; }
if [ -z "${TERN_BIN:-}" ]; then
    (cd "$root" && swift build -c release --product tern >/dev/null)
    TERN_BIN="$root/.build/release/tern"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$root/benchmarks/gen_large_module.py" 2400 > "$work/large.wat"
echo '(module (func (export "noop")))' > "$work/small.wat"
wat2wasm "$work/large.wat" -o "$work/large.wasm"
wat2wasm "$work/small.wat" -o "$work/small.wasm"
exec python3 "$root/benchmarks/load.py" --tern "$TERN_BIN" --wasmkit "$wasmkit" --dir "$work" "$@"
