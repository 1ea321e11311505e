#include "neural/mesh/marching_cubes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "neural/core/parallel.h"

namespace strata {

namespace {

// Cube corner i sits at offset (i & 1, (i >> 1) & 1, (i >> 2) & 1) from the cell's first node.
// Cube edge e joins corner kEdgeCorner[e] to the corner one step along axis kEdgeAxis[e].
struct CubeEdges {
  int corner[12];
  int axis[12];
  int index_of[8][3];  // (corner, axis) -> edge, -1 when the step leaves the cube
};

CubeEdges make_edges() {
  CubeEdges t{};
  int e = 0;
  for (int c = 0; c < 8; ++c)
    for (int a = 0; a < 3; ++a) {
      t.index_of[c][a] = -1;
      if (!((c >> a) & 1)) {
        t.corner[e] = c;
        t.axis[e] = a;
        t.index_of[c][a] = e++;
      }
    }
  return t;
}
const CubeEdges kEdges = make_edges();

// The edge joining two corners that differ in one bit.
int edge_between(int a, int b) {
  const int lo = std::min(a, b), bit = a ^ b;
  return kEdges.index_of[lo][bit == 1 ? 0 : bit == 2 ? 1 : 2];
}

// Faces, corners counter-clockwise seen from outside the cube.
constexpr int kFaces[6][4] = {{0, 2, 3, 1}, {0, 1, 5, 4}, {0, 4, 6, 2},
                              {1, 3, 7, 5}, {2, 6, 7, 3}, {4, 5, 7, 6}};

// Triangles (cube edges, 3 per triangle) for each of the 256 inside-corner masks. Generated rather
// than copied: on each face, walking its corners counter-clockwise, the surface's boundary runs
// from each crossing into the inside to the next crossing out of it. Faces with two inside corners
// on a diagonal keep those corners apart; both cells sharing a face see the same corners and so
// cut it the same way (in opposite directions), which makes the mesh watertight. Each cell's
// segments close into loops, triangulated counter-clockwise seen from outside without any chord
// that lies in a cube face (the neighbouring cell could hold the same chord: a non-manifold edge);
// a loop with no such triangulation is fanned around an extra vertex at its centre.
struct CaseTable {
  std::array<std::vector<uint8_t>, 256> triangles;             // cube edges, 3 per triangle
  std::array<std::vector<std::vector<uint8_t>>, 256> centred;  // loops fanned around a centre
};

// Whether two cube edges lie in one face of the cube.
bool share_face(int e, int f) {
  for (int b = 0; b < 3; ++b) {
    if (b == kEdges.axis[e] || b == kEdges.axis[f]) continue;
    if (((kEdges.corner[e] >> b) & 1) == ((kEdges.corner[f] >> b) & 1)) return true;
  }
  return false;
}

// Triangulates the polygon `loop` (in order) with chords between edges in no common face; appends
// to `out` and returns true, or returns false.
bool triangulate(const std::vector<int>& loop, std::vector<uint8_t>* out) {
  const size_t n = loop.size();
  if (n == 3) {
    for (int e : loop) out->push_back(uint8_t(e));
    return true;
  }
  // The side loop[0]-loop[1] belongs to one triangle (loop[0], loop[1], loop[k]).
  for (size_t k = 2; k < n; ++k) {
    if (k != 2 && share_face(loop[1], loop[k])) continue;
    if (k != n - 1 && share_face(loop[k], loop[0])) continue;
    std::vector<uint8_t> tris{uint8_t(loop[0]), uint8_t(loop[1]), uint8_t(loop[k])};
    std::vector<int> left(loop.begin() + 1, loop.begin() + std::ptrdiff_t(k) + 1);
    std::vector<int> right(loop.begin() + std::ptrdiff_t(k), loop.end());
    right.push_back(loop[0]);
    if (left.size() >= 3 && !triangulate(left, &tris)) continue;
    if (right.size() >= 3 && !triangulate(right, &tris)) continue;
    out->insert(out->end(), tris.begin(), tris.end());
    return true;
  }
  return false;
}

CaseTable make_cases() {
  CaseTable table;
  for (int mask = 0; mask < 256; ++mask) {
    auto inside = [&](int c) { return (mask >> c) & 1; };
    int next[12];
    std::fill(next, next + 12, -1);
    for (const auto& face : kFaces) {
      int edge[4], type[4], n = 0;  // crossings in walking order; type 1 = enter, 0 = exit
      for (int k = 0; k < 4; ++k) {
        const int a = face[k], b = face[(k + 1) % 4];
        if (inside(a) != inside(b)) {
          edge[n] = edge_between(a, b);
          type[n++] = inside(b) ? 1 : 0;
        }
      }
      for (int k = 0; k < n; ++k)
        if (type[k] == 1) next[edge[k]] = edge[(k + 1) % n];  // the following crossing is an exit
    }
    bool used[12] = {};
    for (int start = 0; start < 12; ++start) {
      if (next[start] < 0 || used[start]) continue;
      std::vector<int> loop;
      for (int e = start; !used[e]; e = next[e]) {
        used[e] = true;
        loop.push_back(e);
      }
      if (!triangulate(loop, &table.triangles[size_t(mask)]))
        table.centred[size_t(mask)].emplace_back(loop.begin(), loop.end());
    }
  }
  return table;
}

const CaseTable& cases() {
  static const CaseTable table = make_cases();
  return table;
}

bool is_inside(float v, float iso) {
  return v > iso;
}  // NaN compares false: outside

// Central-difference gradient at a node (one-sided at the border); NaN neighbours count as 0.
vec3 gradient(const ScalarGrid& g, int x, int y, int z) {
  auto v = [&](int i, int j, int k) {
    const float f = g.at(std::clamp(i, 0, g.size.x - 1), std::clamp(j, 0, g.size.y - 1),
                         std::clamp(k, 0, g.size.z - 1));
    return std::isfinite(f) ? f : 0.0f;
  };
  auto span = [](int i, int n) { return float(std::min(i + 1, n - 1) - std::max(i - 1, 0)); };
  return vec3((v(x + 1, y, z) - v(x - 1, y, z)) / (span(x, g.size.x) * g.spacing.x),
              (v(x, y + 1, z) - v(x, y - 1, z)) / (span(y, g.size.y) * g.spacing.y),
              (v(x, y, z + 1) - v(x, y, z - 1)) / (span(z, g.size.z) * g.spacing.z));
}

}  // namespace

TriangleMesh marching_cubes(const ScalarGrid& grid, float iso) {
  TriangleMesh mesh;
  const int nx = grid.size.x, ny = grid.size.y, nz = grid.size.z;
  if (nx < 2 || ny < 2 || nz < 2 || grid.values.size() != size_t(nx) * ny * nz) return mesh;
  const CaseTable& table = cases();

  // Pass 1: the crossed grid edges, keyed node * 3 + axis, in increasing order (slab by slab).
  std::vector<std::vector<uint64_t>> slab_keys(static_cast<size_t>(nz));
  parallel_for(size_t(nz), 1, [&](size_t z0, size_t z1) {
    for (size_t zz = z0; zz < z1; ++zz) {
      const int z = int(zz);
      auto& keys = slab_keys[zz];
      for (int y = 0; y < ny; ++y)
        for (int x = 0; x < nx; ++x) {
          const bool in = is_inside(grid.at(x, y, z), iso);
          const uint64_t node = grid.index(x, y, z);
          if (x + 1 < nx && is_inside(grid.at(x + 1, y, z), iso) != in) keys.push_back(node * 3);
          if (y + 1 < ny && is_inside(grid.at(x, y + 1, z), iso) != in)
            keys.push_back(node * 3 + 1);
          if (z + 1 < nz && is_inside(grid.at(x, y, z + 1), iso) != in)
            keys.push_back(node * 3 + 2);
        }
    }
  });
  std::vector<uint64_t> keys;
  for (auto& k : slab_keys) keys.insert(keys.end(), k.begin(), k.end());
  slab_keys.clear();
  if (keys.empty()) return mesh;

  // Vertices: interpolated along their edge; normals from the interpolated gradient.
  mesh.positions.resize(keys.size());
  mesh.normals.resize(keys.size());
  parallel_for(keys.size(), 4096, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      const uint64_t node = keys[i] / 3;
      const int axis = int(keys[i] % 3);
      const int x = int(node % uint64_t(nx)), y = int((node / uint64_t(nx)) % uint64_t(ny)),
                z = int(node / (uint64_t(nx) * uint64_t(ny)));
      const int x1 = x + (axis == 0), y1 = y + (axis == 1), z1 = z + (axis == 2);
      const float v0 = grid.at(x, y, z), v1 = grid.at(x1, y1, z1);
      float t = (iso - v0) / (v1 - v0);
      if (!std::isfinite(t)) t = 0.5f;
      t = std::clamp(t, 0.0f, 1.0f);
      mesh.positions[i] = glm::mix(grid.position(x, y, z), grid.position(x1, y1, z1), t);
      const vec3 g = glm::mix(gradient(grid, x, y, z), gradient(grid, x1, y1, z1), t);
      const float len = glm::length(g);
      // Outwards is towards lower values: minus the gradient.
      mesh.normals[i] = len > 0.0f && std::isfinite(len) ? -g / len : vec3(0.0f, 0.0f, 1.0f);
    }
  });

  // Pass 2: triangles per cell, slab by slab, vertices found by binary search over the keys.
  std::vector<std::vector<uint32_t>> slab_tris(static_cast<size_t>(nz - 1));
  std::vector<std::vector<vec3>> slab_centres(static_cast<size_t>(nz - 1));  // extra vertices
  std::vector<std::vector<vec3>> slab_centre_normals(static_cast<size_t>(nz - 1));
  parallel_for(size_t(nz - 1), 1, [&](size_t z0, size_t z1) {
    for (size_t zz = z0; zz < z1; ++zz) {
      const int z = int(zz);
      auto& tris = slab_tris[zz];
      for (int y = 0; y + 1 < ny; ++y)
        for (int x = 0; x + 1 < nx; ++x) {
          int mask = 0;
          for (int c = 0; c < 8; ++c)
            if (is_inside(grid.at(x + (c & 1), y + ((c >> 1) & 1), z + ((c >> 2) & 1)), iso))
              mask |= 1 << c;
          auto vertex = [&](uint8_t edge) {
            const int c = kEdges.corner[edge];
            const uint64_t key =
                grid.index(x + (c & 1), y + ((c >> 1) & 1), z + ((c >> 2) & 1)) * 3 +
                uint64_t(kEdges.axis[edge]);
            return uint32_t(std::lower_bound(keys.begin(), keys.end(), key) - keys.begin());
          };
          for (uint8_t edge : table.triangles[size_t(mask)]) tris.push_back(vertex(edge));
          for (const auto& loop : table.centred[size_t(mask)]) {
            // Extra vertices are numbered after the shared ones: marked with the high bit until
            // the slabs are merged.
            vec3 centre(0.0f), normal(0.0f);
            for (uint8_t edge : loop) {
              centre += mesh.positions[vertex(edge)];
              normal += mesh.normals[vertex(edge)];
            }
            const uint32_t id = 0x80000000u | uint32_t(slab_centres[zz].size());
            slab_centres[zz].push_back(centre / float(loop.size()));
            slab_centre_normals[zz].push_back(glm::length(normal) > 0.0f ? glm::normalize(normal)
                                                                         : vec3(0, 0, 1));
            for (size_t i = 0; i < loop.size(); ++i)
              tris.insert(tris.end(), {id, vertex(loop[i]), vertex(loop[(i + 1) % loop.size()])});
          }
        }
    }
  });
  for (size_t zz = 0; zz < slab_tris.size(); ++zz) {
    const uint32_t base = uint32_t(mesh.positions.size());
    for (uint32_t i : slab_tris[zz])
      mesh.indices.push_back(i & 0x80000000u ? base + (i & 0x7fffffffu) : i);
    mesh.positions.insert(mesh.positions.end(), slab_centres[zz].begin(), slab_centres[zz].end());
    mesh.normals.insert(mesh.normals.end(), slab_centre_normals[zz].begin(),
                        slab_centre_normals[zz].end());
  }
  return mesh;
}

}  // namespace strata
