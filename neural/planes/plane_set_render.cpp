#include "neural/planes/plane_set_render.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "neural/core/parallel.h"

namespace strata {

namespace {

// Per-plane values that do not change across the pixels of a frame.
struct PreparedPlane {
  vec3 normal;       // unit normal
  float eye_offset;  // dot(normal, origin - eye): t = eye_offset / dot(normal, dir)
  vec3 u_dual;       // s = dot(hit - origin, u_dual)
  vec3 v_dual;       // t = dot(hit - origin, v_dual)
  float eye_s;       // dot(eye - origin, u_dual)
  float eye_t;       // dot(eye - origin, v_dual)
  const Image* texture;
};

struct Hit {
  float distance;  // along the ray, metres
  float s, t;      // texture coordinates
  int plane;
};

PreparedPlane prepare(const Plane& p, vec3 eye) {
  PreparedPlane q;
  const vec3 n = glm::cross(p.u_axis, p.v_axis);
  q.normal = glm::normalize(n);
  q.eye_offset = glm::dot(q.normal, p.origin - eye);
  // Dual basis: exact texture coordinates even when u and v are not orthogonal.
  const vec3 u_perp = glm::cross(p.v_axis, n), v_perp = glm::cross(n, p.u_axis);
  q.u_dual = u_perp / glm::dot(p.u_axis, u_perp);
  q.v_dual = v_perp / glm::dot(p.v_axis, v_perp);
  q.eye_s = glm::dot(eye - p.origin, q.u_dual);
  q.eye_t = glm::dot(eye - p.origin, q.v_dual);
  q.texture = &p.texture;
  return q;
}

}  // namespace

RenderOutput render_planes(const PlaneSet& planes, const Camera& camera) {
  RenderOutput out{Image(camera.width, camera.height), ScalarImage(camera.width, camera.height)};
  const vec3 eye = camera.position();
  const mat3 rotation = mat3(camera.camera_to_world);
  std::vector<PreparedPlane> prepared;
  prepared.reserve(planes.planes.size());
  for (const Plane& p : planes.planes) prepared.push_back(prepare(p, eye));

  parallel_for_tiles(camera.width, camera.height, 32, [&](int x0, int y0, int x1, int y1) {
    std::vector<Hit> hits(prepared.size());
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const vec3 dir_camera = camera.direction_in_camera(vec2(x + 0.5f, y + 0.5f));
        const vec3 dir = rotation * dir_camera;
        int count = 0;
        for (size_t i = 0; i < prepared.size(); ++i) {
          const PreparedPlane& q = prepared[i];
          const float denom = glm::dot(q.normal, dir);
          if (denom == 0.0f) continue;
          const float t = q.eye_offset / denom;
          if (!(t > 0.0f)) continue;
          const float s = q.eye_s + t * glm::dot(dir, q.u_dual);
          const float v = q.eye_t + t * glm::dot(dir, q.v_dual);
          if (s < 0.0f || s > 1.0f || v < 0.0f || v > 1.0f) continue;
          // Insertion sort by distance: planes per pixel are few, and the list is often
          // already nearly sorted.
          int j = count++;
          while (j > 0 && hits[size_t(j - 1)].distance > t) {
            hits[size_t(j)] = hits[size_t(j - 1)];
            --j;
          }
          hits[size_t(j)] = Hit{t, s, v, int(i)};
        }
        vec4 color(0.0f);
        float transmittance = 1.0f, depth_sum = 0.0f, weight_sum = 0.0f;
        for (int k = 0; k < count && transmittance >= 1e-4f; ++k) {
          const Hit& h = hits[size_t(k)];
          const vec4 c = prepared[size_t(h.plane)].texture->sample_bilinear(h.s, h.t);
          const float w = transmittance * c.a;
          color += transmittance * c;
          depth_sum += w * camera.depth_of_hit(h.distance, dir_camera);
          weight_sum += w;
          transmittance *= 1.0f - c.a;
        }
        out.color.at(x, y) = color;
        out.depth.at(x, y) = weight_sum > 0.0f ? depth_sum / weight_sum : 0.0f;
      }
    }
  });
  return out;
}

}  // namespace strata
