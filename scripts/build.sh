#!/usr/bin/env bash
# Configures and builds strata into a build folder. Used by demo.sh and test.sh.
# usage: scripts/build.sh BUILD_DIR [cmake -D options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$1
shift
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" "${generator[@]}" "$@" >/dev/null
else
  cmake "$build_dir" "$@" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)"
