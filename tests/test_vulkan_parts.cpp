// The Vulkan renderer's host-side parts, which need no device: device choice, texture blocks
// and occupancy, per-frame plane constants; and, where a device exists, the context itself
// (listing, choice by name and index, errors, frames in flight and the deletion queue).
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>

#include "neural/core/image.h"
#include "neural/planes/plane_set.h"
#include "renderer/bench_scene.h"
#include "renderer/device_choice.h"
#include "renderer/planes_frame.h"
#include "renderer/texture_blocks.h"
#include "renderer/vulkan_renderer.h"

using namespace strata;

namespace {

VulkanDeviceInfo device(int index, const std::string& name, const std::string& type,
                        const std::string& api = "1.3.230") {
  return VulkanDeviceInfo{index, name, type, "driver", api, 1ull << 30};
}

uint32_t texel_at(const EncodedTexture& e, int x, int y) {
  const size_t block = size_t(y / kTextureBlock) * e.blocks_x + x / kTextureBlock;
  return e.words[(block * kTextureBlock + y % kTextureBlock) * kTextureBlock + x % kTextureBlock];
}

uint32_t occupied_sum(const EncodedTexture& e, int bx0, int by0, int bx1, int by1) {
  const size_t stride = size_t(e.blocks_x) + 1;
  auto at = [&](int y, int x) { return e.occupancy[size_t(y) * stride + x]; };
  return at(by1 + 1, bx1 + 1) - at(by0, bx1 + 1) - at(by1 + 1, bx0) + at(by0, bx0);
}

}  // namespace

TEST_CASE("vulkan device choice: auto prefers discrete, then integrated, then cpu", "[vulkan]") {
  const std::vector<VulkanDeviceInfo> devices = {
      device(0, "llvmpipe (LLVM 15.0.6, 256 bits)", "cpu"),
      device(1, "Intel(R) UHD Graphics", "integrated"),
      device(2, "NVIDIA H200", "discrete"),
  };
  CHECK(choose_vulkan_device(devices, "") == 2);
  CHECK(choose_vulkan_device({devices[0], devices[1]}, "") == 1);
  CHECK(choose_vulkan_device({devices[0]}, "") == 0);
  // By index (the loader's enumeration index, not the position in the list) and by name.
  CHECK(choose_vulkan_device(devices, "0") == 0);
  CHECK(choose_vulkan_device(devices, "llvm") == 0);
  CHECK(choose_vulkan_device(devices, "h200") == 2);
  CHECK(choose_vulkan_device({devices[2], devices[0]}, "0") == 1);
}

TEST_CASE("vulkan device choice: no match, old devices and empty lists are VulkanUnavailable",
          "[vulkan]") {
  const std::vector<VulkanDeviceInfo> devices = {device(0, "llvmpipe", "cpu"),
                                                 device(1, "Old GPU", "discrete", "1.1.120")};
  CHECK(choose_vulkan_device(devices, "") == 0);  // the Vulkan 1.1 GPU is never picked
  CHECK_THROWS_AS(choose_vulkan_device(devices, "1"), VulkanUnavailable);
  CHECK_THROWS_AS(choose_vulkan_device(devices, "7"), VulkanUnavailable);
  CHECK_THROWS_AS(choose_vulkan_device(devices, "99999999999999"), VulkanUnavailable);
  CHECK_THROWS_AS(choose_vulkan_device(devices, "radeon"), VulkanUnavailable);
  CHECK_THROWS_AS(choose_vulkan_device({}, ""), VulkanUnavailable);
  try {
    choose_vulkan_device(devices, "radeon");
  } catch (const VulkanUnavailable& e) {
    // The message lists what there is.
    CHECK(std::string(e.what()).find("llvmpipe") != std::string::npos);
  }
  CHECK(vulkan_version_major_minor("1.3.230") == 1003);
  CHECK(vulkan_version_major_minor("garbage") == 0);
}

