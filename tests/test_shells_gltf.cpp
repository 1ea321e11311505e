// ShellVolume -> glTF: one mesh per shell with the shared UVs and its RGBA texture (BLEND), read
// by the Khronos validator (zero errors) and by three.js (node, mesh and texture counts).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "neural/gltf/gltf_export.h"
#include "neural/scene/scene.h"
#include "tests/test_shells_support.h"
#include "tests/test_support.h"

using namespace strata;
namespace fs = std::filesystem;

namespace {

std::string run_node(const std::string& script, const std::string& arguments, int* exit_code) {
  const test::CommandRun run = test::run_node(script, arguments);
  *exit_code = run.exit_code;
  return run.output;
}

}  // namespace

TEST_CASE("shells export to glTF: one blended mesh per shell, validator and three.js agree",
          "[shells][gltf]") {
  ShellVolume shells = test::sphere_shells(
      {-0.1f, 0.0f, 0.1f}, {vec4(1, 0, 0, 0.3f), vec4(0, 1, 0, 0.3f), vec4(0, 0, 1, 0.3f)}, 16, 8,
      16);
  Scene scene;
  SceneItem item;
  item.name = "sphere_shells";
  item.content = shells;
  scene.items.push_back(item);
  const std::string dir = test::fresh_dir("shells_gltf");
  const std::string file = dir + "/shells.glb";
  export_gltf(scene, file);
  REQUIRE(fs::exists(file));

  int code = 0;
  const std::string validation = run_node("validate.mjs", "'" + file + "'", &code);
  INFO("validator output: " << validation);
  REQUIRE(code == 0);
  const auto report = nlohmann::json::parse(validation.substr(validation.find('{')));
  CHECK(report["numErrors"] == 0);

  std::vector<float> m(16);
  const mat4 pose = look_at(vec3(0, 0, 4), vec3(0.0f));
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r) m[size_t(c * 4 + r)] = pose[c][r];
  const nlohmann::json cam = {
      {"width", 64}, {"height", 64}, {"fov_y_deg", 40.0}, {"camera_to_world", m}};
  const std::string three = run_node(
      "render_three.mjs", "'" + file + "' '" + file + ".three.png' '" + cam.dump() + "'", &code);
  INFO("three.js output: " << three);
  REQUIRE(code == 0);
  const auto counts = nlohmann::json::parse(three.substr(three.find('{')));
  INFO(counts.dump());
  CHECK(counts["nodes"] == 5);  // root, the item, one per shell
  CHECK(counts["meshes"] == 3);
  CHECK(counts["textures"] == 3);
}
