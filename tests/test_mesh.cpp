// Triangle meshes: marching cubes on analytic fields, simplification, UV atlases, normals,
// OBJ/glTF reading and writing, and bad meshes (an error naming the file, or a repair with a
// warning; never a crash).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "neural/core/error.h"
#include "neural/gltf/gltf_builder.h"
#include "neural/gltf/gltf_mesh.h"
#include "neural/mesh/marching_cubes.h"
#include "neural/mesh/mesh_io.h"
#include "neural/mesh/mesh_normals.h"
#include "neural/mesh/mesh_repair.h"
#include "neural/mesh/mesh_simplify.h"
#include "neural/mesh/mesh_smooth.h"
#include "neural/mesh/mesh_visibility.h"
#include "neural/mesh/uv_atlas.h"
#include "tests/test_support.h"

using namespace strata;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

// value = radius - |p - centre|: inside (> 0) within the sphere.
ScalarGrid sphere_grid(int n, float radius, float half = 1.25f) {
  ScalarGrid g;
  g.size = glm::ivec3(n);
  g.spacing = vec3(2.0f * half / float(n - 1));
  g.origin = vec3(-half);
  g.values.resize(size_t(n) * n * n);
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x)
        g.values[g.index(x, y, z)] = radius - glm::length(g.position(x, y, z));
  return g;
}

double area(const TriangleMesh& m) {
  double a = 0;
  for (size_t t = 0; t < m.triangle_count(); ++t) {
    const vec3 p = m.positions[m.indices[3 * t]];
    a += 0.5 * glm::length(glm::cross(m.positions[m.indices[3 * t + 1]] - p,
                                      m.positions[m.indices[3 * t + 2]] - p));
  }
  return a;
}

// Signed volume (divergence theorem): positive for outward-facing triangles.
double volume(const TriangleMesh& m) {
  double v = 0;
  for (size_t t = 0; t < m.triangle_count(); ++t)
    v += glm::dot(glm::dvec3(m.positions[m.indices[3 * t]]),
                  glm::cross(glm::dvec3(m.positions[m.indices[3 * t + 1]]),
                             glm::dvec3(m.positions[m.indices[3 * t + 2]]))) /
         6.0;
  return v;
}

// Every directed edge (by index) appears once and its reverse once: closed, consistently
// oriented, manifold.
bool closed_and_oriented(const TriangleMesh& m) {
  std::map<std::pair<uint32_t, uint32_t>, int> directed;
  for (size_t t = 0; t < m.triangle_count(); ++t)
    for (int k = 0; k < 3; ++k) ++directed[{m.indices[3 * t + k], m.indices[3 * t + (k + 1) % 3]}];
  for (const auto& [e, n] : directed) {
    if (n != 1) return false;
    const auto it = directed.find({e.second, e.first});
    if (it == directed.end() || it->second != 1) return false;
  }
  return true;
}

TriangleMesh split_cube() {  // 6 faces x 4 vertices, outward normals per face
  TriangleMesh m;
  const vec3 n[6] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  for (const vec3& d : n) {
    const vec3 u = std::abs(d.x) > 0 ? vec3(0, 1, 0) : vec3(1, 0, 0);
    const vec3 v = glm::cross(d, u);
    const uint32_t base = uint32_t(m.positions.size());
    for (vec2 c : {vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, 1)}) {
      m.positions.push_back(d + c.x * u + c.y * v);
      m.normals.push_back(d);
    }
    m.indices.insert(m.indices.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
  }
  return m;
}

// A square of side 2 in the plane z = `z`, centred on (x, y), as two triangles.
void add_square(TriangleMesh* m, float x, float y, float z) {
  const uint32_t base = uint32_t(m->positions.size());
  for (vec2 c : {vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, 1)})
    m->positions.push_back(vec3(x + c.x, y + c.y, z));
  m->indices.insert(m->indices.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
}

