// Taubin's lambda|mu smoothing ("A signal processing approach to fair surface design", 1995): a
// shrinking Laplacian step followed by an inflating one, so noise at the vertex scale fades while
// the shape (and its volume) stays. It takes the voxel-scale stair steps out of a marching-cubes
// surface, which makes simplification keep fewer, better triangles and lets UV charts grow large.
#pragma once

#include "neural/mesh/triangle_mesh.h"

namespace strata {

struct SmoothOptions {
  int iterations = 10;        // lambda|mu pairs
  float lambda = 0.5f;        // shrinking step (0, 1)
  float mu = -0.53f;          // inflating step, |mu| slightly above lambda
  bool keep_boundary = true;  // vertices on open boundaries stay where they are
};

// Smooths `mesh` in place with uniform (umbrella) weights over edge neighbours; normals, when
// present, are recomputed from the new positions. Deterministic. Degenerate or unreferenced
// vertices are left alone.
void taubin_smooth(TriangleMesh* mesh, const SmoothOptions& options = {});

}  // namespace strata
