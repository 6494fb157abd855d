#!/usr/bin/env bash
# The README's main job: installs what is missing, builds the release
# preset, and runs the default scenario end to end (Alice indexes the seed
# transcript's location, Bob receives it in real time). Prints the verdict
# and the snapshot folder. Extra arguments go to `syncsim run`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh release >/dev/null
exec build/release/tools/syncsim/syncsim run scenarios/regression/realtime_alice_to_bob.json --force "$@"
