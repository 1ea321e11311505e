// The Vulkan planes renderer against the CPU reference (render_planes): PSNR >= 40 dB on every
// scene, with the Khronos validation layer on and no validation message allowed. Without a
// Vulkan device the tests WARN and pass (CI installs llvmpipe, so there they run).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <glm/gtc/matrix_transform.hpp>
#include <string>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/planes/plane_set.h"
#include "neural/planes/plane_set_render.h"
#include "neural/planes/stereo_magnification.h"
#include "neural/scene/scene.h"
#include "renderer/bench_scene.h"
#include "renderer/vulkan_renderer.h"
#include "tests/test_support.h"
#include "tests/vulkan_test_support.h"

namespace fs = std::filesystem;
using namespace strata;

namespace {

using test::require_no_validation_messages;
using test::vulkan_or_skip;

Scene scene_of(const PlaneSet& planes) {
  Scene scene;
  SceneItem item;
  item.name = "planes";
  item.content = planes;
  scene.items.push_back(std::move(item));
  scene.reference_camera = planes.reference_camera;
  return scene;
}

// Fraction of pixels whose depths agree to 1% (or 1 mm).
double depth_agreement(const ScalarImage& a, const ScalarImage& b) {
  size_t agree = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    const float tolerance = std::max(1e-3f, 0.01f * std::abs(a.values[i]));
    if (std::abs(a.values[i] - b.values[i]) <= tolerance) ++agree;
  }
  return double(agree) / double(std::max<size_t>(a.values.size(), 1));
}

// Renders `planes` with both backends and checks colour (over black and over white, so alpha
// counts too) and depth. Returns the PSNR over black.
double compare_backends(VulkanSceneRenderer& vulkan, const std::string& name,
                        const PlaneSet& planes, const Camera& camera, double min_db = 40.0) {
  const RenderOutput cpu = render_planes(planes, camera);
  vulkan.set_scene(scene_of(planes));
  const RenderOutput gpu = vulkan.render(camera);
  REQUIRE(gpu.color.width == camera.width);
  REQUIRE(gpu.color.height == camera.height);
  const test::Comparison black = test::compare_images(name, cpu.color, gpu.color, min_db);
  const test::Comparison white =
      test::compare_images(name + "_white", cpu.color, gpu.color, min_db, vec3(1.0f));
  const double depth = depth_agreement(cpu.depth, gpu.depth);
  std::printf(
      "vulkan vs cpu, %s: %.2f dB over black, %.2f dB over white, depth within 1%% on %.2f%% of "
      "pixels\n",
      name.c_str(), black.psnr_db, white.psnr_db, 100.0 * depth);
  INFO(black.message);
  INFO(white.message);
  CHECK(black.ok);
  CHECK(white.ok);
  CHECK(depth >= 0.99);
  require_no_validation_messages(vulkan);
  return black.psnr_db;
}

// A texture of w x h with a colourful pattern and alpha between a_lo and a_hi (premultiplied).
Image pattern(int w, int h, float a_lo, float a_hi, float phase) {
  Image image(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float u = (x + 0.5f) / w, v = (y + 0.5f) / h;
      const vec3 c(0.5f + 0.5f * std::sin(12.0f * u + phase),
                   0.5f + 0.5f * std::cos(9.0f * v + 2.0f * phase),
                   ((x / 4 + y / 4) & 1) ? 0.9f : 0.2f);
      const float a = a_lo + (a_hi - a_lo) * (0.5f + 0.5f * std::sin(7.0f * (u + v) + phase));
      image.at(x, y) = vec4(c * a, a);
    }
  return image;
}

Plane plane(vec3 origin, vec3 u, vec3 v, Image texture) {
  Plane p;
  p.origin = origin;
  p.u_axis = u;
  p.v_axis = v;
  p.texture = std::move(texture);
  return p;
}

Camera looking(int w, int h, vec3 eye, vec3 target) {
  return Camera::pinhole_fov_y(w, h, 55.0f * kPi / 180.0f, look_at(eye, target));
}

}  // namespace

TEST_CASE("vulkan planes: two half-transparent fronto-parallel planes", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  PlaneSet set;
  set.planes.push_back(plane(vec3(-1.5f, 1.0f, -4.0f), vec3(3, 0, 0), vec3(0, -2, 0),
                             pattern(64, 48, 0.4f, 0.6f, 0.0f)));
  set.planes.push_back(plane(vec3(-0.8f, 0.6f, -2.0f), vec3(1.6f, 0, 0), vec3(0, -1.2f, 0),
                             pattern(80, 60, 0.3f, 0.7f, 1.0f)));
  compare_backends(*vulkan, "vk_two_planes", set,
                   looking(200, 150, vec3(0.1f, 0.05f, 0.0f), vec3(0, 0, -3)));
  // A second view from the side, with the same renderer (set_scene is not repeated for it).
  compare_backends(*vulkan, "vk_two_planes_side", set,
                   looking(160, 120, vec3(1.2f, 0.4f, 0.5f), vec3(0, 0, -3)));
}

