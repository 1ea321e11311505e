#include "neural/shells/shell_volume.h"

#include <cmath>

#include "neural/core/error.h"

namespace strata {

Bounds3 ShellVolume::bounds() const {
  Bounds3 b;
  if (!base.has_normals()) return base.bounds();
  for (size_t k = 0; k < offsets.size(); ++k)
    for (size_t i = 0; i < base.positions.size(); ++i) b.add(shell_vertex(k, i));
  return b;
}

ShellVolume transformed_shells(const ShellVolume& shells, const mat4& transform) {
  if (transform == mat4(1.0f)) return shells;
  ShellVolume out = shells;
  const mat3 linear = mat3(transform);
  const float scale = std::cbrt(std::abs(glm::determinant(linear)));
  for (vec3& p : out.base.positions) p = vec3(transform * vec4(p, 1.0f));
  for (vec3& n : out.base.normals) n = glm::normalize(linear * n);
  for (float& o : out.offsets) o *= scale;
  return out;
}

void ShellVolume::validate(const std::string& where) const {
  if (base.triangle_count() == 0 || base.indices.size() % 3 != 0)
    throw InputError(where, "mesh", "expected at least one triangle (3 indices each)");
  const size_t n = base.positions.size();
  for (size_t i = 0; i < base.indices.size(); ++i)
    if (base.indices[i] >= n)
      throw InputError(where, "mesh.indices[" + std::to_string(i) + "]",
                       "index " + std::to_string(base.indices[i]) + " is out of range (" +
                           std::to_string(n) + " vertices)");
  if (!base.has_uvs())
    throw InputError(where, "mesh.uvs", "expected one texture coordinate per vertex");
  if (!base.has_normals())
    throw InputError(where, "mesh.normals", "expected one normal per vertex");
  for (size_t i = 0; i < n; ++i) {
    if (!all_finite(base.positions[i]))
      throw InputError(where, "mesh.positions[" + std::to_string(i) + "]", "expected finite");
    if (!std::isfinite(base.uvs[i].x) || !std::isfinite(base.uvs[i].y))
      throw InputError(where, "mesh.uvs[" + std::to_string(i) + "]", "expected finite");
    if (!all_finite(base.normals[i]) || std::abs(glm::length(base.normals[i]) - 1.0f) > 1e-3f)
      throw InputError(where, "mesh.normals[" + std::to_string(i) + "]", "expected a unit vector");
  }
  if (offsets.empty()) throw InputError(where, "shells", "expected at least one shell");
  for (size_t k = 0; k < offsets.size(); ++k) {
    const std::string field = "shells[" + std::to_string(k) + "]";
    if (!std::isfinite(offsets[k]))
      throw InputError(where, field + ".offset", "expected a finite number");
    if (k > 0 && !(offsets[k] > offsets[k - 1]))
      throw InputError(where, field + ".offset", "expected offsets in ascending order");
  }
  if (textures.size() != offsets.size())
    throw InputError(where, "shells",
                     "expected one texture per shell (" + std::to_string(offsets.size()) +
                         " shells, " + std::to_string(textures.size()) + " textures)");
  for (size_t k = 0; k < textures.size(); ++k) {
    const std::string field = "shells[" + std::to_string(k) + "].image";
    const Image& t = textures[k];
    if (t.empty() || t.width <= 0 || t.height <= 0)
      throw InputError(where, field, "expected a non-empty texture");
    if (t.width != textures[0].width || t.height != textures[0].height)
      throw InputError(where, field,
                       "expected every shell texture to be " + std::to_string(textures[0].width) +
                           "x" + std::to_string(textures[0].height) + ", found " +
                           std::to_string(t.width) + "x" + std::to_string(t.height));
    for (const vec4& c : t.pixels)
      if (!std::isfinite(c.r) || !std::isfinite(c.g) || !std::isfinite(c.b) ||
          !(c.a >= 0.0f && c.a <= 1.0f))
        throw InputError(where, field, "expected finite texels with alpha in [0, 1]");
  }
}

}  // namespace strata
