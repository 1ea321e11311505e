#include "neural/planes/plane_refine.h"

#include <algorithm>
#include <cmath>

#include "neural/core/parallel.h"

namespace strata {

namespace {

// A plane pose: centre, and the two (unnormalised) axes spanning the texture.
struct Pose {
  vec3 center, u, v;
};

Pose pose_of(const Plane& p) {
  return Pose{p.center(), p.u_axis, p.v_axis};
}

void apply(const Pose& pose, Plane& p) {
  p.u_axis = pose.u;
  p.v_axis = pose.v;
  p.origin = pose.center - 0.5f * (pose.u + pose.v);
}

// `pose` moved by `offset` metres along its normal and turned by `a` about its u direction and
// `b` about its v direction (radians), about its centre.
Pose moved(const Pose& pose, float offset, float a, float b) {
  const vec3 n = glm::normalize(glm::cross(pose.u, pose.v));
  const vec3 du = glm::normalize(pose.u), dv = glm::normalize(pose.v);
  const mat3 r = glm::mat3_cast(glm::angleAxis(b, dv) * glm::angleAxis(a, du));
  return Pose{pose.center + offset * n, r * pose.u, r * pose.v};
}

struct Cost {
  double variance = 0.0;  // mean over samples of the mean per-channel variance across views
  size_t samples = 0;     // samples seen by at least 3 views
};

}  // namespace

std::vector<PlaneRefinement> refine_plane_poses(PlaneSet& planes, size_t first, size_t count,
                                                const std::vector<FitView>& views,
                                                const std::vector<ScalarImage>* depths,
                                                const PlaneRefineOptions& o) {
  std::vector<PlaneRefinement> out;
  const int stride = std::max(1, o.texel_stride);
  for (size_t k = first; k < std::min(planes.planes.size(), first + count); ++k) {
    Plane& plane = planes.planes[k];
    PlaneRefinement result;
    // The opaque texels, in texture coordinates.
    std::vector<vec2> texels;
    const Image& tex = plane.texture;
    for (int y = stride / 2; y < tex.height; y += stride)
      for (int x = stride / 2; x < tex.width; x += stride)
        if (tex.at(x, y).a >= 0.5f)
          texels.emplace_back((float(x) + 0.5f) / float(tex.width),
                              (float(y) + 0.5f) / float(tex.height));
    if (texels.size() < 16) {
      out.push_back(result);
      continue;
    }
    auto cost_of = [&](const Pose& pose) {
      const vec3 origin = pose.center - 0.5f * (pose.u + pose.v);
      Cost c;
      for (const vec2& st : texels) {
        const vec3 p = origin + st.x * pose.u + st.y * pose.v;
        vec3 sum(0.0f), sum2(0.0f);
        int seen = 0;
        for (size_t i = 0; i < views.size(); ++i) {
          const Camera& camera = views[i].camera;
          vec2 pixel;
          float depth;
          if (!camera.project(p, &pixel, &depth)) continue;
          if (pixel.x < 0.0f || pixel.y < 0.0f || pixel.x >= float(camera.width) ||
              pixel.y >= float(camera.height))
            continue;
          if (depths) {
            const ScalarImage& d = (*depths)[i];
            const float seen_depth =
                d.at(std::min(d.width - 1, int(pixel.x)), std::min(d.height - 1, int(pixel.y)));
            if (!(seen_depth > 0.0f) || std::abs(seen_depth - depth) > o.visible_depth * depth)
              continue;
          }
          const vec4 texel = views[i].image.sample_bilinear(pixel.x / float(camera.width),
                                                            pixel.y / float(camera.height));
          // Nothing there (a transparent view): not a vote, or samples pushed off every
          // surface would agree on emptiness.
          if (texel.a < 0.5f) continue;
          const vec3 colour = vec3(texel) / texel.a;
          sum += colour;
          sum2 += colour * colour;
          ++seen;
        }
        if (seen < 3) continue;
        const vec3 mean = sum / float(seen);
        const vec3 variance = glm::max(sum2 / float(seen) - mean * mean, vec3(0.0f));
        c.variance += double(variance.x + variance.y + variance.z) / 3.0;
        ++c.samples;
      }
      if (c.samples) c.variance /= double(c.samples);
      return c;
    };

    Pose best = pose_of(plane);
    const Cost start = cost_of(best);
    result.cost_before = start.variance;
    if (start.samples < 16) {
      result.samples = start.samples;
      out.push_back(result);
      continue;
    }
    // The plane's distance from the views sets the offset step.
    std::vector<float> distances;
    for (const FitView& v : views)
      distances.push_back(glm::distance(v.camera.position(), best.center));
    std::nth_element(distances.begin(), distances.begin() + long(distances.size() / 2),
                     distances.end());
    float offset_step = o.offset_step * distances[distances.size() / 2];
    float tilt_step = glm::radians(o.tilt_step_deg);
    Cost best_cost = start;
    for (int round = 0; round < o.rounds; ++round) {
      for (int axis = 0; axis < 3; ++axis) {
        const int n = axis == 0 ? o.offset_steps : o.tilt_steps;
        std::vector<Pose> candidates;
        for (int s = -n; s <= n; ++s) {
          if (s == 0) continue;
          const float f = float(s);
          candidates.push_back(axis == 0   ? moved(best, f * offset_step, 0.0f, 0.0f)
                               : axis == 1 ? moved(best, 0.0f, f * tilt_step, 0.0f)
                                           : moved(best, 0.0f, 0.0f, f * tilt_step));
        }
        std::vector<Cost> costs(candidates.size());
        parallel_for(candidates.size(), 1, [&](size_t a, size_t b) {
          for (size_t i = a; i < b; ++i) costs[i] = cost_of(candidates[i]);
        });
        for (size_t i = 0; i < candidates.size(); ++i)
          // A pose must keep most of the samples in view: fewer samples are not better agreement.
          if (costs[i].samples * 4 >= start.samples * 3 && costs[i].variance < best_cost.variance) {
            best_cost = costs[i];
            best = candidates[i];
          }
      }
      offset_step *= 0.5f;
      tilt_step *= 0.5f;
    }
    const Pose original = pose_of(plane);
    result.moved = glm::distance(original.center, best.center);
    result.turned_deg = glm::degrees(
        std::acos(std::clamp(glm::dot(glm::normalize(glm::cross(original.u, original.v)),
                                      glm::normalize(glm::cross(best.u, best.v))),
                             -1.0f, 1.0f)));
    result.cost_after = best_cost.variance;
    result.samples = best_cost.samples;
    apply(best, plane);
    out.push_back(result);
  }
  return out;
}

}  // namespace strata
