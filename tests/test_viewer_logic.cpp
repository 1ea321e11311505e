// strata-viewer's window-free parts: scripts, cameras, the document's toggles, the path editor,
// settings and view shading. [viewer]
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "apps/viewer/camera_controller.h"
#include "apps/viewer/path_editor.h"
#include "apps/viewer/scene_document.h"
#include "apps/viewer/script.h"
#include "apps/viewer/settings.h"
#include "apps/viewer/view_mode.h"
#include "neural/core/error.h"
#include "neural/path/camera_path.h"
#include "tests/test_shells_support.h"
#include "tests/test_support.h"

using namespace strata;
using namespace strata::viewer;

namespace {

bool near_pose(const mat4& a, const mat4& b, float eps) {
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r)
      if (std::abs(a[c][r] - b[c][r]) > eps) return false;
  return true;
}

GaussianCloud two_layer_cloud() {
  GaussianCloud cloud;
  cloud.resize(4);
  for (size_t i = 0; i < 4; ++i) {
    cloud.positions[i] = vec3(float(i), 0.0f, -3.0f);
    cloud.layers[i] = uint16_t(i % 2);
  }
  return cloud;
}

}  // namespace

TEST_CASE("viewer scripts parse, check arguments and step with waits", "[viewer]") {
  const auto commands = parse_script(
      "# comment\norbit 30 -10\n\nwait 2\ntoggle 0 back_wall # trailing\nscreenshot a.png\n"
      "view depth\nquit\n",
      "s.txt");
  REQUIRE(commands.size() == 6);
  CHECK(commands[0].name == "orbit");
  CHECK(commands[0].line == 2);
  CHECK(script_float(commands[0], 1) == -10.0f);
  CHECK(commands[2].args == std::vector<std::string>{"0", "back_wall"});

  CHECK_THROWS_WITH(parse_script("orbit 30\n", "s.txt"), Catch::Contains("s.txt:1"));
  CHECK_THROWS_WITH(parse_script("fly away\n", "s.txt"), Catch::Contains("unknown command"));
  CHECK_THROWS_WITH(parse_script("view sideways\n", "s.txt"), Catch::Contains("sideways"));
  CHECK_THROWS_WITH(parse_script("orbit a b\n", "s.txt"), Catch::Contains("expected a number"));
  CHECK_THROWS(parse_script("camera dataset\n", "s.txt"));

  ScriptRunner runner(commands);
  auto step = runner.step();  // orbit, then wait 2 holds
  REQUIRE(step.size() == 1);
  CHECK(runner.step().empty());  // first waited frame
  step = runner.step();          // toggle, screenshot (a frame of its own)
  REQUIRE(step.size() == 2);
  CHECK(step[1].name == "screenshot");
  step = runner.step();
  REQUIRE(step.size() == 2);
  CHECK(step[1].name == "quit");
  CHECK(runner.done());
}

TEST_CASE("viewer orbit camera matches the orbit path's keyframes", "[viewer]") {
  Bounds3 bounds;
  bounds.add(vec3(-1, 0, -2));
  bounds.add(vec3(2, 1.5f, 1));
  const CameraPath path = orbit_path(bounds, 12, 50.0f, 20.0f);
  for (int i = 0; i < 12; i += 3) {
    const ViewCamera view = orbit_view(bounds, 30.0f * float(i), 20.0f, 50.0f);
    CHECK(near_pose(view.pose(), path.keyframes[size_t(i)].camera_to_world, 1e-4f));
  }
  // Switching modes keeps the view; dragging and scrolling move it.
  ViewCamera view = orbit_view(bounds, 40.0f, 10.0f);
  const mat4 before = view.pose();
  view.set_mode(CameraMode::kFly);
  CHECK(near_pose(view.pose(), before, 1e-4f));
  view.set_mode(CameraMode::kPanorama);
  CHECK(near_pose(view.pose(), before, 1e-4f));
  view.move(vec3(1, 0, 0));  // the eye stays put in panorama mode
  CHECK(near_pose(view.pose(), before, 1e-4f));
  view.set_mode(CameraMode::kFly);
  view.move(vec3(0, 0, -1));
  CHECK(glm::length(vec3(view.pose()[3]) - vec3(before[3]) - vec3(-before[2])) < 1e-4f);
  view.drag(40.0f, 0.0f);
  CHECK_FALSE(near_pose(view.pose(), before, 1e-3f));

  // Snap to the nearest of a few cameras.
  std::vector<Camera> cameras;
  for (int i = 0; i < 3; ++i)
    cameras.push_back(
        Camera::pinhole_fov_y(64, 48, 0.8f, look_at(vec3(float(i) * 2.0f, 0, 5), vec3(0.0f))));
  CHECK(nearest_camera(cameras, look_at(vec3(3.8f, 0.2f, 5), vec3(0.0f))) == 2);
  CHECK(nearest_camera({}, mat4(1.0f)) == -1);
}