// Texture area over surface area of triangle t (the square of its texel density).
double uv_density(const TriangleMesh& m, size_t t) {
  const vec3 p = m.positions[m.indices[3 * t]];
  const double a3 = 0.5 * glm::length(glm::cross(m.positions[m.indices[3 * t + 1]] - p,
                                                 m.positions[m.indices[3 * t + 2]] - p));
  const vec2 a = m.uvs[m.indices[3 * t]], b = m.uvs[m.indices[3 * t + 1]],
             c = m.uvs[m.indices[3 * t + 2]];
  return 0.5 * std::abs((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)) / a3;
}

}  // namespace

TEST_CASE("marching cubes of a sphere is watertight with the analytic area and volume", "[mesh]") {
  const TriangleMesh m = marching_cubes(sphere_grid(64, 1.0f), 0.0f);
  REQUIRE(m.triangle_count() > 1000);
  CHECK(closed_and_oriented(m));
  CHECK(count_boundary_edges(m) == 0);
  CHECK(count_non_manifold_edges(m) == 0);
  const double pi = 3.14159265358979;
  CHECK(area(m) == Approx(4 * pi).epsilon(0.02));
  CHECK(volume(m) == Approx(4.0 / 3.0 * pi).epsilon(0.02));
  REQUIRE(m.has_normals());
  for (size_t v = 0; v < m.vertex_count(); ++v)
    REQUIRE(glm::dot(m.normals[v], glm::normalize(m.positions[v])) > 0.99f);
}

TEST_CASE("marching cubes of noise is closed and manifold (ambiguous faces cut consistently)",
          "[mesh]") {
  ScalarGrid g;
  g.size = glm::ivec3(20, 17, 15);
  g.values.resize(size_t(20) * 17 * 15);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int z = 0; z < 15; ++z)
    for (int y = 0; y < 17; ++y)
      for (int x = 0; x < 20; ++x) {
        const bool border = x == 0 || y == 0 || z == 0 || x == 19 || y == 16 || z == 14;
        g.values[g.index(x, y, z)] = border ? 0.0f : u(rng);
      }
  g.values[g.index(5, 5, 5)] = std::nanf("");  // NaN counts as outside
  const TriangleMesh m = marching_cubes(g, 0.5f);
  REQUIRE(m.triangle_count() > 1000);
  CHECK(closed_and_oriented(m));
  // Deterministic: the same grid gives the same mesh.
  CHECK(marching_cubes(g, 0.5f).indices == m.indices);
  // No crossing: empty.
  CHECK(marching_cubes(g, 2.0f).triangle_count() == 0);
}

TEST_CASE("quadric simplification to 10% keeps a sphere's volume and watertightness", "[mesh]") {
  const TriangleMesh fine = marching_cubes(sphere_grid(72, 1.0f), 0.0f);
  SimplifyOptions o;
  o.target_triangles = fine.triangle_count() / 10;
  const TriangleMesh coarse = simplify_mesh(fine, o);
  INFO(fine.triangle_count() << " -> " << coarse.triangle_count());
  CHECK(coarse.triangle_count() <= o.target_triangles + 2);
  CHECK(coarse.triangle_count() > o.target_triangles / 2);
  CHECK(count_boundary_edges(coarse) == 0);
  CHECK(count_non_manifold_edges(coarse) == 0);
  CHECK(closed_and_oriented(coarse));
  CHECK(volume(coarse) == Approx(volume(fine)).epsilon(0.03));
  CHECK(coarse.has_normals());
  for (const vec3& p : coarse.positions) REQUIRE(std::abs(glm::length(p) - 1.0f) < 0.03f);
}

