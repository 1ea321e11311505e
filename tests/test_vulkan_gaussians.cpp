// The Vulkan Gaussian renderer against the CPU reference (render_gaussians, render_scene):
// PSNR >= 35 dB over black and over white (so alpha counts too) and expected depth, on
// train-1000.ply, a random SH-degree-3 cloud, equirectangular panoramas (synthetic and the
// layered room_pano), layer masks, a scene of planes and Gaussians merged by depth, and a view
// whose tile entries overflow the first allocation. The Khronos validation layer is on and any
// message fails. Without a Vulkan device the tests WARN and pass.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/core/metrics.h"
#include "neural/gaussians/gaussian_io.h"
#include "neural/gaussians/gaussian_render.h"
#include "neural/panorama/gaussian_panorama.h"
#include "neural/planes/plane_set.h"
#include "neural/scene/scene.h"
#include "neural/scene/scene_render.h"
#include "renderer/bench_gaussians.h"
#include "renderer/vulkan_renderer.h"
#include "tests/test_support.h"
#include "tests/vulkan_test_support.h"

using namespace strata;
using test::require_no_validation_messages;
using test::vulkan_or_skip;

namespace {

constexpr double kMinPsnr = 35.0;

Scene scene_of(const GaussianCloud& cloud) {
  Scene scene;
  SceneItem item;
  item.name = "gaussians";
  item.content = cloud;
  scene.items.push_back(std::move(item));
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

// Checks a Vulkan render against the CPU's: colour over black and white, depth on 98% of the
// pixels (single-pixel differences at footprint edges and ends of compositing are expected
// from float rounding), no validation message. Returns the PSNR over black.
double check_same(VulkanSceneRenderer& vulkan, const std::string& name, const RenderOutput& cpu,
                  const RenderOutput& gpu) {
  REQUIRE(gpu.color.width == cpu.color.width);
  REQUIRE(gpu.color.height == cpu.color.height);
  const test::Comparison black = test::compare_images(name, cpu.color, gpu.color, kMinPsnr);
  const test::Comparison white =
      test::compare_images(name + "_white", cpu.color, gpu.color, kMinPsnr, vec3(1.0f));
  const double depth = depth_agreement(cpu.depth, gpu.depth);
  std::printf(
      "vulkan vs cpu, %s: %.2f dB over black, %.2f dB over white, depth within 1%% on %.2f%% of "
      "pixels\n",
      name.c_str(), black.psnr_db, white.psnr_db, 100.0 * depth);
  INFO(black.message);
  INFO(white.message);
  CHECK(black.ok);
  CHECK(white.ok);
  CHECK(depth >= 0.98);
  require_no_validation_messages(vulkan);
  return black.psnr_db;
}

// Mean alpha of an image: a render that draws nothing must not pass as "equal".
double mean_alpha(const Image& image) {
  double sum = 0.0;
  for (const vec4& p : image.pixels) sum += p.a;
  return sum / double(std::max<size_t>(image.pixels.size(), 1));
}

GaussianCloud random_cloud(size_t n, uint32_t seed, vec3 center, float half_extent, float lo,
                           float hi) {
  BenchGaussiansOptions o;
  o.count = n;
  o.seed = seed;
  o.center = center;
  o.half_extent = half_extent;
  o.scale_lo = lo;
  o.scale_hi = hi;
  return make_bench_gaussians(o);
}

}  // namespace

TEST_CASE("vulkan gaussians: train-1000.ply matches the CPU from two cameras",
          "[vulkan][gaussians]") {
  const auto shared = test::shared_dir();
  if (!shared) {
    WARN("skipped: ../shared not found");
    return;
  }
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  const GaussianCloud cloud = load_gaussian_cloud(*shared + "/external/splat/train-1000.ply");
  // The median position (the bounds hold far outliers), the scene's y down.
  std::vector<float> axis[3];
  for (const vec3& p : cloud.positions)
    for (int a = 0; a < 3; ++a) axis[a].push_back(p[a]);
  vec3 median;
  for (int a = 0; a < 3; ++a) {
    std::nth_element(axis[a].begin(), axis[a].begin() + axis[a].size() / 2, axis[a].end());
    median[a] = axis[a][axis[a].size() / 2];
  }
  vulkan->set_scene(scene_of(cloud));
  const vec3 eyes[] = {median + vec3(0.0f, 0.0f, -3.0f), median + vec3(2.0f, -0.5f, -1.5f)};
  for (int i = 0; i < 2; ++i) {
    const Camera cam = Camera::pinhole_fov_y(320, 240, glm::radians(60.0f),
                                             look_at(eyes[i], median, vec3(0, -1, 0)));
    const RenderOutput cpu = render_gaussians(cloud, cam);
    REQUIRE(mean_alpha(cpu.color) > 0.01);
    check_same(*vulkan, "vk_train1000_cam" + std::to_string(i), cpu, vulkan->render(cam));
  }
}

TEST_CASE("vulkan gaussians: random SH-degree-3 cloud matches the CPU", "[vulkan][gaussians]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  const GaussianCloud cloud = random_cloud(4000, 3, vec3(0.0f, 0.0f, -4.0f), 1.5f, 0.01f, 0.12f);
  vulkan->set_scene(scene_of(cloud));
  const Camera cam = Camera::pinhole_fov_y(256, 192, glm::radians(55.0f),
                                           look_at(vec3(0.6f, 0.4f, 0.5f), vec3(0, 0, -4)));
  const RenderOutput cpu = render_gaussians(cloud, cam);
  REQUIRE(mean_alpha(cpu.color) > 0.3);
  check_same(*vulkan, "vk_random_sh3", cpu, vulkan->render(cam));
  // An odd size (partial tiles) from another side, drawn twice (two frames in flight).
  const Camera side = Camera::pinhole_fov_y(201, 133, glm::radians(70.0f),
                                            look_at(vec3(-3.0f, 1.0f, -4.5f), vec3(0, 0, -4)));
  vulkan->draw(side);
  const RenderOutput gpu = vulkan->render(side);
  check_same(*vulkan, "vk_random_sh3_side", render_gaussians(cloud, side), gpu);
}

TEST_CASE("vulkan gaussians: equirectangular camera, Gaussians all around and across the seam",
          "[vulkan][gaussians]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  // A shell of Gaussians around the origin: every direction, the seam and both poles included.
  GaussianCloud cloud = random_cloud(6000, 5, vec3(0.0f), 4.0f, 0.02f, 0.2f);
  for (vec3& p : cloud.positions) p = glm::normalize(p) * (2.0f + 0.5f * std::abs(p.x));
  vulkan->set_scene(scene_of(cloud));
  const Camera pano =
      Camera::equirectangular(320, 160, look_at(vec3(0.1f, 0.0f, 0.05f), vec3(0.1f, 0.0f, -1.0f)));
  const RenderOutput cpu = render_gaussians(cloud, pano);
  REQUIRE(mean_alpha(cpu.color) > 0.5);
  check_same(*vulkan, "vk_equirect_shell", cpu, vulkan->render(pano));
}

TEST_CASE("vulkan gaussians: layer masks hide exactly the CPU's layers", "[vulkan][gaussians]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  GaussianCloud cloud = random_cloud(3000, 9, vec3(0.0f, 0.0f, -3.0f), 1.2f, 0.02f, 0.1f);
  cloud.layers.resize(cloud.size());
  for (size_t i = 0; i < cloud.size(); ++i) cloud.layers[i] = uint16_t(i % 3);
  vulkan->set_scene(scene_of(cloud));
  const Camera cam = Camera::pinhole_fov_y(240, 180, glm::radians(60.0f), mat4(1.0f));
  GaussianRenderOptions options;
  options.visible_layers = {true, false, true};
  vulkan->set_visible_gaussian_layers(options.visible_layers);
  const RenderOutput masked_cpu = render_gaussians(cloud, cam, options);
  const RenderOutput masked = vulkan->render(cam);
  check_same(*vulkan, "vk_layers_masked", masked_cpu, masked);
  // The mask changes the image (the test would catch a mask that is ignored).
  const RenderOutput all_cpu = render_gaussians(cloud, cam);
  CHECK(psnr(all_cpu.color, masked.color) < 30.0);
  // Only layer 1 (the one hidden above): no other Gaussian may leak through.
  options.visible_layers = {false, true};
  vulkan->set_visible_gaussian_layers(options.visible_layers);
  check_same(*vulkan, "vk_layers_only1", render_gaussians(cloud, cam, options),
             vulkan->render(cam));
  // Back to all.
  vulkan->set_visible_gaussian_layers({});
  check_same(*vulkan, "vk_layers_all", all_cpu, vulkan->render(cam));
}

TEST_CASE("vulkan gaussians: layered room panorama from its eye and off the eye, layers masked",
          "[vulkan][gaussians]") {
  const auto shared = test::shared_dir();
  if (!shared) {
    WARN("skipped: ../shared not found");
    return;
  }
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  const GaussianPanorama panorama = build_gaussian_panorama(*shared + "/data/room_pano");
  REQUIRE(panorama.layers.size() >= 2);
  vulkan->set_scene(scene_of(panorama.cloud));
  const Camera eye = panorama.eye.resized(320, 160);
  check_same(*vulkan, "vk_room_pano_eye", render_gaussians(panorama.cloud, eye),
             vulkan->render(eye));
  // Off the eye, background layer only: what the objects hid shows.
  mat4 moved = panorama.eye.camera_to_world;
  moved[3] += vec4(0.3f, 0.1f, -0.2f, 0.0f);
  const Camera off = Camera::equirectangular(320, 160, moved);
  GaussianRenderOptions options;
  options.visible_layers = {true, false};
  vulkan->set_visible_gaussian_layers(options.visible_layers);
  check_same(*vulkan, "vk_room_pano_background", render_gaussians(panorama.cloud, off, options),
             vulkan->render(off));
}

TEST_CASE("vulkan gaussians: planes and Gaussians merge per pixel by depth as on the CPU",
          "[vulkan][gaussians]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  // A textured wall crossing the cloud: Gaussians in front of it and behind it.
  Plane wall;
  wall.name = "wall";
  wall.origin = vec3(-2.0f, -1.5f, -3.0f);
  wall.u_axis = vec3(4.0f, 0.0f, -1.0f);
  wall.v_axis = vec3(0.0f, 3.0f, 0.0f);
  wall.texture = Image(64, 48);
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 64; ++x) {
      const float a = ((x / 8 + y / 8) & 1) ? 0.9f : 0.5f;
      wall.texture.at(x, y) = vec4(vec3(0.2f + 0.01f * x, 0.6f, 0.8f - 0.01f * y) * a, a);
    }
  PlaneSet planes;
  planes.planes.push_back(wall);
  const GaussianCloud cloud = random_cloud(3000, 13, vec3(0.0f, 0.0f, -3.5f), 1.2f, 0.02f, 0.1f);
  Scene scene = scene_of(cloud);
  SceneItem item;
  item.name = "planes";
  item.content = planes;
  scene.items.push_back(std::move(item));
  vulkan->set_scene(scene);
  const Camera cam = Camera::pinhole_fov_y(256, 192, glm::radians(60.0f),
                                           look_at(vec3(0.3f, 0.2f, 0.5f), vec3(0, 0, -3.5f)));
  const RenderOutput cpu = render_scene(prepare_scene(scene), cam);
  const RenderOutput gpu = vulkan->render(cam);
  check_same(*vulkan, "vk_mixed_scene", cpu, gpu);
  // Both kinds are visible: the merge is not just one of the two renders.
  const RenderOutput only_gaussians = render_gaussians(cloud, cam);
  CHECK(psnr(only_gaussians.color, gpu.color) < 30.0);
  // draw() then read_back() merges too.
  vulkan->draw(cam);
  check_same(*vulkan, "vk_mixed_scene_readback", cpu, vulkan->read_back());
}

