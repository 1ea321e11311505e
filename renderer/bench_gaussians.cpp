#include "renderer/bench_gaussians.h"

#include <cmath>
#include <random>

#include "neural/core/parallel.h"

namespace strata {

GaussianCloud make_bench_gaussians(const BenchGaussiansOptions& o) {
  GaussianCloud c;
  c.sh_degree = 3;
  c.resize(o.count);
  // Chunks with their own seeds: parallel, and independent of the thread count.
  constexpr size_t kChunk = 65536;
  const size_t chunks = (o.count + kChunk - 1) / kChunk;
  parallel_for(chunks, 1, [&](size_t c0, size_t c1) {
    for (size_t chunk = c0; chunk < c1; ++chunk) {
      std::mt19937 rng(o.seed * 7919u + uint32_t(chunk));
      std::uniform_real_distribution<float> u(-1.0f, 1.0f), u01(0.0f, 1.0f);
      for (size_t i = chunk * kChunk; i < std::min(o.count, (chunk + 1) * kChunk); ++i) {
        c.positions[i] = o.center + o.half_extent * vec3(u(rng), u(rng), u(rng));
        for (int a = 0; a < 3; ++a)
          c.log_scales[i][a] = std::log(o.scale_lo + (o.scale_hi - o.scale_lo) * u01(rng));
        quat q(u(rng), u(rng), u(rng), u(rng));
        c.rotations[i] = glm::length(q) > 1e-3f ? glm::normalize(q) : quat(1, 0, 0, 0);
        c.opacity_logits[i] = 3.0f * u(rng);
        for (int k = 0; k < c.sh_coefficients(); ++k)
          c.sh_at(i, k) = (k == 0 ? 1.5f : 0.3f) * vec3(u(rng), u(rng), u(rng));
      }
    }
  });
  return c;
}

}  // namespace strata
