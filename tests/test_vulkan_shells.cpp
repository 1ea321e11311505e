// The Vulkan shells renderer against the CPU reference (render_shells): PSNR >= 40 dB on the
// analytic sphere, crossing sheets and a shells + planes scene, the same layer count as the CPU
// on every pixel (nothing dropped by the tile lists, nothing doubled), with the Khronos validation
// layer on and no validation message allowed. Without a Vulkan device the tests WARN and pass.
#include <catch2/catch.hpp>

#include <random>

#include "neural/scene/scene.h"
#include "neural/scene/scene_render.h"
#include "neural/shells/shell_render.h"
#include "renderer/vulkan_renderer.h"
#include "tests/test_shells_support.h"
#include "tests/test_support.h"
#include "tests/vulkan_test_support.h"

using namespace strata;

namespace {

Scene scene_of(const ShellVolume& shells) {
  Scene scene;
  SceneItem item;
  item.name = "shells";
  item.content = shells;
  scene.items.push_back(std::move(item));
  return scene;
}

// Fraction of covered pixels whose depths agree to 1%.
double depth_agreement(const RenderOutput& a, const RenderOutput& b) {
  size_t agree = 0, covered = 0;
  for (size_t i = 0; i < a.depth.values.size(); ++i) {
    if (a.color.pixels[i].a <= 0.01f) continue;
    ++covered;
    agree += std::abs(a.depth.values[i] - b.depth.values[i]) <= 0.01f * a.depth.values[i];
  }
  return covered ? double(agree) / double(covered) : 1.0;
}

}  // namespace

