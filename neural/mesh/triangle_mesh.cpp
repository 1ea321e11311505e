#include "neural/mesh/triangle_mesh.h"

namespace strata {

Bounds3 TriangleMesh::bounds() const {
  Bounds3 b;
  for (const vec3& p : positions) b.add(p);
  return b;
}

}  // namespace strata
