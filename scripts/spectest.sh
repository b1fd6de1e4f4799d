#!/usr/bin/env bash
# Runs the WebAssembly spec testsuite (every script but the SIMD ones) with
# `tern spectest`: converts each .wast with wast2json into a temporary
# directory, then prints one line per script and the closing line
# `N passed, M failed`.
#
# usage: scripts/spectest.sh [--suite DIR] [--compare] [NAME...]
#   --suite DIR   the testsuite's .wast files (default: $TERN_SPEC_SUITE, else
#                 ../shared/wasm-spec-testsuite beside the repository)
#   --compare     also run wabt's spectest-interp on every script and check
#                 that tern passes exactly as many tests per script
#   NAME...       only these scripts (e.g. i32 f64_cmp)
# The tern binary is $TERN_BIN, else `swift build --product tern` (a debug
# build runs the whole suite in seconds).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
suite=${TERN_SPEC_SUITE:-$(dirname "$repo")/shared/wasm-spec-testsuite}
compare=false
names=()

fail() { echo "error: $*" >&2; exit 2; }

while (($#)); do
    case $1 in
        --suite) (($# >= 2)) || fail "--suite needs a directory"; suite=$2; shift 2 ;;
        --suite=*) suite=${1#--suite=}; shift ;;
        --compare) compare=true; shift ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) fail "unknown option $1 (see --help)" ;;
        *) names+=("$1"); shift ;;
    esac
done

[[ -d $suite ]] || fail "no spec testsuite at $suite (set TERN_SPEC_SUITE or pass --suite DIR)"
command -v wast2json >/dev/null || fail "wast2json not found (apt-get install wabt)"
if $compare; then
    command -v spectest-interp >/dev/null || fail "spectest-interp not found (apt-get install wabt)"
fi

if [[ -n ${TERN_BIN:-} ]]; then
    tern=$TERN_BIN
else
    (cd "$repo" && swift build --product tern >&2)
    tern="$(cd "$repo" && swift build --show-bin-path)/tern"
fi
[[ -x $tern ]] || fail "no tern binary at $tern"

work=$(mktemp -d "${TMPDIR:-/tmp}/tern-spectest.XXXXXX")
trap 'rm -rf "$work"' EXIT

if ((${#names[@]} == 0)); then
    for wast in "$suite"/*.wast; do
        name=$(basename "$wast" .wast)
        [[ $name == simd_* ]] || names+=("$name")
    done
fi
((${#names[@]} > 0)) || fail "no .wast scripts in $suite"
for name in "${names[@]}"; do
    [[ -f $suite/$name.wast ]] || fail "no script $suite/$name.wast"
    wast2json "$suite/$name.wast" -o "$work/$name.json"
done

status=0
"$tern" spectest --suite-dir "$work" | tee "$work/tern.log" || status=$?

if $compare; then
    echo "comparing with spectest-interp:"
    mismatches=0
    for name in "${names[@]}"; do
        # spectest-interp closes with "P/T tests passed."; tern prints "NAME.json: P passed, F failed".
        expected=$( (cd "$work" && spectest-interp "$name.json" 2>&1 || true) | sed -n 's|^\([0-9]*\)/[0-9]* tests passed\.$|\1|p')
        actual=$(sed -n "s|^$name\.json: \([0-9]*\) passed, [0-9]* failed\$|\1|p" "$work/tern.log")
        if [[ -z $expected || $expected != "$actual" ]]; then
            echo "  $name: spectest-interp passed ${expected:-?}, tern passed ${actual:-?}"
            mismatches=$((mismatches + 1))
        fi
    done
    if ((mismatches == 0)); then
        echo "  all ${#names[@]} scripts pass as many tests as with spectest-interp"
    else
        echo "  $mismatches of ${#names[@]} scripts differ"
        status=1
    fi
fi
exit $status