TEST_CASE("Vulkan shells match the CPU reference", "[vulkan_shells]") {
  auto renderer = test::vulkan_or_skip();
  if (!renderer) return;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  SECTION("textured sphere shells") {
    ShellVolume shells =
        test::sphere_shells({-0.1f, 0.0f, 0.1f}, {vec4(1), vec4(1), vec4(1)}, 32, 24, 48);
    for (Image& t : shells.textures)
      for (vec4& c : t.pixels) {
        const float a = 0.2f + 0.7f * uniform(rng);
        c = vec4(vec3(uniform(rng), uniform(rng), uniform(rng)) * a, a);
      }
    renderer->set_scene(scene_of(shells));
    for (const vec3 eye : {vec3(0, 0, 4), vec3(2.5f, 1.5f, 2.0f), vec3(0.3f, 0.2f, 1.05f)}) {
      const Camera camera =
          Camera::pinhole_fov_y(160, 120, glm::radians(50.0f), look_at(eye, vec3(0.0f)));
      const RenderOutput cpu = render_shells(shells, camera);
      const RenderOutput gpu = renderer->render(camera);
      const auto cmp = test::compare_images("vulkan_shells_sphere", gpu.color, cpu.color, 40.0);
      INFO(cmp.message);
      CHECK(cmp.ok);
      CHECK(depth_agreement(cpu, gpu) > 0.99);
    }
  }
  SECTION("many faint shells keep their colours (8-bit texels hold straight colour)") {
    // What fitted shells look like: 16 shells, most texels nearly transparent. Texels with 8-bit
    // values (as loaded from PNG), so the GPU holds exactly the CPU's texels; premultiplied 8-bit
    // texels would round the colour of alpha 1/255..4/255 texels to a few levels.
    std::vector<float> offsets;
    for (int k = 0; k < 16; ++k) offsets.push_back(-0.15f + 0.02f * float(k));
    ShellVolume shells = test::sphere_shells(offsets, std::vector<vec4>(16, vec4(1)), 32, 24, 48);
    std::uniform_int_distribution<int> level(0, 255), faint(1, 4);
    for (Image& t : shells.textures)
      for (vec4& c : t.pixels) {
        const float a = float(faint(rng)) / 255.0f;
        c = vec4(vec3(float(level(rng)), float(level(rng)), float(level(rng))) / 255.0f * a, a);
      }
    renderer->set_scene(scene_of(shells));
    const Camera camera =
        Camera::pinhole_fov_y(160, 120, glm::radians(50.0f), look_at(vec3(0, 0, 4), vec3(0.0f)));
    const RenderOutput cpu = render_shells(shells, camera);
    const RenderOutput gpu = renderer->render(camera);
    // (Premultiplied 8-bit texels: 56 dB; straight: the CPU's image to float rounding.)
    const auto cmp = test::compare_images("vulkan_shells_faint", gpu.color, cpu.color, 80.0);
    INFO(cmp.message);
    CHECK(cmp.ok);
  }
  SECTION("shared edges are drawn once and no covered pixel is skipped") {
    // One shell of alpha 0.3: a pixel that the tile lists or slice masks left a triangle out of
    // shows 0.3 (or 0), one drawn twice on a shared edge more than 0.51 = 1 - 0.7^2 (the margin
    // allows for the GPU's 8-bit texels: 77/255 gives 0.513).
    const ShellVolume shells = test::sphere_shells({0.0f}, {vec4(1, 1, 1, 0.3f)}, 4, 12, 24);
    renderer->set_scene(scene_of(shells));
    const Camera front =
        Camera::pinhole_fov_y(80, 80, glm::radians(50.0f), look_at(vec3(0, 0, 3), vec3(0.0f)));
    const RenderOutput cpu = render_shells(shells, front);
    const RenderOutput gpu = renderer->render(front);
    int interior = 0;
    for (size_t i = 0; i < gpu.color.pixels.size(); ++i) {
      CHECK(gpu.color.pixels[i].a == Approx(cpu.color.pixels[i].a).margin(0.01));
      interior += cpu.color.pixels[i].a > 0.5f;
    }
    CHECK(interior > 1000);
    // From the sphere's centre each pixel sees the shell once; near the surface, looking along
    // it, triangles are clipped at the near plane and project far off screen.
    for (const mat4& pose : {mat4(1.0f), look_at(vec3(0.0f, 0.0f, 0.99f), vec3(1, 0, 0.99f))}) {
      const Camera camera = Camera::pinhole_fov_y(40, 30, glm::radians(90.0f), pose);
      const RenderOutput near_cpu = render_shells(shells, camera);
      const RenderOutput near_gpu = renderer->render(camera);
      int covered = 0;
      for (size_t i = 0; i < near_gpu.color.pixels.size(); ++i) {
        CHECK(near_gpu.color.pixels[i].a == Approx(near_cpu.color.pixels[i].a).margin(0.01));
        covered += near_cpu.color.pixels[i].a > 0.2f;
      }
      CHECK(covered > 300);
    }
  }
  SECTION("crossing sheets are ordered per pixel") {
    const ShellVolume shells = test::crossing_sheets(vec4(1, 0, 0, 0.5f), vec4(0, 1, 0, 0.5f));
    renderer->set_scene(scene_of(shells));
    const Camera camera = Camera::pinhole_fov_y(64, 32, glm::radians(60.0f), mat4(1.0f));
    const RenderOutput cpu = render_shells(shells, camera);
    const RenderOutput gpu = renderer->render(camera);
    const auto cmp = test::compare_images("vulkan_shells_crossing", gpu.color, cpu.color, 40.0);
    INFO(cmp.message);
    CHECK(cmp.ok);
    CHECK(gpu.color.at(20, 16).r == Approx(0.5f).margin(0.01));
    CHECK(gpu.color.at(44, 16).g == Approx(0.5f).margin(0.01));
  }
  SECTION("shells and planes in one scene merge by depth") {
    const ShellVolume shells = test::sphere_shells({0.0f}, {vec4(0, 0, 1, 0.8f)}, 8, 16, 32);
    Scene scene = scene_of(shells);
    PlaneSet planes;
    Plane p;
    p.origin = vec3(-3, 3, -1.5f);
    p.u_axis = vec3(6, 0, 0);
    p.v_axis = vec3(0, -6, 0);
    p.texture = Image(4, 4, vec4(0.5f, 0.5f, 0.0f, 1.0f));
    planes.planes.push_back(p);
    SceneItem item;
    item.name = "backdrop";
    item.content = planes;
    scene.items.push_back(item);
    renderer->set_scene(scene);
    const Camera camera =
        Camera::pinhole_fov_y(96, 96, glm::radians(50.0f), look_at(vec3(0, 0, 4), vec3(0.0f)));
    const RenderOutput cpu = render_scene(prepare_scene(scene), camera);
    const RenderOutput gpu = renderer->render(camera);
    const auto cmp = test::compare_images("vulkan_shells_planes", gpu.color, cpu.color, 40.0);
    INFO(cmp.message);
    CHECK(cmp.ok);
  }
  test::require_no_validation_messages(*renderer);
}
