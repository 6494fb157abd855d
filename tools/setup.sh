#!/usr/bin/env bash
# Installs the Debian packages syncsim builds with (and Clang 14 for the
# release-clang preset: tools/setup.sh release-clang, and libFuzzer for the
# fuzz preset). Idempotent: when every
# package is already installed it returns at once without touching apt.
set -euo pipefail
preset=${1:-}

packages=(
  build-essential cmake ninja-build pkg-config
  libsqlite3-dev sqlite3
  catch2 librapidcheck-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev
  graphviz
)
if [ "$preset" = release-clang ]; then packages+=(clang-14); fi
# libFuzzer and Clang's sanitizer runtimes (a recommendation of clang-14,
# which --no-install-recommends leaves out).
if [ "$preset" = fuzz ]; then packages+=(clang-14 libclang-rt-14-dev); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_command=()
if [ "$(id -u)" -ne 0 ]; then sudo_command=(sudo); fi
"${sudo_command[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_command[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
