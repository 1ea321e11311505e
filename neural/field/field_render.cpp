#include "neural/field/field_render.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "neural/core/parallel.h"
#include "neural/field/field_math.h"
#include "neural/field/field_network.h"
#include "neural/field/ray_marching.h"

namespace strata {

namespace {

constexpr size_t kRoundSamples = 2048;  // samples per network batch
constexpr float kMinColorWeight = 1e-6f;

struct PixelRay {
  MarchState march;
  int x = 0, y = 0;
  vec3 color{0.0f};
  float transmittance = 1.0f;
  float depth_sum = 0.0f;  // sum of weight * t
  float median_t = -1.0f;  // where the transmittance crossed 1/2 (-1: not yet)
  vec3 direction_in_camera{0.0f};
};

}  // namespace

RenderOutput render_field(const RadianceField& field, const Camera& camera,
                          const FieldRenderOptions& options, FieldRenderStats* stats) {
  const auto start = std::chrono::steady_clock::now();
  const FieldNetwork network(field.config);
  RenderOutput out;
  out.color = Image(camera.width, camera.height);
  out.depth = ScalarImage(camera.width, camera.height);
  std::atomic<size_t> total_samples{0}, total_color{0};
  const float* params = field.params.data();

  parallel_for_tiles(
      camera.width, camera.height, std::max(1, options.tile), [&](int x0, int y0, int x1, int y1) {
        FieldBatch batch;
        batch.allocate(network, kRoundSamples + 64, false);
        std::vector<PixelRay> rays;
        std::vector<uint32_t> alive, next_alive, counts, keep;
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) {
            PixelRay r;
            r.x = x, r.y = y;
            const vec2 pixel(float(x) + 0.5f, float(y) + 0.5f);
            r.march = start_march(field.config, camera.ray(pixel), 0.5f);
            r.direction_in_camera = camera.direction_in_camera(pixel);
            if (!r.march.done) alive.push_back(uint32_t(rays.size()));
            rays.push_back(r);
          }
        size_t samples = 0, color_samples = 0;
        while (!alive.empty()) {
          // A few samples per live ray: more when few rays are left, so batches stay full.
          const int k = int(std::clamp<size_t>(kRoundSamples / alive.size(), 4, 64));
          batch.reserve(network, alive.size() * size_t(k) + 16, 0);
          size_t n = 0;
          counts.assign(alive.size(), 0);
          for (size_t a = 0; a < alive.size(); ++a) {
            counts[a] = uint32_t(march_samples(field, rays[alive[a]].march, alive[a], k, batch, n));
            n += counts[a];
          }
          network.forward_density(params, batch, 0, n);
          samples += n;
          // Transmittance along each ray; keep the samples whose colour is visible.
          const float *sigma = batch.sigma.row(0), *t = batch.t.row(0);
          float* dt = batch.dt.row(0);  // becomes the weight once it is known
          size_t col = 0;
          keep.clear();
          next_alive.clear();
          for (size_t a = 0; a < alive.size(); ++a) {
            PixelRay& r = rays[alive[a]];
            for (uint32_t i = 0; i < counts[a]; ++i, ++col) {
              if (r.transmittance < kTransmittanceEpsilon) continue;
              const float w = r.transmittance * segment_alpha(sigma[col], dt[col]);
              if (r.median_t < 0.0f && r.transmittance - w <= 0.5f && w > 0.0f) {
                // Linear within the segment [t - dt/2, t + dt/2] between the two transmittances.
                const float f = (r.transmittance - 0.5f) / w;
                r.median_t = t[col] + (f - 0.5f) * dt[col];
              }
              r.transmittance -= w;
              r.depth_sum += w * t[col];
              dt[col] = w;
              if (w >= kMinColorWeight) keep.push_back(uint32_t(col));
            }
            if (r.transmittance < kTransmittanceEpsilon) r.march.done = true;
            if (!r.march.done) next_alive.push_back(alive[a]);
          }
          const size_t kept = keep.size();
          batch.compact(0, keep.data(), kept, true);
          const float* weight_row = batch.dt.row(0);
          network.forward_color(params, batch, 0, kept);
          color_samples += kept;
          const float *cr = batch.rgb.row(0), *cg = batch.rgb.row(1), *cb = batch.rgb.row(2);
          for (size_t i = 0; i < kept; ++i)
            rays[batch.ray[i]].color += weight_row[i] * vec3(cr[i], cg[i], cb[i]);
          alive.swap(next_alive);
        }
        for (const PixelRay& r : rays) {
          const float alpha = 1.0f - r.transmittance;
          vec4 c(r.color, alpha);
          if (options.background) c = vec4(r.color + r.transmittance * *options.background, 1.0f);
          out.color.at(r.x, r.y) = c;
          if (options.median_depth)
            out.depth.at(r.x, r.y) =
                r.median_t >= 0.0f ? camera.depth_of_hit(r.median_t, r.direction_in_camera) : 0.0f;
          else
            out.depth.at(r.x, r.y) =
                alpha >= 0.01f ? camera.depth_of_hit(r.depth_sum / alpha, r.direction_in_camera)
                               : 0.0f;
        }
        total_samples += samples;
        total_color += color_samples;
      });
  if (stats) {
    stats->rays = size_t(camera.width) * size_t(camera.height);
    stats->samples = total_samples;
    stats->color_samples = total_color;
    stats->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return out;
}

}  // namespace strata
