#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (the fuzz preset: Clang 14 with
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs each for
# SECONDS (default 60) from its seed corpus: the message codec from
# fuzz/corpus/message_codec, the scenario loader from every scenario file
# and every malformed scenario of the tests. Prints how many inputs each
# target executed; exits 1 on a finding (the crashing input is kept under
# build/fuzz/findings/). Usage: tools/run_fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
tools/setup.sh fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
runs=build/fuzz/runs
findings=build/fuzz/findings
rm -rf "$runs"
mkdir -p "$runs/message_codec" "$runs/scenario_loader" "$findings"
cp fuzz/corpus/message_codec/* "$runs/message_codec/"
# Names may repeat across folders: number the copies.
index=0
while IFS= read -r file; do
  cp "$file" "$runs/scenario_loader/seed-$index.json"
  index=$((index + 1))
done < <(find scenarios tests/malformed_scenarios -name '*.json' | sort)
status=0
for target in message_codec scenario_loader; do
  log="$runs/$target.log"
  # -timeout: one input taking 10 s is a finding (the loader must be
  # linear); -rss_limit_mb: so is one that needs 2 GB.
  if ! "build/fuzz/fuzz/fuzz_$target" "$runs/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$findings/$target-" >"$log" 2>&1; then
    echo "fuzz: $target found a failing input (see $log and $findings/)" >&2
    tail -n 40 "$log" >&2
    status=1
  fi
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  corpus=$(find "$runs/$target" -type f | wc -l)
  echo "fuzz: $target executed ${executed:-?} inputs in $seconds s (corpus now $corpus inputs)"
done
exit "$status"
