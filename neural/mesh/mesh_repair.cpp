#include "neural/mesh/mesh_repair.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <unordered_map>

#include "neural/core/error.h"

namespace strata {

namespace {

bool finite(vec3 v) {
  return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

// Vertex ids after merging vertices at exactly the same position.
std::vector<uint32_t> position_ids(const TriangleMesh& mesh) {
  std::map<std::array<float, 3>, uint32_t> first;
  std::vector<uint32_t> id(mesh.vertex_count());
  for (size_t v = 0; v < id.size(); ++v) {
    const vec3 p = mesh.positions[v];
    id[v] = first.emplace(std::array<float, 3>{p.x + 0.0f, p.y + 0.0f, p.z + 0.0f}, uint32_t(v))
                .first->second;
  }
  return id;
}

// How many triangles use each undirected edge (by position).
std::unordered_map<uint64_t, uint32_t> edge_uses(const TriangleMesh& mesh) {
  const std::vector<uint32_t> id = position_ids(mesh);
  std::unordered_map<uint64_t, uint32_t> uses;
  uses.reserve(mesh.indices.size());
  for (size_t t = 0; t < mesh.triangle_count(); ++t)
    for (int k = 0; k < 3; ++k) {
      uint32_t a = id[mesh.indices[3 * t + k]], b = id[mesh.indices[3 * t + (k + 1) % 3]];
      if (a == b) continue;
      if (a > b) std::swap(a, b);
      ++uses[(uint64_t(a) << 32) | b];
    }
  return uses;
}

}  // namespace

void validate_mesh(const TriangleMesh& mesh, const std::string& source) {
  if (mesh.indices.size() % 3 != 0)
    throw InputError(
        source, "indices",
        "a multiple of 3 indices (triangles), got " + std::to_string(mesh.indices.size()));
  for (size_t i = 0; i < mesh.indices.size(); ++i)
    if (mesh.indices[i] >= mesh.positions.size())
      throw InputError(source, "indices[" + std::to_string(i) + "]",
                       "a vertex index below " + std::to_string(mesh.positions.size()) + ", got " +
                           std::to_string(mesh.indices[i]));
  for (size_t v = 0; v < mesh.positions.size(); ++v)
    if (!finite(mesh.positions[v]))
      throw InputError(source, "positions[" + std::to_string(v) + "]",
                       "finite coordinates, got NaN or infinity");
  if (!mesh.normals.empty() && mesh.normals.size() != mesh.positions.size())
    throw InputError(source, "normals",
                     "one normal per vertex (" + std::to_string(mesh.positions.size()) + "), got " +
                         std::to_string(mesh.normals.size()));
  if (!mesh.uvs.empty() && mesh.uvs.size() != mesh.positions.size())
    throw InputError(source, "uvs",
                     "one uv per vertex (" + std::to_string(mesh.positions.size()) + "), got " +
                         std::to_string(mesh.uvs.size()));
  for (size_t v = 0; v < mesh.uvs.size(); ++v)
    if (!std::isfinite(mesh.uvs[v].x) || !std::isfinite(mesh.uvs[v].y))
      throw InputError(source, "uvs[" + std::to_string(v) + "]", "finite texture coordinates");
}

size_t remove_small_components(TriangleMesh* mesh, size_t min_triangles) {
  const size_t nv = mesh->vertex_count(), nt = mesh->triangle_count();
  std::vector<uint32_t> parent(nv);
  for (size_t v = 0; v < nv; ++v) parent[v] = uint32_t(v);
  auto find = [&](uint32_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (size_t t = 0; t < nt; ++t)
    for (int k = 1; k < 3; ++k) {
      const uint32_t a = find(mesh->indices[3 * t]), b = find(mesh->indices[3 * t + size_t(k)]);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  std::vector<size_t> size(nv, 0);
  for (size_t t = 0; t < nt; ++t) ++size[find(mesh->indices[3 * t])];
  std::vector<uint32_t> kept;
  kept.reserve(mesh->indices.size());
  for (size_t t = 0; t < nt; ++t)
    if (size[find(mesh->indices[3 * t])] >= min_triangles)
      kept.insert(kept.end(), mesh->indices.begin() + std::ptrdiff_t(3 * t),
                  mesh->indices.begin() + std::ptrdiff_t(3 * t + 3));
  const size_t removed = nt - kept.size() / 3;
  if (removed == 0) return 0;
  mesh->indices.swap(kept);
  // Drop the vertices no triangle uses any more.
  std::vector<uint32_t> index(nv, UINT32_MAX);
  uint32_t count = 0;
  for (uint32_t& i : mesh->indices) {
    if (index[i] == UINT32_MAX) index[i] = count++;
    i = index[i];
  }
  TriangleMesh packed;
  packed.positions.resize(count);
  if (mesh->has_normals()) packed.normals.resize(count);
  if (mesh->has_uvs()) packed.uvs.resize(count);
  for (size_t v = 0; v < nv; ++v) {
    if (index[v] == UINT32_MAX) continue;
    packed.positions[index[v]] = mesh->positions[v];
    if (!packed.normals.empty()) packed.normals[index[v]] = mesh->normals[v];
    if (!packed.uvs.empty()) packed.uvs[index[v]] = mesh->uvs[v];
  }
  mesh->positions.swap(packed.positions);
  mesh->normals.swap(packed.normals);
  mesh->uvs.swap(packed.uvs);
  return removed;
}

size_t count_non_manifold_edges(const TriangleMesh& mesh) {
  size_t n = 0;
  for (const auto& [edge, uses] : edge_uses(mesh)) n += uses > 2;
  return n;
}

size_t count_boundary_edges(const TriangleMesh& mesh) {
  size_t n = 0;
  for (const auto& [edge, uses] : edge_uses(mesh)) n += uses == 1;
  return n;
}

MeshRepairReport repair_mesh(TriangleMesh* mesh, const std::string& source,
                             const MeshRepairOptions& options) {
  validate_mesh(*mesh, source);
  MeshRepairReport report;
  const std::string where = source.empty() ? std::string("mesh") : source;
  const Bounds3 box = mesh->bounds();
  const float diagonal = box.empty() ? 0.0f : glm::length(box.extent());

  // Unusable normals are dropped as a whole (callers recompute them).
  if (mesh->has_normals()) {
    for (const vec3& n : mesh->normals)
      if (!finite(n) || glm::length(n) < 1e-6f) {
        report.normals_dropped = true;
        break;
      }
    if (report.normals_dropped) {
      mesh->normals.clear();
      warn(where + ": normals with NaN or zero length were dropped and will be recomputed");
    }
  }

  // Welding: vertices in the same cell of a grid of weld_tolerance * diagonal, with matching
  // attributes, merge into the first one.
  std::vector<uint32_t> remap(mesh->vertex_count());
  for (size_t v = 0; v < remap.size(); ++v) remap[v] = uint32_t(v);
  if (options.weld && diagonal > 0.0f) {
    const float cell = std::max(options.weld_tolerance * diagonal, 1e-30f);
    std::map<std::array<int64_t, 3>, std::vector<uint32_t>> buckets;
    for (size_t v = 0; v < remap.size(); ++v) {
      const vec3 q = (mesh->positions[v] - box.lo) / cell;
      const std::array<int64_t, 3> key{int64_t(std::llround(q.x)), int64_t(std::llround(q.y)),
                                       int64_t(std::llround(q.z))};
      auto& list = buckets[key];
      bool merged = false;
      for (uint32_t u : list) {
        const bool same_uv =
            !mesh->has_uvs() || glm::length(mesh->uvs[u] - mesh->uvs[v]) <= options.weld_tolerance;
        const bool same_n =
            !mesh->has_normals() || glm::dot(mesh->normals[u], mesh->normals[v]) > 0.999f;
        if (same_uv && same_n) {
          remap[v] = u;
          merged = true;
          ++report.vertices_welded;
          break;
        }
      }
      if (!merged) list.push_back(uint32_t(v));
    }
    for (uint32_t& i : mesh->indices) i = remap[i];
  }

  // Degenerate triangles: repeated vertices or (near) zero area.
  const float min_area2 = 2.0f * options.degenerate_area * diagonal * diagonal;
  std::vector<uint32_t> kept;
  kept.reserve(mesh->indices.size());
  for (size_t t = 0; t < mesh->triangle_count(); ++t) {
    const uint32_t a = mesh->indices[3 * t], b = mesh->indices[3 * t + 1],
                   c = mesh->indices[3 * t + 2];
    const float area2 = glm::length(glm::cross(mesh->positions[b] - mesh->positions[a],
                                               mesh->positions[c] - mesh->positions[a]));
    if (a == b || b == c || a == c || !(area2 > min_area2)) {
      ++report.degenerate_removed;
      continue;
    }
    kept.insert(kept.end(), {a, b, c});
  }
  mesh->indices.swap(kept);

  // Unused vertices (welded ones and those of removed triangles) are dropped.
  std::vector<uint32_t> new_index(mesh->vertex_count(), UINT32_MAX);
  uint32_t count = 0;
  for (uint32_t i : mesh->indices)
    if (new_index[i] == UINT32_MAX) new_index[i] = count++;
  const size_t unused = mesh->vertex_count() - count;
  if (unused > 0) {
    TriangleMesh packed;
    packed.positions.resize(count);
    if (mesh->has_normals()) packed.normals.resize(count);
    if (mesh->has_uvs()) packed.uvs.resize(count);
    for (size_t v = 0; v < new_index.size(); ++v) {
      const uint32_t n = new_index[v];
      if (n == UINT32_MAX) continue;
      packed.positions[n] = mesh->positions[v];
      if (!packed.normals.empty()) packed.normals[n] = mesh->normals[v];
      if (!packed.uvs.empty()) packed.uvs[n] = mesh->uvs[v];
    }
    for (uint32_t& i : mesh->indices) i = new_index[i];
    mesh->positions.swap(packed.positions);
    mesh->normals.swap(packed.normals);
    mesh->uvs.swap(packed.uvs);
    report.unused_removed = unused - report.vertices_welded;
  }

  const auto uses = edge_uses(*mesh);
  for (const auto& [edge, n] : uses) {
    report.non_manifold_edges += n > 2;
    report.boundary_edges += n == 1;
  }

  if (report.degenerate_removed > 0)
    warn(where + ": removed " + std::to_string(report.degenerate_removed) +
         " degenerate (zero-area) triangle(s)");
  if (report.vertices_welded > 0)
    warn(where + ": welded " + std::to_string(report.vertices_welded) + " duplicate vertices");
  if (report.non_manifold_edges > 0)
    warn(where + ": " + std::to_string(report.non_manifold_edges) +
         " non-manifold edge(s) (shared by more than two triangles); kept as they are");
  return report;
}

}  // namespace strata
