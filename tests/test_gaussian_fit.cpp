// Fitting 3D Gaussians with the one fitting loop: the Fittable's flat-buffer gradient against
// finite differences, a tiny analytic scene that must converge, densification bookkeeping
// (clone, split, prune, cap, optimiser-state remap), the depth-map seed, the NaN guard.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <glm/gtc/epsilon.hpp>
#include <random>
#include <vector>

#include "neural/core/error.h"
#include "neural/core/metrics.h"
#include "neural/fit/fit_loop.h"
#include "neural/gaussians/gaussian_fittable.h"
#include "neural/gaussians/gaussian_io.h"
#include "neural/gaussians/gaussian_seed.h"
#include "tests/test_support.h"

using namespace strata;

namespace {

// A few coloured, fairly opaque Gaussians around the origin: the analytic scene.
GaussianCloud coloured_blobs() {
  GaussianCloud c;
  const vec3 positions[] = {{0.0f, 0.0f, 0.0f},   {0.5f, 0.1f, -0.2f},   {-0.4f, 0.3f, 0.2f},
                            {0.1f, -0.45f, 0.3f}, {-0.3f, -0.2f, -0.4f}, {0.3f, 0.45f, 0.1f}};
  const vec3 colours[] = {{0.9f, 0.2f, 0.2f}, {0.2f, 0.8f, 0.3f}, {0.2f, 0.3f, 0.9f},
                          {0.9f, 0.8f, 0.2f}, {0.7f, 0.3f, 0.8f}, {0.2f, 0.8f, 0.8f}};
  const vec3 scales[] = {{0.25f, 0.12f, 0.15f}, {0.1f, 0.2f, 0.1f},    {0.15f, 0.1f, 0.2f},
                         {0.2f, 0.08f, 0.12f},  {0.12f, 0.12f, 0.12f}, {0.08f, 0.15f, 0.2f}};
  c.resize(6);
  for (size_t i = 0; i < 6; ++i) {
    c.positions[i] = positions[i];
    c.log_scales[i] = glm::log(scales[i]);
    c.rotations[i] = glm::normalize(quat(1.0f, 0.3f * float(i % 3), 0.2f * float(i % 2), 0.1f));
    c.opacity_logits[i] = logit_from_opacity(0.9f);
    c.sh[i] = (colours[i] - vec3(0.5f)) / float(kShC0);
  }
  return c;
}

// Cameras on a ring around the origin at distance 3, looking at it.
std::vector<Camera> ring_cameras(int count, int size, float phase = 0.0f) {
  std::vector<Camera> cameras;
  for (int i = 0; i < count; ++i) {
    const float a = phase + 6.2831853f * float(i) / float(count);
    const vec3 eye(3.0f * std::cos(a), 0.8f * std::sin(2.0f * a), 3.0f * std::sin(a));
    cameras.push_back(
        Camera::pinhole_fov_y(size, size, glm::radians(45.0f), look_at(eye, vec3(0))));
  }
  return cameras;
}

std::vector<FitView> render_views(const GaussianCloud& cloud, const std::vector<Camera>& cameras,
                                  const std::string& prefix) {
  std::vector<FitView> views;
  for (size_t i = 0; i < cameras.size(); ++i)
    views.push_back(
        {prefix + std::to_string(i), cameras[i], render_gaussians(cloud, cameras[i]).color});
  return views;
}

}  // namespace