TEST_CASE("vulkan planes: crossing planes whose order flips across the image", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  PlaneSet set;
  // Two vertical planes crossing at x = 0: A is nearer on the left, B on the right.
  set.planes.push_back(plane(vec3(-1.5f, 1.0f, -2.0f), vec3(3.0f, 0.0f, -2.0f), vec3(0, -2, 0),
                             pattern(96, 64, 0.6f, 0.9f, 0.3f)));
  set.planes.push_back(plane(vec3(-1.5f, 1.0f, -4.0f), vec3(3.0f, 0.0f, 2.0f), vec3(0, -2, 0),
                             pattern(96, 64, 0.5f, 0.8f, 2.1f)));
  // A floor through both.
  set.planes.push_back(plane(vec3(-2.0f, -0.5f, -5.0f), vec3(4, 0, 0), vec3(0, 0, 4),
                             pattern(50, 50, 1.0f, 1.0f, 0.7f)));
  compare_backends(*vulkan, "vk_crossing", set,
                   looking(240, 160, vec3(0.0f, 0.3f, 0.0f), vec3(0, -0.1f, -3)));
}

TEST_CASE("vulkan planes: textures of different sizes, faint alpha", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  PlaneSet set;
  set.planes.push_back(
      plane(vec3(-2, 1.5f, -6), vec3(4, 0, 0), vec3(0, -3, 0), pattern(300, 40, 0.9f, 1.0f, 0.0f)));
  set.planes.push_back(
      plane(vec3(-1, 1, -4), vec3(2, 0, 0), vec3(0, -2, 0), pattern(17, 9, 0.2f, 0.8f, 1.0f)));
  set.planes.push_back(plane(vec3(-0.6f, 0.5f, -3), vec3(1.2f, 0, 0), vec3(0, -1, 0),
                             pattern(128, 128, 0.01f, 0.05f, 2.0f)));
  set.planes.push_back(plane(vec3(0.0f, 0.8f, -2.5f), vec3(0.7f, 0, 0.3f), vec3(0, -1.2f, 0),
                             pattern(1, 1, 0.5f, 0.5f, 3.0f)));
  set.planes.push_back(plane(vec3(-1.2f, 0.2f, -3.5f), vec3(0.8f, 0.1f, 0), vec3(0.1f, -0.9f, 0.2f),
                             pattern(255, 97, 0.02f, 0.9f, 4.0f)));
  compare_backends(*vulkan, "vk_sizes", set,
                   looking(256, 192, vec3(0.2f, 0.1f, 0.3f), vec3(0, 0, -3)));
}

TEST_CASE("vulkan planes: equirectangular camera inside a box", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  PlaneSet set;
  const float r = 3.0f;
  // Six opaque faces of a cube around the camera (some planes behind it), plus translucent cards.
  set.planes.push_back(
      plane(vec3(-r, r, -r), vec3(2 * r, 0, 0), vec3(0, -2 * r, 0), pattern(64, 64, 1, 1, 0.0f)));
  set.planes.push_back(
      plane(vec3(r, r, r), vec3(-2 * r, 0, 0), vec3(0, -2 * r, 0), pattern(64, 64, 1, 1, 1.0f)));
  set.planes.push_back(
      plane(vec3(-r, r, r), vec3(0, 0, -2 * r), vec3(0, -2 * r, 0), pattern(64, 64, 1, 1, 2.0f)));
  set.planes.push_back(
      plane(vec3(r, r, -r), vec3(0, 0, 2 * r), vec3(0, -2 * r, 0), pattern(64, 64, 1, 1, 3.0f)));
  set.planes.push_back(
      plane(vec3(-r, r, r), vec3(2 * r, 0, 0), vec3(0, 0, -2 * r), pattern(64, 64, 1, 1, 4.0f)));
  set.planes.push_back(
      plane(vec3(-r, -r, -r), vec3(2 * r, 0, 0), vec3(0, 0, 2 * r), pattern(64, 64, 1, 1, 5.0f)));
  set.planes.push_back(plane(vec3(-1, 1, -1.5f), vec3(2, 0, 0.5f), vec3(0, -2, 0),
                             pattern(48, 48, 0.3f, 0.7f, 6.0f)));
  set.planes.push_back(plane(vec3(1.5f, 0.5f, 1), vec3(0, 0, -2), vec3(0, -1, 0.3f),
                             pattern(40, 20, 0.4f, 0.9f, 7.0f)));
  Camera camera =
      Camera::equirectangular(256, 128, look_at(vec3(0.3f, 0.2f, 0.1f), vec3(1, 0.2f, -2)));
  compare_backends(*vulkan, "vk_equirect", set, camera);
}

