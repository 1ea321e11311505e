// The shared fitting loop: the NaN guard and checkpoints, per-group Adam, crops, the D-SSIM
// gradient.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "neural/core/error.h"
#include "neural/core/metrics.h"
#include "neural/fit/fit_loop.h"
#include "neural/fit/fit_views.h"
#include "neural/fit/ssim_loss.h"
#include "neural/optim/adam.h"
#include "test_support.h"

using namespace strata;

namespace {

// A flat colour (RGB parameters, opaque): the simplest Fittable. From step `nan_after` on, its
// render is NaN (a diverging fit, reproduced on purpose).
class FlatColor : public Fittable {
 public:
  explicit FlatColor(int nan_after = -1) : nan_after_(nan_after) {}
  std::vector<float>& parameters() override { return params_; }
  std::vector<ParameterGroup> groups() const override {
    return {ParameterGroup{"colour", 0, 3, 0.05f}};
  }
  const Image& forward(const Camera& camera) override {
    ++calls_;
    const float bad = std::numeric_limits<float>::quiet_NaN();
    const bool nan = nan_after_ >= 0 && steps_seen_ >= nan_after_;
    render_ = Image(camera.width, camera.height,
                    nan ? vec4(bad) : vec4(params_[0], params_[1], params_[2], 1.0f));
    return render_;
  }
  void backward(const Image& d, std::vector<float>& g) override {
    for (const vec4& p : d.pixels)
      for (int c = 0; c < 3; ++c) g[size_t(c)] += p[c];
  }
  std::vector<long> after_step(int step) override {
    steps_seen_ = step;
    return {};
  }
  void save(const std::string& path) const override {
    std::ofstream f(path);
    f << steps_seen_ << " " << params_[0] << " " << params_[1] << " " << params_[2];
  }
  std::string describe() const override { return "flat colour"; }

  std::vector<float> params_{0.5f, 0.5f, 0.5f};
  int nan_after_;
  int steps_seen_ = 0;
  int calls_ = 0;
  Image render_;
};

std::vector<FitView> flat_views(vec3 color, int count) {
  std::vector<FitView> views;
  const Camera camera = Camera::pinhole_fov_y(16, 12, glm::radians(50.0f), mat4(1.0f));
  for (int i = 0; i < count; ++i)
    views.push_back(
        {std::string("v").append(std::to_string(i)), camera, Image(16, 12, vec4(color, 1.0f))});
  return views;
}

}  // namespace

TEST_CASE("the fit loop fits a flat colour, with patches, L1 and D-SSIM", "[fit]") {
  FlatColor model;
  FitLoopOptions o;
  o.steps = 300;
  o.patch_size = 8;
  o.dssim_weight = 0.2f;
  o.progress = false;
  o.eval_every = 100;
  const auto train = flat_views(vec3(0.2f, 0.7f, 0.4f), 3);
  const FitLoopReport r = fit_to_views(model, train, flat_views(vec3(0.2f, 0.7f, 0.4f), 1), o);
  CHECK(r.steps == 300);
  CHECK_FALSE(r.stopped_on_nan);
  CHECK(r.curve.size() == 3);
  CHECK(model.params_[0] == Approx(0.2f).margin(0.01));
  CHECK(model.params_[1] == Approx(0.7f).margin(0.01));
  CHECK(model.params_[2] == Approx(0.4f).margin(0.01));
  CHECK(r.mean_psnr > 35.0);
  // Patches: 8x8 crops only.
  CHECK(model.render_.width == 16);  // the last forward was the final whole-view score
}

