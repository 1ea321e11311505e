#include "neural/planes/mpi_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/planes/fronto_parallel_mpi.h"

namespace strata {

namespace {

// Straight RGB of a premultiplied sample (grey where nothing is there).
vec3 straight(vec4 c) {
  return c.a > 1e-3f ? vec3(c) / c.a : vec3(0.5f);
}

DepthRange widen(float inv_near, float inv_far) {
  const float span = inv_near - inv_far;
  inv_near += 0.1f * span;
  inv_far = std::max(inv_far - 0.1f * span, 0.5f * inv_far);
  return DepthRange{1.0f / inv_near, 1.0f / inv_far};
}

// Camera::project with the world-to-camera matrix inverted once, for projecting many points.
struct Projector {
  explicit Projector(const Camera& c)
      : camera(&c), world_to_camera(glm::inverse(c.camera_to_world)) {}
  bool project(vec3 world, vec2* pixel) const {
    if (camera->projection != Projection::kPinhole) {
      float depth;
      return camera->project(world, pixel, &depth);
    }
    const vec3 p = vec3(world_to_camera * vec4(world, 1.0f));
    if (p.z >= 0.0f) return false;
    vec2 xy(p.x / -p.z, -p.y / -p.z);
    if (camera->distortion.any()) xy = camera->distortion.distort(xy);
    *pixel = vec2(camera->cx + camera->fx * xy.x, camera->cy + camera->fy * xy.y);
    return true;
  }
  const Camera* camera;
  mat4 world_to_camera;
};

float percentile(std::vector<float> values, float q) {
  const size_t k = std::min(values.size() - 1, size_t(q * float(values.size() - 1) + 0.5f));
  std::nth_element(values.begin(), values.begin() + long(k), values.end());
  return values[k];
}

}  // namespace

DepthRange estimate_depth_range(const std::vector<FitView>& views, int reference) {
  if (reference < 0 || size_t(reference) >= views.size())
    throw InputError("", "reference camera", "expected an index into the training views");
  const FitView& ref = views[size_t(reference)];
  if (ref.camera.projection != Projection::kPinhole)
    throw InputError(ref.name, "camera", "expected a pinhole reference camera for an MPI");
  const vec3 eye = ref.camera.position();
  // Up to four nearest other views, by camera distance.
  std::vector<std::pair<float, size_t>> order;
  for (size_t i = 0; i < views.size(); ++i) {
    const float d = glm::distance(views[i].camera.position(), eye);
    if (i != size_t(reference) && d > 1e-6f) order.emplace_back(d, i);
  }
  if (order.empty())
    throw InputError(ref.name, "cameras",
                     "expected at least two views from distinct positions to estimate depth");
  std::sort(order.begin(), order.end());
  order.resize(std::min<size_t>(order.size(), 4));
  float baseline = 0.0f;
  for (const auto& o : order) baseline += o.first / float(order.size());
  const float f = ref.camera.fx;
  const float inv_lo = 0.25f / (f * baseline);                    // a quarter-pixel disparity
  const float inv_hi = float(ref.camera.width) / (f * baseline);  // a whole image's disparity
  constexpr int kDepths = 96;
  const mat3 rotation = mat3(ref.camera.camera_to_world);
  const int stride = 2;
  const int gw = (ref.camera.width - 2) / stride, gh = (ref.camera.height - 2) / stride;
  std::vector<Projector> projectors;
  for (const auto& o : order) projectors.emplace_back(views[o.second].camera);
  std::vector<float> winners(size_t(gw) * size_t(gh), -1.0f);  // inverse depth, -1: none
  parallel_for(size_t(gh), 1, [&](size_t begin, size_t end) {
    std::vector<float> cost(kDepths);
    for (size_t gy = begin; gy < end; ++gy)
      for (int gx = 0; gx < gw; ++gx) {
        const int x = 1 + gx * stride, y = 1 + int(gy) * stride;
        const vec3 dir_cam = ref.camera.direction_in_camera(vec2(x + 0.5f, y + 0.5f));
        const vec3 dir = rotation * dir_cam;
        for (int k = 0; k < kDepths; ++k) {
          const float inv = inv_lo + (inv_hi - inv_lo) * float(k) / float(kDepths - 1);
          const float t = (1.0f / inv) / -dir_cam.z;
          const vec3 point = eye + t * dir;
          float sum = 0.0f;
          int seen = 0;
          for (size_t j = 0; j < order.size(); ++j) {
            const FitView& v = views[order[j].second];
            vec2 pixel;
            if (!projectors[j].project(point, &pixel)) continue;
            if (pixel.x < 1.5f || pixel.y < 1.5f || pixel.x > v.camera.width - 1.5f ||
                pixel.y > v.camera.height - 1.5f)
              continue;
            float patch = 0.0f;
            for (int dy = -1; dy <= 1; ++dy)
              for (int dx = -1; dx <= 1; ++dx) {
                const vec4 a = ref.image.at(x + dx, y + dy);
                const vec4 b = v.image.sample_bilinear((pixel.x + float(dx)) / v.camera.width,
                                                       (pixel.y + float(dy)) / v.camera.height);
                const vec4 d = glm::abs(a - b);
                patch += d.r + d.g + d.b;
              }
            sum += patch;
            ++seen;
          }
          cost[size_t(k)] = seen > 0 ? sum / float(seen) : std::numeric_limits<float>::infinity();
        }
        const auto best = std::min_element(cost.begin(), cost.end());
        const int k = int(best - cost.begin());
        // Textureless pixels match everywhere and repeated patterns (checkerboards) match at
        // several depths: only a minimum clearly below every other depth's (more than three
        // steps away) counts (Lowe's ratio test).
        float second = std::numeric_limits<float>::infinity();
        for (int j = 0; j < kDepths; ++j)
          if (std::abs(j - k) > 3) second = std::min(second, cost[size_t(j)]);
        if (std::isfinite(*best) && std::isfinite(second) && *best < 0.6f * second)
          winners[gy * size_t(gw) + size_t(gx)] =
              inv_lo + (inv_hi - inv_lo) * float(k) / float(kDepths - 1);
      }
  });
  std::vector<float> found;
  for (float w : winners)
    if (w > 0.0f) found.push_back(w);
  if (found.size() < 16)
    throw InputError(ref.name, "images",
                     "found too little texture to estimate the depth range; give --near and --far");
  return widen(percentile(found, 0.97f), percentile(found, 0.03f));
}

DepthRange depth_range_of(const std::vector<RenderOutput>& renders) {
  std::vector<float> inverse;
  for (const RenderOutput& r : renders)
    for (size_t i = 0; i < r.depth.values.size(); ++i)
      if (r.color.pixels[i].a > 0.5f && r.depth.values[i] > 0.0f)
        inverse.push_back(1.0f / r.depth.values[i]);
  if (inverse.empty())
    throw InputError("", "teacher", "the teacher renders nothing opaque from the reference view");
  return widen(percentile(inverse, 0.99f), percentile(inverse, 0.01f));
}

PlaneSet make_mpi_to_fit(const Camera& reference, DepthRange range, int count, float padding) {
  if (count < 1) throw InputError("", "--planes", "expected a plane count >= 1");
  if (!(range.near_depth > 0.0f && range.far_depth > range.near_depth))
    throw InputError("", "--near/--far", "expected 0 < near < far");
  // Square texels: padding in pixels of the reference view, the larger side's share.
  const float pad = std::round(padding * float(std::max(reference.width, reference.height)));
  const int tw = reference.width + 2 * int(pad), th = reference.height + 2 * int(pad);
  PlaneSet set;
  set.reference_camera = reference;
  const std::vector<float> depths = inverse_depth_spacing(range.near_depth, range.far_depth, count);
  for (size_t i = 0; i < depths.size(); ++i) {
    Plane p = fronto_parallel_plane(reference, depths[i], pad);
    char name[32];
    std::snprintf(name, sizeof name, "mpi_%02zu", i);
    p.name = name;
    p.texture = Image(tw, th);
    set.planes.push_back(std::move(p));
  }
  return set;
}

void seed_colors_from_views(PlaneSet& planes, const std::vector<FitView>& views) {
  std::vector<Projector> projectors;
  for (const FitView& v : views) projectors.emplace_back(v.camera);
  for (Plane& p : planes.planes) {
    Image& tex = p.texture;
    parallel_for(size_t(tex.height), 1, [&](size_t begin, size_t end) {
      for (size_t y = begin; y < end; ++y)
        for (int x = 0; x < tex.width; ++x) {
          const vec3 point = p.origin + (float(x) + 0.5f) / float(tex.width) * p.u_axis +
                             (float(y) + 0.5f) / float(tex.height) * p.v_axis;
          vec3 sum(0.0f);
          int seen = 0;
          for (size_t j = 0; j < views.size(); ++j) {
            const FitView& v = views[j];
            vec2 pixel;
            if (!projectors[j].project(point, &pixel)) continue;
            if (pixel.x < 0.0f || pixel.y < 0.0f || pixel.x > float(v.camera.width) ||
                pixel.y > float(v.camera.height))
              continue;
            sum += straight(v.image.sample_bilinear(pixel.x / float(v.camera.width),
                                                    pixel.y / float(v.camera.height)));
            ++seen;
          }
          const vec3 c = seen > 0 ? sum / float(seen) : vec3(0.5f);
          vec4& texel = tex.at(x, int(y));
          texel = vec4(c * texel.a, texel.a);
        }
    });
  }
}

void set_even_alpha(PlaneSet& planes, vec3 eye, bool see_through) {
  std::vector<size_t> order(planes.planes.size());
  std::iota(order.begin(), order.end(), size_t(0));
  // Farthest first.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return glm::distance(planes.planes[a].center(), eye) >
           glm::distance(planes.planes[b].center(), eye);
  });
  for (size_t j = 0; j < order.size(); ++j) {
    const float alpha = 1.0f / float(j + (see_through ? 2 : 1));
    for (vec4& t : planes.planes[order[j]].texture.pixels) {
      const vec3 c = t.a > 1e-6f ? vec3(t) / t.a : vec3(0.5f);
      t = vec4(c * alpha, alpha);
    }
  }
}

bool views_see_through(const std::vector<FitView>& views) {
  for (const FitView& v : views)
    for (const vec4& p : v.image.pixels)
      if (p.a < 0.99f) return true;
  return false;
}

}  // namespace strata