TEST_CASE("Taubin smoothing takes out noise but keeps a sphere's size and its border", "[mesh]") {
  TriangleMesh m = marching_cubes(sphere_grid(48, 1.0f), 0.0f);
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.02f);
  for (vec3& p : m.positions) p *= 1.0f + noise(rng);
  auto spread = [](const TriangleMesh& mesh, double* mean) {
    double sum = 0, sum2 = 0;
    for (const vec3& p : mesh.positions) {
      sum += glm::length(p);
      sum2 += double(glm::length(p)) * glm::length(p);
    }
    const double n = double(mesh.positions.size());
    *mean = sum / n;
    return std::sqrt(std::max(0.0, sum2 / n - *mean * *mean));
  };
  auto alignment = [](TriangleMesh mesh) {  // mean cosine of the normals with the sphere's
    compute_vertex_normals(&mesh, false);
    double sum = 0;
    for (size_t v = 0; v < mesh.vertex_count(); ++v)
      sum += glm::dot(mesh.normals[v], glm::normalize(mesh.positions[v]));
    return sum / double(mesh.vertex_count());
  };
  const double alignment_before = alignment(m);
  double mean_before = 0, mean_after = 0;
  const double before = spread(m, &mean_before);
  const double volume_before = volume(m);
  taubin_smooth(&m);
  const double after = spread(m, &mean_after);
  INFO("radius spread " << before << " -> " << after << ", mean " << mean_before << " -> "
                        << mean_after);
  CHECK(after < 0.5 * before);
  CHECK(mean_after == Approx(mean_before).epsilon(0.01));  // lambda|mu does not shrink it
  CHECK(volume(m) == Approx(volume_before).epsilon(0.03));
  CHECK(closed_and_oriented(m));
  REQUIRE(m.has_normals());
  CHECK(alignment(m) > 0.98);
  CHECK(1.0 - alignment(m) < 0.5 * (1.0 - alignment_before));

  // An open patch keeps its border vertices where they are.
  TriangleMesh patch;
  const int n = 12;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      patch.positions.emplace_back(float(x), float(y), float((x * 7 + y * 3) % 5) * 0.1f);
  for (int y = 0; y + 1 < n; ++y)
    for (int x = 0; x + 1 < n; ++x) {
      const uint32_t a = uint32_t(y * n + x), b = a + 1, c = a + uint32_t(n), d = c + 1;
      patch.indices.insert(patch.indices.end(), {a, b, d, a, d, c});
    }
  const TriangleMesh original = patch;
  taubin_smooth(&patch);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const size_t v = size_t(y * n + x);
      const bool border = x == 0 || y == 0 || x == n - 1 || y == n - 1;
      if (border) REQUIRE(patch.positions[v] == original.positions[v]);
    }
  CHECK(patch.positions[size_t(5 * n + 5)] != original.positions[size_t(5 * n + 5)]);
}

TEST_CASE("simplification keeps an open mesh's boundary in place", "[mesh]") {
  // A bumpy grid patch: its border vertices must not move.
  TriangleMesh m;
  const int n = 40;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      m.positions.emplace_back(x / float(n - 1), y / float(n - 1),
                               0.05f * std::sin(x * 0.3f) * std::cos(y * 0.2f));
  for (int y = 0; y + 1 < n; ++y)
    for (int x = 0; x + 1 < n; ++x) {
      const uint32_t a = uint32_t(y * n + x), b = a + 1, c = a + uint32_t(n), d = c + 1;
      m.indices.insert(m.indices.end(), {a, b, d, a, d, c});
    }
  const size_t border_before = count_boundary_edges(m);
  SimplifyOptions o;
  o.target_triangles = m.triangle_count() / 5;
  const TriangleMesh s = simplify_mesh(m, o);
  CHECK(s.triangle_count() < m.triangle_count() / 2);
  CHECK(count_boundary_edges(s) == border_before);  // boundary vertices are locked
  size_t on_border = 0;
  for (const vec3& p : s.positions)
    on_border += p.x == 0.0f || p.y == 0.0f || p.x == 1.0f || p.y == 1.0f;
  CHECK(on_border == size_t(4 * (n - 1)));
}