TEST_CASE("vulkan texture blocks: layout, straight alpha and occupancy", "[vulkan]") {
  // 20 x 11 texels: 3 x 2 blocks, the last ones partly outside the texture.
  Image image(20, 11, vec4(0.0f));
  image.at(3, 2) = vec4(0.2f, 0.1f, 0.3f, 0.5f) * vec4(0.5f, 0.5f, 0.5f, 1.0f);  // straight form
  image.at(19, 10) = vec4(0.0f, 0.0f, 0.0f, 1.0f);
  const EncodedTexture e = encode_texture(image, TexelFormat::kRgba8);
  CHECK(e.blocks_x == 3);
  CHECK(e.blocks_y == 2);
  CHECK(e.straight_alpha);
  CHECK(e.words.size() == size_t(3 * 2 * 64));
  // Straight colour in the low bytes, alpha in the top byte.
  const uint32_t t = texel_at(e, 3, 2);
  CHECK((t & 0xff) == uint32_t(std::lround(0.2f * 255.0f)));
  CHECK((t >> 24) == uint32_t(std::lround(0.5f * 255.0f)));
  CHECK(texel_at(e, 4, 2) == 0u);
  // Occupied blocks: (0, 0) and (2, 1).
  CHECK(occupied_sum(e, 0, 0, 2, 1) == 2);
  CHECK(occupied_sum(e, 0, 0, 0, 0) == 1);
  CHECK(occupied_sum(e, 1, 0, 2, 0) == 0);
  CHECK(occupied_sum(e, 1, 1, 1, 1) == 0);
  CHECK(occupied_sum(e, 2, 1, 2, 1) == 1);

  // Additive texels (colour above alpha) cannot be stored straight: premultiplied then.
  Image additive(4, 4, vec4(0.3f, 0.3f, 0.3f, 0.0f));
  CHECK_FALSE(has_straight_alpha_form(additive));
  const EncodedTexture a = encode_texture(additive, TexelFormat::kRgba8);
  CHECK_FALSE(a.straight_alpha);
  CHECK(occupied_sum(a, 0, 0, 0, 0) == 1);  // colour without alpha still adds light

  // RGBA16F: two words per texel, premultiplied halves.
  const EncodedTexture h = encode_texture(image, TexelFormat::kRgba16f);
  CHECK(h.words.size() == size_t(3 * 2 * 64 * 2));
  CHECK_FALSE(h.straight_alpha);
}

TEST_CASE("vulkan texture blocks: 8-bit straight-alpha sources round-trip exactly", "[vulkan]") {
  // What read_image makes of a straight-alpha 8-bit PNG: c8/255 * a8/255.
  Image image(16, 16);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      const float a = float((x * 16 + y) % 256) / 255.0f;
      const vec3 c(float((x * 37) % 256) / 255.0f, float((y * 91) % 256) / 255.0f, 128.0f / 255.0f);
      image.at(x, y) = vec4(c * a, a);
    }
  const EncodedTexture e = encode_texture(image, TexelFormat::kRgba8);
  REQUIRE(e.straight_alpha);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      const uint32_t t = texel_at(e, x, y);
      const float a = float(t >> 24) / 255.0f;
      const vec4 decoded =
          a > 0.0f ? vec4(float(t & 0xff) / 255.0f * a, float((t >> 8) & 0xff) / 255.0f * a,
                          float((t >> 16) & 0xff) / 255.0f * a, a)
                   : vec4(0.0f);
      const vec4 expected = image.at(x, y);
      for (int k = 0; k < 4; ++k) REQUIRE(std::abs(decoded[k] - expected[k]) < 1e-6f);
    }
}

TEST_CASE("vulkan texture blocks: downscaling keeps the mean and the aspect", "[vulkan]") {
  Image image(300, 100);
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 300; ++x) image.at(x, y) = vec4(float(x % 7) / 7.0f, 0.5f, 0.0f, 1.0f);
  const Image small = downscale_to_fit(image, 64);
  CHECK(small.width == 64);
  CHECK(small.height == 21);
  double mean_in = 0.0, mean_out = 0.0;
  for (const vec4& p : image.pixels) mean_in += p.r;
  for (const vec4& p : small.pixels) mean_out += p.r;
  CHECK(mean_out / small.pixels.size() == Approx(mean_in / image.pixels.size()).epsilon(0.01));
  CHECK(downscale_to_fit(image, 300).width == 300);  // fits: unchanged
}

