#include "neural/planes/plane_set.h"

#include "neural/core/error.h"

namespace strata {

Bounds3 PlaneSet::bounds() const {
  Bounds3 b;
  for (const Plane& p : planes) {
    b.add(p.origin);
    b.add(p.origin + p.u_axis);
    b.add(p.origin + p.v_axis);
    b.add(p.origin + p.u_axis + p.v_axis);
  }
  return b;
}

size_t PlaneSet::texture_bytes_rgba8() const {
  size_t bytes = 0;
  for (const Plane& p : planes) bytes += size_t(p.texture.width) * p.texture.height * 4;
  return bytes;
}

void PlaneSet::validate(const std::string& where) const {
  if (planes.empty()) throw InputError(where, "planes", "expected at least one plane, found none");
  for (size_t i = 0; i < planes.size(); ++i) {
    const Plane& p = planes[i];
    const std::string field = "planes[" + std::to_string(i) + "]";
    if (!all_finite(p.origin) || !all_finite(p.u_axis) || !all_finite(p.v_axis))
      throw InputError(where, field,
                       "expected finite origin, u_axis and v_axis (found NaN or infinity)");
    const float area = glm::length(glm::cross(p.u_axis, p.v_axis));
    if (!(area >
          1e-12f * std::max(1.0f, glm::dot(p.u_axis, p.u_axis) + glm::dot(p.v_axis, p.v_axis))))
      throw InputError(where, field, "u_axis and v_axis must be non-zero and not parallel");
    if (p.texture.empty()) throw InputError(where, field, "the plane has no texture");
  }
  if (reference_camera) reference_camera->validate(where);
}

}  // namespace strata
