// Finite-difference checks of the Gaussian rasterizer's backward pass. The rasterizer's passes are
// templates; these tests run them in double precision (the same code as the float renderer) so
// that central differences with small steps are accurate, with the renderer's real thresholds
// (1/255 cutoff, 0.99 cap, 3-sigma tiles) left on. A perturbation that crosses one of those
// discontinuities is detected (two step sizes disagree) and skipped; few may be.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "neural/core/parallel.h"
#include "neural/gaussians/gaussian_backward.h"
#include "neural/gaussians/gaussian_raster.h"
#include "neural/gaussians/gaussian_render.h"

using namespace strata;
using gaussian_detail::GaussianCloudF64;

namespace {

struct Scene {
  GaussianCloudF64 cloud;
  Camera camera;
  GaussianRenderOptions options;
  std::vector<glm::dvec4> weights;  // dL/d(output pixel): the loss is linear in the image
};

Scene make_scene(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Scene s;
  // A generic pose: looking at the origin from an oblique direction.
  s.camera = Camera::pinhole_fov_y(32, 24, glm::radians(60.0f),
                                   look_at(vec3(0.7f, -0.4f, 3.2f), vec3(0.0f), vec3(0, 1, 0)));
  s.options.background = vec4(0.05f, 0.1f, 0.15f, 0.3f);
  GaussianCloud c;
  c.sh_degree = 3;
  const int n = 14;
  c.resize(n);
  const mat4 c2w = s.camera.camera_to_world;
  for (int i = 0; i < n; ++i) {
    // Spread over the view at 2.4 .. 4 m, in camera coordinates, then to the world.
    const float z = 2.4f + 0.8f * float(u(rng) + 1.0);
    vec3 cam_p(0.75f * z * float(u(rng)), 0.55f * z * float(u(rng)), -z);
    float scale = 0.06f + 0.05f * float(u(rng) + 1.0);
    if (i == 0) {
      // Beyond the 1.3x field-of-view clamp of J (x/z = 1.2 > 1.0), large enough to be seen.
      cam_p = vec3(1.2f * 3.0f, 0.1f, -3.0f);
      scale = 0.9f;
    } else if (i == 1) {
      // Nearly opaque and wide: its alpha is capped at 0.99 on a few pixels around its centre.
      cam_p = vec3(-0.5f * 4.0f, -0.4f * 4.0f, -4.0f);
      scale = 1.2f;
    }
    c.positions[i] = vec3(c2w * vec4(cam_p, 1.0f));
    c.log_scales[i] =
        glm::log(vec3(scale) * vec3(1.0f + 0.5f * float(u(rng)), 1.0f + 0.5f * float(u(rng)),
                                    1.0f + 0.5f * float(u(rng))));
    // Unnormalised quaternions: the gradient includes the normalisation.
    c.rotations[i] = quat(1.0f + 0.5f * float(u(rng)), 0.6f * float(u(rng)), 0.6f * float(u(rng)),
                          0.6f * float(u(rng)));
    c.opacity_logits[i] = 1.5f * float(u(rng)) + 0.5f;
    for (int k = 0; k < c.sh_coefficients(); ++k)
      c.sh_at(i, k) = (k == 0 ? 1.2f : 0.25f) * vec3(float(u(rng)), float(u(rng)), float(u(rng)));
  }
  c.opacity_logits[1] = 8.0f;               // 0.99966: capped at 0.99 near its centre
  c.sh_at(2, 0) = vec3(-3.0f, 0.5f, 0.2f);  // red channel clamped at 0
  s.cloud = gaussian_detail::to_f64(c);
  s.weights.resize(size_t(s.camera.width) * s.camera.height);
  for (auto& w : s.weights) w = glm::dvec4(u(rng), u(rng), u(rng), u(rng));
  return s;
}

// A panorama around an oblique camera: Gaussians in all directions at 2 .. 4 m, one straddling
// the u = 0 / W seam (straight behind), one 80 degrees up and one at the pole.
Scene make_panorama_scene(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Scene s;
  s.camera =
      Camera::equirectangular(64, 32, look_at(vec3(0.2f, 0.1f, 0.3f), vec3(1.0f, 0.3f, -2.0f)));
  s.options.background = vec4(0.1f, 0.05f, 0.0f, 0.2f);
  GaussianCloud c;
  c.sh_degree = 2;
  const int n = 16;
  c.resize(n);
  const mat4 c2w = s.camera.camera_to_world;
  for (int i = 0; i < n; ++i) {
    const float r = 2.0f + float(u(rng) + 1.0);
    float azimuth = float(u(rng)) * kPi, elevation = 0.45f * float(u(rng)) * kPi;
    if (i == 0) azimuth = kPi, elevation = 0.05f;  // behind: on the seam
    if (i == 1) elevation = glm::radians(80.0f);
    if (i == 2) elevation = glm::radians(89.99f);  // inside J's pole clamp (cos < 1e-3)
    const vec3 dir(std::cos(elevation) * std::sin(azimuth), std::sin(elevation),
                   -std::cos(elevation) * std::cos(azimuth));
    c.positions[i] = vec3(c2w * vec4(r * dir, 1.0f));
    const float scale = 0.08f + 0.06f * float(u(rng) + 1.0);
    c.log_scales[i] =
        glm::log(vec3(scale) * vec3(1.0f + 0.5f * float(u(rng)), 1.0f + 0.5f * float(u(rng)),
                                    1.0f + 0.5f * float(u(rng))));
    c.rotations[i] = quat(1.0f + 0.5f * float(u(rng)), 0.6f * float(u(rng)), 0.6f * float(u(rng)),
                          0.6f * float(u(rng)));
    c.opacity_logits[i] = 1.5f * float(u(rng)) + 0.5f;
    for (int k = 0; k < c.sh_coefficients(); ++k)
      c.sh_at(i, k) = (k == 0 ? 1.2f : 0.25f) * vec3(float(u(rng)), float(u(rng)), float(u(rng)));
  }
  s.cloud = gaussian_detail::to_f64(c);
  s.weights.resize(size_t(s.camera.width) * s.camera.height);
  for (auto& w : s.weights) w = glm::dvec4(u(rng), u(rng), u(rng), u(rng));
  return s;
}

double loss(const Scene& s) {
  GaussianRasterStateT<double> state;
  std::vector<glm::dvec4> color;
  std::vector<double> depth;
  gaussian_detail::forward(s.cloud, s.camera, s.options, &state, &color, &depth);
  double l = 0.0;
  for (size_t i = 0; i < color.size(); ++i) l += glm::dot(color[i], s.weights[i]);
  return l;
}

GaussianGradientsT<double> analytic(const Scene& s) {
  GaussianRasterStateT<double> state;
  std::vector<glm::dvec4> color;
  std::vector<double> depth;
  gaussian_detail::forward(s.cloud, s.camera, s.options, &state, &color, &depth);
  return gaussian_detail::backward(s.cloud, gaussian_detail::camera_model<double>(s.camera),
                                   s.options, state, s.weights);
}

// One scalar parameter: where it lives in the scene and where its gradient lives.
struct Param {
  std::string group;
  double* value;
  double gradient;
};

std::vector<Param> parameters(Scene& s, const GaussianGradientsT<double>& g, double scale) {
  std::vector<Param> out;
  const int k_count = s.cloud.sh_coefficients();
  for (size_t i = 0; i < s.cloud.size(); ++i) {
    for (int a = 0; a < 3; ++a) {
      out.push_back({"position", &s.cloud.positions[i][a], scale * g.positions[i][a]});
      out.push_back({"log_scale", &s.cloud.log_scales[i][a], scale * g.log_scales[i][a]});
    }
    glm::dquat& q = s.cloud.rotations[i];
    const glm::dquat& gq = g.rotations[i];
    out.push_back({"rotation", &q.w, scale * gq.w});
    out.push_back({"rotation", &q.x, scale * gq.x});
    out.push_back({"rotation", &q.y, scale * gq.y});
    out.push_back({"rotation", &q.z, scale * gq.z});
    out.push_back({"opacity", &s.cloud.opacity_logits[i], scale * g.opacity_logits[i]});
    for (int k = 0; k < k_count; ++k)
      for (int c = 0; c < 3; ++c)
        out.push_back({k == 0 ? "sh_dc" : "sh_rest", &s.cloud.sh[i * k_count + k][c],
                       scale * g.sh[i * k_count + k][c]});
  }
  return out;
}

struct CheckResult {
  int checked = 0, skipped = 0, failed = 0;
  double worst = 0.0;
  std::string report;
};

// Compares each analytic gradient (times `scale`: 1 for the real check) with central
// differences. Entries whose two step sizes disagree straddle a discontinuity and are skipped.
CheckResult check_gradients(Scene& s, double scale) {
  const GaussianGradientsT<double> g = analytic(s);
  std::vector<Param> params = parameters(s, g, scale);
  double largest = 0.0;
  for (const Param& p : params) largest = std::max(largest, std::abs(p.gradient));
  CheckResult r;
  std::ostringstream report;
  for (Param& p : params) {
    const double v0 = *p.value;
    auto fd = [&](double h) {
      *p.value = v0 + h;
      const double lp = loss(s);
      *p.value = v0 - h;
      const double lm = loss(s);
      *p.value = v0;
      return (lp - lm) / (2.0 * h);
    };
    const double h = 1e-6 * std::max(1.0, std::abs(v0));
    const double d1 = fd(h), d2 = fd(0.5 * h);
    const double magnitude = std::max({std::abs(d1), std::abs(p.gradient), 1e-4 * largest});
    if (std::abs(d1 - d2) > 1e-4 * magnitude + 1e-7) {
      ++r.skipped;
      continue;
    }
    ++r.checked;
    const double rel = std::abs(p.gradient - d2) / magnitude;
    r.worst = std::max(r.worst, rel);
    if (rel > 1e-4) {
      ++r.failed;
      if (r.failed <= 8)
        report << p.group << ": analytic " << p.gradient << " vs finite difference " << d2
               << " (relative error " << rel << ")\n";
    }
  }
  r.report = report.str();
  return r;
}

}  // namespace

