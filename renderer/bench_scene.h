// The synthetic structural MPI of `strata bench planes` and the Vulkan tests: a room posed on its
// own surfaces (back wall, floor, side walls, ceiling), two panels crossing the rest (a tinted
// glass pane and a perforated board), and fronto-parallel planes at even inverse depth holding
// sparse, soft-edged objects, as real MPIs do (mostly transparent, some low-alpha haze).
// Plain C++; deterministic for given options.
#pragma once

#include <cstdint>

#include "neural/core/camera.h"
#include "neural/planes/plane_set.h"

namespace strata {

struct BenchSceneOptions {
  int planes = 32;    // total planes (>= 1): up to 7 structural, the rest fronto-parallel
  int width = 1280;   // reference image width, pixels; texture sizes scale with it
  int height = 720;   // reference image height, pixels; fronto-parallel textures are width x height
  uint32_t seed = 1;  // varies the objects on the fronto-parallel planes
};

// Builds the scene; reference_camera is a pinhole at the origin looking down -z (50 degrees
// vertical field of view) at width x height. Throws std::invalid_argument for sizes < 1.
PlaneSet make_bench_planes(const BenchSceneOptions& options);

// The camera of frame `frame` of `frames`: the reference camera moved around a small loop
// (about 0.3 m wide) while looking at the room's centre, as a viewer would move.
Camera bench_camera(int width, int height, int frame, int frames);

}  // namespace strata
