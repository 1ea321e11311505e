#include "neural/mesh/uv_atlas.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "neural/core/error.h"
#include "neural/mesh/chart_packing.h"
#include "neural/mesh/mesh_normals.h"

namespace strata {

namespace {

// A triangle joins a chart only when its own normal is within 75 degrees of the chart's: beyond,
// its projection degenerates into a sliver.
constexpr float kMaxFaceCos = 0.26f;

struct Chart {
  std::vector<uint32_t> triangles;  // input triangle indices
  vec3 normal{0.0f};                // projection direction (unit)
  vec3 axis_u{0.0f}, axis_v{0.0f};  // in-plane basis after the PCA rotation
  vec2 lo{0.0f}, hi{0.0f};          // projected bounds, metres
  vec2 offset{0.0f};                // placement of its texel grid (texel_grid) in the atlas
  float density = 1.0f;             // texel density relative to the atlas's scale
};

void basis_for(const vec3& n, vec3* u, vec3* v) {
  const vec3 helper = std::abs(n.x) < 0.9f ? vec3(1, 0, 0) : vec3(0, 1, 0);
  *u = glm::normalize(glm::cross(helper, n));
  *v = glm::cross(n, *u);
}

double signed_area(vec2 a, vec2 b, vec2 c) {
  return 0.5 * (double(b.x - a.x) * (c.y - a.y) - double(b.y - a.y) * (c.x - a.x));
}

// Calls f(x, y) for every texel (of a grid with unit texels) whose centre lies inside the
// triangle, half-open on edges so neighbouring triangles never share a texel.
template <typename F>
void raster_triangle(vec2 a, vec2 b, vec2 c, int width, int height, F&& f) {
  if (signed_area(a, b, c) < 0) std::swap(b, c);
  const int x0 = std::max(0, int(std::floor(std::min({a.x, b.x, c.x}))));
  const int x1 = std::min(width - 1, int(std::ceil(std::max({a.x, b.x, c.x}))));
  const int y0 = std::max(0, int(std::floor(std::min({a.y, b.y, c.y}))));
  const int y1 = std::min(height - 1, int(std::ceil(std::max({a.y, b.y, c.y}))));
  auto edge = [](vec2 p, vec2 q, vec2 r) {
    return double(q.x - p.x) * (r.y - p.y) - double(q.y - p.y) * (r.x - p.x);
  };
  // Top-left style tie rule: a centre exactly on an edge belongs to one side only.
  auto owns = [](vec2 p, vec2 q) { return (q.y > p.y) || (q.y == p.y && q.x < p.x); };
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const vec2 p(x + 0.5f, y + 0.5f);
      const double w0 = edge(b, c, p), w1 = edge(c, a, p), w2 = edge(a, b, p);
      const bool in = (w0 > 0 || (w0 == 0 && owns(b, c))) && (w1 > 0 || (w1 == 0 && owns(c, a))) &&
                      (w2 > 0 || (w2 == 0 && owns(a, b)));
      if (in) f(x, y);
    }
}

}  // namespace