TEST_CASE("viewer document toggles items, layers and panorama layers", "[viewer]") {
  SceneDocument doc;
  doc.open(test::source_dir() + "/assets/room_corner");
  REQUIRE(doc.items().size() == 1);
  const size_t planes = std::get<PlaneSet>(doc.items()[0].item.content).planes.size();
  REQUIRE(doc.items()[0].layers.size() == planes);
  const int wall = doc.find_layer(0, "back_wall");
  REQUIRE(wall >= 0);
  CHECK(doc.find_layer(0, "3") == 3);
  CHECK(doc.find_item("0") == 0);
  CHECK(doc.find_item("nothing") == -1);

  doc.items()[0].layer_visible[size_t(wall)] = false;
  doc.items()[0].opacity = 0.5f;
  const uint64_t version = doc.version();
  doc.touch();
  CHECK(doc.version() > version);
  Scene built = doc.build();
  const PlaneSet& kept = std::get<PlaneSet>(built.items[0].content);
  CHECK(kept.planes.size() == planes - 1);
  for (const Plane& p : kept.planes) CHECK(p.name != "back_wall");
  CHECK(doc.counts().planes == planes - 1);
  doc.items()[0].visible = false;
  CHECK(doc.build().items.empty());

  // A Gaussian panorama: each named layer is a toggle; hidden layers' Gaussians are not drawn.
  Scene pano;
  SceneItem item;
  item.name = "pano";
  item.content = two_layer_cloud();
  item.layer_names = {"near", "far"};
  pano.items.push_back(item);
  doc.add(pano, "pano.json");
  REQUIRE(doc.items()[1].layers == std::vector<std::string>{"near", "far"});
  CHECK(item_kind(doc.items()[1].item) == "gaussian panorama");
  doc.items()[1].layer_visible[1] = false;
  const Scene shown = doc.build();
  REQUIRE(shown.items.size() == 1);
  const auto& cloud = std::get<GaussianCloud>(shown.items[0].content);
  REQUIRE(cloud.size() == 2);
  for (uint16_t l : cloud.layers) CHECK(l == 0);
  CHECK(doc.counts().gaussians == 2);

  // A file that cannot be opened leaves the document as it was.
  CHECK_THROWS_AS(doc.open("/nonexistent/scene.ply"), InputError);
  CHECK(doc.items().size() == 2);
}

TEST_CASE("viewer document toggles each shell of a layered surface volume", "[viewer][shells]") {
  SceneDocument doc;
  Scene scene;
  SceneItem item;
  item.name = "sphere";
  item.content = test::sphere_shells(
      {-0.05f, 0.0f, 0.05f}, {vec4(1, 0, 0, 0.5f), vec4(0, 1, 0, 0.5f), vec4(0, 0, 1, 0.5f)}, 8, 6,
      12);
  scene.items.push_back(item);
  doc.add(scene, "shells.json");
  REQUIRE(item_kind(doc.items()[0].item) == "shells");
  REQUIRE(doc.items()[0].layers.size() == 3);
  const size_t triangles = std::get<ShellVolume>(item.content).base.triangle_count();
  CHECK(doc.counts().triangles == 3 * triangles);

  doc.items()[0].layer_visible[1] = false;  // the middle (green) shell
  doc.items()[0].opacity = 0.5f;
  Scene built = doc.build();
  REQUIRE(built.items.size() == 1);
  const auto& kept = std::get<ShellVolume>(built.items[0].content);
  REQUIRE(kept.shell_count() == 2);
  CHECK(kept.offsets[0] == Approx(-0.05f));
  CHECK(kept.offsets[1] == Approx(0.05f));
  CHECK(kept.textures[1].pixels[0].b == Approx(0.25f));  // blue at alpha 0.5, halved
  CHECK(kept.textures[1].pixels[0].a == Approx(0.25f));
  CHECK(doc.counts().triangles == 2 * triangles);

  // Every shell hidden: the item draws nothing.
  for (size_t i = 0; i < 3; ++i) doc.items()[0].layer_visible[i] = false;
  CHECK(doc.build().items.empty());
}

