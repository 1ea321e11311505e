#!/usr/bin/env bash
# The main job on the bundled sample scene: installs what is missing, builds strata and renders
# the room-corner structural MPI along a camera path into out/room_corner/ (headless).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF
build/apps/strata info assets/room_corner
build/apps/strata render assets/room_corner --orbit --frames 48 --out out/room_corner --depth png16 "$@"
