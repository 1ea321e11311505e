// Radiance field -> textured mesh: an analytic density and colour baked into a texture and checked
// texel by texel, the export read by the Khronos validator and by three.js, and the field
// version end to end through `strata export` (including a field with no surface: exit 2).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/field/field_io.h"
#include "neural/field/field_mesh.h"
#include "neural/gltf/gltf_mesh.h"
#include "neural/mesh/mesh_repair.h"
#include "neural/mesh/uv_atlas.h"
#include "tests/test_support.h"

using namespace strata;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

std::string run_command(const std::string& command, int* exit_code) {
  const test::CommandRun run = test::run_command(command);
  *exit_code = run.exit_code;
  return run.output;
}

std::string run_node(const std::string& script, const std::string& arguments, int* exit_code) {
  const test::CommandRun run = test::run_node(script, arguments);
  *exit_code = run.exit_code;
  return run.output;
}

// three.js in headless Chromium: counts, and the screenshot.
nlohmann::json render_with_three(const std::string& file, const mat4& camera_to_world, int size,
                                 float fov_y_deg, Image* screenshot) {
  std::vector<float> m(16);
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r) m[size_t(c * 4 + r)] = camera_to_world[c][r];
  const nlohmann::json cam = {
      {"width", size}, {"height", size}, {"fov_y_deg", fov_y_deg}, {"camera_to_world", m}};
  const std::string png = file + ".three.png";
  int code = 0;
  const std::string output =
      run_node("render_three.mjs", "'" + file + "' '" + png + "' '" + cam.dump() + "'", &code);
  INFO("three.js output: " << output);
  REQUIRE(code == 0);
  *screenshot = read_image(png);
  return nlohmann::json::parse(output.substr(output.find('{')));
}

// The analytic scene: a ball of radius 0.5 whose density crosses 10/m at its surface, coloured
// by direction from its centre.
constexpr float kRadius = 0.5f;
float ball_density(const vec3& p) {
  return 10.0f + 200.0f * (kRadius - glm::length(p));
}
vec3 ball_colour(const vec3& p) {
  return 0.5f + 0.5f * glm::normalize(p);
}

FieldMesh bake_ball(int texture_size, const std::vector<Camera>& cameras = {}) {
  Bounds3 box;
  box.add(vec3(-0.6f));
  box.add(vec3(0.6f));
  FieldMeshOptions o;
  o.resolution = 40;
  o.threshold = 10.0f;  // where ball_density crosses at |p| = kRadius
  o.texture_size = texture_size;
  o.cameras = cameras;
  DensityBatchFn density = [](const std::vector<vec3>& p, std::vector<float>* d) {
    for (size_t i = 0; i < p.size(); ++i) (*d)[i] = ball_density(p[i]);
  };
  // What a ray from the point along the direction sees: the ball's colour where it enters.
  ColourBatchFn colour = [](const std::vector<vec3>& p, const std::vector<vec3>& dir,
                            std::vector<vec4>* rgba) {
    for (size_t i = 0; i < p.size(); ++i) {
      REQUIRE(std::abs(glm::length(dir[i]) - 1.0f) < 1e-3f);
      REQUIRE(glm::dot(dir[i], glm::normalize(p[i])) < -0.95f);  // looking inwards
      (*rgba)[i] = vec4(ball_colour(p[i]), 1.0f);
    }
  };
  return mesh_from_density(box, density, colour, o, "ball");
}

}  // namespace

TEST_CASE("a baked field mesh holds the analytic colour at its surface points", "[field_mesh]") {
  const FieldMesh ball = bake_ball(256);
  const TriangleMesh& m = ball.mesh;
  REQUIRE(m.triangle_count() > 500);
  CHECK(count_boundary_edges(m) == 0);
  CHECK(ball.charts >= 6);
  CHECK(ball.atlas_fill > 0.3f);
  REQUIRE(ball.texture.width == 256);
  for (const vec3& p : m.positions) REQUIRE(std::abs(glm::length(p) - kRadius) < 0.01f);
  // Random surface points: the texture's bilinear sample at their uv is the analytic colour.
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  double worst = 0.0, sum = 0.0;
  const int samples = 2000;
  for (int i = 0; i < samples; ++i) {
    const size_t t = size_t(u(rng) * float(m.triangle_count() - 1));
    float a = u(rng), b = u(rng);
    if (a + b > 1.0f) a = 1.0f - a, b = 1.0f - b;
    const vec3 w(1.0f - a - b, a, b);
    vec3 p(0.0f);
    vec2 uv(0.0f);
    for (int k = 0; k < 3; ++k) {
      p += w[k] * m.positions[m.indices[3 * t + size_t(k)]];
      uv += w[k] * m.uvs[m.indices[3 * t + size_t(k)]];
    }
    const vec3 texel = vec3(ball.texture.sample_bilinear(uv.x, uv.y));
    const double error = glm::length(texel - ball_colour(p));
    worst = std::max(worst, error);
    sum += error;
  }
  INFO("mean error " << sum / samples << ", worst " << worst);
  CHECK(sum / samples < 0.01);
  CHECK(worst < 0.05);
}