TEST_CASE("vulkan gaussians: a view with more tile entries than first allocated is redrawn whole",
          "[vulkan][gaussians]") {
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  // Large Gaussians close to the camera: each covers tens of tiles, far more entries than the
  // first allocation (max(65536, 4 per Gaussian)).
  const GaussianCloud cloud = random_cloud(3000, 17, vec3(0.0f, 0.0f, -3.0f), 1.0f, 0.1f, 0.3f);
  vulkan->set_scene(scene_of(cloud));
  const Camera cam = Camera::pinhole_fov_y(320, 240, glm::radians(60.0f), mat4(1.0f));
  const GaussianTileBins bins = bin_gaussians(project_gaussians(cloud, cam), cam.width, cam.height);
  REQUIRE(bins.ids.size() > 65536);
  check_same(*vulkan, "vk_overflow", render_gaussians(cloud, cam), vulkan->render(cam));
  // And through draw() + read_back() on a fresh renderer (whose first frame overflows).
  auto fresh = vulkan_or_skip();
  fresh->set_scene(scene_of(cloud));
  fresh->draw(cam);
  check_same(*fresh, "vk_overflow_readback", render_gaussians(cloud, cam), fresh->read_back());
}

TEST_CASE("vulkan gaussians: long tile lists sorted in chunks and merged match the default sort",
          "[vulkan][gaussians]") {
  // Sorts of 32 and 64 entries in shared memory: every tile's list is longer, so it is sorted in
  // chunks and merged in device memory (odd and even numbers of merges); the image must be the
  // default sort's, bit for bit, and the CPU's.
  const GaussianCloud cloud = random_cloud(3000, 17, vec3(0.0f, 0.0f, -3.0f), 1.0f, 0.05f, 0.2f);
  const Camera cam = Camera::pinhole_fov_y(160, 112, glm::radians(60.0f), mat4(1.0f));
  const GaussianTileBins bins = bin_gaussians(project_gaussians(cloud, cam), cam.width, cam.height);
  REQUIRE(bins.ids.size() > 128 * 70);  // tiles hold hundreds of entries on average
  auto reference = vulkan_or_skip();
  if (!reference) return;
  reference->set_scene(scene_of(cloud));
  const RenderOutput sorted_whole = reference->render(cam);
  const RenderOutput cpu = render_gaussians(cloud, cam);
  check_same(*reference, "vk_sort_default", cpu, sorted_whole);
  for (const uint32_t shared : {32u, 64u}) {
    VulkanGaussiansSettings settings;
    settings.sort_shared_entries = shared;
    auto chunked = vulkan_or_skip({}, settings);
    chunked->set_scene(scene_of(cloud));
    const RenderOutput gpu = chunked->render(cam);
    check_same(*chunked, "vk_sort_chunks_" + std::to_string(shared), cpu, gpu);
    CHECK(gpu.color.pixels == sorted_whole.color.pixels);
    CHECK(gpu.depth.values == sorted_whole.depth.values);
  }
  VulkanGaussiansSettings odd;
  odd.sort_shared_entries = 48;
  CHECK_THROWS_AS(vulkan_or_skip({}, odd), std::invalid_argument);
}

TEST_CASE("vulkan gaussians: more Gaussians than one 128 MiB storage buffer of records holds",
          "[vulkan][gaussians]") {
  // 2.2M Gaussians: 64-byte projected records take 141 MB, beyond llvmpipe's
  // maxStorageBufferRange (128 MiB), where the renderer used to refuse the cloud.
  auto vulkan = vulkan_or_skip();
  if (!vulkan) return;
  BenchGaussiansOptions options;
  options.count = 2200000;
  const GaussianCloud cloud = make_bench_gaussians(options);
  vulkan->set_scene(scene_of(cloud));
  const Camera cam = Camera::pinhole_fov_y(192, 100, glm::radians(60.0f), mat4(1.0f));
  const RenderOutput cpu = render_gaussians(cloud, cam);
  REQUIRE(mean_alpha(cpu.color) > 0.5);
  check_same(*vulkan, "vk_2_2m", cpu, vulkan->render(cam));
}