TEST_CASE("viewer path editor adds, removes, scrubs and saves a path strata reads", "[viewer]") {
  PathEditor editor;
  CHECK_THROWS_AS(editor.save(test::output_dir() + "/empty_path.json", 64, 48), InputError);
  editor.add(look_at(vec3(0, 0, 3), vec3(0.0f)), 50.0f);
  editor.add(look_at(vec3(1, 0, 3), vec3(0.0f)), 40.0f);
  editor.add(look_at(vec3(2, 0, 3), vec3(0.0f)), 30.0f);
  CHECK(editor.size() == 3);
  editor.remove(1);
  CHECK(editor.size() == 2);
  editor.scrub(0.5);
  mat4 pose;
  float fov = 0.0f;
  REQUIRE(editor.view_at_cursor(&pose, &fov));
  CHECK(fov == Approx(45.0f).margin(1e-3));  // a quarter of the way from 50 (t=0) to 30 (t=2)
  editor.set_playing(true);
  editor.advance(2.25);
  CHECK(editor.time() >= 0.0);
  CHECK(editor.time() <= 2.0);
  const std::string file = test::fresh_dir("viewer_path") + "/path.json";
  editor.save(file, 320, 240);
  const CameraPath read = read_camera_path(file);
  REQUIRE(read.keyframes.size() == 2);
  CHECK(read.width == 320);
  CHECK(read.keyframes[1].fov_y_deg == Approx(30.0f));
  CHECK(near_pose(read.keyframes[0].camera_to_world, look_at(vec3(0, 0, 3), vec3(0.0f)), 1e-5f));
}

TEST_CASE("viewer settings round-trip and remember recent files", "[viewer]") {
  const std::string dir = test::fresh_dir("viewer_settings");
  setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  const std::string path = settings_path();
  unsetenv("XDG_CONFIG_HOME");
  CHECK(path == dir + "/strata/viewer.json");
  Settings s = load_settings(path);  // missing: defaults
  CHECK(s.recent_files.empty());
  for (int i = 0; i < 12; ++i) s.remember("/data/scene" + std::to_string(i) + ".ply");
  s.remember("/data/scene3.ply");
  CHECK(s.recent_files.size() == Settings::kMaxRecent);
  CHECK(s.recent_files[0] == "/data/scene3.ply");
  s.window_width = 800;
  s.background = vec3(0.2f, 0.3f, 0.4f);
  save_settings(path, s);
  const Settings back = load_settings(path);
  CHECK(back.recent_files == s.recent_files);
  CHECK(back.window_width == 800);
  CHECK(back.background.z == Approx(0.4f));
  test::write_text(path, "{not json");
  CHECK(load_settings(path).recent_files.empty());  // a warning, the defaults
}

TEST_CASE("viewer view modes shade colour, depth and alpha", "[viewer]") {
  RenderOutput frame{Image(2, 1), ScalarImage(2, 1)};
  frame.color.at(0, 0) = vec4(0.5f, 0.25f, 0.0f, 0.5f);  // premultiplied, half covered
  frame.depth.at(0, 0) = 2.0f;
  const vec3 background(0.2f);
  const Rgba8Image color = shade(frame, ViewMode::kColor, background);
  CHECK(int(color.pixels[0]) == 153);  // 0.5 + 0.5 * 0.2 = 0.6
  CHECK(int(color.pixels[4]) == 51);   // background
  const Rgba8Image alpha = shade(frame, ViewMode::kAlpha, background);
  CHECK(int(alpha.pixels[0]) == 128);
  CHECK(int(alpha.pixels[4]) == 0);
  const Rgba8Image depth = shade(frame, ViewMode::kDepth, background);
  CHECK(int(depth.pixels[4]) == 51);  // nothing hit: background
  CHECK(depth.pixels[0] != color.pixels[0]);
  ViewMode mode;
  CHECK(parse_view("colour", &mode));
  CHECK(mode == ViewMode::kColor);
  CHECK_FALSE(parse_view("normals", &mode));
  const Rgba8Image both = side_by_side(color, alpha);
  CHECK(both.width == 4);
}