TEST_CASE("the NaN guard stops the fit and keeps the last good checkpoint", "[fit]") {
  const std::string dir = test::fresh_dir("fit_nan");
  FlatColor model(/*nan_after=*/7);
  FitLoopOptions o;
  o.steps = 100;
  o.progress = false;
  o.checkpoint_path = dir + "/checkpoint.txt";
  o.checkpoint_every = 5;
  const FitLoopReport r =
      fit_to_views(model, flat_views(vec3(0.3f), 2), flat_views(vec3(0.3f), 1), o);
  CHECK(r.stopped_on_nan);
  CHECK(r.steps == 7);  // step 8 went non-finite and was not applied
  CHECK(r.last_checkpoint_step == 5);
  CHECK(r.message.find("non-finite") != std::string::npos);
  CHECK(r.message.find("step 5") != std::string::npos);
  CHECK(r.held_out.empty());
  std::ifstream f(o.checkpoint_path);
  int saved_step = -1;
  float r0 = 0.0f;
  f >> saved_step >> r0;
  CHECK(saved_step == 5);
  CHECK(std::isfinite(r0));
  // The parameters themselves never took a non-finite step.
  for (float p : model.params_) CHECK(std::isfinite(p));
}

TEST_CASE("the NaN guard before any checkpoint says so", "[fit]") {
  FlatColor model(/*nan_after=*/0);
  FitLoopOptions o;
  o.steps = 10;
  o.progress = false;
  const FitLoopReport r = fit_to_views(model, flat_views(vec3(0.3f), 1), {}, o);
  CHECK(r.stopped_on_nan);
  CHECK(r.steps == 0);
  CHECK(r.message.find("no checkpoint") != std::string::npos);
}

TEST_CASE("fit loop rejects bad options", "[fit]") {
  FlatColor model;
  FitLoopOptions o;
  o.progress = false;
  CHECK_THROWS_AS(fit_to_views(model, {}, {}, o), InputError);
  o.patch_size = -1;
  CHECK_THROWS_AS(fit_to_views(model, flat_views(vec3(0.3f), 1), {}, o), InputError);
}

TEST_CASE("Adam steps each range with its own rate and remaps its moments", "[fit]") {
  AdamConfig config;
  config.weight_decay = 0.0f;
  Adam adam(4, 0, config);
  std::vector<float> p{0, 0, 0, 0}, g{1, 1, 1, 1};
  adam.step(p.data(), g.data(), {Adam::Range{0, 2, 0.1f}, Adam::Range{2, 3, 0.01f}});
  CHECK(p[0] == Approx(-0.1f));
  CHECK(p[2] == Approx(-0.01f));
  CHECK(p[3] == 0.0f);  // outside every range
  CHECK(g[3] == 1.0f);  // not read, not cleared
  adam.remap({2, -1, 0}, 0);
  REQUIRE(adam.size() == 3);
  CHECK(adam.first_moment()[0] == Approx(0.1f));  // inherited from old parameter 2
  CHECK(adam.first_moment()[1] == 0.0f);          // fresh
  CHECK_THROWS(adam.remap({7}, 0));
}

TEST_CASE("crop cameras show the same pixels as the full view", "[fit]") {
  const Camera camera = Camera::pinhole_fov_y(40, 30, glm::radians(60.0f), mat4(1.0f));
  const Camera crop = crop_camera(camera, 10, 5, 8, 6);
  const Ray a = camera.ray(vec2(13.5f, 7.5f)), b = crop.ray(vec2(3.5f, 2.5f));
  CHECK(glm::distance(a.direction, b.direction) < 1e-6f);
}

TEST_CASE("SSIM gradient matches finite differences", "[fit]") {
  const int w = 13, h = 12;
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<vec3> x(size_t(w * h)), y(size_t(w * h));
  for (size_t i = 0; i < x.size(); ++i) {
    y[i] = vec3(u(rng), u(rng), u(rng));
    x[i] = glm::clamp(y[i] + 0.2f * vec3(u(rng) - 0.5f, u(rng) - 0.5f, u(rng) - 0.5f), 0.0f, 1.0f);
  }
  std::vector<vec3> grad;
  ssim_with_gradient(x, y, w, h, &grad);
  const float step = 1e-2f;
  double max_gradient = 0.0;
  for (size_t i = 0; i < x.size(); i += 7)
    for (int c = 0; c < 3; ++c) {
      const float saved = x[i][c];
      x[i][c] = saved + step;
      const double plus = ssim_with_gradient(x, y, w, h, nullptr);
      x[i][c] = saved - step;
      const double minus = ssim_with_gradient(x, y, w, h, nullptr);
      x[i][c] = saved;
      const double numeric = (plus - minus) / (2.0 * step);
      max_gradient = std::max(max_gradient, std::abs(double(grad[i][c])));
      INFO("pixel " << i << " channel " << c);
      CHECK(grad[i][c] == Approx(numeric).margin(2e-5).epsilon(3e-2));
    }
  CHECK(max_gradient > 1e-4);
}

