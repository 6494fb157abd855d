#!/usr/bin/env bash
# Renders report.html in a real browser (headless Chromium) and fails on any
# console message (a script error, a resource that could not load) or when
# the page lacks what a person looks at first. Skipped (exit 77) when
# Chromium is not installed.
#
# Usage: check_report_in_chromium.sh SYNCSIM SCENARIO WORK_DIR [SCREENSHOT.png]
set -euo pipefail
syncsim=$1
scenario=$2
work=$3
screenshot=${4:-}

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
done
if [ -z "$browser" ]; then
  echo "chromium is not installed: skipped" >&2
  exit 77
fi

rm -rf "$work"
mkdir -p "$work"

# Flags: no sandbox (CI runs as root), nothing fetched in the background, a
# fresh profile, console messages on stderr.
render() {  # render PAGE_URL OUT_DOM LOG [extra flags...]
  local url=$1 dom=$2 log=$3
  shift 3
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$RANDOM" --enable-logging=stderr --v=0 \
    --virtual-time-budget=3000 "$@" --dump-dom "$url" >"$dom" 2>"$log"
}

# First prove that this check sees a console error at all.
cat >"$work/planted.html" <<'HTML'
<!DOCTYPE html><html><body><p>planted</p><script>console.error("planted console error");</script></body></html>
HTML
render "file://$work/planted.html" "$work/planted.dom" "$work/planted.log"
if ! grep -q 'CONSOLE.*planted console error' "$work/planted.log"; then
  echo "FAIL: the browser did not report a planted console error; this check would see nothing" >&2
  cat "$work/planted.log" >&2
  exit 1
fi

"$syncsim" run "$scenario" --out "$work/snapshots" --force >"$work/run.txt"
report=$(find "$work/snapshots" -name report.html | head -n 1)
if [ -z "$report" ]; then
  echo "FAIL: syncsim run wrote no report.html" >&2
  cat "$work/run.txt" >&2
  exit 1
fi

render "file://$report" "$work/report.dom" "$work/report.log"
if grep -q 'CONSOLE' "$work/report.log"; then
  echo "FAIL: console messages while rendering $report:" >&2
  grep 'CONSOLE' "$work/report.log" >&2
  exit 1
fi
for expected in 'class="glance"' 'Phase <code>final_state</code>' '<svg' 'Messages over virtual time' 'links'; do
  if ! grep -qF "$expected" "$work/report.dom"; then
    echo "FAIL: the rendered page lacks: $expected" >&2
    exit 1
  fi
done
# Self-contained: no address outside the page.
if grep -Eq '(src|href)="(https?:)?//' "$report"; then
  echo "FAIL: report.html refers to something outside itself" >&2
  exit 1
fi
if [ -n "$screenshot" ]; then
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-shot" --hide-scrollbars --window-size=1200,1500 \
    --screenshot="$screenshot" "file://$report" 2>/dev/null
fi
echo "report rendered in $("$browser" --version 2>/dev/null | head -n 1) without console messages: $report"
