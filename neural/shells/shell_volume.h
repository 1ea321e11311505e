// ShellVolume: a layered surface volume (LSV-GAN). A base triangle mesh with UVs and smooth
// normals, and K shells offset along those normals; each shell carries an RGBA texture in the
// base mesh's UV space. Shells are drawn as triangles and composited per pixel by depth
// (DESIGN.md's rule), so they are cheap to view and to export.
#pragma once

#include <string>
#include <vector>

#include "neural/core/image.h"
#include "neural/core/math.h"
#include "neural/mesh/triangle_mesh.h"

namespace strata {

struct ShellVolume {
  TriangleMesh base;            // item space, metres; needs UVs and unit vertex normals
  std::vector<float> offsets;   // K offsets along the normal, metres, ascending (inner first)
  std::vector<Image> textures;  // K textures, premultiplied RGBA (as every Image), all one size

  size_t shell_count() const { return offsets.size(); }
  int texture_width() const { return textures.empty() ? 0 : textures[0].width; }
  int texture_height() const { return textures.empty() ? 0 : textures[0].height; }
  size_t triangle_count() const { return base.triangle_count() * offsets.size(); }
  // Vertex `vertex` of shell `shell`: position + offset * normal, item space.
  vec3 shell_vertex(size_t shell, size_t vertex) const {
    return base.positions[vertex] + offsets[shell] * base.normals[vertex];
  }
  // The bounds of every shell's vertices (item space).
  Bounds3 bounds() const;
  // Checks what the renderers rely on: at least one triangle and one shell, indices in range,
  // finite positions, UVs and unit normals per vertex, finite ascending offsets, one non-empty
  // texture per shell, all the same size, finite texels with alpha in [0, 1]. Throws
  // InputError naming `where` and the field.
  void validate(const std::string& where) const;
};

// `shells` moved by `transform` (rigid, optionally uniformly scaled): positions transformed,
// normals turned, offsets scaled.
ShellVolume transformed_shells(const ShellVolume& shells, const mat4& transform);

}  // namespace strata
