#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <random>

#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/metrics.h"
#include "neural/fit/fit_loop.h"
#include "neural/shells/shell_backward.h"
#include "neural/shells/shell_builder.h"
#include "neural/shells/shell_fittable.h"
#include "neural/shells/shell_render.h"
#include "neural/shells/shells_io.h"
#include "test_shells_support.h"
#include "test_support.h"

using namespace strata;
using Catch::Matchers::Contains;

namespace {

Camera front_camera(int width, int height, float distance = 5.0f) {
  return Camera::pinhole_fov_y(width, height, glm::radians(30.0f),
                               look_at(vec3(0, 0, distance), vec3(0.0f)));
}

// Three sphere shells (6 x 6 texels) with random premultiplied texels, alpha in [0.2, 0.8].
ShellVolume random_sphere_shells(std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  ShellVolume shells =
      test::sphere_shells({-0.15f, 0.0f, 0.15f}, {vec4(1), vec4(1), vec4(1)}, 6, 10, 20);
  for (Image& t : shells.textures)
    for (vec4& c : t.pixels) {
      const float a = 0.2f + 0.6f * uniform(rng);
      c = vec4(uniform(rng) * a, uniform(rng) * a, uniform(rng) * a, a);
    }
  return shells;
}

}  // namespace

TEST_CASE("sphere shells composite front to back with the analytic colours and depth", "[shells]") {
  // Inner shell r = 0.9 opaque blue, outer shell r = 1.1 half-transparent red.
  const ShellVolume shells =
      test::sphere_shells({-0.1f, 0.1f}, {vec4(0, 0, 1, 1), vec4(1, 0, 0, 0.5f)}, 8);
  shells.validate("sphere");
  const Camera camera = front_camera(96, 96);
  const RenderOutput out = render_shells(shells, camera);
  // Centre: outer front (red, 0.5), then inner front (blue, opaque).
  const vec4 c = out.color.at(48, 48);
  CHECK(c.r == Approx(0.5f).margin(1e-4));
  CHECK(c.b == Approx(0.5f).margin(1e-4));
  CHECK(c.a == Approx(1.0f).margin(1e-4));
  // Expected depth: weights 0.5 at z = 5 - 1.1 and 0.5 at z = 5 - 0.9 (tessellation: ~1 mm).
  CHECK(out.depth.at(48, 48) == Approx(4.0f).margin(5e-3));
  // A pixel between the silhouettes of r = 0.9 and r = 1.1 sees the outer shell twice (front
  // and back): alpha 1 - 0.5^2, red 0.5 + 0.25.
  const float focal = camera.fy;
  const float r_pixels = focal * std::tan(std::asin(1.0f / 5.0f));  // silhouette of r = 1
  const vec4 ring = out.color.at(48 + int(std::round(r_pixels)), 48);
  CHECK(ring.a == Approx(0.75f).margin(1e-3));
  CHECK(ring.r == Approx(0.75f).margin(1e-3));
  CHECK(ring.b == Approx(0.0f).margin(1e-6));
  // Outside the outer silhouette: nothing.
  CHECK(out.color.at(2, 2) == vec4(0.0f));
  CHECK(out.depth.at(2, 2) == 0.0f);
  // Coverage: the disc of the outer shell's silhouette (radius ~ focal * tan(asin(1.1/5))).
  const double r_outer = focal * std::tan(std::asin(1.1 / 5.0));
  size_t covered = 0;
  for (const vec4& p : out.color.pixels) covered += p.a > 0.0f;
  CHECK(double(covered) == Approx(kPi * r_outer * r_outer).epsilon(0.03));
}

