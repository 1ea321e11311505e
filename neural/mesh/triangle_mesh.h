// TriangleMesh: an indexed triangle mesh with optional per-vertex normals and UVs. The base of
// a ShellVolume and what marching cubes makes of a radiance field. Plain data, no GPU types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neural/core/math.h"

namespace strata {

struct TriangleMesh {
  std::vector<vec3> positions;    // one per vertex, item space, metres
  std::vector<vec3> normals;      // empty, or one unit normal per vertex
  std::vector<vec2> uvs;          // empty, or one per vertex; [0,1]², v down (glTF convention)
  std::vector<uint32_t> indices;  // 3 per triangle, counter-clockwise seen from outside

  size_t vertex_count() const { return positions.size(); }
  size_t triangle_count() const { return indices.size() / 3; }
  bool has_normals() const { return !normals.empty() && normals.size() == positions.size(); }
  bool has_uvs() const { return !uvs.empty() && uvs.size() == positions.size(); }
  Bounds3 bounds() const;  // of the positions; empty() for an empty mesh
};

}  // namespace strata