TEST_CASE("a UV atlas has no overlapping charts, uvs in [0,1] and bounded stretch", "[mesh]") {
  const TriangleMesh sphere = marching_cubes(sphere_grid(40, 1.0f), 0.0f);
  UvAtlasOptions o;
  o.atlas_size = 512;
  o.padding = 3;
  const UvAtlas atlas = build_uv_atlas(sphere, o);
  REQUIRE(atlas.mesh.triangle_count() == sphere.triangle_count());
  REQUIRE(atlas.mesh.has_uvs());
  REQUIRE(atlas.mesh.has_normals());
  CHECK(atlas.chart_count >= 6);  // a sphere needs several 50-degree cones
  CHECK(atlas.chart_count < 200);
  CHECK(atlas.fill > 0.3f);
  for (const vec2& uv : atlas.mesh.uvs) {
    REQUIRE(uv.x >= 0.0f);
    REQUIRE(uv.x <= 1.0f);
    REQUIRE(uv.y >= 0.0f);
    REQUIRE(uv.y <= 1.0f);
  }
  // Same geometry, seams split.
  for (size_t v = 0; v < atlas.mesh.vertex_count(); ++v)
    REQUIRE(atlas.mesh.positions[v] == sphere.positions[atlas.source_vertex[v]]);
  // No texel is claimed by two charts (rasterised at the atlas resolution), and charts stay
  // `padding` texels apart: dilating each chart's texels by padding-1 never meets another chart.
  const TexelCoverage cov = rasterize_uvs(atlas.mesh, o.atlas_size, o.atlas_size);
  CHECK(cov.overlaps == 0);
  const int s = o.atlas_size;
  std::vector<int32_t> chart(size_t(s) * s, -1);
  for (size_t i = 0; i < chart.size(); ++i)
    if (cov.triangle[i] >= 0) chart[i] = int32_t(atlas.triangle_chart[size_t(cov.triangle[i])]);
  size_t touching = 0;
  for (int y = 0; y < s; ++y)
    for (int x = 0; x < s; ++x) {
      const int32_t c = chart[size_t(y) * s + x];
      if (c < 0) continue;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= s || yy >= s) continue;
          const int32_t o2 = chart[size_t(yy) * s + xx];
          touching += o2 >= 0 && o2 != c;
        }
    }
  CHECK(touching == 0);
  // Uniform texel density: a triangle's uv area over its 3D area is at most the common scale
  // (facing the chart's normal) and at least cos(cone)-ish of it.
  std::vector<double> ratio;
  for (size_t t = 0; t < atlas.mesh.triangle_count(); ++t) {
    const auto& m = atlas.mesh;
    const vec3 p = m.positions[m.indices[3 * t]];
    const double a3 = 0.5 * glm::length(glm::cross(m.positions[m.indices[3 * t + 1]] - p,
                                                   m.positions[m.indices[3 * t + 2]] - p));
    const vec2 a = m.uvs[m.indices[3 * t]], b = m.uvs[m.indices[3 * t + 1]],
               c = m.uvs[m.indices[3 * t + 2]];
    const double a2 = 0.5 * std::abs((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
    if (a3 > 1e-8) ratio.push_back(a2 / a3);
  }
  const double hi = *std::max_element(ratio.begin(), ratio.end());
  const double lo = *std::min_element(ratio.begin(), ratio.end());
  CHECK(lo > 0.25 * hi);
}

TEST_CASE("a cube's atlas has one chart per face", "[mesh]") {
  const UvAtlas atlas = build_uv_atlas(split_cube(), UvAtlasOptions{});
  CHECK(atlas.chart_count == 6);
  CHECK(rasterize_uvs(atlas.mesh, 2048, 2048).overlaps == 0);
}

TEST_CASE("a chart that overlaps itself is peeled into few charts, not cut into many", "[mesh]") {
  // A gently rising strip wound one and a half times round: every face looks up (one chart by
  // the normal cone), but its projection covers a third of itself twice.
  TriangleMesh spiral;
  const int segments = 270;
  for (int i = 0; i <= segments; ++i) {
    const float angle = 3.0f * 3.14159265f * float(i) / float(segments);
    for (float r : {1.0f, 2.0f})
      spiral.positions.push_back(vec3(r * std::cos(angle), r * std::sin(angle), 0.05f * angle));
  }
  for (uint32_t i = 0; i < uint32_t(segments); ++i) {
    const uint32_t a = 2 * i, b = a + 1, c = a + 2, d = a + 3;
    spiral.indices.insert(spiral.indices.end(), {a, c, b, b, c, d});
  }
  UvAtlasOptions o;
  o.atlas_size = 512;
  const UvAtlas atlas = build_uv_atlas(spiral, o);
  const TexelCoverage cov = rasterize_uvs(atlas.mesh, o.atlas_size, o.atlas_size);
  CHECK(cov.overlaps == 0);  // a clean surface: no fold tolerated
  // One full turn and the half turn left (cutting down the middle until nothing overlaps left
  // 327 pieces and 16% of the atlas filled; peeling fills 37%).
  CHECK(atlas.chart_count >= 2);
  CHECK(atlas.chart_count <= 3);
  CHECK(atlas.fill > 0.3f);
}

TEST_CASE("the surface the views see gets the texels; unseen charts a scaled density", "[mesh]") {
  // Three squares facing a camera on +z: one behind another (1 m back), one beside, and one
  // behind the camera.
  TriangleMesh m;
  add_square(&m, 0, 0, 0);
  add_square(&m, 0, 0, -1);
  add_square(&m, 3, 0, 0);
  add_square(&m, 0, 0, 6);
  const Camera camera = Camera::pinhole_fov_y(64, 48, glm::radians(90.0f),
                                              look_at(vec3(1.5f, 0, 5), vec3(1.5f, 0, 0)));
  const std::vector<uint8_t> seen = seen_triangles(m, {camera});
  REQUIRE(seen.size() == 8);
  CHECK(seen == std::vector<uint8_t>{1, 1, 0, 0, 1, 1, 0, 0});
  VisibilityOptions tolerant;
  tolerant.depth_tolerance = 1.5f;  // the hidden square lies within the tolerance: seen
  CHECK(seen_triangles(m, {camera}, tolerant) == std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 0, 0});
  CHECK(seen_triangles(m, {}) == std::vector<uint8_t>(8, 0));

  // The cube: only the +y face is seen; the others get a quarter of the texels a side.
  const TriangleMesh cube = split_cube();
  UvAtlasOptions o;
  o.seen.assign(cube.triangle_count(), 0);
  o.seen[4] = o.seen[5] = 1;  // the third face, +y
  o.unseen_scale = 0.25f;
  const UvAtlas atlas = build_uv_atlas(cube, o);
  CHECK(atlas.chart_count == 6);
  CHECK(rasterize_uvs(atlas.mesh, o.atlas_size, o.atlas_size).overlaps == 0);
  const double seen_density = uv_density(atlas.mesh, 4);
  for (size_t t = 0; t < cube.triangle_count(); ++t)
    CHECK(uv_density(atlas.mesh, t) / seen_density ==
          Approx(o.seen[t] ? 1.0 : 0.25 * 0.25).epsilon(1e-3));
  o.seen.pop_back();
  CHECK_THROWS_AS(build_uv_atlas(cube, o), std::invalid_argument);
}

