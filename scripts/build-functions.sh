#!/usr/bin/env bash
# Builds the example functions (examples/functions/<name>/<name>.c) into
# examples/functions/<name>/<name>.wasm with clang's wasm32-wasi target and
# wasi-libc. The .wasm files are committed, so running Tern does not need
# clang; rebuild them after changing a source or sdk/c/tern_proxy_wasm.h.
#
# Usage: scripts/build-functions.sh [name...]   (default: every example)
# Environment: CLANG (default clang), WASI_SYSROOT (default: the wasi-sdk
# style /usr/share/wasi-sysroot when present, else clang's own search paths,
# which is where Debian's wasi-libc package installs).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
clang="${CLANG:-clang}"
sysroot="${WASI_SYSROOT:-}"
if [[ -z "$sysroot" && -d /usr/share/wasi-sysroot ]]; then
    sysroot=/usr/share/wasi-sysroot
fi

# Reactor: the module exports _initialize (run once at load) instead of a
# _start that would run main and exit.
# wasi-libc ships DWARF; --strip-debug drops it but keeps the name section
# (function names in trap backtraces).
flags=(--target=wasm32-wasi -O2 -mexec-model=reactor -I "$root/sdk/c" -Wall -Wextra -Wno-unused-parameter
       -Wl,--strip-debug)
if [[ -n "$sysroot" ]]; then
    flags+=(--sysroot="$sysroot")
fi

if [[ $# -gt 0 ]]; then
    names=("$@")
else
    names=()
    for directory in "$root"/examples/functions/*/; do
        names+=("$(basename "$directory")")
    done
fi

for name in "${names[@]}"; do
    source="$root/examples/functions/$name/$name.c"
    output="$root/examples/functions/$name/$name.wasm"
    if [[ ! -f "$source" ]]; then
        echo "no such example: $source" >&2
        exit 1
    fi
    "$clang" "${flags[@]}" -o "$output" "$source"
    echo "built examples/functions/$name/$name.wasm ($(wc -c <"$output") bytes)"
done
