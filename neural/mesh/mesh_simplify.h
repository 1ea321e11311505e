// Mesh simplification by quadric edge collapse (Garland & Heckbert): repeatedly contracts the edge
// whose contraction moves the surface least (sum of squared distances to the planes of the
// original triangles around it), until a target triangle count.
#pragma once

#include <cstddef>

#include "neural/mesh/triangle_mesh.h"

namespace strata {

struct SimplifyOptions {
  size_t target_triangles = 0;  // stop at or below this many triangles (0: no simplification)
  bool keep_boundary = true;    // vertices on open boundaries never move nor merge
  float max_error = 1e30f;      // stop early when the cheapest collapse moves the surface more
                                // than this (metres, root of the quadric error)
};

// The simplified mesh: positions only (welded by exact position first; uvs dropped), normals
// recomputed smooth when the input had normals. Collapses that would flip a triangle or make an
// edge non-manifold are refused, so a watertight manifold input stays watertight; the result may
// keep more than target_triangles when no allowed collapse remains.
TriangleMesh simplify_mesh(const TriangleMesh& mesh, const SimplifyOptions& options);

}  // namespace strata