TEST_CASE("views around an orbit stay on it between neighbouring cameras", "[fit]") {
  // 48 cameras on a sphere of radius 4 (elevations 10..60 degrees) looking at its centre, which
  // is off the origin. Blending any two of them linearly would put eyes well inside.
  const vec3 centre(0.5f, -0.25f, 1.0f);
  std::vector<Camera> rig;
  for (int i = 0; i < 48; ++i) {
    const float elevation = glm::radians(10.0f + 50.0f * float(i % 6) / 5.0f);
    const float azimuth = glm::radians(7.5f * float(i));
    const vec3 dir(std::cos(elevation) * std::cos(azimuth), std::sin(elevation),
                   std::cos(elevation) * std::sin(azimuth));
    rig.push_back(Camera::pinhole_fov_y(64, 64, 0.7f, look_at(centre + 4.0f * dir, centre)));
  }
  float spacing = std::numeric_limits<float>::infinity();
  for (size_t j = 1; j < rig.size(); ++j)
    spacing = std::min(spacing, glm::distance(rig[0].position(), rig[j].position()));
  const std::vector<Camera> views = cameras_around(rig, 300, 0.0f, 7);
  REQUIRE(views.size() == 300);
  for (const Camera& v : views) {
    REQUIRE(glm::distance(v.position(), centre) == Approx(4.0f).epsilon(1e-3));
    // Between neighbours: near some rig camera, and still looking at the centre (the rotations of
    // two neighbours that both look at it blend to one that nearly does).
    float nearest = std::numeric_limits<float>::infinity();
    for (const Camera& c : rig)
      nearest = std::min(nearest, glm::distance(v.position(), c.position()));
    REQUIRE(nearest < 4.0f * spacing);
    const vec3 to_centre = glm::normalize(centre - v.position());
    REQUIRE(glm::dot(v.forward(), to_centre) > std::cos(glm::radians(10.0f)));
  }
  // The same seed gives the same cameras; the jitter moves eyes off the sphere.
  REQUIRE(cameras_around(rig, 300, 0.0f, 7)[123].camera_to_world == views[123].camera_to_world);
  const std::vector<Camera> jittered = cameras_around(rig, 50, 0.5f, 7);
  float off_sphere = 0.0f;
  for (const Camera& v : jittered)
    off_sphere = std::max(off_sphere, std::abs(glm::distance(v.position(), centre) - 4.0f));
  REQUIRE(off_sphere > 0.01f);
}

TEST_CASE("views around a forward-facing rig stay in its plane and box", "[fit]") {
  // A 5 x 4 grid of parallel cameras in the plane z = 2 looking down -z: no point to orbit.
  std::vector<Camera> rig;
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 5; ++i) {
      const vec3 eye(0.1f * float(i), 0.1f * float(j), 2.0f);
      rig.push_back(Camera::pinhole_fov_y(64, 48, 0.9f, look_at(eye, eye - vec3(0, 0, 1))));
    }
  for (const Camera& v : cameras_around(rig, 200, 0.0f, 3)) {
    REQUIRE(v.position().z == Approx(2.0f));
    REQUIRE(v.position().x >= -1e-5f);
    REQUIRE(v.position().x <= 0.4f + 1e-5f);
    REQUIRE(v.position().y >= -1e-5f);
    REQUIRE(v.position().y <= 0.3f + 1e-5f);
    REQUIRE(glm::dot(v.forward(), vec3(0, 0, -1)) == Approx(1.0f));
    REQUIRE(v.width == 64);
  }
  // One camera: every view is that camera, moved by the jitter only.
  const std::vector<Camera> single = cameras_around({rig[0]}, 3, 0.0f, 1);
  REQUIRE(single[2].position() == rig[0].position());
}