TEST_CASE("Gaussian backward matches central differences for every parameter", "[gaussians]") {
  for (unsigned seed : {1u, 2u}) {
    Scene s = make_scene(seed);
    // The scene must exercise the interesting paths: visible Gaussians, a capped alpha, a clamped
    // colour channel and the clamped Jacobian.
    GaussianRasterStateT<double> state;
    std::vector<glm::dvec4> color;
    std::vector<double> depth;
    gaussian_detail::forward(s.cloud, s.camera, s.options, &state, &color, &depth);
    int visible = 0;
    for (int r : state.projected.radii) visible += r > 0;
    REQUIRE(visible >= 10);
    REQUIRE(state.projected.radii[0] > 0);
    REQUIRE((state.projected.clamped[2] & 1) != 0);
    int capped = 0;  // pixels where Gaussian 1's alpha is capped
    for (int py = 0; py < s.camera.height; ++py)
      for (int px = 0; px < s.camera.width; ++px) {
        const glm::dvec2 d = state.projected.means[1] - glm::dvec2(px + 0.5, py + 0.5);
        const glm::dvec3 q = state.projected.conics[1];
        const double power = -0.5 * (q.x * d.x * d.x + q.z * d.y * d.y) - q.y * d.x * d.y;
        capped += state.projected.opacities[1] * std::exp(power) > 0.99;
      }
    REQUIRE(capped >= 1);
    const CheckResult r = check_gradients(s, 1.0);
    INFO("seed " << seed << ": checked " << r.checked << ", skipped " << r.skipped
                 << ", worst relative error " << r.worst << "\n"
                 << r.report);
    CHECK(r.failed == 0);
    CHECK(r.checked > 600);
    CHECK(r.skipped <= r.checked / 50);
  }
}

