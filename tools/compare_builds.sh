#!/usr/bin/env bash
# Two builds of syncsim (say GCC's and Clang's) must give the same runs:
# for every scenario file with its own seed (the run its CTest test makes),
# the same exit code, the same trace fingerprint and state fingerprint, and
# byte-identical summary.json in every phase. Usage: tools/compare_builds.sh SYNCSIM_A SYNCSIM_B
# Prints one line per difference and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  echo "usage: tools/compare_builds.sh SYNCSIM_A SYNCSIM_B" >&2
  exit 2
fi
binary_a=$1
binary_b=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The value of a string field of the one-line JSON that `run --json` prints.
field() { grep -o "\"$1\":\"[0-9a-f]*\"" "$2" | head -1; }

# One build's run of $scenario into $work/SIDE, its exit code in SIDE.rc.
run_side() {
  local side=$1 binary=$2
  set +e
  "$binary" run "$scenario" --json --force --out "$work/$side" > "$work/$side.json" 2>/dev/null
  echo $? > "$work/$side.rc"
  set -e
}

runs=0
differences=0
for scenario in $(find scenarios -name '*.json' | sort); do
  runs=$((runs + 1))
  # The two builds run side by side (CI machines have two cores).
  run_side a "$binary_a" &
  run_side b "$binary_b" &
  wait
  what="$scenario (its own seed)"
  if ! cmp -s "$work/a.rc" "$work/b.rc"; then
    echo "differs: $what: exit code $(cat "$work/a.rc") vs $(cat "$work/b.rc")"
    differences=$((differences + 1))
    continue
  fi
  for key in fingerprint state_fingerprint; do
    if [ "$(field "$key" "$work/a.json")" != "$(field "$key" "$work/b.json")" ]; then
      echo "differs: $what: $key $(field "$key" "$work/a.json") vs $(field "$key" "$work/b.json")"
      differences=$((differences + 1))
    fi
  done
  if [ -z "$(field fingerprint "$work/a.json")" ]; then
    echo "differs: $what: no fingerprint printed (exit code $(cat "$work/a.rc"))"
    differences=$((differences + 1))
  fi
  summaries=0
  while IFS= read -r summary; do
    summaries=$((summaries + 1))
    relative=${summary#"$work/a/"}
    if ! cmp -s "$summary" "$work/b/$relative"; then
      echo "differs: $what: $relative"
      differences=$((differences + 1))
    fi
  done < <(find "$work/a" -name summary.json | sort)
  if [ "$summaries" -eq 0 ] && [ "$(cat "$work/a.rc")" -le 1 ] && grep -q '"snapshot"' "$scenario"; then
    echo "differs: $what: no summary.json written"
    differences=$((differences + 1))
  fi
  rm -rf "$work/a" "$work/b"
done
echo "compare_builds: $runs runs (every scenario, its own seed): $differences difference(s)"
if [ "$runs" -eq 0 ]; then
  echo "compare_builds: no scenario found" >&2
  exit 1
fi
[ "$differences" -eq 0 ]
