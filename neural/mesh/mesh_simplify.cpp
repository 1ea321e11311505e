#include "neural/mesh/mesh_simplify.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <queue>
#include <unordered_map>

#include "neural/mesh/mesh_normals.h"

namespace strata {

namespace {

// Symmetric 4x4 quadric of plane distances: q(p) = p^T A p + 2 b.p + c.
struct Quadric {
  double a[6] = {0, 0, 0, 0, 0, 0};  // xx xy xz yy yz zz
  double b[3] = {0, 0, 0};
  double c = 0;

  static Quadric plane(const glm::dvec3& n, double d, double weight) {
    Quadric q;
    q.a[0] = weight * n.x * n.x;
    q.a[1] = weight * n.x * n.y;
    q.a[2] = weight * n.x * n.z;
    q.a[3] = weight * n.y * n.y;
    q.a[4] = weight * n.y * n.z;
    q.a[5] = weight * n.z * n.z;
    q.b[0] = weight * d * n.x;
    q.b[1] = weight * d * n.y;
    q.b[2] = weight * d * n.z;
    q.c = weight * d * d;
    return q;
  }
  void add(const Quadric& o) {
    for (int i = 0; i < 6; ++i) a[i] += o.a[i];
    for (int i = 0; i < 3; ++i) b[i] += o.b[i];
    c += o.c;
  }
  double error(const glm::dvec3& p) const {
    return a[0] * p.x * p.x + 2 * a[1] * p.x * p.y + 2 * a[2] * p.x * p.z + a[3] * p.y * p.y +
           2 * a[4] * p.y * p.z + a[5] * p.z * p.z + 2 * (b[0] * p.x + b[1] * p.y + b[2] * p.z) + c;
  }
  // The minimiser of q, when A is well conditioned.
  bool optimum(glm::dvec3* p) const {
    const glm::dmat3 m(a[0], a[1], a[2], a[1], a[3], a[4], a[2], a[4], a[5]);
    const double det = glm::determinant(m);
    const double scale = a[0] + a[3] + a[5];
    if (!(std::abs(det) > 1e-9 * scale * scale * scale) || scale <= 0) return false;
    *p = -(glm::inverse(m) * glm::dvec3(b[0], b[1], b[2]));
    return std::isfinite(p->x) && std::isfinite(p->y) && std::isfinite(p->z);
  }
};

struct Candidate {
  double cost;
  uint32_t u, v;  // collapse v into u
  uint32_t stamp_u, stamp_v;
  glm::dvec3 target;
  bool operator<(const Candidate& o) const { return cost > o.cost; }  // min-heap
};

class Simplifier {
 public:
  Simplifier(const TriangleMesh& mesh, const SimplifyOptions& options) : options_(options) {
    // Weld by exact position.
    std::map<std::array<float, 3>, uint32_t> first;
    std::vector<uint32_t> id(mesh.vertex_count());
    for (size_t v = 0; v < id.size(); ++v) {
      const vec3 p = mesh.positions[v];
      const auto [it, added] = first.emplace(
          std::array<float, 3>{p.x + 0.0f, p.y + 0.0f, p.z + 0.0f}, uint32_t(pos_.size()));
      if (added) pos_.push_back(glm::dvec3(p));
      id[v] = it->second;
    }
    for (size_t t = 0; t < mesh.triangle_count(); ++t) {
      std::array<uint32_t, 3> tri{id[mesh.indices[3 * t]], id[mesh.indices[3 * t + 1]],
                                  id[mesh.indices[3 * t + 2]]};
      if (tri[0] == tri[1] || tri[1] == tri[2] || tri[0] == tri[2]) continue;
      tris_.push_back(tri);
    }
    alive_.assign(tris_.size(), true);
    alive_count_ = tris_.size();
    vertex_tris_.resize(pos_.size());
    for (uint32_t t = 0; t < tris_.size(); ++t)
      for (uint32_t v : tris_[t]) vertex_tris_[v].push_back(t);
    stamp_.assign(pos_.size(), 0);
    locked_.assign(pos_.size(), false);
    quadric_.resize(pos_.size());
    for (const auto& tri : tris_) {
      const glm::dvec3 n = glm::cross(pos_[tri[1]] - pos_[tri[0]], pos_[tri[2]] - pos_[tri[0]]);
      const double len = glm::length(n);
      if (!(len > 0)) continue;
      const glm::dvec3 unit = n / len;
      const Quadric q = Quadric::plane(unit, -glm::dot(unit, pos_[tri[0]]), 0.5 * len);
      for (uint32_t v : tri) quadric_[v].add(q);
    }
    // Boundary (and non-manifold) edges: their vertices are locked when keeping the boundary,
    // otherwise constrained by perpendicular planes so the boundary keeps its shape.
    std::unordered_map<uint64_t, int> uses;
    for (const auto& tri : tris_)
      for (int k = 0; k < 3; ++k) ++uses[edge_key(tri[k], tri[(k + 1) % 3])];
    for (const auto& tri : tris_)
      for (int k = 0; k < 3; ++k) {
        const uint32_t a = tri[k], b = tri[(k + 1) % 3];
        if (uses[edge_key(a, b)] == 2) continue;
        if (options_.keep_boundary || uses[edge_key(a, b)] > 2) {
          locked_[a] = locked_[b] = true;
        }
      }
  }