TEST_CASE("Gaussian fittable: flat-buffer gradient matches finite differences", "[gaussian_fit]") {
  // Wide, half-transparent blobs: their 1/255 cutoff ellipses lie outside the small image and
  // the transmittance never reaches the 1e-4 stop, so the rendered image is smooth in every
  // parameter and float central differences apply.
  GaussianCloud cloud = coloured_blobs();
  cloud.set_sh_degree(1);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-0.3f, 0.3f);
  for (size_t i = 0; i < cloud.size(); ++i) {
    cloud.positions[i] *= 0.4f;
    cloud.log_scales[i] = glm::log(vec3(1.0f + u(rng), 1.0f - u(rng), 1.0f + 0.5f * u(rng)));
    cloud.opacity_logits[i] = logit_from_opacity(0.4f);
  }
  for (vec3& s : cloud.sh) s += vec3(u(rng), u(rng), u(rng));
  GaussianFitOptions options;
  options.sh_degree = 1;
  options.sh_increase_every = 0;  // every band on: SH rest gets gradients
  GaussianFittable model(cloud, options);
  const Camera camera = ring_cameras(5, 20, 0.4f)[1];
  // A linear loss L = sum w . render: its gradient image is w.
  Image weights(camera.width, camera.height);
  for (vec4& w : weights.pixels) w = vec4(u(rng), u(rng), u(rng), u(rng));
  auto loss = [&]() {
    const Image& r = model.forward(camera);
    double l = 0.0;
    for (size_t p = 0; p < r.pixels.size(); ++p)
      l += double(glm::dot(r.pixels[p], weights.pixels[p]));
    return l;
  };
  loss();
  std::vector<float> gradient(model.parameters().size(), 0.0f);
  model.backward(weights, gradient);
  // Every group, a few parameters each; float central differences with a step large enough for
  // float precision and small enough for the curvature.
  int checked = 0, agreed = 0;
  for (const ParameterGroup& g : model.groups()) {
    for (size_t p = g.begin; p < g.end; p += std::max<size_t>(1, (g.end - g.begin) / 7)) {
      const float h = 5e-3f;
      float& x = model.parameters()[p];
      const float x0 = x;
      x = x0 + h;
      const double lp = loss();
      x = x0 - h;
      const double lm = loss();
      x = x0;
      const double fd = (lp - lm) / (2.0 * h);
      const double an = gradient[p];
      if (std::abs(fd) < 1e-3 && std::abs(an) < 1e-3) continue;  // both ~0: nothing to compare
      ++checked;
      const bool ok = std::abs(fd - an) <= 0.05 * std::max(std::abs(fd), std::abs(an)) + 2e-3;
      agreed += ok;
      if (!ok) WARN(g.name << " parameter " << p << ": analytic " << an << " fd " << fd);
    }
  }
  INFO("checked " << checked << ", agreed " << agreed);
  CHECK(checked >= 20);
  CHECK(agreed == checked);
}

TEST_CASE("Gaussian fit: a tiny analytic scene converges from a random start", "[gaussian_fit]") {
  const GaussianCloud truth = coloured_blobs();
  const std::vector<FitView> train = render_views(truth, ring_cameras(12, 64), "train");
  const std::vector<FitView> test = render_views(truth, ring_cameras(3, 64, 0.7f), "test");
  Bounds3 box;
  box.lo = vec3(-0.8f);
  box.hi = vec3(0.8f);
  GaussianFitOptions options;
  options.scene_extent = 1.0f;
  options.sh_degree = 0;
  options.densify_from = 100;
  options.densify_every = 100;
  options.densify_until = 600;
  options.opacity_reset_every = 0;
  options.max_gaussians = 3000;
  GaussianFittable model(seed_random(box, 300, 7), options);
  FitLoopOptions loop;
  loop.steps = 1000;
  loop.progress = false;
  loop.random_background = true;
  loop.dssim_weight = 0.2f;
  loop.final_learning_rate_factor = 0.1f;
  const FitLoopReport report = fit_to_views(model, train, test, loop);
  INFO(model.describe() << ", held-out PSNR " << report.mean_psnr << " dB, last densify: cloned "
                        << model.last_densify().cloned << " split " << model.last_densify().split
                        << " pruned " << model.last_densify().pruned);
  REQUIRE_FALSE(report.stopped_on_nan);
  CHECK(report.mean_psnr > 30.0);
  CHECK(report.mean_ssim > 0.95);
  CHECK(model.size() > 0);
  CHECK(model.size() <= options.max_gaussians);
}