TEST_CASE("sphere shell textures are sampled at the analytic texture coordinates", "[shells]") {
  // One shell, texture red = u, green = v: the front point (0, 0, 1) has u = 0.25, v = 0.5; the
  // point seen at 30 degrees of longitude towards +x has u = 0.25 - 30/360.
  ShellVolume shells = test::sphere_shells({0.0f}, {vec4(1)}, 64, 96, 192);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      shells.textures[0].at(x, y) = vec4((x + 0.5f) / 64.0f, (y + 0.5f) / 64.0f, 0.0f, 1.0f);
  const Camera camera = front_camera(129, 129);
  const RenderOutput out = render_shells(shells, camera);
  const vec4 centre = out.color.at(64, 64);
  CHECK(centre.r == Approx(0.25f).margin(5e-3));
  CHECK(centre.g == Approx(0.5f).margin(5e-3));
  // Project the sphere point at longitude 90-30 degrees (phi = 60 deg) on the equator.
  const float phi = glm::radians(60.0f);
  const vec3 point(std::cos(phi), 0.0f, std::sin(phi));
  vec2 pixel;
  float depth;
  REQUIRE(camera.project(point, &pixel, &depth));
  const vec4 side = out.color.at(int(pixel.x), int(pixel.y));
  CHECK(side.r == Approx(phi / (2.0f * kPi)).margin(0.01));
  CHECK(side.g == Approx(0.5f).margin(0.01));
}

TEST_CASE("crossing shell sheets are ordered per pixel, not per sheet", "[shells]") {
  const Camera camera = Camera::pinhole_fov_y(64, 32, glm::radians(60.0f), mat4(1.0f));
  SECTION("opaque") {
    const ShellVolume shells = test::crossing_sheets(vec4(1, 0, 0, 1), vec4(0, 1, 0, 1));
    const RenderOutput out = render_shells(shells, camera);
    const vec4 left = out.color.at(20, 16), right = out.color.at(44, 16);
    CHECK(left.r == Approx(1.0f));  // A (red) nearer on the left
    CHECK(left.g == Approx(0.0f));
    CHECK(right.g == Approx(1.0f));  // B (green) nearer on the right
    CHECK(right.r == Approx(0.0f));
    CHECK(out.depth.at(20, 16) < 3.0f);
    CHECK(out.depth.at(44, 16) < 3.0f);
  }
  SECTION("half transparent") {
    const ShellVolume shells = test::crossing_sheets(vec4(1, 0, 0, 0.5f), vec4(0, 1, 0, 0.5f));
    const RenderOutput out = render_shells(shells, camera);
    const vec4 left = out.color.at(20, 16), right = out.color.at(44, 16);
    CHECK(left.r == Approx(0.5f).margin(1e-4));
    CHECK(left.g == Approx(0.25f).margin(1e-4));
    CHECK(right.g == Approx(0.5f).margin(1e-4));
    CHECK(right.r == Approx(0.25f).margin(1e-4));
    CHECK(left.a == Approx(0.75f).margin(1e-4));
  }
}

TEST_CASE("shared edges are drawn once and a camera inside the shells clips at the near plane",
          "[shells]") {
  // A single opaque-ish shell: a pixel covered twice on a shared edge would have alpha > 0.3
  // + 0.3*0.7 on the front. Every pixel inside the silhouette sees exactly two layers.
  const ShellVolume shells = test::sphere_shells({0.0f}, {vec4(1, 1, 1, 0.3f)}, 4, 12, 24);
  const Camera camera = front_camera(80, 80, 3.0f);
  const RenderOutput out = render_shells(shells, camera);
  int interior = 0;
  for (const vec4& p : out.color.pixels) {
    if (p.a == 0.0f) continue;
    CHECK(p.a == Approx(0.51f).margin(1e-4));  // 1 - 0.7^2: front and back, never more
    ++interior;
  }
  CHECK(interior > 1000);
  // From the centre of the sphere every pixel sees the shell once.
  const Camera inside = Camera::pinhole_fov_y(40, 30, glm::radians(90.0f), mat4(1.0f));
  const RenderOutput in = render_shells(shells, inside);
  for (const vec4& p : in.color.pixels) CHECK(p.a == Approx(0.3f).margin(1e-4));
}

