// Shapes with known shells for the shells tests (CPU and Vulkan): a UV sphere and two crossing
// sheets.
#pragma once

#include <cmath>

#include "neural/core/math.h"
#include "neural/shells/shell_volume.h"

namespace strata::test {

// A unit-radius UV sphere centred at the origin: `rings` latitude bands, `segments` longitude
// bands; u = longitude / 2pi (u = 0.25 at +z), v = colatitude / pi (v down from the north pole
// +y). Seam vertices are duplicated (different u), normals point outwards.
inline TriangleMesh uv_sphere(int rings, int segments, float radius = 1.0f) {
  TriangleMesh m;
  for (int r = 0; r <= rings; ++r)
    for (int s = 0; s <= segments; ++s) {
      const float theta = kPi * float(r) / float(rings);          // from +y
      const float phi = 2.0f * kPi * float(s) / float(segments);  // from +x towards +z
      const vec3 n(std::sin(theta) * std::cos(phi), std::cos(theta),
                   std::sin(theta) * std::sin(phi));
      m.positions.push_back(radius * n);
      m.normals.push_back(n);
      m.uvs.push_back(vec2(float(s) / float(segments), float(r) / float(rings)));
    }
  auto at = [&](int r, int s) { return uint32_t(r * (segments + 1) + s); };
  for (int r = 0; r < rings; ++r)
    for (int s = 0; s < segments; ++s) {
      // Counter-clockwise seen from outside.
      if (r > 0) m.indices.insert(m.indices.end(), {at(r, s), at(r, s + 1), at(r + 1, s)});
      if (r + 1 < rings)
        m.indices.insert(m.indices.end(), {at(r, s + 1), at(r + 1, s + 1), at(r + 1, s)});
    }
  return m;
}

// Shells around a sphere: one texture per offset, each filled with a straight colour.
inline ShellVolume sphere_shells(const std::vector<float>& offsets,
                                 const std::vector<vec4>& straight_colors, int texture_size,
                                 int rings = 48, int segments = 96) {
  ShellVolume s;
  s.base = uv_sphere(rings, segments);
  s.offsets = offsets;
  for (const vec4& c : straight_colors)
    s.textures.push_back(Image(texture_size, texture_size, vec4(vec3(c) * c.a, c.a)));
  return s;
}

// Two opaque-or-not square sheets crossing along the y axis at x = 0 (one shell at offset 0):
// sheet A goes from z = -2 on the left to z = -4 on the right and uses the left half of the
// texture (u in [0, 0.5]); sheet B goes the other way and uses the right half.
inline ShellVolume crossing_sheets(vec4 straight_a, vec4 straight_b, int texture_size = 16) {
  ShellVolume s;
  TriangleMesh& m = s.base;
  auto sheet = [&](vec3 left_top, vec3 right_top, float u0) {
    const uint32_t first = uint32_t(m.positions.size());
    const vec3 down(0.0f, -2.0f, 0.0f);
    m.positions.insert(m.positions.end(), {left_top, right_top, right_top + down, left_top + down});
    const vec3 n = glm::normalize(glm::cross(right_top - left_top, down));
    m.normals.insert(m.normals.end(), {n, n, n, n});
    // Texel centres only: keep half a texel away from the other half of the texture.
    const float e = 0.5f / float(texture_size), u1 = u0 + 0.5f;
    m.uvs.insert(m.uvs.end(),
                 {vec2(u0 + e, e), vec2(u1 - e, e), vec2(u1 - e, 1 - e), vec2(u0 + e, 1 - e)});
    m.indices.insert(m.indices.end(), {first, first + 1, first + 2, first, first + 2, first + 3});
  };
  sheet(vec3(-2.0f, 1.0f, -2.0f), vec3(2.0f, 1.0f, -4.0f), 0.0f);
  sheet(vec3(-2.0f, 1.0f, -4.0f), vec3(2.0f, 1.0f, -2.0f), 0.5f);
  s.offsets = {0.0f};
  Image t(texture_size, texture_size);
  for (int y = 0; y < texture_size; ++y)
    for (int x = 0; x < texture_size; ++x) {
      const vec4 c = x < texture_size / 2 ? straight_a : straight_b;
      t.at(x, y) = vec4(vec3(c) * c.a, c.a);
    }
  s.textures = {t};
  return s;
}

}  // namespace strata::test