TEST_CASE("Gaussian densification: clone, split, prune, cap and the optimiser remap",
          "[gaussian_fit]") {
  // A: small and visible (cloned); B: large and visible (split); C: visible, nearly transparent
  // (pruned); D: behind the camera (no views: untouched).
  GaussianCloud c;
  c.resize(4);
  c.positions = {vec3(-0.3f, 0.0f, 0.0f), vec3(0.3f, 0.1f, 0.0f), vec3(0.0f, -0.3f, 0.0f),
                 vec3(0.0f, 0.0f, 5.0f)};
  c.log_scales = {vec3(std::log(0.005f)), vec3(std::log(0.2f), std::log(0.05f), std::log(0.1f)),
                  vec3(std::log(0.005f)), vec3(std::log(0.05f))};
  c.rotations = {quat(1, 0, 0, 0), glm::normalize(quat(0.9f, 0.1f, 0.3f, 0.0f)), quat(1, 0, 0, 0),
                 quat(1, 0, 0, 0)};
  c.opacity_logits = {logit_from_opacity(0.8f), logit_from_opacity(0.7f),
                      logit_from_opacity(0.002f), logit_from_opacity(0.5f)};
  for (size_t i = 0; i < 4; ++i) c.sh[i] = vec3(0.5f * float(i), 0.2f, -0.3f);
  const Camera camera =
      Camera::pinhole_fov_y(48, 48, glm::radians(50.0f), look_at(vec3(0, 0, 3), vec3(0)));

  GaussianFitOptions options;
  options.sh_degree = 1;
  options.scene_extent = 1.0f;  // A's 0.005 < 0.01 x extent: clone; B's 0.2: split
  options.densify_grad_threshold = 1e-9f;
  options.opacity_reset_every = 0;
  // One forward and backward with a gradient image that reaches every visible Gaussian.
  auto run = [&](size_t cap, std::vector<float>* before) {
    GaussianFitOptions o = options;
    o.max_gaussians = cap;
    GaussianFittable model(c, o);
    model.forward(camera);
    Image d(camera.width, camera.height, vec4(0.3f, -0.2f, 0.1f, 0.05f));
    std::vector<float> g(model.parameters().size(), 0.0f);
    model.backward(d, g);
    *before = model.parameters();
    return model;
  };
  std::vector<float> before;
  GaussianFittable model = run(1000, &before);
  const std::vector<long> map = model.densify_and_prune(100);
  const DensifyStats& s = model.last_densify();
  CHECK(s.before == 4);
  CHECK(s.cloned == 1);
  CHECK(s.split == 1);
  CHECK(s.pruned == 1);
  CHECK(s.capped == 0);
  CHECK(s.after == 5);  // A, D, A's clone, B's two halves
  REQUIRE(model.size() == 5);
  REQUIRE(map.size() == model.parameters().size());
  // Every parameter that inherits a state holds exactly the value of the one it inherits from:
  // the optimiser's moments follow their Gaussian.
  size_t inherited = 0;
  for (size_t p = 0; p < map.size(); ++p) {
    if (map[p] < 0) continue;
    ++inherited;
    REQUIRE(size_t(map[p]) < before.size());
    CHECK(model.parameters()[p] == before[size_t(map[p])]);
  }
  const size_t per_gaussian = 3 + 3 + 4 + 1 + 3 + 3 * 3;
  CHECK(inherited == 2 * per_gaussian);  // A and D keep theirs; clone and halves start fresh
  const GaussianCloud after = model.cloud();
  // Order: survivors (A, D), then A's clone, then B's halves with scales / 1.6 near B.
  CHECK(after.positions[0] == c.positions[0]);
  CHECK(after.positions[1] == c.positions[3]);
  CHECK(after.positions[2] == c.positions[0]);
  for (size_t i = 3; i < 5; ++i) {
    CHECK(glm::length(after.positions[i] - c.positions[1]) < 3.0f * 0.2f);
    CHECK(after.positions[i] != c.positions[1]);
    CHECK(
        glm::all(glm::epsilonEqual(after.log_scales[i], c.log_scales[1] - std::log(1.6f), 1e-5f)));
    CHECK(after.sh_at(i, 0) == c.sh[1]);
  }
  for (float v : model.parameters()) REQUIRE(std::isfinite(v));

  // The cap: room for one more Gaussian only; the larger gradient wins, the other is skipped.
  GaussianFittable small = run(5, &before);
  small.densify_and_prune(100);
  CHECK(small.last_densify().capped == 1);
  CHECK(small.last_densify().cloned + small.last_densify().split == 1);
  CHECK(small.size() <= 5);

  // An opacity reset clamps opacities to 0.01 and gives them a fresh optimiser state.
  GaussianFittable reset(c, options);
  const std::vector<long> reset_map = reset.reset_opacity();
  for (float o : reset.cloud().opacity_logits) CHECK(opacity_from_logit(o) <= 0.0101f);
  size_t fresh = 0;
  for (long m : reset_map) fresh += m < 0;
  CHECK(fresh == 4);
}

