#!/usr/bin/env bash
# Installs the Debian packages the tests use, when any is missing:
#   wabt                     wast2json, wat2wasm, spectest-interp (spec testsuite, test modules)
#   clang lld wasi-libc      C test programs and example functions (--target=wasm32-wasi)
#   libclang-rt-14-dev-wasm32  compiler-rt builtins for wasm32
# Needs root (as on CI and the project's machines) or sudo; prints what it
# would install otherwise.
set -euo pipefail

packages=(wabt clang lld wasi-libc libclang-rt-14-dev-wasm32)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

echo "setup: installing ${missing[*]}" >&2
if ((EUID == 0)); then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "setup: not root and no sudo; install these first: ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