TEST_CASE("shells backward matches finite differences", "[shells]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  const ShellVolume shells = random_sphere_shells(rng);
  const Camera camera = front_camera(40, 40, 4.0f);
  Image weights(40, 40);
  for (vec4& w : weights.pixels)
    w = vec4(uniform(rng), uniform(rng), uniform(rng), uniform(rng)) - 0.5f;
  auto loss = [&](const ShellVolume& s) {
    const Image image = render_shells(s, camera).color;
    double sum = 0.0;
    for (size_t i = 0; i < image.pixels.size(); ++i)
      sum += double(glm::dot(image.pixels[i], weights.pixels[i]));
    return sum;
  };
  ShellRenderTrace trace;
  render_shells(shells, camera, &trace);
  std::vector<vec4> gradients;
  shells_backward(shells, trace, weights, gradients);
  int checked = 0;
  for (size_t k = 0; k < 3; ++k)
    for (int texel = 0; texel < 36; texel += 5)
      for (int c = 0; c < 4; ++c) {
        const size_t at = k * 36 + size_t(texel);
        if (gradients[at] == vec4(0.0f)) continue;
        const float h = 1e-2f;
        ShellVolume plus = shells, minus = shells;
        plus.textures[k].pixels[size_t(texel)][c] += h;
        minus.textures[k].pixels[size_t(texel)][c] -= h;
        const double fd = (loss(plus) - loss(minus)) / (2.0 * h);
        CHECK(gradients[at][c] == Approx(fd).margin(2e-3 + 2e-3 * std::abs(fd)));
        ++checked;
      }
  CHECK(checked > 40);

  // Through the Fittable's parameterisation (straight colour, alpha logit).
  ShellFittable fittable(shells);
  fittable.forward(camera);
  std::vector<float> params_gradients(fittable.parameters().size(), 0.0f);
  fittable.backward(weights, params_gradients);
  auto loss_params = [&](const std::vector<float>& params) {
    ShellFittable other(shells);
    other.parameters() = params;
    const Image image = other.forward(camera);
    double sum = 0.0;
    for (size_t i = 0; i < image.pixels.size(); ++i)
      sum += double(glm::dot(image.pixels[i], weights.pixels[i]));
    return sum;
  };
  const std::vector<float> base = fittable.parameters();
  checked = 0;
  for (size_t i = 0; i < base.size(); i += 13) {
    if (params_gradients[i] == 0.0f) continue;
    const float h = 1e-2f;
    std::vector<float> plus = base, minus = base;
    plus[i] += h;
    minus[i] -= h;
    const double fd = (loss_params(plus) - loss_params(minus)) / (2.0 * h);
    CHECK(params_gradients[i] == Approx(fd).margin(2e-3 + 2e-3 * std::abs(fd)));
    ++checked;
  }
  CHECK(checked > 10);
}

TEST_CASE("the shells' distortion loss and its gradient match finite differences", "[shells]") {
  std::mt19937 rng(11);
  const ShellVolume shells = random_sphere_shells(rng);
  const Camera camera = front_camera(40, 40, 4.0f);
  const Image no_colour_gradient(40, 40, vec4(0.0f));
  const ShellDistortion distortion{0.7f, 0.3f};
  auto loss = [&](const ShellVolume& s) {
    ShellRenderTrace trace;
    render_shells(s, camera, &trace);
    return double(distortion.weight) * shells_distortion(s, trace, distortion.depth_scale);
  };
  // One opaque surface (the middle shell) has none; spreading alpha makes some.
  ShellVolume single = shells;
  for (size_t k : {size_t(0), size_t(2)})
    for (vec4& c : single.textures[k].pixels) c = vec4(0.0f);
  for (vec4& c : single.textures[1].pixels) c.a = 1.0f;
  CHECK(loss(single) == 0.0);
  CHECK(loss(shells) > 0.0);

  ShellRenderTrace trace;
  render_shells(shells, camera, &trace);
  std::vector<vec4> gradients;
  shells_backward(shells, trace, no_colour_gradient, gradients, nullptr, distortion);
  int checked = 0;
  for (size_t k = 0; k < 3; ++k)
    for (int texel = 0; texel < 36; texel += 5) {
      const size_t at = k * 36 + size_t(texel);
      CHECK(vec3(gradients[at]) == vec3(0.0f));  // colour does not enter
      if (gradients[at].a == 0.0f) continue;
      const float h = 1e-2f;
      ShellVolume plus = shells, minus = shells;
      plus.textures[k].pixels[size_t(texel)].a += h;
      minus.textures[k].pixels[size_t(texel)].a -= h;
      const double fd = (loss(plus) - loss(minus)) / (2.0 * h);
      CHECK(gradients[at].a == Approx(fd).margin(2e-3 + 2e-3 * std::abs(fd)));
      ++checked;
    }
  CHECK(checked > 10);
}

