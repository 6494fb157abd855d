#!/usr/bin/env bash
# Configures and builds one preset (default: release). Usage: tools/build.sh [PRESET]
# The release build's syncsim is then linked onto PATH (/usr/local/bin when
# writable, else ~/.local/bin), so that the replay commands a run prints
# ("syncsim run FILE --seed N") run as printed from the same directory.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
# Best effort: a machine where neither folder can be written still builds.
if [ "$preset" = release ]; then
  binary="$PWD/build/release/tools/syncsim/syncsim"
  bin_dir=/usr/local/bin
  if [ ! -w "$bin_dir" ] && [ -n "${HOME:-}" ]; then bin_dir="$HOME/.local/bin"; fi
  if [ "$(readlink "$bin_dir/syncsim" 2>/dev/null || true)" != "$binary" ]; then
    if mkdir -p "$bin_dir" 2>/dev/null && ln -sfn "$binary" "$bin_dir/syncsim" 2>/dev/null; then
      echo "build: linked $bin_dir/syncsim -> $binary" >&2
    else
      echo "build: could not link syncsim into $bin_dir; run $binary by its path" >&2
    fi
  fi
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "build: $bin_dir is not on PATH; add it to run syncsim by name" >&2 ;;
  esac
fi
