#include "neural/planes/plane_set_backward.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "neural/core/parallel.h"

namespace strata {

namespace {

// The forward pass's per-plane constants (plane_set_render.cpp), computed the same way so that
// hits, texture coordinates and their order agree bit for bit.
struct PreparedPlane {
  vec3 normal;
  float eye_offset;
  vec3 u_dual, v_dual;
  float eye_s, eye_t;
};

PreparedPlane prepare(const Plane& p, vec3 eye) {
  PreparedPlane q;
  const vec3 n = glm::cross(p.u_axis, p.v_axis);
  q.normal = glm::normalize(n);
  q.eye_offset = glm::dot(q.normal, p.origin - eye);
  const vec3 u_perp = glm::cross(p.v_axis, n), v_perp = glm::cross(n, p.u_axis);
  q.u_dual = u_perp / glm::dot(p.u_axis, u_perp);
  q.v_dual = v_perp / glm::dot(p.v_axis, v_perp);
  q.eye_s = glm::dot(eye - p.origin, q.u_dual);
  q.eye_t = glm::dot(eye - p.origin, q.v_dual);
  return q;
}

struct Hit {
  float distance;
  float s, t;
  int plane;
};

// One texel's share of a pixel's gradient, recorded in parallel and added up in order.
struct Contribution {
  int plane;
  float s, t;
  vec4 gradient;  // dL/d(sampled premultiplied colour)
};

// Adds `g` (dL/d sample) to the four texels that sample_bilinear(s, t) blends.
void splat_bilinear(const Image& texture, float s, float t, vec4 g, TextureGradient& out) {
  const int w = texture.width, h = texture.height;
  const float x = s * float(w) - 0.5f, y = t * float(h) - 0.5f;
  const float fx = std::floor(x), fy = std::floor(y);
  const float ax = x - fx, ay = y - fy;
  const int x0 = std::clamp(int(fx), 0, w - 1), x1 = std::clamp(int(fx) + 1, 0, w - 1);
  const int y0 = std::clamp(int(fy), 0, h - 1), y1 = std::clamp(int(fy) + 1, 0, h - 1);
  out[size_t(y0) * size_t(w) + size_t(x0)] += (1.0f - ax) * (1.0f - ay) * g;
  out[size_t(y0) * size_t(w) + size_t(x1)] += ax * (1.0f - ay) * g;
  out[size_t(y1) * size_t(w) + size_t(x0)] += (1.0f - ax) * ay * g;
  out[size_t(y1) * size_t(w) + size_t(x1)] += ax * ay * g;
}

}  // namespace

void render_planes_backward(const PlaneSet& planes, const Camera& camera, const Image& dL_dcolor,
                            std::vector<TextureGradient>& gradients) {
  if (dL_dcolor.width != camera.width || dL_dcolor.height != camera.height)
    throw std::invalid_argument("render_planes_backward: dL/dcolor differs from the camera size");
  if (gradients.size() != planes.planes.size())
    throw std::invalid_argument("render_planes_backward: one gradient per plane expected");
  for (size_t p = 0; p < planes.planes.size(); ++p)
    if (gradients[p].size() != planes.planes[p].texture.pixels.size())
      throw std::invalid_argument("render_planes_backward: a gradient differs from its texture");

  const vec3 eye = camera.position();
  const mat3 rotation = mat3(camera.camera_to_world);
  std::vector<PreparedPlane> prepared;
  for (const Plane& p : planes.planes) prepared.push_back(prepare(p, eye));

  // Rows in chunks; each chunk records its contributions, then they are added in chunk order
  // (the result does not depend on the thread count).
  const int rows_per_chunk = 8;
  const size_t chunks = size_t((camera.height + rows_per_chunk - 1) / rows_per_chunk);
  std::vector<std::vector<Contribution>> recorded(chunks);
  parallel_for(chunks, 1, [&](size_t first, size_t last) {
    std::vector<Hit> hits(prepared.size());
    std::vector<vec4> colors(prepared.size());
    std::vector<float> t_before(prepared.size());
    for (size_t chunk = first; chunk < last; ++chunk) {
      std::vector<Contribution>& out = recorded[chunk];
      const int y_end = std::min(camera.height, int(chunk + 1) * rows_per_chunk);
      for (int y = int(chunk) * rows_per_chunk; y < y_end; ++y)
        for (int x = 0; x < camera.width; ++x) {
          const vec4 g = dL_dcolor.at(x, y);
          if (g == vec4(0.0f)) continue;
          const vec3 dir = rotation * camera.direction_in_camera(vec2(x + 0.5f, y + 0.5f));
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
            int j = count++;
            while (j > 0 && hits[size_t(j - 1)].distance > t) {
              hits[size_t(j)] = hits[size_t(j - 1)];
              --j;
            }
            hits[size_t(j)] = Hit{t, s, v, int(i)};
          }
          // Forward again: the hits that were composited and their transmittances.
          int used = 0;
          float transmittance = 1.0f;
          for (; used < count && transmittance >= 1e-4f; ++used) {
            const Hit& h = hits[size_t(used)];
            colors[size_t(used)] = planes.planes[size_t(h.plane)].texture.sample_bilinear(h.s, h.t);
            transmittance *= 1.0f - colors[size_t(used)].a;
          }
          // Back to front: R_k = g . c_k + (1 - a_k) R_{k+1} is dL/dT_k * T_k (the light from
          // hit k onwards); dL/dc_k = T_k (g_rgb, g_a - R_{k+1}).
          float tr = 1.0f;
          for (int k = 0; k < used; ++k) {
            t_before[size_t(k)] = tr;
            tr *= 1.0f - colors[size_t(k)].a;
          }
          float behind = 0.0f;  // R_{k+1}
          for (int k = used - 1; k >= 0; --k) {
            const vec4 c = colors[size_t(k)];
            const float tk = t_before[size_t(k)];
            const vec4 dc = tk * vec4(g.r, g.g, g.b, g.a - behind);
            out.push_back(
                Contribution{hits[size_t(k)].plane, hits[size_t(k)].s, hits[size_t(k)].t, dc});
            behind = glm::dot(g, c) + (1.0f - c.a) * behind;
          }
        }
    }
  });
  for (const std::vector<Contribution>& chunk : recorded)
    for (const Contribution& c : chunk)
      splat_bilinear(planes.planes[size_t(c.plane)].texture, c.s, c.t, c.gradient,
                     gradients[size_t(c.plane)]);
}

}  // namespace strata