TEST_CASE("a tiny shells fit converges to known textures", "[shells]") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  ShellVolume truth = test::sphere_shells({-0.1f, 0.1f}, {vec4(1), vec4(1)}, 8, 12, 24);
  for (Image& t : truth.textures)
    for (vec4& c : t.pixels) {
      const float a = 0.3f + 0.6f * uniform(rng);
      c = vec4(vec3(uniform(rng), uniform(rng), uniform(rng)) * a, a);
    }
  std::vector<FitView> views;
  for (int i = 0; i < 6; ++i) {
    const float angle = 2.0f * kPi * float(i) / 6.0f;
    const Camera camera = Camera::pinhole_fov_y(
        32, 32, glm::radians(40.0f),
        look_at(4.0f * vec3(std::sin(angle), 0.4f, std::cos(angle)), vec3(0.0f)));
    views.push_back(
        FitView{"view_" + std::to_string(i), camera, render_shells(truth, camera).color});
  }
  ShellVolume start = truth;
  for (Image& t : start.textures)
    std::fill(t.pixels.begin(), t.pixels.end(), vec4(0.25f, 0.25f, 0.25f, 0.5f));
  ShellFittable model(start, ShellFitRates{0.05f, 0.1f});
  FitLoopOptions options;
  options.steps = 300;
  options.loss = FitLoss::kL2;
  options.progress = false;
  options.final_learning_rate_factor = 0.3f;
  double first_loss = -1.0;
  options.on_step = [&](int step, double loss) {
    if (step == 1) first_loss = loss;
  };
  const FitLoopReport report = fit_to_views(model, views, views, options);
  INFO("first loss " << first_loss << ", final " << report.final_loss << ", psnr "
                     << report.mean_psnr);
  CHECK(report.final_loss < first_loss / 20.0);
  CHECK(report.mean_psnr > 30.0);
}

namespace {
// A Fittable that passes everything to `inner` but lists no touched parameters, so the loop takes
// its whole-buffer step.
class UnlistedFittable : public Fittable {
 public:
  explicit UnlistedFittable(Fittable& inner) : inner_(inner) {}
  std::vector<float>& parameters() override { return inner_.parameters(); }
  std::vector<ParameterGroup> groups() const override { return inner_.groups(); }
  const Image& forward(const Camera& camera) override { return inner_.forward(camera); }
  void backward(const Image& d, std::vector<float>& g) override { inner_.backward(d, g); }
  std::vector<long> after_step(int step) override { return inner_.after_step(step); }
  void save(const std::string& path) const override { inner_.save(path); }
  std::string describe() const override { return inner_.describe(); }

 private:
  Fittable& inner_;
};
}  // namespace