TEST_CASE("smooth normals are area weighted and can be welded across seams", "[mesh]") {
  const TriangleMesh cube = split_cube();
  const std::vector<vec3> split = smooth_vertex_normals(cube, false);
  for (size_t v = 0; v < split.size(); ++v) CHECK(glm::length(split[v] - cube.normals[v]) < 1e-5f);
  // Welded: the 3 copies of a corner share one normal, between the 3 face normals (area
  // weighted: a face's weight is the area of its triangles at that corner).
  const std::vector<vec3> welded = smooth_vertex_normals(cube, true);
  for (size_t v = 0; v < welded.size(); ++v) {
    CHECK(glm::dot(welded[v], glm::normalize(cube.positions[v])) > 0.9f);
    for (size_t w = 0; w < welded.size(); ++w)
      if (cube.positions[w] == cube.positions[v]) REQUIRE(welded[w] == welded[v]);
  }
}

TEST_CASE("OBJ: polygons are fanned, v/vt/vn resolved, round trip exact", "[mesh]") {
  const std::string dir = test::fresh_dir("mesh_obj");
  test::write_text(
      dir + "/quad.obj",
      "# a quad and a triangle\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0 0 1\n"
      "vt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nvn 0 0 1\n"
      "o thing\ng part\ns 1\nusemtl m\nf 1/1/1 2/2/1 3/3/1 4/4/1\nf -5/1/1 -4/2/1 -1/4/1\n");
  const TriangleMesh m = read_obj(dir + "/quad.obj");
  CHECK(m.triangle_count() == 3);
  CHECK(m.has_uvs());
  CHECK(m.has_normals());
  CHECK(m.uvs[0] == vec2(0.0f, 1.0f));  // OBJ v up -> glTF v down

  UvAtlas atlas = build_uv_atlas(marching_cubes(sphere_grid(20, 1.0f), 0.0f));
  write_obj(atlas.mesh, dir + "/sphere.obj");
  const TriangleMesh back = read_mesh(dir + "/sphere.obj");
  REQUIRE(back.triangle_count() == atlas.mesh.triangle_count());
  REQUIRE(back.vertex_count() == atlas.mesh.vertex_count());
  for (size_t i = 0; i < back.indices.size(); ++i) {
    const uint32_t a = back.indices[i], b = atlas.mesh.indices[i];
    REQUIRE(back.positions[a] == atlas.mesh.positions[b]);
    REQUIRE(std::abs(back.uvs[a].y - atlas.mesh.uvs[b].y) < 1e-6f);
    REQUIRE(back.normals[a] == atlas.mesh.normals[b]);
  }
}