  void run() {
    for (uint32_t t = 0; t < tris_.size(); ++t)
      for (int k = 0; k < 3; ++k) {
        const uint32_t a = tris_[t][k], b = tris_[t][(k + 1) % 3];
        if (a < b) push(a, b);
      }
    const double max_error2 = double(options_.max_error) * options_.max_error;
    while (alive_count_ > options_.target_triangles && !heap_.empty()) {
      const Candidate c = heap_.top();
      heap_.pop();
      if (c.stamp_u != stamp_[c.u] || c.stamp_v != stamp_[c.v]) continue;  // stale
      if (c.cost > max_error2) break;
      if (!collapse_allowed(c.u, c.v, c.target)) continue;
      collapse(c.u, c.v, c.target);
    }
  }

  TriangleMesh result() const {
    TriangleMesh out;
    std::vector<uint32_t> index(pos_.size(), UINT32_MAX);
    for (size_t t = 0; t < tris_.size(); ++t) {
      if (!alive_[t]) continue;
      for (uint32_t v : tris_[t]) {
        if (index[v] == UINT32_MAX) {
          index[v] = uint32_t(out.positions.size());
          out.positions.push_back(vec3(pos_[v]));
        }
        out.indices.push_back(index[v]);
      }
    }
    return out;
  }

 private:
  static uint64_t edge_key(uint32_t a, uint32_t b) {
    if (a > b) std::swap(a, b);
    return (uint64_t(a) << 32) | b;
  }

  void push(uint32_t a, uint32_t b) {
    if (locked_[a] && locked_[b]) return;
    Candidate c;
    Quadric q = quadric_[a];
    q.add(quadric_[b]);
    if (locked_[a] || locked_[b]) {
      if (locked_[b]) std::swap(a, b);  // a is the locked one and stays
      c.target = pos_[a];
    } else if (!q.optimum(&c.target)) {
      const glm::dvec3 options[3] = {pos_[a], pos_[b], 0.5 * (pos_[a] + pos_[b])};
      c.target = options[0];
      for (const auto& o : options)
        if (q.error(o) < q.error(c.target)) c.target = o;
    } else if (glm::length(c.target - 0.5 * (pos_[a] + pos_[b])) >
               2.0 * glm::length(pos_[a] - pos_[b])) {
      c.target = 0.5 * (pos_[a] + pos_[b]);  // far optimum of a nearly flat region: stay local
    }
    c.cost = std::max(0.0, q.error(c.target));
    c.u = a;
    c.v = b;
    c.stamp_u = stamp_[a];
    c.stamp_v = stamp_[b];
    heap_.push(c);
  }