TEST_CASE("a field mesh made for cameras gives the side they see the texels", "[field_mesh]") {
  // One camera on +z sees the near hemisphere; the far one gets a quarter of the texels a side.
  const Camera camera =
      Camera::pinhole_fov_y(64, 64, glm::radians(40.0f), look_at(vec3(0, 0, 3), vec3(0)));
  const FieldMesh ball = bake_ball(256, {camera});
  const TriangleMesh& m = ball.mesh;
  double near_uv = 0, near_area = 0, far_uv = 0, far_area = 0;
  for (size_t t = 0; t < m.triangle_count(); ++t) {
    const vec3 a = m.positions[m.indices[3 * t]], b = m.positions[m.indices[3 * t + 1]],
               c = m.positions[m.indices[3 * t + 2]];
    const vec2 p = m.uvs[m.indices[3 * t]], q = m.uvs[m.indices[3 * t + 1]],
               r = m.uvs[m.indices[3 * t + 2]];
    const double area = 0.5 * glm::length(glm::cross(b - a, c - a));
    const double uv = 0.5 * std::abs((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
    const float z = (a.z + b.z + c.z) / 3.0f;
    if (z > 0.2f) near_uv += uv, near_area += area;  // well inside the seen side
    if (z < -0.2f) far_uv += uv, far_area += area;   // well inside the hidden side
  }
  REQUIRE(near_area > 0.0);
  REQUIRE(far_area > 0.0);
  // Texel density ratio 4 (16 in area), less the charts' projection at their rims.
  CHECK((near_uv / near_area) / (far_uv / far_area) > 10.0);
  CHECK(rasterize_uvs(m, 256, 256).overlaps == 0);
  CHECK(ball.atlas_fill > 0.1f);
}

TEST_CASE("field mesh exports pass the validator and load in three.js", "[field_mesh]") {
  const FieldMesh ball = bake_ball(256);
  const std::string dir = test::fresh_dir("field_mesh_export");
  for (const char* ext : {".glb", ".gltf"}) {
    const std::string file = dir + "/ball" + ext;
    write_textured_mesh_gltf(file, ball.mesh, ball.texture, "ball");
    REQUIRE(fs::exists(file));
    test::require_valid_gltf(file);
    // Looking at the ball from +z: the centre pixel sees the point (0, 0, r), colour (.5, .5, 1).
    const mat4 camera = glm::translate(mat4(1.0f), vec3(0.0f, 0.0f, 2.0f));
    Image shot;
    const auto counts = render_with_three(file, camera, 64, 40.0f, &shot);
    CHECK(counts["meshes"] == 1);
    CHECK(counts["textures"] == 1);
    CHECK(counts["nodes"] == 2);  // strata's root and the mesh
    const vec4 centre = shot.at(32, 32);
    INFO("centre pixel " << centre.r << " " << centre.g << " " << centre.b);
    CHECK(std::abs(centre.r - 0.5f) < 0.05f);
    CHECK(std::abs(centre.g - 0.5f) < 0.05f);
    CHECK(std::abs(centre.b - 1.0f) < 0.05f);
    CHECK(shot.at(1, 1).r < 0.01f);  // the background stays black
  }
  CHECK(fs::exists(dir + "/ball_0.png"));  // .gltf: the texture beside it
}

TEST_CASE("no surface at the threshold: a clear error, nothing baked", "[field_mesh]") {
  Bounds3 box;
  box.add(vec3(-1.0f));
  box.add(vec3(1.0f));
  FieldMeshOptions o;
  o.resolution = 16;
  o.texture_size = 64;
  bool coloured = false;
  DensityBatchFn thin = [](const std::vector<vec3>& p, std::vector<float>* d) {
    std::fill(d->begin(), d->begin() + std::ptrdiff_t(p.size()), 1.0f);
  };
  ColourBatchFn colour = [&](const std::vector<vec3>&, const std::vector<vec3>&,
                             std::vector<vec4>*) { coloured = true; };
  CHECK_THROWS_WITH(mesh_from_density(box, thin, colour, o, "thin.field"),
                    Contains("thin.field") && Contains("threshold"));
  CHECK_FALSE(coloured);
  o.texture_size = 100;
  CHECK_THROWS_WITH(mesh_from_density(box, thin, colour, o, "x"), Contains("power of two"));
}

TEST_CASE("strata export of a radiance field: a textured mesh, or exit 2 without a surface",
          "[field_mesh]") {
  const std::string dir = test::fresh_dir("field_mesh_cli");
  // A young field is about 1/m dense everywhere, below any surface threshold; the dense one's
  // surface is a ball's blocky hull.
  const RadianceField thin = test::tiny_field(false, 2, 1);
  save_field(dir + "/thin.field", thin);
  const RadianceField dense = test::tiny_field(true, 2, 2);
  save_field(dir + "/dense.field", dense);

  int code = 0;
  std::string out = run_command(std::string(STRATA_CLI_PATH) + " export " + dir +
                                    "/thin.field --out " + dir + "/thin.glb --resolution 24",
                                &code);
  INFO(out);
  CHECK(code == 2);
  CHECK_THAT(out, Contains("threshold"));
  CHECK_FALSE(fs::exists(dir + "/thin.glb"));

  out = run_command(std::string(STRATA_CLI_PATH) + " export " + dir + "/dense.field --out " + dir +
                        "/dense.glb --resolution 32 --texture-size 128",
                    &code);
  INFO(out);
  REQUIRE(code == 0);
  CHECK_THAT(out, Contains("triangles") && Contains("charts") && Contains("atlas fill"));
  test::require_valid_gltf(dir + "/dense.glb");
  Image shot;
  const auto counts = render_with_three(
      dir + "/dense.glb", glm::translate(mat4(1.0f), vec3(0, 0, 2)), 48, 40.0f, &shot);
  CHECK(counts["meshes"] == 1);
  CHECK(counts["textures"] == 1);
  CHECK(shot.at(24, 24).a > 0.99f);
  CHECK(glm::length(vec3(shot.at(24, 24))) > 0.05f);  // the mesh, not the black background
}