TEST_CASE("a shells fit stepping only the touched texels equals the whole-buffer step",
          "[shells]") {
  // Two views that each see part of the sphere, two per step: the listed step must move exactly
  // the parameters a whole-buffer sparse step moves, to the same values.
  ShellVolume start = test::sphere_shells({-0.1f, 0.1f}, {vec4(1), vec4(1)}, 8, 12, 24);
  for (Image& t : start.textures)
    std::fill(t.pixels.begin(), t.pixels.end(), vec4(0.25f, 0.25f, 0.25f, 0.5f));
  std::vector<FitView> views;
  for (int i = 0; i < 3; ++i) {
    const Camera camera = Camera::pinhole_fov_y(
        24, 24, glm::radians(30.0f),
        look_at(4.0f * vec3(std::sin(2.0f * i), 0.3f, std::cos(2.0f * i)), vec3(0.0f)));
    Image target(24, 24);
    for (int p = 0; p < 24 * 24; ++p)
      target.pixels[size_t(p)] = vec4(0.2f + 0.3f * float(i), 0.8f, float(p % 24) / 24.0f, 1.0f);
    views.push_back(FitView{"view_" + std::to_string(i), camera, target});
  }
  FitLoopOptions options;
  options.steps = 12;
  options.views_per_step = 2;
  options.loss = FitLoss::kL2;
  options.progress = false;
  options.random_background = true;
  ShellFittable listed(start, ShellFitRates{0.05f, 0.1f});
  ShellFittable whole_model(start, ShellFitRates{0.05f, 0.1f});
  UnlistedFittable whole(whole_model);
  REQUIRE(listed.touched_parameters() != nullptr);
  listed.after_step(0);  // drop the (empty) list just taken
  fit_to_views(listed, views, {}, options);
  fit_to_views(whole, views, {}, options);
  const std::vector<float>& a = listed.parameters();
  const std::vector<float>& b = whole_model.parameters();
  REQUIRE(a.size() == b.size());
  const std::vector<float> initial = ShellFittable(start).parameters();
  size_t moved = 0, differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (b[i] != initial[i]) ++moved;
    if (std::abs(a[i] - b[i]) > 1e-6f) ++differ;
  }
  CHECK(moved > 100);
  CHECK(differ == 0);
  // And the textures the renderer sees agree (the listed path refreshes only what moved).
  for (size_t k = 0; k < start.shell_count(); ++k)
    for (size_t i = 0; i < start.textures[k].pixels.size(); ++i)
      REQUIRE(glm::length(listed.shells().textures[k].pixels[i] -
                          whole_model.shells().textures[k].pixels[i]) < 1e-6f);
}

TEST_CASE("shells.json round trip keeps mesh, offsets and textures", "[shells]") {
  ShellVolume shells =
      test::sphere_shells({-0.05f, 0.0f, 0.07f},
                          {vec4(1, 0, 0, 0.4f), vec4(0, 1, 0, 0.6f), vec4(0, 0, 1, 1)}, 16, 8, 16);
  for (int x = 0; x < 16; ++x) shells.textures[1].at(x, 3) = vec4(0.2f, 0.1f, 0.0f, 0.2f);
  const std::string dir = test::fresh_dir("shells_round_trip");
  save_shell_volume(shells, dir);
  REQUIRE(is_shell_volume_path(dir));
  const ShellVolume loaded = load_shell_volume(dir + "/shells.json");
  REQUIRE(loaded.shell_count() == 3);
  for (size_t k = 0; k < 3; ++k) CHECK(loaded.offsets[k] == Approx(shells.offsets[k]));
  CHECK(loaded.base.triangle_count() == shells.base.triangle_count());
  CHECK(loaded.texture_width() == 16);
  const Camera camera = front_camera(64, 64, 4.0f);
  const RenderOutput a = render_shells(shells, camera), b = render_shells(loaded, camera);
  const auto cmp = test::compare_images("shells_round_trip", a.color, b.color, 40.0);
  CHECK(cmp.ok);
  INFO(cmp.message);
}