TEST_CASE("vulkan planes: more hits per pixel than one sorting pass holds", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  // 40 faint planes stacked in depth: every pixel composites all of them (0.92^40 > 1e-4), so
  // the shader needs a second pass beyond its 32 sorted hits.
  PlaneSet set;
  for (int i = 0; i < 40; ++i) {
    const float z = -2.0f - 0.1f * float((i * 17) % 40);  // stored in shuffled depth order
    set.planes.push_back(plane(vec3(-2, 1.5f, z), vec3(4, 0, 0), vec3(0, -3, 0),
                               pattern(32, 24, 0.05f, 0.1f, float(i))));
  }
  compare_backends(*vulkan, "vk_many_hits", set,
                   looking(160, 120, vec3(0.05f, 0.0f, 0.0f), vec3(0, 0, -3)));
}

TEST_CASE("vulkan planes: structural bench scene", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  BenchSceneOptions options;
  options.width = 320;
  options.height = 180;
  const PlaneSet set = make_bench_planes(options);
  REQUIRE(set.planes.size() == 32);
  compare_backends(*vulkan, "vk_bench_scene", set, bench_camera(320, 180, 3, 10));
}

TEST_CASE("vulkan planes: RGBA16F textures", "[vulkan]") {
  VulkanPlanesSettings settings;
  settings.half_float_textures = true;
  auto vulkan = vulkan_or_skip(settings);
  if (!vulkan) return;
  BenchSceneOptions options;
  options.width = 256;
  options.height = 144;
  options.planes = 12;
  compare_backends(*vulkan, "vk_bench_scene_16f", make_bench_planes(options),
                   bench_camera(256, 144, 1, 10));
}

TEST_CASE("vulkan planes: a layer stack draws as cards", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  LayerStack stack;
  stack.width = 160;
  stack.height = 120;
  for (int i = 0; i < 3; ++i) {
    Layer layer;
    layer.name = "layer" + std::to_string(i);
    layer.image = pattern(80 + 20 * i, 60 - 10 * i, 0.5f, 1.0f, float(i));
    layer.offset = ivec2(10 + 20 * i, 15 + 10 * i);
    layer.depth = 4.0f - float(i);
    stack.layers.push_back(std::move(layer));
  }
  Scene scene;
  SceneItem item;
  item.content = stack;
  scene.items.push_back(std::move(item));
  const PlaneSet planes = scene_planes(scene);
  const Camera camera = stack.reference_camera();
  const RenderOutput cpu = render_planes(planes, camera);
  vulkan->set_scene(scene);
  const RenderOutput gpu = vulkan->render(camera);
  const test::Comparison c = test::compare_images("vk_layer_stack", cpu.color, gpu.color, 40.0);
  std::printf("vulkan vs cpu, vk_layer_stack: %.2f dB\n", c.psnr_db);
  INFO(c.message);
  CHECK(c.ok);
  require_no_validation_messages(*vulkan);
}

TEST_CASE("vulkan planes: sample scene assets/room_corner", "[vulkan]") {
  const std::string path = test::source_dir() + "/assets/room_corner/planes.json";
  if (!fs::exists(path)) {
    WARN("skipped: " << path << " does not exist yet");
    return;
  }
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  const Scene scene = load_scene(path);
  const PlaneSet planes = scene_planes(scene);
  REQUIRE(scene.reference_camera.has_value());
  const Camera reference = *scene.reference_camera;
  const int w = std::min(reference.width, 256);
  const int h = std::max(1, reference.height * w / reference.width);
  Camera camera = reference.resized(w, h);
  compare_backends(*vulkan, "vk_room_corner", planes, camera);
  // And from a step to the side.
  camera.camera_to_world[3] += vec4(0.15f * glm::normalize(vec3(camera.camera_to_world[0])), 0.0f);
  compare_backends(*vulkan, "vk_room_corner_moved", planes, camera);
}

