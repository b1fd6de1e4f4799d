#!/usr/bin/env bash
# The project's test command (CI runs exactly this): installs the test tools
# if missing (scripts/setup.sh), builds, runs the unit and end-to-end tests,
# then the WebAssembly spec testsuite compared against wabt's
# spectest-interp. Set TERN_REQUIRE_TOOLS=1 to make tests fail rather than
# skip when a tool is missing (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build
swift test
scripts/spectest.sh --compare
