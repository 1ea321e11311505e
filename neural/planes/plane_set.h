// PlaneSet: posed RGBA planes. One type for fronto-parallel multiplane images (planes parallel
// to a reference camera, even in inverse depth) and structural MPIs (planes posed on the
// scene's own surfaces plus fronto-parallel planes for the rest). Planes may cross: renderers
// order them per pixel by distance along the ray.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/core/math.h"

namespace strata {

// A textured parallelogram: the point at texture coordinates (s, t) in [0,1]^2 is
// origin + s * u_axis + t * v_axis, with (0, 0) the texture's top-left corner.
struct Plane {
  std::string name;       // for people and glTF node names
  vec3 origin{0.0f};      // world position of the texture's top-left corner, metres
  vec3 u_axis{1, 0, 0};   // world vector spanning the texture's width (left to right), metres
  vec3 v_axis{0, -1, 0};  // world vector spanning the texture's height (top to bottom), metres
  Image texture;          // premultiplied RGBA

  vec3 normal() const { return glm::normalize(glm::cross(u_axis, v_axis)); }
  vec3 center() const { return origin + 0.5f * (u_axis + v_axis); }
};

struct PlaneSet {
  std::vector<Plane> planes;               // any order; MPIs keep the farthest first
  std::optional<Camera> reference_camera;  // the view an MPI was made for, when known

  Bounds3 bounds() const;
  // Bytes of RGBA8 texture data over all planes (what a renderer must read at least once).
  size_t texture_bytes_rgba8() const;
  // Checks: at least one plane, finite poses, axes of non-zero and non-parallel extent,
  // non-empty textures. Throws InputError naming `where` and the plane.
  void validate(const std::string& where) const;
};

}  // namespace strata