TEST_CASE("Gaussian seed: a depth map and its image give back the view", "[gaussian_fit]") {
  // A tilted, smoothly coloured plane made of many small Gaussians, seen from one camera.
  GaussianCloud plane;
  const int n = 40;
  plane.resize(size_t(n * n));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const size_t k = size_t(j * n + i);
      const float u = float(i) / float(n - 1), v = float(j) / float(n - 1);
      plane.positions[k] = vec3(2.0f * u - 1.0f, 2.0f * v - 1.0f, 0.4f * u - 0.2f);
      plane.log_scales[k] = vec3(std::log(0.04f), std::log(0.04f), std::log(0.005f));
      plane.opacity_logits[k] = logit_from_opacity(0.95f);
      const vec3 colour(0.2f + 0.6f * u, 0.3f + 0.5f * v, 0.8f - 0.5f * u * v);
      plane.sh[k] = (colour - vec3(0.5f)) / float(kShC0);
    }
  const Camera camera =
      Camera::pinhole_fov_y(64, 64, glm::radians(40.0f), look_at(vec3(0.2f, 0.1f, 3.5f), vec3(0)));
  const RenderOutput truth = render_gaussians(plane, camera);
  const GaussianCloud seed = seed_from_depth(camera, truth.color, truth.depth);
  REQUIRE(seed.size() > 1000);  // about one Gaussian a covered pixel
  const RenderOutput again = render_gaussians(seed, camera);
  const double db = psnr(again.color, truth.color, vec3(1.0f));
  INFO("seed of " << seed.size() << " Gaussians reproduces the view at " << db << " dB");
  CHECK(db > 25.0);
  // Its depth agrees where both see the plane.
  double error = 0.0;
  int count = 0;
  for (size_t p = 0; p < again.depth.values.size(); ++p)
    if (truth.color.pixels[p].a > 0.9f && again.color.pixels[p].a > 0.9f) {
      error += std::abs(double(again.depth.values[p] - truth.depth.values[p]));
      ++count;
    }
  REQUIRE(count > 1000);
  CHECK(error / count < 0.02);

  // Several views of one scene merge into one cloud (voxels), without holes or duplicates.
  Scene teacher;
  teacher.items.push_back(SceneItem{"plane", "", mat4(1.0f), plane, {}, std::nullopt});
  const std::vector<Camera> cameras = {
      camera, Camera::pinhole_fov_y(64, 64, glm::radians(40.0f),
                                    look_at(vec3(-0.5f, 0.3f, 3.3f), vec3(0)))};
  const GaussianCloud merged = seed_from_scene(teacher, cameras);
  CHECK(merged.size() < 2 * seed.size());
  CHECK(psnr(render_gaussians(merged, camera).color, truth.color, vec3(1.0f)) > 23.0);
}

TEST_CASE("Gaussian seeds: random starts, scales and cameras that do not see the scene",
          "[gaussian_fit]") {
  Bounds3 box;
  box.lo = vec3(-1.0f);
  box.hi = vec3(1.0f);
  const GaussianCloud random = seed_random(box, 2000, 3);
  REQUIRE(random.size() == 2000);
  const Bounds3 b = random.bounds();
  CHECK(glm::all(glm::greaterThanEqual(b.lo, box.lo)));
  CHECK(glm::all(glm::lessThanEqual(b.hi, box.hi)));
  // 2000 points in a 2 m cube: spacing about 2 / 2000^(1/3) = 0.16 m.
  float mean_scale = 0.0f;
  for (size_t i = 0; i < random.size(); ++i) mean_scale += random.scale(i).x / 2000.0f;
  CHECK(mean_scale > 0.05f);
  CHECK(mean_scale < 0.2f);
  CHECK(seed_random(box, 2000, 3).positions == random.positions);  // deterministic

  const std::vector<Camera> looking = ring_cameras(4, 32);
  CHECK_NOTHROW(check_cameras_see(looking, box, "data"));
  std::vector<Camera> away;
  for (const Camera& c : looking) {
    const vec3 eye = c.position();
    away.push_back(Camera::pinhole_fov_y(32, 32, glm::radians(45.0f), look_at(eye, 2.0f * eye)));
  }
  CHECK_THROWS_WITH(check_cameras_see(away, box, "data/transforms.json"),
                    Catch::Contains("data/transforms.json") && Catch::Contains("sees"));
}

TEST_CASE("Gaussian fit: a divergent learning rate stops on NaN and keeps the last checkpoint",
          "[gaussian_fit]") {
  const GaussianCloud truth = coloured_blobs();
  const std::vector<FitView> train = render_views(truth, ring_cameras(4, 32), "train");
  GaussianFitOptions options;
  options.sh_degree = 0;
  options.position_lr = 1e37f;  // each step moves a mean by ~1e37 m: the second overflows
  options.scale_lr = 1e37f;
  GaussianFittable model(coloured_blobs(), options);
  FitLoopOptions loop;
  loop.steps = 50;
  loop.progress = false;
  const std::string dir = test::fresh_dir("gaussian_nan");
  loop.checkpoint_path = dir + "/checkpoint.ply";
  loop.checkpoint_every = 1;
  const FitLoopReport report = fit_to_views(model, train, {}, loop);
  INFO(report.message);
  REQUIRE(report.stopped_on_nan);
  CHECK(report.steps < 50);
  CHECK_THAT(report.message, Catch::Contains("non-finite"));
  // The checkpoint on disk is the last good state: readable and finite.
  const GaussianCloud saved = read_gaussian_ply(loop.checkpoint_path);
  CHECK(saved.size() == truth.size());
  for (size_t i = 0; i < saved.size(); ++i) CHECK(find_defect(saved, i) == GaussianDefect::kNone);
}