  // The link condition (the edge's two endpoints share exactly the vertices opposite the edge)
  // keeps the mesh manifold; the normal test refuses folds.
  bool collapse_allowed(uint32_t u, uint32_t v, const glm::dvec3& target) {
    std::vector<uint32_t> nu, nv, opposite;
    for (uint32_t t : vertex_tris_[u]) {
      if (!alive_[t]) continue;
      bool has_v = false;
      for (uint32_t w : tris_[t]) has_v = has_v || w == v;
      for (uint32_t w : tris_[t])
        if (w != u) {
          nu.push_back(w);
          if (has_v && w != v) opposite.push_back(w);
        }
    }
    for (uint32_t t : vertex_tris_[v]) {
      if (!alive_[t]) continue;
      for (uint32_t w : tris_[t])
        if (w != v) nv.push_back(w);
    }
    auto unique = [](std::vector<uint32_t>& x) {
      std::sort(x.begin(), x.end());
      x.erase(std::unique(x.begin(), x.end()), x.end());
    };
    unique(nu);
    unique(nv);
    unique(opposite);
    if (opposite.empty()) return false;
    std::vector<uint32_t> common;
    std::set_intersection(nu.begin(), nu.end(), nv.begin(), nv.end(), std::back_inserter(common));
    if (common != opposite) return false;
    // No triangle that survives may flip or become a sliver.
    for (uint32_t x : {u, v})
      for (uint32_t t : vertex_tris_[x]) {
        if (!alive_[t]) continue;
        const auto& tri = tris_[t];
        if ((tri[0] == u || tri[1] == u || tri[2] == u) &&
            (tri[0] == v || tri[1] == v || tri[2] == v))
          continue;
        glm::dvec3 p[3], q[3];
        for (int k = 0; k < 3; ++k) {
          p[k] = pos_[tri[k]];
          q[k] = tri[k] == x ? target : p[k];
        }
        const glm::dvec3 before = glm::cross(p[1] - p[0], p[2] - p[0]);
        const glm::dvec3 after = glm::cross(q[1] - q[0], q[2] - q[0]);
        const double lb = glm::length(before), la = glm::length(after);
        if (!(la > 0) || !(lb > 0)) return false;
        if (glm::dot(before, after) < 0.2 * lb * la) return false;
      }
    return true;
  }

  void collapse(uint32_t u, uint32_t v, const glm::dvec3& target) {
    for (uint32_t t : vertex_tris_[v]) {
      if (!alive_[t]) continue;
      auto& tri = tris_[t];
      if (tri[0] == u || tri[1] == u || tri[2] == u) {
        alive_[t] = false;
        --alive_count_;
        continue;
      }
      for (uint32_t& w : tri)
        if (w == v) w = u;
      vertex_tris_[u].push_back(t);
    }
    vertex_tris_[v].clear();
    // Compact u's list.
    auto& list = vertex_tris_[u];
    list.erase(std::remove_if(list.begin(), list.end(), [&](uint32_t t) { return !alive_[t]; }),
               list.end());
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    pos_[u] = target;
    quadric_[u].add(quadric_[v]);
    locked_[u] = locked_[u] || locked_[v];
    ++stamp_[u];
    ++stamp_[v];
    std::vector<uint32_t> neighbours;
    for (uint32_t t : list)
      for (uint32_t w : tris_[t])
        if (w != u) neighbours.push_back(w);
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
    for (uint32_t w : neighbours) push(u, w);
  }

  SimplifyOptions options_;
  std::vector<glm::dvec3> pos_;
  std::vector<std::array<uint32_t, 3>> tris_;
  std::vector<bool> alive_;
  size_t alive_count_ = 0;
  std::vector<std::vector<uint32_t>> vertex_tris_;
  std::vector<uint32_t> stamp_;
  std::vector<bool> locked_;
  std::vector<Quadric> quadric_;
  std::priority_queue<Candidate> heap_;
};

}  // namespace

TriangleMesh simplify_mesh(const TriangleMesh& mesh, const SimplifyOptions& options) {
  Simplifier simplifier(mesh, options);
  if (options.target_triangles > 0) simplifier.run();
  TriangleMesh out = simplifier.result();
  if (mesh.has_normals()) compute_vertex_normals(&out, false);
  return out;
}

}  // namespace strata
