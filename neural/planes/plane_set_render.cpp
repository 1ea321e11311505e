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
  int32_t index;    // in the PlaneSet
  ivec2 screen_lo;  // pixel rectangle that can see the plane (whole image when unknown)
  ivec2 screen_hi;  // exclusive
};

struct Hit {
  float distance;  // along the ray, metres
  float s, t;      // texture coordinates
  const Image* texture;
  int32_t plane;  // index in the PlaneSet
};

// The pixels whose rays can hit the plane: for a pinhole camera and a plane wholly in front of
// it, the bounding box of its projected corners (a parallelogram projects to a convex quad);
// otherwise the whole image.
void screen_rectangle(const Plane& p, const Camera& camera, ivec2* lo, ivec2* hi) {
  *lo = ivec2(0);
  *hi = ivec2(camera.width, camera.height);
  if (camera.projection != Projection::kPinhole) return;
  const mat4 world_to_camera = glm::inverse(camera.camera_to_world);
  vec2 box_lo(1e30f), box_hi(-1e30f);
  for (const vec3 corner :
       {p.origin, p.origin + p.u_axis, p.origin + p.v_axis, p.origin + p.u_axis + p.v_axis}) {
    const vec3 q = vec3(world_to_camera * vec4(corner, 1.0f));
    if (!(q.z < -1e-6f)) return;  // touches or crosses the camera plane: no bound
    const vec2 pixel(camera.cx + camera.fx * q.x / -q.z, camera.cy - camera.fy * q.y / -q.z);
    box_lo = glm::min(box_lo, pixel);
    box_hi = glm::max(box_hi, pixel);
  }
  // A pixel whose centre is inside can hit; one pixel of margin keeps edges conservative.
  *lo = glm::clamp(ivec2(glm::floor(box_lo)) - 1, ivec2(0), ivec2(camera.width, camera.height));
  *hi = glm::clamp(ivec2(glm::ceil(box_hi)) + 1, ivec2(0), ivec2(camera.width, camera.height));
}

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

RenderOutput render_planes(const PlaneSet& planes, const Camera& camera, bool want_layers) {
  RenderOutput out{Image(camera.width, camera.height), ScalarImage(camera.width, camera.height)};
  if (want_layers) out.layer.assign(size_t(camera.width) * camera.height, -1);
  const vec3 eye = camera.position();
  const mat3 rotation = mat3(camera.camera_to_world);
  std::vector<PreparedPlane> prepared;
  prepared.reserve(planes.planes.size());
  for (const Plane& p : planes.planes) {
    prepared.push_back(prepare(p, eye));
    prepared.back().index = int32_t(prepared.size() - 1);
    screen_rectangle(p, camera, &prepared.back().screen_lo, &prepared.back().screen_hi);
  }

  parallel_for_tiles(camera.width, camera.height, 32, [&](int x0, int y0, int x1, int y1) {
    std::vector<Hit> hits(prepared.size());
    // Only the planes whose screen rectangle overlaps this tile.
    std::vector<const PreparedPlane*> tile_planes;
    for (const PreparedPlane& q : prepared)
      if (q.screen_lo.x < x1 && q.screen_hi.x > x0 && q.screen_lo.y < y1 && q.screen_hi.y > y0)
        tile_planes.push_back(&q);
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const vec3 dir_camera = camera.direction_in_camera(vec2(x + 0.5f, y + 0.5f));
        const vec3 dir = rotation * dir_camera;
        int count = 0;
        for (const PreparedPlane* plane : tile_planes) {
          const PreparedPlane& q = *plane;
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
          hits[size_t(j)] = Hit{t, s, v, q.texture, q.index};
        }
        vec4 color(0.0f);
        float transmittance = 1.0f, depth_sum = 0.0f, weight_sum = 0.0f, best_weight = 0.0f;
        int32_t best_plane = -1;  // the plane with the largest weight (each is hit at most once)
        for (int k = 0; k < count && transmittance >= 1e-4f; ++k) {
          const Hit& h = hits[size_t(k)];
          const vec4 c = h.texture->sample_bilinear(h.s, h.t);
          const float w = transmittance * c.a;
          color += transmittance * c;
          depth_sum += w * camera.depth_of_hit(h.distance, dir_camera);
          weight_sum += w;
          if (w > best_weight) best_weight = w, best_plane = h.plane;
          transmittance *= 1.0f - c.a;
        }
        if (want_layers) out.layer[size_t(y) * camera.width + x] = best_plane;
        out.color.at(x, y) = color;
        out.depth.at(x, y) = weight_sum > 0.0f ? depth_sum / weight_sum : 0.0f;
      }
    }
  });
  return out;
}

}  // namespace strata