TEST_CASE("the gradient check detects a 1% error in the gradients", "[gaussians]") {
  // The tolerance must be tight enough to catch a wrong gradient: scale them all by 1.01.
  Scene s = make_scene(3);
  const CheckResult r = check_gradients(s, 1.01);
  CHECK(r.failed > r.checked / 2);
}

TEST_CASE("Gaussian backward in float agrees with double", "[gaussians]") {
  Scene s = make_scene(4);
  const GaussianGradientsT<double> gd = analytic(s);
  // The same scene through the public float API.
  GaussianCloud c;
  c.sh_degree = s.cloud.sh_degree;
  c.resize(s.cloud.size());
  for (size_t i = 0; i < c.size(); ++i) {
    c.positions[i] = vec3(s.cloud.positions[i]);
    c.log_scales[i] = vec3(s.cloud.log_scales[i]);
    const glm::dquat q = s.cloud.rotations[i];
    c.rotations[i] = quat(float(q.w), float(q.x), float(q.y), float(q.z));
    c.opacity_logits[i] = float(s.cloud.opacity_logits[i]);
  }
  for (size_t k = 0; k < c.sh.size(); ++k) c.sh[k] = vec3(s.cloud.sh[k]);
  Image weights(s.camera.width, s.camera.height);
  for (size_t i = 0; i < weights.pixels.size(); ++i) weights.pixels[i] = vec4(s.weights[i]);
  GaussianRasterState state;
  render_gaussians(c, s.camera, s.options, &state);
  const GaussianGradients gf = backward_gaussians(c, s.camera, s.options, state, weights);
  REQUIRE(gf.positions.size() == c.size());
  REQUIRE(gf.sh.size() == c.sh.size());
  auto compare = [](double a, double b, double scale) {
    return std::abs(a - b) <= 2e-3 * std::max(std::abs(b), scale);
  };
  double scale = 0.0;
  for (const auto& p : gd.positions) scale = std::max(scale, glm::length(p));
  int bad = 0;
  double scale_2d = 0.0;
  for (const auto& m : gd.means2d) scale_2d = std::max(scale_2d, glm::length(m));
  for (size_t i = 0; i < c.size(); ++i) {
    for (int a = 0; a < 3; ++a) {
      bad += !compare(gf.positions[i][a], gd.positions[i][a], 1e-2 * scale);
      bad += !compare(gf.log_scales[i][a], gd.log_scales[i][a], 1e-2 * scale);
    }
    for (int a = 0; a < 2; ++a)
      bad += !compare(gf.means2d[i][a], gd.means2d[i][a], 1e-2 * scale_2d);
  }
  CHECK(bad == 0);
}