TEST_CASE("glTF: meshes read back with node transforms applied", "[mesh]") {
  const std::string dir = test::fresh_dir("mesh_gltf");
  UvAtlas atlas = build_uv_atlas(marching_cubes(sphere_grid(16, 1.0f), 0.0f));
  Image texture(64, 64, vec4(0.2f, 0.5f, 0.8f, 1.0f));
  for (const char* ext : {".glb", ".gltf"}) {
    const std::string file = dir + "/sphere" + ext;
    write_mesh(atlas.mesh, file, texture);
    const TriangleMesh back = read_mesh(file);
    REQUIRE(back.triangle_count() == atlas.mesh.triangle_count());
    REQUIRE(back.has_uvs());
    REQUIRE(back.has_normals());
    for (size_t i = 0; i < back.indices.size(); ++i)
      REQUIRE(back.positions[back.indices[i]] == atlas.mesh.positions[atlas.mesh.indices[i]]);
  }
  // Two nodes: one translated, one mirrored (winding turned back to counter-clockwise).
  const std::string file = dir + "/two.glb";
  {
    GltfBuilder b(file);
    const int n1 = add_textured_mesh(b, atlas.mesh, texture, "a", GltfAlphaMode::kOpaque);
    const int n2 = add_textured_mesh(b, atlas.mesh, {}, "b", GltfAlphaMode::kBlend, true);
    b.model().nodes[size_t(n1)].translation = {3.0, 0.0, 0.0};
    b.model().nodes[size_t(n2)].scale = {-1.0, 1.0, 1.0};
    b.model().nodes[0].children = {n1, n2};
    b.write();
  }
  const TriangleMesh two = read_gltf_mesh(file);
  REQUIRE(two.triangle_count() == 2 * atlas.mesh.triangle_count());
  CHECK(two.bounds().hi.x == Approx(3.0f + atlas.mesh.bounds().hi.x));
  TriangleMesh second = two;
  second.indices.erase(second.indices.begin(),
                       second.indices.begin() + std::ptrdiff_t(atlas.mesh.indices.size()));
  CHECK(volume(second) > 0.0);  // still outward facing after the mirror
}

