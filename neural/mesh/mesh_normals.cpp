#include "neural/mesh/mesh_normals.h"

#include <cmath>
#include <cstring>
#include <unordered_map>

namespace strata {

namespace {

struct PositionKey {
  uint32_t bits[3];
  bool operator==(const PositionKey& o) const { return std::memcmp(bits, o.bits, 12) == 0; }
};
struct PositionHash {
  size_t operator()(const PositionKey& k) const {
    return (size_t(k.bits[0]) * 73856093u) ^ (size_t(k.bits[1]) * 19349663u) ^
           (size_t(k.bits[2]) * 83492791u);
  }
};

PositionKey key_of(vec3 p) {
  PositionKey k;
  for (int i = 0; i < 3; ++i) {
    float v = p[i] == 0.0f ? 0.0f : p[i];  // -0 and +0 weld
    std::memcpy(&k.bits[i], &v, 4);
  }
  return k;
}

}  // namespace

std::vector<vec3> face_normals(const TriangleMesh& mesh) {
  std::vector<vec3> n(mesh.triangle_count(), vec3(0.0f));
  for (size_t t = 0; t < n.size(); ++t) {
    const vec3 a = mesh.positions[mesh.indices[3 * t]], b = mesh.positions[mesh.indices[3 * t + 1]],
               c = mesh.positions[mesh.indices[3 * t + 2]];
    const vec3 cr = glm::cross(b - a, c - a);
    const float len = glm::length(cr);
    if (len > 0.0f && std::isfinite(len)) n[t] = cr / len;
  }
  return n;
}

std::vector<vec3> smooth_vertex_normals(const TriangleMesh& mesh, bool weld_by_position) {
  const size_t nv = mesh.vertex_count();
  // Each vertex accumulates into its group: itself, or the first vertex at its position.
  std::vector<uint32_t> group(nv);
  if (weld_by_position) {
    std::unordered_map<PositionKey, uint32_t, PositionHash> first;
    first.reserve(nv);
    for (size_t v = 0; v < nv; ++v)
      group[v] = first.emplace(key_of(mesh.positions[v]), uint32_t(v)).first->second;
  } else {
    for (size_t v = 0; v < nv; ++v) group[v] = uint32_t(v);
  }
  std::vector<vec3> sum(nv, vec3(0.0f));
  for (size_t t = 0; t < mesh.triangle_count(); ++t) {
    const uint32_t i0 = mesh.indices[3 * t], i1 = mesh.indices[3 * t + 1],
                   i2 = mesh.indices[3 * t + 2];
    const vec3 a = mesh.positions[i0];
    // |cross| = twice the area: the sum is area-weighted.
    const vec3 cr = glm::cross(mesh.positions[i1] - a, mesh.positions[i2] - a);
    if (!std::isfinite(cr.x + cr.y + cr.z)) continue;
    sum[group[i0]] += cr;
    sum[group[i1]] += cr;
    sum[group[i2]] += cr;
  }
  std::vector<vec3> normals(nv);
  for (size_t v = 0; v < nv; ++v) {
    const vec3 s = sum[group[v]];
    const float len = glm::length(s);
    normals[v] = len > 1e-30f ? s / len : vec3(0.0f, 0.0f, 1.0f);
  }
  return normals;
}

void compute_vertex_normals(TriangleMesh* mesh, bool weld_by_position) {
  mesh->normals = smooth_vertex_normals(*mesh, weld_by_position);
}

}  // namespace strata
