#!/bin/sh
# Builds the WASI test programs (Tests/Fixtures/wasi/*.c) into .wasm modules
# with clang's wasm32-wasi target and wasi-libc (Debian: clang lld wasi-libc
# libclang-rt-14-dev-wasm32). Output goes to OUT_DIR (default:
# .build/test-modules under the repository); nothing is committed.
#
# Usage: scripts/build-test-modules.sh [OUT_DIR]
# Exit status: 0 built (or up to date), 1 a compile failed, 77 tools missing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/.build/test-modules"}
src="$root/Tests/Fixtures/wasi"
cc=${WASI_CC:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build-test-modules: $cc not found (install clang lld wasi-libc libclang-rt-14-dev-wasm32)" >&2
    exit 77
fi
# Debian's wasi-libc lives in clang's default wasm32-wasi paths; an explicit
# sysroot (WASI_SYSROOT, or /usr/share/wasi-sysroot when present) wins.
sysroot=${WASI_SYSROOT:-}
if [ -z "$sysroot" ] && [ -d /usr/share/wasi-sysroot ]; then sysroot=/usr/share/wasi-sysroot; fi
set -- --target=wasm32-wasi -O1 -Wall
if [ -n "$sysroot" ]; then set -- "$@" --sysroot="$sysroot"; fi

# Probe once so a missing libc or linker is reported as "tools missing".
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int main(void){return 0;}\n' > "$probe/probe.c"
if ! "$cc" "$@" -o "$probe/probe.wasm" "$probe/probe.c" 2>"$probe/log"; then
    echo "build-test-modules: $cc cannot build wasm32-wasi programs:" >&2
    cat "$probe/log" >&2
    exit 77
fi

mkdir -p "$out"
for file in "$src"/*.c; do
    name=$(basename "$file" .c)
    target="$out/$name.wasm"
    if [ ! -f "$target" ] || [ "$file" -nt "$target" ]; then
        "$cc" "$@" -o "$target.tmp" "$file"
        mv "$target.tmp" "$target"
        echo "built $target"
    fi
done