UvAtlas build_uv_atlas(const TriangleMesh& mesh, const UvAtlasOptions& options) {
  if (mesh.triangle_count() == 0) throw std::invalid_argument("build_uv_atlas: empty mesh");
  if (!options.seen.empty() && options.seen.size() != mesh.triangle_count())
    throw std::invalid_argument("build_uv_atlas: `seen` must hold one flag per triangle");
  if (!(options.unseen_scale > 0.0f && options.unseen_scale <= 1.0f))
    throw std::invalid_argument("build_uv_atlas: unseen_scale must be in (0, 1]");
  if (options.atlas_size < 16) throw std::invalid_argument("build_uv_atlas: atlas_size < 16");
  const size_t nt = mesh.triangle_count();
  const std::vector<vec3> normals = face_normals(mesh);
  std::vector<float> areas(nt);
  for (size_t t = 0; t < nt; ++t) {
    const vec3 a = mesh.positions[mesh.indices[3 * t]];
    areas[t] = 0.5f * glm::length(glm::cross(mesh.positions[mesh.indices[3 * t + 1]] - a,
                                             mesh.positions[mesh.indices[3 * t + 2]] - a));
    if (!std::isfinite(areas[t])) areas[t] = 0.0f;
  }

  // Triangle adjacency over edges, with vertices welded by position (seams of the input too).
  std::vector<uint32_t> vid(mesh.vertex_count());
  {
    std::map<std::array<float, 3>, uint32_t> first;
    for (size_t v = 0; v < vid.size(); ++v) {
      const vec3 p = mesh.positions[v];
      vid[v] = first.emplace(std::array<float, 3>{p.x + 0.0f, p.y + 0.0f, p.z + 0.0f}, uint32_t(v))
                   .first->second;
    }
  }
  std::unordered_map<uint64_t, std::vector<uint32_t>> edge_tris;
  edge_tris.reserve(nt * 2);
  auto edge_key = [&](size_t t, int k) {
    uint32_t a = vid[mesh.indices[3 * t + size_t(k)]],
             b = vid[mesh.indices[3 * t + size_t(k + 1) % 3]];
    if (a > b) std::swap(a, b);
    return (uint64_t(a) << 32) | b;
  };
  for (size_t t = 0; t < nt; ++t)
    for (int k = 0; k < 3; ++k) edge_tris[edge_key(t, k)].push_back(uint32_t(t));

  // Growth compares smoothed normals: surfaces from fields are stair-stepped at the voxel scale,
  // and their face normals would stop every chart after a few triangles. Vertex normals (welded
  // by position) are averaged over their triangles' corners twice; a triangle's growth normal is
  // the mean of its corners'.
  std::vector<vec3> growth(nt);
  {
    TriangleMesh welded;
    welded.positions = mesh.positions;
    welded.indices.resize(mesh.indices.size());
    for (size_t i = 0; i < mesh.indices.size(); ++i) welded.indices[i] = vid[mesh.indices[i]];
    std::vector<vec3> vn = smooth_vertex_normals(welded, false);
    for (int round = 0; round < 2; ++round) {
      std::vector<vec3> sum(vn.size(), vec3(0.0f));
      for (size_t t = 0; t < nt; ++t) {
        const uint32_t a = welded.indices[3 * t], b = welded.indices[3 * t + 1],
                       c = welded.indices[3 * t + 2];
        const vec3 m = vn[a] + vn[b] + vn[c];
        sum[a] += m;
        sum[b] += m;
        sum[c] += m;
      }
      for (size_t v = 0; v < vn.size(); ++v)
        if (glm::length(sum[v]) > 0.0f) vn[v] = glm::normalize(sum[v]);
    }
    for (size_t t = 0; t < nt; ++t) {
      const vec3 m =
          vn[welded.indices[3 * t]] + vn[welded.indices[3 * t + 1]] + vn[welded.indices[3 * t + 2]];
      growth[t] = glm::length(normals[t]) == 0.0f || glm::length(m) == 0.0f ? normals[t]
                                                                            : glm::normalize(m);
    }
  }

  // Grow charts: breadth first from the first unassigned triangle, over manifold edges, while
  // the triangle's (smoothed) normal stays within the cone of the chart's mean normal.
  const float cos_cone = std::cos(glm::radians(options.cone_degrees));
  std::vector<int64_t> chart_of(nt, -1);
  std::vector<Chart> charts;
  std::vector<uint32_t> queue;
  for (size_t seed = 0; seed < nt; ++seed) {
    if (chart_of[seed] >= 0) continue;
    Chart chart;
    const int64_t id = int64_t(charts.size());
    vec3 sum = growth[seed] * std::max(areas[seed], 1e-30f);
    chart_of[seed] = id;
    chart.triangles.push_back(uint32_t(seed));
    queue.assign(1, uint32_t(seed));
    const bool degenerate = glm::length(normals[seed]) == 0.0f;
    for (size_t qi = 0; qi < queue.size() && !degenerate; ++qi) {
      const uint32_t t = queue[qi];
      for (int k = 0; k < 3; ++k) {
        const auto& around = edge_tris[edge_key(t, k)];
        if (around.size() != 2) continue;  // boundary or non-manifold: a seam
        const uint32_t o = around[0] == t ? around[1] : around[0];
        if (chart_of[o] >= 0 || glm::length(normals[o]) == 0.0f) continue;
        if (options.max_chart_triangles && chart.triangles.size() >= options.max_chart_triangles)
          continue;
        const vec3 mean = glm::normalize(sum);
        if (glm::dot(growth[o], mean) < cos_cone) continue;
        // The face itself must not stand across the chart (sharp edges stay seams).
        if (glm::dot(normals[o], mean) < kMaxFaceCos) continue;
        if (!options.seen.empty() && options.seen[o] != options.seen[seed]) continue;
        chart_of[o] = id;
        chart.triangles.push_back(o);
        sum += growth[o] * areas[o];
        queue.push_back(o);
      }
    }
    chart.normal = glm::length(sum) > 0.0f ? glm::normalize(sum) : vec3(0, 0, 1);
    charts.push_back(std::move(chart));
  }

  // Tiny charts (noise, thin features) each cost a padded box in the atlas: their triangles join a
  // neighbouring larger chart when they face its way (within ~80 degrees). Folds this may cause
  // are split below.
  {
    const size_t small = 16;
    std::vector<size_t> size(charts.size());
    std::vector<vec3> sum(charts.size(), vec3(0.0f));
    for (size_t t = 0; t < nt; ++t) {
      ++size[size_t(chart_of[t])];
      sum[size_t(chart_of[t])] += normals[t] * areas[t];
    }
    // Triangles that face well away from their chart's plane (the far side of a thin part) would
    // fold: each starts a chart of its own, and is merged back where it fits below. Voxel-scale
    // noise that folds a triangle slightly over its neighbour is tolerated (see `folds`).
    for (size_t t = 0; t < nt; ++t) {
      const size_t c = size_t(chart_of[t]);
      if (size[c] <= 1 || areas[t] <= 0.0f || glm::length(sum[c]) == 0.0f) continue;
      if (glm::dot(normals[t], glm::normalize(sum[c])) >= -0.3f) continue;
      --size[c];
      sum[c] -= normals[t] * areas[t];
      chart_of[t] = int64_t(size.size());
      size.push_back(1);
      sum.push_back(normals[t] * areas[t]);
      charts.emplace_back();
      charts.back().normal = normals[t];
    }
    for (int pass = 0; pass < 6; ++pass) {
      bool moved = false;
      for (size_t t = 0; t < nt; ++t) {
        const size_t c = size_t(chart_of[t]);
        if (size[c] >= small) continue;
        for (int k = 0; k < 3; ++k) {
          const auto& around = edge_tris[edge_key(t, k)];
          if (around.size() != 2) continue;
          const uint32_t o = around[0] == t ? around[1] : around[0];
          const size_t c2 = size_t(chart_of[o]);
          // Into larger charts (ties: the lower index), so merges never go round in circles.
          if (c2 == c || size[c2] < size[c] || (size[c2] == size[c] && c2 > c)) continue;
          const bool flat = glm::length(normals[t]) == 0.0f;
          if (!flat && (glm::length(sum[c2]) == 0.0f ||
                        glm::dot(normals[t], glm::normalize(sum[c2])) < 0.17f))
            continue;
          chart_of[t] = int64_t(c2);
          --size[c];
          ++size[c2];
          sum[c] -= normals[t] * areas[t];
          sum[c2] += normals[t] * areas[t];
          moved = true;
          break;
        }
      }
      if (!moved) break;
    }
    std::vector<int64_t> renumber(charts.size(), -1);
    std::vector<Chart> merged;
    for (size_t t = 0; t < nt; ++t) {
      const size_t c = size_t(chart_of[t]);
      if (renumber[c] < 0) {
        renumber[c] = int64_t(merged.size());
        merged.emplace_back();
        merged.back().normal =
            glm::length(sum[c]) > 0.0f ? glm::normalize(sum[c]) : charts[c].normal;
      }
      chart_of[t] = renumber[c];
      merged[size_t(renumber[c])].triangles.push_back(uint32_t(t));
    }
    charts.swap(merged);
  }

  // Flatten: project onto the mean-normal plane, rotate to the principal axes (tighter boxes).
  auto project = [&](const Chart& c, uint32_t v) {
    const vec3 p = mesh.positions[v];
    return vec2(glm::dot(p, c.axis_u), glm::dot(p, c.axis_v));
  };
  auto bounds = [&](Chart* c) {
    c->lo = vec2(1e30f);
    c->hi = vec2(-1e30f);
    for (uint32_t t : c->triangles)
      for (int k = 0; k < 3; ++k) {
        const vec2 p = project(*c, mesh.indices[3 * t + size_t(k)]);
        c->lo = glm::min(c->lo, p);
        c->hi = glm::max(c->hi, p);
      }
  };
  auto flatten = [&](Chart& c) {
    basis_for(c.normal, &c.axis_u, &c.axis_v);
    vec2 mean(0.0f);
    size_t n = 0;
    for (uint32_t t : c.triangles)
      for (int k = 0; k < 3; ++k) {
        mean += project(c, mesh.indices[3 * t + size_t(k)]);
        ++n;
      }
    mean /= float(n);
    double sxx = 0, sxy = 0, syy = 0;
    for (uint32_t t : c.triangles)
      for (int k = 0; k < 3; ++k) {
        const vec2 d = project(c, mesh.indices[3 * t + size_t(k)]) - mean;
        sxx += d.x * d.x;
        sxy += d.x * d.y;
        syy += d.y * d.y;
      }
    const double angle = 0.5 * std::atan2(2 * sxy, sxx - syy);
    const vec3 u = float(std::cos(angle)) * c.axis_u + float(std::sin(angle)) * c.axis_v;
    const vec3 v = glm::cross(c.normal, u);
    c.axis_u = u;
    c.axis_v = v;
    bounds(&c);
  };
  for (Chart& c : charts) flatten(c);

  // Texel density: charts a view sees get the atlas's scale, the others unseen_scale of it.
  auto density_of = [&](size_t t) {
    return options.seen.empty() || options.seen[t] ? 1.0f : options.unseen_scale;
  };
  double total_area = 0.0;
  for (size_t t = 0; t < nt; ++t) total_area += double(areas[t]) * density_of(t) * density_of(t);
  const int size = options.atlas_size, pad = options.padding;
  // Texels per metre: start where the triangles would fill ~70% of the atlas.
  double scale = total_area > 0
                     ? std::sqrt(0.7 * double(size - 2 * pad) * (size - 2 * pad) / total_area)
                     : 1.0;

  // A chart's triangles on a grid of texels at scale s (one texel of margin round its bounds).
  auto texel_grid = [](const Chart& c, double s) {
    return std::pair<int, int>(int(std::ceil((c.hi.x - c.lo.x) * s)) + 2,
                               int(std::ceil((c.hi.y - c.lo.y) * s)) + 2);
  };
  auto texel_corners = [&](const Chart& c, double s, uint32_t t, vec2* p) {
    for (int k = 0; k < 3; ++k)
      p[k] = (project(c, mesh.indices[3 * t + size_t(k)]) - c.lo) * float(s) + vec2(1.0f);
  };

  // Split charts that fold (a projected triangle facing away, or two triangles covering one
  // texel at the current scale), until none folds (see `peel` below).
  // A chart folds when more than 2% of its uv area is flipped or covered twice. Less is the
  // stair-step noise of surfaces from fields: a flipped triangle a voxel across takes the colour
  // of the surface next to it, which is what it would show anyway.
  auto folds = [&](const Chart& c, double s) {
    double flipped = 0.0, total = 0.0;
    for (uint32_t t : c.triangles) {
      const vec2 a = project(c, mesh.indices[3 * t]), b = project(c, mesh.indices[3 * t + 1]),
                 d = project(c, mesh.indices[3 * t + 2]);
      const double area = signed_area(a, b, d);
      total += std::abs(area);
      if (area < 0.0) flipped -= area;
    }
    if (flipped > 0.02 * total) return true;
    const auto [w, h] = texel_grid(c, s);
    if (double(w) * h > 64e6) return true;  // absurdly large chart: split anyway
    std::vector<uint8_t> hit(size_t(w) * size_t(h), 0);
    size_t claims = 0, twice = 0;
    for (uint32_t t : c.triangles) {
      vec2 p[3];
      texel_corners(c, s, t, p);
      raster_triangle(p[0], p[1], p[2], w, h, [&](int x, int y) {
        uint8_t& cell = hit[size_t(y) * size_t(w) + size_t(x)];
        ++claims;
        twice += cell;
        cell = 1;
      });
    }
    return double(twice) > 0.02 * double(claims);
  };
  // A folding chart is peeled: grown again from its middle triangle over its own triangles, in
  // its own projection, taking a triangle only while it covers (almost) no texel already
  // covered; what is left forms a chart of its own (and is peeled in turn). Stacked layers of a
  // hazy surface and the far side of a bend thus split where they overlap, not down the middle.
  std::vector<uint32_t> member(nt, 0);
  uint32_t stamp = 0;
  auto peel = [&](const Chart& c, double s, Chart* kept, Chart* rest) {
    ++stamp;
    for (uint32_t t : c.triangles) member[t] = stamp;
    const auto [w, h] = texel_grid(c, s);
    std::vector<uint8_t> hit(size_t(w) * size_t(h), 0);
    const vec2 middle = 0.5f * (c.lo + c.hi);
    uint32_t seed = c.triangles.front();
    float best = 1e30f;
    for (uint32_t t : c.triangles) {
      vec2 m(0.0f);
      for (int k = 0; k < 3; ++k) m += project(c, mesh.indices[3 * t + size_t(k)]);
      const float d = glm::length(m / 3.0f - middle);
      if (d < best) best = d, seed = t;
    }
    // Strict first: a triangle joins while it is not flipped and covers no texel already covered.
    // When the front stalls, the refused ones may join within the 2% noise budget `folds` allows
    // (1.5% here) when they are folds of the noise (flipped, or over a few texels only), and
    // growth goes on from them.
    std::vector<uint32_t> queue(1, seed), refused, cells;
    member[seed] = stamp + 1;  // queued
    size_t claims = 0, overlaps = 0;
    double area = 0.0, flipped = 0.0;
    auto take = [&](uint32_t t, bool strict) {
      vec2 p[3];
      texel_corners(c, s, t, p);
      cells.clear();
      size_t taken = 0;
      raster_triangle(p[0], p[1], p[2], w, h, [&](int x, int y) {
        const size_t i = size_t(y) * size_t(w) + size_t(x);
        cells.push_back(uint32_t(i));
        taken += hit[i];
      });
      const double signed_uv = signed_area(p[0], p[1], p[2]);
      const double flip = signed_uv < 0.0 ? -signed_uv : 0.0;
      if (strict ? (taken > 0 || flip > 0.0)
                 : ((flip == 0.0 && taken > 3) ||
                    double(overlaps + taken) > 0.015 * double(claims + cells.size()) ||
                    flipped + flip > 0.015 * (area + std::abs(signed_uv))))
        return false;
      for (uint32_t i : cells) hit[i] = 1;
      claims += cells.size();
      overlaps += taken;
      area += std::abs(signed_uv);
      flipped += flip;
      kept->triangles.push_back(t);
      for (int k = 0; k < 3; ++k) {
        const auto& around = edge_tris[edge_key(t, k)];
        if (around.size() != 2) continue;
        const uint32_t o = around[0] == t ? around[1] : around[0];
        if (member[o] != stamp) continue;
        member[o] = stamp + 1;
        queue.push_back(o);
      }
      return true;
    };
    for (size_t qi = 0;;) {
      for (; qi < queue.size(); ++qi)
        if (!take(queue[qi], true)) refused.push_back(queue[qi]);
      std::vector<uint32_t> again;
      for (uint32_t t : refused)
        if (!take(t, false)) again.push_back(t);
      const bool progress = again.size() < refused.size();
      refused.swap(again);
      if (!progress && qi == queue.size()) break;
    }
    rest->triangles.insert(rest->triangles.end(), refused.begin(), refused.end());
    for (uint32_t t : c.triangles)
      if (member[t] == stamp) rest->triangles.push_back(t);  // not reached from the seed
    ++stamp;
  };
  auto bisect = [&](const Chart& c, Chart* a, Chart* b) {
    const bool along_u = (c.hi.x - c.lo.x) >= (c.hi.y - c.lo.y);
    std::vector<std::pair<float, uint32_t>> keyed;
    for (uint32_t t : c.triangles) {
      vec2 m(0.0f);
      for (int k = 0; k < 3; ++k) m += project(c, mesh.indices[3 * t + size_t(k)]);
      keyed.emplace_back(along_u ? m.x : m.y, t);
    }
    std::sort(keyed.begin(), keyed.end());
    for (size_t k = 0; k < keyed.size(); ++k)
      (k < keyed.size() / 2 ? a : b)->triangles.push_back(keyed[k].second);
  };
  auto refit = [&](Chart* part, const vec3& fallback) {
    vec3 sum(0.0f);
    for (uint32_t t : part->triangles) sum += normals[t] * areas[t];
    part->normal = glm::length(sum) > 0.0f ? glm::normalize(sum) : fallback;
    flatten(*part);
  };
  for (size_t i = 0; i < charts.size(); ++i) {
    bool peeled = false;
    while (charts[i].triangles.size() > 1 && folds(charts[i], scale)) {
      const Chart& c = charts[i];
      Chart a, b;
      if (!peeled) peel(c, scale, &a, &b);
      if (!peeled && !a.triangles.empty() && !b.triangles.empty()) {
        // The kept part stays in the projection it was peeled in, where it does not fold.
        a.normal = c.normal;
        a.axis_u = c.axis_u;
        a.axis_v = c.axis_v;
        bounds(&a);
      } else {
        a = Chart{};
        b = Chart{};
        bisect(c, &a, &b);
        refit(&a, c.normal);
      }
      peeled = true;
      refit(&b, c.normal);
      charts[i] = std::move(a);
      charts.push_back(std::move(b));
    }
  }

  // Charts grow within one kind (seen or not); small ones may have joined a chart of the other
  // kind since: the kind of most of a chart's area decides.
  for (Chart& c : charts) {
    double seen_area = 0.0, all = 0.0;
    for (uint32_t t : c.triangles) {
      all += areas[t];
      if (density_of(t) == 1.0f) seen_area += areas[t];
    }
    c.density = seen_area >= 0.5 * all ? 1.0f : options.unseen_scale;
  }

  // Outline packing (chart_packing.h): each chart as the texels its triangles may be sampled
  // from (centres inside, and the bilinear taps of every point on its edges); the scale shrinks
  // until every chart fits, then grows while they still do.
  auto footprint = [&](const Chart& c, double s) {
    const auto [w, h] = texel_grid(c, s);
    ChartMask mask(w, h);
    for (uint32_t t : c.triangles) {
      vec2 p[3];
      texel_corners(c, s, t, p);
      raster_triangle(p[0], p[1], p[2], w, h, [&](int x, int y) { mask.set(x, y); });
      for (int k = 0; k < 3; ++k) {
        const vec2 a = p[k], b = p[(k + 1) % 3];
        const int steps = 1 + int(std::ceil(4.0f * glm::length(b - a)));
        for (int i = 0; i <= steps; ++i) {
          const vec2 e = a + (b - a) * (float(i) / float(steps));
          const int x = int(std::floor(e.x - 0.5f)), y = int(std::floor(e.y - 0.5f));
          for (int dy = 0; dy <= 1; ++dy)
            for (int dx = 0; dx <= 1; ++dx) mask.set(x + dx, y + dy);
        }
      }
    }
    return mask;
  };
  auto pack_at = [&](double s) {
    std::vector<ChartMask> masks;
    masks.reserve(charts.size());
    for (const Chart& c : charts) masks.push_back(footprint(c, s * c.density));
    return pack_chart_masks(masks, size, pad);
  };
  ChartPacking packing;
  double packed_scale = 0.0;
  for (int attempt = 0, grown = 0;; ++attempt) {
    ChartPacking trial = pack_at(scale);
    if (trial.complete()) {
      packing = std::move(trial);
      packed_scale = scale;
      if (++grown > 3) break;
      scale *= 1.03;
      continue;
    }
    if (packed_scale > 0.0) break;  // one step larger did not fit: keep the last that did
    if (attempt > 60)
      throw InputError(options.source, "texture_size",
                       "the mesh's " + std::to_string(charts.size()) + " UV charts do not fit a " +
                           std::to_string(size) + "² atlas with their padding: expected a " +
                           "larger texture size (or a mesh with fewer triangles)");
    // The share of the charts' texels that found room says about how much smaller they must be.
    scale *= std::clamp(0.98 * std::sqrt(trial.placed_fraction), 0.5, 0.97);
  }
  scale = packed_scale;
  for (size_t i = 0; i < charts.size(); ++i) charts[i].offset = vec2(packing.positions[i]);

  // New vertices, one per (chart, input vertex); uvs in [0,1], texel centres at (i + 0.5) / size.
  UvAtlas atlas;
  atlas.chart_count = charts.size();
  atlas.triangle_chart.assign(nt, 0);
  atlas.mesh.indices.assign(mesh.indices.size(), 0);
  const bool normals_in = mesh.has_normals();
  double uv_area = 0.0;
  for (size_t ci = 0; ci < charts.size(); ++ci) {
    const Chart& c = charts[ci];
    std::unordered_map<uint32_t, uint32_t> local;
    for (uint32_t t : c.triangles) {
      atlas.triangle_chart[t] = uint32_t(ci);
      vec2 uv[3];
      for (int k = 0; k < 3; ++k) {
        const uint32_t v = mesh.indices[3 * t + size_t(k)];
        auto [it, added] = local.emplace(v, uint32_t(atlas.mesh.positions.size()));
        if (added) {
          atlas.mesh.positions.push_back(mesh.positions[v]);
          if (normals_in) atlas.mesh.normals.push_back(mesh.normals[v]);
          const vec2 texel =
              (project(c, v) - c.lo) * float(scale * c.density) + vec2(1.0f) + c.offset;
          atlas.mesh.uvs.push_back(glm::clamp(texel / float(size), vec2(0.0f), vec2(1.0f)));
          atlas.source_vertex.push_back(v);
        }
        atlas.mesh.indices[3 * t + size_t(k)] = it->second;
        uv[k] = atlas.mesh.uvs[it->second];
      }
      uv_area += std::abs(signed_area(uv[0], uv[1], uv[2]));
    }
  }
  atlas.fill = float(uv_area);
  return atlas;
}

}  // namespace strata