TEST_CASE("bad shells.json and meshes name the file and the field", "[shells][bad_input]") {
  const ShellVolume shells = test::sphere_shells({0.0f, 0.1f}, {vec4(1), vec4(1)}, 8, 6, 12);
  const std::string dir = test::fresh_dir("shells_bad");
  save_shell_volume(shells, dir);
  const std::string json = dir + "/shells.json";
  auto rewrite = [&](const std::string& text) { test::write_text(json, text); };
  SECTION("missing file") {
    REQUIRE_THROWS_AS(load_shell_volume(dir + "/nope.json"), InputError);
  }
  SECTION("offsets not ascending") {
    rewrite(R"({"version": 1, "kind": "shells", "mesh": "base.obj", "texture_width": 8,
      "texture_height": 8, "shells": [{"offset": 0.1, "image": "shell_00.png"},
      {"offset": 0.0, "image": "shell_01.png"}]})");
    REQUIRE_THROWS_WITH(load_shell_volume(json),
                        Contains("shells[1].offset") && Contains("ascending"));
  }
  SECTION("texture size disagrees") {
    rewrite(R"({"version": 1, "kind": "shells", "mesh": "base.obj", "texture_width": 16,
      "texture_height": 8, "shells": [{"offset": 0.0, "image": "shell_00.png"}]})");
    REQUIRE_THROWS_WITH(load_shell_volume(json), Contains("shells[0].image") && Contains("16x8"));
  }
  SECTION("missing mesh field") {
    rewrite(R"({"version": 1, "kind": "shells", "texture_width": 8, "texture_height": 8,
      "shells": [{"offset": 0.0, "image": "shell_00.png"}]})");
    REQUIRE_THROWS_WITH(load_shell_volume(json), Contains("shells.json") && Contains("mesh"));
  }
  SECTION("wrong kind") {
    rewrite(R"({"version": 1, "kind": "planes", "planes": []})");
    REQUIRE_THROWS_WITH(load_shell_volume(json), Contains("kind"));
  }
  SECTION("no shells") {
    rewrite(R"({"version": 1, "kind": "shells", "mesh": "base.obj", "texture_width": 8,
      "texture_height": 8, "shells": []})");
    REQUIRE_THROWS_WITH(load_shell_volume(json), Contains("shells"));
  }
  SECTION("mesh with a NaN vertex") {
    test::write_text(dir + "/base.obj",
                     "v 0 0 0\nv 1 0 0\nv nan 1 0\nvt 0 0\nvt 1 0\nvt 0 1\n"
                     "f 1/1 2/2 3/3\n");
    REQUIRE_THROWS_AS(load_shell_volume(json), InputError);
  }
  SECTION("mesh with an index out of range") {
    test::write_text(dir + "/base.obj",
                     "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\n"
                     "f 1/1 2/2 9/3\n");
    REQUIRE_THROWS_AS(load_shell_volume(json), InputError);
  }
  SECTION("mesh without UVs") {
    test::write_text(dir + "/base.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
    REQUIRE_THROWS_WITH(load_shell_volume(json), Contains("texture coordinates"));
  }
  SECTION("mesh without normals and with a degenerate triangle is repaired") {
    test::write_text(dir + "/base.obj",
                     "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 2 2 2\nvt 0 0\nvt 1 0\nvt 0 1\nvt 1 1\n"
                     "f 1/1 2/2 3/3\nf 1/1 1/1 4/4\n");
    const ShellVolume repaired = load_shell_volume(json);
    CHECK(repaired.base.triangle_count() == 1);
    CHECK(repaired.base.has_normals());
  }
}

