// The synthetic Gaussian cloud of `strata bench gaussians` and the Vulkan Gaussian tests: random
// Gaussians of SH degree 3 in a box in front of the origin (the bench camera looks down -z from
// there), small and semi-transparent like the Gaussians of a fitted scene. Plain C++;
// deterministic for given options.
#pragma once

#include <cstddef>
#include <cstdint>

#include "neural/core/math.h"
#include "neural/gaussians/gaussian_cloud.h"

namespace strata {

struct BenchGaussiansOptions {
  size_t count = 1000000;                     // Gaussians
  uint32_t seed = 11;                         // random seed
  vec3 center = vec3(0.0f, 0.0f, -8.0f);      // box centre, metres
  float half_extent = 4.0f;                   // box half side, metres
  float scale_lo = 0.005f, scale_hi = 0.03f;  // standard deviations drawn from, metres
};

// `options.count` random Gaussians: uniform positions in the box, per-axis scales uniform in
// [scale_lo, scale_hi], uniform random rotations, opacity logits in [-3, 3], DC colour within
// +-1.5 and higher SH bands within +-0.3. Parallel; the result depends only on the options.
GaussianCloud make_bench_gaussians(const BenchGaussiansOptions& options);

}  // namespace strata
