// Marching cubes (Lorensen & Cline, with Bourke's tables) on a dense scalar grid: the surface
// where the value crosses an iso level. One vertex per crossed grid edge, shared by the cells
// around it, so a surface that is closed inside the grid gives a watertight mesh.
#pragma once

#include <cstddef>
#include <vector>

#include "neural/core/math.h"
#include "neural/mesh/triangle_mesh.h"

namespace strata {

// Samples of a scalar function at the nodes of a regular grid.
struct ScalarGrid {
  glm::ivec3 size{0};         // nodes along x, y, z (>= 2 each for any cell)
  vec3 origin{0.0f};          // world position of node (0,0,0), metres
  vec3 spacing{1.0f};         // distance between neighbouring nodes along each axis, metres
  std::vector<float> values;  // size.x*size.y*size.z, x fastest, then y, then z

  size_t index(int x, int y, int z) const {
    return size_t(x) + size_t(size.x) * (size_t(y) + size_t(size.y) * size_t(z));
  }
  float at(int x, int y, int z) const { return values[index(x, y, z)]; }
  vec3 position(int x, int y, int z) const { return origin + vec3(x, y, z) * spacing; }
};

// The iso surface value == iso. "Inside" is value > iso (a density); triangles are
// counter-clockwise seen from outside and normals (from the grid's central-difference gradient)
// point outwards, towards lower values. NaN values count as outside. Surfaces that reach the
// grid's border are open there. Multithreaded over z slabs; the result does not depend on the
// thread count.
TriangleMesh marching_cubes(const ScalarGrid& grid, float iso);

}  // namespace strata