TEST_CASE("building shells repairs or rejects bad meshes and makes UVs when missing",
          "[shells][bad_input]") {
  ShellBuildOptions options;
  options.shells = 4;
  options.texture_size = 64;
  SECTION("no UVs: an atlas is made; thickness defaults to 1% of the diagonal") {
    TriangleMesh mesh = test::uv_sphere(8, 16);
    mesh.uvs.clear();
    mesh.normals.clear();
    const ShellVolume shells = build_shells(mesh, options, "sphere.obj");
    CHECK(shells.base.has_uvs());
    CHECK(shells.offsets.size() == 4);
    CHECK(shells.offsets.front() == Approx(-0.01f * std::sqrt(12.0f)).epsilon(1e-3));
    CHECK(shells.offsets.back() == Approx(-shells.offsets.front()));  // symmetric around a mesh
    const RenderOutput out = render_shells(shells, front_camera(32, 32));
    CHECK(out.color.at(16, 16).a > 0.0f);
  }
  SECTION("NaN vertex") {
    TriangleMesh mesh = test::uv_sphere(4, 8);
    mesh.positions[5].x = std::nanf("");
    REQUIRE_THROWS_AS(build_shells(mesh, options, "bad.obj"), InputError);
  }
  SECTION("index out of range") {
    TriangleMesh mesh = test::uv_sphere(4, 8);
    mesh.indices[7] = 100000;
    REQUIRE_THROWS_AS(build_shells(mesh, options, "bad.obj"), InputError);
  }
  SECTION("only degenerate triangles") {
    TriangleMesh mesh;
    mesh.positions = {vec3(0), vec3(0), vec3(0)};
    mesh.indices = {0, 1, 2};
    REQUIRE_THROWS_AS(build_shells(mesh, options, "bad.obj"), InputError);
  }
  SECTION("non-manifold edge: kept with a warning, shells still render") {
    TriangleMesh mesh;
    mesh.positions = {vec3(0, 0, 0), vec3(1, 0, 0), vec3(0, 1, 0), vec3(0, -1, 0), vec3(0, 0, 1)};
    mesh.indices = {0, 1, 2, 1, 0, 3, 0, 1, 4};
    const ShellVolume shells = build_shells(mesh, options, "fan.obj");
    CHECK(shells.base.triangle_count() == 3);
  }
  SECTION("an outer fraction puts the shells evenly from -d to +fraction d") {
    options.thickness = 0.3f;
    options.outer_fraction = 1.0f / 3.0f;
    const ShellVolume shells = build_shells(test::uv_sphere(4, 8), options, "sphere.obj");
    REQUIRE(shells.offsets.size() == 4);
    CHECK(shells.offsets[0] == Approx(-0.3f));
    CHECK(shells.offsets[1] == Approx(-0.3f + 0.4f / 3.0f));
    CHECK(shells.offsets[3] == Approx(0.1f));
  }
  SECTION("more UV charts than the texture holds: the file and the texture size named") {
    TriangleMesh scattered;  // 500 separate triangles, facing every way: 500 charts
    for (int i = 0; i < 500; ++i) {
      const vec3 c(float(i % 10), float(i / 10 % 10), float(i / 100));
      const vec3 e = glm::normalize(vec3(std::sin(float(i)), std::cos(float(i)), 0.3f));
      const auto first = uint32_t(scattered.positions.size());
      scattered.positions.insert(scattered.positions.end(),
                                 {c, c + 0.3f * e, c + 0.3f * glm::cross(e, vec3(0, 0, 1))});
      scattered.indices.insert(scattered.indices.end(), {first, first + 1, first + 2});
    }
    options.texture_size = 16;
    REQUIRE_THROWS_AS(build_shells(scattered, options, "many.obj"), InputError);
    REQUIRE_THROWS_WITH(build_shells(scattered, options, "many.obj"),
                        Contains("many.obj") && Contains("texture_size"));
  }
  SECTION("bad options") {
    options.shells = 0;
    REQUIRE_THROWS_WITH(build_shells(test::uv_sphere(4, 8), options, "x.obj"), Contains("shells"));
    options.shells = 4;
    options.outer_fraction = 5.0f;
    REQUIRE_THROWS_WITH(build_shells(test::uv_sphere(4, 8), options, "x.obj"),
                        Contains("outer_fraction"));
  }
}

TEST_CASE("smoothed normals keep shells from folding at a cube's sharp edges", "[shells]") {
  // A cube of 8 corners with split faces (24 vertices): welded, the corner normals are close to
  // the diagonal, so an outward shell is a bigger rounded box, not three faces pulled apart
  // (unwelded, each corner would get its face's normal and the shell would tear open).
  TriangleMesh cube;
  const vec3 axes[3] = {vec3(1, 0, 0), vec3(0, 1, 0), vec3(0, 0, 1)};
  for (int a = 0; a < 3; ++a)
    for (float sign : {-1.0f, 1.0f}) {
      const vec3 n = sign * axes[a], u = axes[(a + 1) % 3], v = axes[(a + 2) % 3];
      const uint32_t first = uint32_t(cube.positions.size());
      for (vec2 c : {vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, 1)})
        cube.positions.push_back(n + c.x * u + c.y * v);
      if (sign > 0)
        cube.indices.insert(cube.indices.end(),
                            {first, first + 1, first + 2, first, first + 2, first + 3});
      else
        cube.indices.insert(cube.indices.end(),
                            {first, first + 2, first + 1, first, first + 3, first + 2});
    }
  const std::vector<vec3> normals = smoothed_shell_normals(cube, 3);
  for (size_t i = 0; i < cube.positions.size(); ++i)
    CHECK(glm::dot(normals[i], glm::normalize(cube.positions[i])) > 0.9f);
}