namespace strata {

TexelCoverage rasterize_uvs(const TriangleMesh& mesh, int width, int height) {
  TexelCoverage cov;
  cov.width = width;
  cov.height = height;
  cov.triangle.assign(size_t(width) * size_t(height), -1);
  cov.barycentric.assign(cov.triangle.size(), vec3(0.0f));
  if (!mesh.has_uvs()) return cov;
  const vec2 scale{float(width), float(height)};
  for (size_t t = 0; t < mesh.triangle_count(); ++t) {
    const vec2 a = mesh.uvs[mesh.indices[3 * t]] * scale,
               b = mesh.uvs[mesh.indices[3 * t + 1]] * scale,
               c = mesh.uvs[mesh.indices[3 * t + 2]] * scale;
    const double area = signed_area(a, b, c);
    if (area == 0.0) continue;
    raster_triangle(a, b, c, width, height, [&](int x, int y) {
      const size_t i = size_t(y) * size_t(width) + size_t(x);
      if (cov.triangle[i] >= 0) {
        ++cov.overlaps;
        return;
      }
      const vec2 p(x + 0.5f, y + 0.5f);
      const float w0 = float(signed_area(p, b, c) / area), w1 = float(signed_area(a, p, c) / area);
      cov.triangle[i] = int32_t(t);
      cov.barycentric[i] = vec3(w0, w1, 1.0f - w0 - w1);
      ++cov.covered;
    });
  }
  return cov;
}

}  // namespace strata