TEST_CASE("vulkan planes frame: plane constants follow the CPU reference's formulas", "[vulkan]") {
  BenchSceneOptions options;
  options.width = 64;
  options.height = 36;
  options.planes = 9;
  const PlaneSet set = make_bench_planes(options);
  const Camera camera = bench_camera(64, 36, 2, 7);
  const std::vector<gpu::GpuPlane> statics(set.planes.size());
  const std::vector<gpu::GpuPlane> planes = prepare_gpu_planes(set, statics, camera);
  REQUIRE(planes.size() == set.planes.size());
  for (size_t i = 0; i < planes.size(); ++i) {
    const Plane& p = set.planes[i];
    // A point on the plane at (s, t) = (0.25, 0.75), reached from the eye.
    const vec3 point = p.origin + 0.25f * p.u_axis + 0.75f * p.v_axis;
    const vec3 dir = glm::normalize(point - camera.position());
    const gpu::GpuPlane& g = planes[i];
    const float t = g.normal.w / glm::dot(vec3(g.normal), dir);
    CHECK(t == Approx(glm::length(point - camera.position())).epsilon(1e-4));
    CHECK(g.u_dual.w + t * glm::dot(dir, vec3(g.u_dual)) == Approx(0.25f).margin(1e-4));
    CHECK(g.v_dual.w + t * glm::dot(dir, vec3(g.v_dual)) == Approx(0.75f).margin(1e-4));
  }
  const gpu::PlanesPush push = make_planes_push(camera, set.planes.size());
  CHECK(push.tiles.x == 8);  // 64 / 8
  CHECK(push.tiles.y == 5);  // ceil(36 / 8)
  CHECK(push.tiles.z == 1 + 9);
  CHECK(push.tiles.w == 4);  // ceil(log2(9))
  CHECK(plane_index_bits(1) == 0);
  CHECK(plane_index_bits(32) == 5);
  CHECK(plane_index_bits(33) == 6);
}

TEST_CASE("vulkan context: devices listed, chosen by index and name, bad names refused",
          "[vulkan]") {
  std::vector<VulkanDeviceInfo> devices;
  try {
    devices = list_vulkan_devices();
  } catch (const VulkanUnavailable& e) {
    WARN("no Vulkan device, Vulkan test skipped: " << e.what());
    return;
  }
  REQUIRE_FALSE(devices.empty());
  for (const VulkanDeviceInfo& d : devices) {
    CHECK_FALSE(d.name.empty());
    CHECK(vulkan_version_major_minor(d.api_version) >= 1000);
  }
  const VulkanDeviceInfo& first = devices[size_t(choose_vulkan_device(devices, ""))];
  VulkanOptions options;
  options.validation = true;
  options.device = std::to_string(first.index);
  auto by_index = make_vulkan_scene_renderer(options);
  CHECK(by_index->device_info().name == first.name);
  CHECK(by_index->name().find(first.name) != std::string::npos);
  options.device = first.name.substr(0, 4);
  auto by_name = make_vulkan_scene_renderer(options);
  CHECK(by_name->device_info().index == choose_vulkan_device(devices, options.device));
  options.device = "no such device, surely";
  CHECK_THROWS_AS(make_vulkan_scene_renderer(options), VulkanUnavailable);
  CHECK(by_index->validation_messages().empty());
  CHECK(by_name->validation_messages().empty());
}

TEST_CASE("vulkan context: read_back before any frame is a logic error; timestamps per pass",
          "[vulkan]") {
  VulkanOptions options;
  options.validation = true;
  std::unique_ptr<VulkanSceneRenderer> vulkan;
  try {
    vulkan = make_vulkan_scene_renderer(options);
  } catch (const VulkanUnavailable& e) {
    WARN("no Vulkan device, Vulkan test skipped: " << e.what());
    return;
  }
  CHECK_THROWS_AS(vulkan->read_back(), std::logic_error);
  BenchSceneOptions scene_options;
  scene_options.width = 96;
  scene_options.height = 64;
  scene_options.planes = 6;
  Scene scene;
  SceneItem item;
  item.content = make_bench_planes(scene_options);
  scene.items.push_back(std::move(item));
  vulkan->set_scene(scene);
  CHECK(vulkan->texture_bytes() > 0);
  for (int i = 0; i < 4; ++i) vulkan->draw(bench_camera(96, 64, i, 4));
  vulkan->finish();
  const auto passes = vulkan->take_pass_times_ms();
  // Devices without timestamps report none; llvmpipe has them.
  for (const auto& [name, ms] : passes) CHECK(ms >= 0.0);
  // A bad camera is an input error, not a device error.
  Camera bad = bench_camera(96, 64, 0, 4);
  bad.width = 0;
  CHECK_THROWS(vulkan->render(bad));
  CHECK(vulkan->validation_messages().empty());
}
