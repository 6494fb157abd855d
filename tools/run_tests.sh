#!/usr/bin/env bash
# The README's test command: installs what is missing, builds a preset
# (default: release) and runs every test under CTest. Arguments after the
# preset go to ctest (CI uses them to run a subset in the Clang build).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
tools/setup.sh "$preset"
tools/build.sh "$preset"
ctest --preset "$preset" "$@"
