#include "neural/mesh/mesh_visibility.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "neural/core/parallel.h"

namespace strata {

namespace {

struct ScreenVertex {
  vec2 pixel{0.0f};
  float depth = 0.0f;  // > 0 in front of the camera
  bool valid = false;
};

// Calls f(pixel index, depth) for every pixel centre inside the screen triangle; depth is
// interpolated as 1/depth, which is linear in screen space for a pinhole camera.
template <typename F>
void raster(const ScreenVertex& a, const ScreenVertex& b, const ScreenVertex& c, int width,
            int height, F&& f) {
  const float area = (b.pixel.x - a.pixel.x) * (c.pixel.y - a.pixel.y) -
                     (b.pixel.y - a.pixel.y) * (c.pixel.x - a.pixel.x);
  if (area == 0.0f || !std::isfinite(area)) return;
  const int x0 = std::max(0, int(std::floor(std::min({a.pixel.x, b.pixel.x, c.pixel.x}))));
  const int x1 = std::min(width - 1, int(std::ceil(std::max({a.pixel.x, b.pixel.x, c.pixel.x}))));
  const int y0 = std::max(0, int(std::floor(std::min({a.pixel.y, b.pixel.y, c.pixel.y}))));
  const int y1 = std::min(height - 1, int(std::ceil(std::max({a.pixel.y, b.pixel.y, c.pixel.y}))));
  const float inv_area = 1.0f / area;
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const vec2 p(float(x) + 0.5f, float(y) + 0.5f);
      const float w0 =
          ((b.pixel.x - p.x) * (c.pixel.y - p.y) - (b.pixel.y - p.y) * (c.pixel.x - p.x)) *
          inv_area;
      const float w1 =
          ((c.pixel.x - p.x) * (a.pixel.y - p.y) - (c.pixel.y - p.y) * (a.pixel.x - p.x)) *
          inv_area;
      const float w2 = 1.0f - w0 - w1;
      if (w0 < 0.0f || w1 < 0.0f || w2 < 0.0f) continue;
      const float inv_depth = w0 / a.depth + w1 / b.depth + w2 / c.depth;
      f(size_t(y) * size_t(width) + size_t(x), 1.0f / inv_depth);
    }
}

}  // namespace

std::vector<uint8_t> seen_triangles(const TriangleMesh& mesh, const std::vector<Camera>& cameras,
                                    const VisibilityOptions& options) {
  const size_t nt = mesh.triangle_count();
  std::vector<uint8_t> seen(nt, 0);
  if (nt == 0 || cameras.empty()) return seen;
  const float near = std::max(1e-4f * glm::length(mesh.bounds().extent()), 1e-6f);
  std::mutex merge;
  parallel_for(cameras.size(), 1, [&](size_t begin, size_t end) {
    std::vector<uint8_t> local(nt, 0);
    std::vector<ScreenVertex> screen(mesh.vertex_count());
    std::vector<float> nearest;
    for (size_t ci = begin; ci < end; ++ci) {
      Camera camera = cameras[ci];
      const int longer = std::max(camera.width, camera.height);
      if (options.max_side > 0 && longer > options.max_side) {
        const float s = float(options.max_side) / float(longer);
        camera = camera.resized(std::max(1, int(std::lround(float(camera.width) * s))),
                                std::max(1, int(std::lround(float(camera.height) * s))));
      }
      const bool pinhole = camera.projection == Projection::kPinhole;
      const mat4 world_to_camera = glm::inverse(camera.camera_to_world);
      for (size_t v = 0; v < screen.size(); ++v) {
        ScreenVertex& s = screen[v];
        if (pinhole) {
          const vec3 p = vec3(world_to_camera * vec4(mesh.positions[v], 1.0f));
          s.depth = -p.z;
          s.valid = s.depth > near;
          if (!s.valid) continue;
          vec2 xy(p.x / s.depth, -p.y / s.depth);
          if (camera.distortion.any()) xy = camera.distortion.distort(xy);
          s.pixel = vec2(camera.cx + camera.fx * xy.x, camera.cy + camera.fy * xy.y);
        } else {
          s.valid = camera.project(mesh.positions[v], &s.pixel, &s.depth) && s.depth > near;
        }
      }
      // A triangle the camera sees only in part of its corners (crossing the near limit, or an
      // equirectangular image's seam) is counted as seen: rare, and never wrong by much.
      auto corners = [&](size_t t, const ScreenVertex** s) {
        int valid = 0;
        for (int k = 0; k < 3; ++k) {
          s[k] = &screen[mesh.indices[3 * t + size_t(k)]];
          valid += s[k]->valid;
        }
        if (valid == 0) return 0;
        if (valid < 3) return 2;
        if (!pinhole) {
          const float du = std::max({s[0]->pixel.x, s[1]->pixel.x, s[2]->pixel.x}) -
                           std::min({s[0]->pixel.x, s[1]->pixel.x, s[2]->pixel.x});
          if (du > 0.5f * float(camera.width)) return 2;
        }
        return 1;
      };
      nearest.assign(size_t(camera.width) * size_t(camera.height),
                     std::numeric_limits<float>::infinity());
      const ScreenVertex* s[3];
      for (size_t t = 0; t < nt; ++t)
        if (corners(t, s) == 1)
          raster(*s[0], *s[1], *s[2], camera.width, camera.height,
                 [&](size_t i, float depth) { nearest[i] = std::min(nearest[i], depth); });
      for (size_t t = 0; t < nt; ++t) {
        if (local[t]) continue;
        const int kind = corners(t, s);
        if (kind == 2) local[t] = 1;
        if (kind != 1) continue;
        bool covers = false;
        raster(*s[0], *s[1], *s[2], camera.width, camera.height, [&](size_t i, float depth) {
          covers = true;
          if (depth <= nearest[i] * 1.0001f + options.depth_tolerance) local[t] = 1;
        });
        if (covers) continue;
        // Smaller than a pixel, between pixel centres: its centre against the nearest surface
        // at the pixel it falls in.
        const vec2 centre = (s[0]->pixel + s[1]->pixel + s[2]->pixel) / 3.0f;
        const int x = int(std::floor(centre.x)), y = int(std::floor(centre.y));
        if (x < 0 || y < 0 || x >= camera.width || y >= camera.height) continue;
        const float depth = 3.0f / (1.0f / s[0]->depth + 1.0f / s[1]->depth + 1.0f / s[2]->depth);
        const size_t i = size_t(y) * size_t(camera.width) + size_t(x);
        if (depth <= nearest[i] * 1.0001f + options.depth_tolerance) local[t] = 1;
      }
    }
    std::lock_guard<std::mutex> lock(merge);
    for (size_t t = 0; t < nt; ++t) seen[t] |= local[t];
  });
  return seen;
}

}  // namespace strata
