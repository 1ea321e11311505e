#include "neural/mesh/mesh_smooth.h"

#include <algorithm>
#include <utility>

#include "neural/core/parallel.h"
#include "neural/mesh/mesh_normals.h"

namespace strata {

void taubin_smooth(TriangleMesh* mesh, const SmoothOptions& options) {
  const size_t n = mesh->vertex_count();
  if (n == 0 || options.iterations <= 0) return;
  // Neighbour lists (CSR) from the triangles' edges, each edge once per endpoint.
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  edges.reserve(mesh->indices.size() * 2);
  for (size_t t = 0; t + 2 < mesh->indices.size(); t += 3)
    for (int k = 0; k < 3; ++k) {
      const uint32_t a = mesh->indices[t + size_t(k)], b = mesh->indices[t + size_t((k + 1) % 3)];
      if (a == b || a >= n || b >= n) continue;
      edges.emplace_back(a, b);
      edges.emplace_back(b, a);
    }
  std::sort(edges.begin(), edges.end());
  // An edge met once (in one direction) lies on a boundary: count the directed copies.
  std::vector<uint8_t> boundary(n, 0);
  if (options.keep_boundary) {
    std::vector<std::pair<uint32_t, uint32_t>> directed;
    directed.reserve(mesh->indices.size());
    for (size_t t = 0; t + 2 < mesh->indices.size(); t += 3)
      for (int k = 0; k < 3; ++k) {
        const uint32_t a = mesh->indices[t + size_t(k)], b = mesh->indices[t + size_t((k + 1) % 3)];
        if (a != b && a < n && b < n) directed.emplace_back(std::min(a, b), std::max(a, b));
      }
    std::sort(directed.begin(), directed.end());
    for (size_t i = 0; i < directed.size();) {
      size_t j = i;
      while (j < directed.size() && directed[j] == directed[i]) ++j;
      if (j - i == 1) boundary[directed[i].first] = boundary[directed[i].second] = 1;
      i = j;
    }
  }
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  std::vector<uint32_t> first(n + 1, 0), neighbours(edges.size());
  for (const auto& e : edges) ++first[e.first + 1];
  for (size_t i = 0; i < n; ++i) first[i + 1] += first[i];
  for (size_t i = 0; i < edges.size(); ++i) neighbours[i] = edges[i].second;

  std::vector<vec3> next(mesh->positions);
  auto pass = [&](float factor) {
    const std::vector<vec3>& p = mesh->positions;
    parallel_for(n, 4096, [&](size_t begin, size_t end) {
      for (size_t v = begin; v < end; ++v) {
        const uint32_t a = first[v], b = first[v + 1];
        if (a == b || boundary[v]) {
          next[v] = p[v];
          continue;
        }
        vec3 mean(0.0f);
        for (uint32_t k = a; k < b; ++k) mean += p[neighbours[k]];
        mean /= float(b - a);
        next[v] = p[v] + factor * (mean - p[v]);
      }
    });
    mesh->positions.swap(next);
  };
  for (int i = 0; i < options.iterations; ++i) {
    pass(options.lambda);
    pass(options.mu);
  }
  if (mesh->has_normals()) compute_vertex_normals(mesh, false);
}

}  // namespace strata