TEST_CASE("bad meshes: an error naming the file or a repair with a warning", "[mesh]") {
  const std::string dir = test::fresh_dir("mesh_bad");
  SECTION("NaN vertex") {
    test::write_text(dir + "/nan.obj", "v 0 0 0\nv nan 0 0\nv 0 1 0\nf 1 2 3\n");
    CHECK_THROWS_WITH(read_obj(dir + "/nan.obj"), Contains("nan.obj") && Contains("positions[1]"));
    TriangleMesh m;
    m.positions = {vec3(0), vec3(INFINITY, 0, 0), vec3(0, 1, 0)};
    m.indices = {0, 1, 2};
    CHECK_THROWS_AS(repair_mesh(&m, "inf.glb"), InputError);
  }
  SECTION("indices out of range") {
    test::write_text(dir + "/range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n");
    CHECK_THROWS_WITH(read_obj(dir + "/range.obj"), Contains("range.obj") && Contains("line 4"));
    TriangleMesh m;
    m.positions = {vec3(0), vec3(1, 0, 0), vec3(0, 1, 0)};
    m.indices = {0, 1, 7};
    CHECK_THROWS_WITH(validate_mesh(m, "m.obj"), Contains("indices[2]"));
    m.indices = {0, 1};
    CHECK_THROWS_AS(validate_mesh(m, "m.obj"), InputError);
  }
  SECTION("truncated and malformed OBJ") {
    test::write_text(dir + "/cut.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2");
    CHECK_THROWS_WITH(read_obj(dir + "/cut.obj"), Contains("cut.obj"));
    test::write_text(dir + "/cut2.obj", "v 0 0 0\nv 1 0");
    CHECK_THROWS_WITH(read_obj(dir + "/cut2.obj"), Contains("cut2.obj"));
    test::write_text(dir + "/words.obj", "v a b c\n");
    CHECK_THROWS_AS(read_obj(dir + "/words.obj"), InputError);
    test::write_text(dir + "/empty.obj", "# nothing\n");
    CHECK_THROWS_AS(read_obj(dir + "/empty.obj"), InputError);
    CHECK_THROWS_AS(read_mesh(dir + "/missing.obj"), InputError);
    CHECK_THROWS_AS(read_mesh(dir + "/mesh.stl"), InputError);
    test::write_text(dir + "/junk.glb", "glTF but not really");
    CHECK_THROWS_WITH(read_mesh(dir + "/junk.glb"), Contains("junk.glb"));
  }
  SECTION("degenerate triangles, duplicates, non-manifold edges: repaired or reported") {
    TriangleMesh m;
    m.positions = {vec3(0, 0, 0), vec3(1, 0, 0), vec3(0, 1, 0), vec3(0, -1, 0),
                   vec3(0, 0, 1), vec3(1, 0, 0), vec3(2, 0, 0)};
    m.indices = {0, 1, 2,   // ok
                 0, 3, 1,   // ok, shares edge 0-1
                 0, 1, 4,   // third triangle on edge 0-1: non-manifold
                 0, 0, 2,   // repeated index
                 0, 5, 6};  // collinear (zero area); vertex 5 duplicates 1
    MeshRepairOptions o;
    o.weld = true;
    const MeshRepairReport r = repair_mesh(&m, "bad.obj", o);
    CHECK(r.degenerate_removed == 2);
    CHECK(r.vertices_welded == 1);
    CHECK(r.non_manifold_edges == 1);
    CHECK(m.triangle_count() == 3);
    CHECK(m.vertex_count() == 5);  // the duplicate and the collinear-only vertex are gone
    validate_mesh(m, "bad.obj");
  }
  SECTION("NaN normals are dropped and recomputable") {
    TriangleMesh m = split_cube();
    m.normals[3] = vec3(NAN);
    const MeshRepairReport r = repair_mesh(&m, "n.obj");
    CHECK(r.normals_dropped);
    CHECK_FALSE(m.has_normals());
    compute_vertex_normals(&m);
    CHECK(m.has_normals());
  }
}