TEST_CASE("Gaussian backward is deterministic across thread counts", "[gaussians]") {
  Scene s = make_scene(5);
  const int threads = thread_count();
  set_thread_count(1);
  const GaussianGradientsT<double> a = analytic(s);
  set_thread_count(3);
  const GaussianGradientsT<double> b = analytic(s);
  set_thread_count(threads);
  CHECK(a.positions == b.positions);
  CHECK(a.sh == b.sh);
  CHECK(a.rotations == b.rotations);
  CHECK(a.opacity_logits == b.opacity_logits);
}

TEST_CASE("equirectangular Gaussian backward matches central differences", "[gaussians]") {
  Scene s = make_panorama_scene(6);
  GaussianRasterStateT<double> state;
  std::vector<glm::dvec4> color;
  std::vector<double> depth;
  gaussian_detail::forward(s.cloud, s.camera, s.options, &state, &color, &depth);
  int visible = 0;
  for (int r : state.projected.radii) visible += r > 0;
  REQUIRE(visible >= 14);
  const glm::ivec4 seam = state.projected.tile_rects[0];
  REQUIRE(seam.x > seam.z);  // the first Gaussian's tiles wrap around the seam
  const CheckResult r = check_gradients(s, 1.0);
  INFO("checked " << r.checked << ", skipped " << r.skipped << ", worst relative error " << r.worst
                  << "\n"
                  << r.report);
  CHECK(r.failed == 0);
  CHECK(r.checked > 450);
  CHECK(r.skipped <= r.checked / 50);
}
