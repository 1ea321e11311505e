// Which triangles of a mesh some camera sees: each camera rasterises the mesh into a depth
// buffer, and a triangle is seen when it covers a pixel centre at (or within a tolerance behind)
// the nearest depth there (a triangle smaller than a pixel, covering no pixel centre: when its
// centre is at the nearest depth of the pixel it falls in). Used to give texels to the surface the
// views show (uv_atlas.h).
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/mesh/triangle_mesh.h"

namespace strata {

struct VisibilityOptions {
  float depth_tolerance = 0.0f;  // metres: a triangle this far behind the nearest surface at a
                                 // pixel still counts as seen (shells around it are see-through)
  int max_side = 512;            // cameras larger than this are rasterised at this many pixels
                                 // on their longer side (intrinsics scaled)
};

// Per triangle: 1 when at least one camera sees it, else 0. Pinhole cameras rasterise the
// triangles in front of their near limit; equirectangular ones project each corner. Triangles
// closer than 1e-4 of the mesh's size to a camera are treated as seen. Deterministic for any
// thread count.
std::vector<uint8_t> seen_triangles(const TriangleMesh& mesh, const std::vector<Camera>& cameras,
                                    const VisibilityOptions& options = {});

}  // namespace strata