TEST_CASE("vulkan planes: Stereo Magnification MPI (shared/external/mpi_greek)", "[vulkan]") {
  const auto shared = test::shared_dir();
  if (!shared || !fs::exists(*shared + "/external/mpi_greek/mpi_rgb_00.png")) {
    WARN("skipped: ../shared/external/mpi_greek is absent");
    return;
  }
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  const PlaneSet planes = import_stereo_magnification(*shared + "/external/mpi_greek");
  REQUIRE(planes.reference_camera.has_value());
  Camera camera = planes.reference_camera->resized(256, 256);
  compare_backends(*vulkan, "vk_mpi_greek", planes, camera);
  camera.camera_to_world =
      glm::translate(mat4(1.0f), vec3(0.04f, -0.02f, 0.05f)) * camera.camera_to_world;
  compare_backends(*vulkan, "vk_mpi_greek_moved", planes, camera);
}

TEST_CASE("vulkan planes: textures over the size limit are downscaled with a warning", "[vulkan]") {
  VulkanPlanesSettings settings;
  settings.max_texture_size = 64;
  auto vulkan = vulkan_or_skip(settings);
  if (!vulkan) return;
  PlaneSet set;
  // Smooth content, so a quarter-size texture still looks nearly the same.
  Image big(256, 128);
  for (int y = 0; y < 128; ++y)
    for (int x = 0; x < 256; ++x) big.at(x, y) = vec4(x / 256.0f, y / 128.0f, 0.5f, 1.0f);
  set.planes.push_back(plane(vec3(-2, 1, -4), vec3(4, 0, 0), vec3(0, -2, 0), big));
  // Within the limit: untouched.
  set.planes.push_back(plane(vec3(-0.5f, 0.5f, -3), vec3(1, 0, 0), vec3(0, -1, 0),
                             pattern(60, 40, 0.5f, 0.9f, 1.0f)));
  // Smooth content downscaled 4x differs from the reference only by a little blur.
  compare_backends(*vulkan, "vk_downscaled", set, looking(160, 120, vec3(0), vec3(0, 0, -3)), 35.0);
}

TEST_CASE("vulkan planes: frames in flight, resizing, read_back and empty scenes", "[vulkan]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  BenchSceneOptions options;
  options.width = 160;
  options.height = 90;
  options.planes = 10;
  const PlaneSet set = make_bench_planes(options);
  vulkan->set_scene(scene_of(set));
  // draw() several frames at two sizes without waiting, then read the last one back.
  for (int i = 0; i < 5; ++i) vulkan->draw(bench_camera(i % 2 ? 160 : 120, 90, i, 5));
  const Camera last = bench_camera(160, 90, 4, 5);
  vulkan->draw(last);
  const RenderOutput drawn = vulkan->read_back();
  const RenderOutput rendered = vulkan->render(last);
  REQUIRE(drawn.color.pixels == rendered.color.pixels);
  REQUIRE(drawn.depth.values == rendered.depth.values);
  vulkan->finish();

  // A scene replaced while frames are in flight.
  vulkan->draw(last);
  options.planes = 4;
  const PlaneSet smaller = make_bench_planes(options);
  vulkan->set_scene(scene_of(smaller));
  const RenderOutput after = vulkan->render(last);
  const test::Comparison c =
      test::compare_images("vk_replaced", render_planes(smaller, last).color, after.color, 40.0);
  INFO(c.message);
  CHECK(c.ok);

  // An empty scene draws transparent black with zero depth.
  vulkan->set_scene(Scene{});
  const RenderOutput empty = vulkan->render(last);
  for (const vec4& p : empty.color.pixels) REQUIRE(p == vec4(0.0f));
  for (const float d : empty.depth.values) REQUIRE(d == 0.0f);
  require_no_validation_messages(*vulkan);
}

TEST_CASE("vulkan planes: out of device memory is a clear error and the old scene stays",
          "[vulkan]") {
  VulkanPlanesSettings settings;
  settings.memory_budget_bytes = 1 << 20;  // 1 MiB
  auto vulkan = vulkan_or_skip(settings);
  if (!vulkan) return;
  PlaneSet small;
  small.planes.push_back(
      plane(vec3(-1, 1, -3), vec3(2, 0, 0), vec3(0, -2, 0), pattern(64, 64, 0.5f, 1.0f, 0.0f)));
  const Camera camera = looking(96, 72, vec3(0), vec3(0, 0, -3));
  vulkan->set_scene(scene_of(small));
  const RenderOutput before = vulkan->render(camera);
  PlaneSet big;
  big.planes.push_back(
      plane(vec3(-1, 1, -3), vec3(2, 0, 0), vec3(0, -2, 0), Image(1024, 1024, vec4(0.5f))));
  try {
    vulkan->set_scene(scene_of(big));
    FAIL("a scene over the memory budget was accepted");
  } catch (const VulkanError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("out of device memory") != std::string::npos);
  }
  // The renderer still draws the previous scene.
  const RenderOutput after = vulkan->render(camera);
  CHECK(after.color.pixels == before.color.pixels);
  require_no_validation_messages(*vulkan);
}
