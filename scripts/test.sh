#!/usr/bin/env bash
# Builds strata with its tests and runs every test through ctest; installs what is missing.
# usage: scripts/test.sh [--sanitize]   (--sanitize: Debug build with ASan + UBSan, in build-asan/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
build_dir=build
options=(-DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=ON -DSTRATA_SANITIZE=OFF)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  options=(-DCMAKE_BUILD_TYPE=Debug -DSTRATA_BUILD_TESTS=ON -DSTRATA_SANITIZE=ON)
  # Mesa's drivers are not built with the sanitizers: their allocations are not ours to judge.
  export ASAN_OPTIONS=detect_leaks=0
fi
scripts/build.sh "$build_dir" "${options[@]}"
# The npm packages the glTF tests drive (versions pinned by package-lock.json, no other downloads).
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
fi
# This script installs the Khronos validation layer: Vulkan tests must run with it, not skip it.
export STRATA_REQUIRE_VALIDATION=1
[ -d ../shared ] || echo "strata: ../shared is absent: tests that need it will be skipped"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
