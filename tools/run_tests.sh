#!/usr/bin/env bash
# The README's test command: installs what is missing, builds a preset
# (default: release) and runs every test under CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
tools/setup.sh "$preset"
tools/build.sh "$preset"
ctest --preset "$preset"
