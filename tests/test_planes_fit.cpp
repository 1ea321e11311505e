// Fitting planes: the plane renderer's backward pass against finite differences, and a tiny
// analytic scene that a fit from a blank start must reproduce.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "neural/core/error.h"
#include "neural/core/metrics.h"
#include "neural/field/field_render.h"
#include "neural/field/radiance_field.h"
#include "neural/fit/fit_loop.h"
#include "neural/planes/field_to_mpi.h"
#include "neural/planes/fronto_parallel_mpi.h"
#include "neural/planes/mpi_fit.h"
#include "neural/planes/mpi_fit_run.h"
#include "neural/planes/plane_refine.h"
#include "neural/planes/plane_set_backward.h"
#include "neural/planes/plane_set_fittable.h"
#include "neural/planes/plane_set_render.h"
#include "neural/planes/smpi.h"

using namespace strata;

namespace {

// Two crossing planes (one fronto-parallel, one tilted) with random half-transparent textures.
PlaneSet crossing_planes(uint32_t seed, int tex_w, int tex_h) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.15f, 0.85f);
  const Camera camera = Camera::pinhole_fov_y(12, 10, glm::radians(50.0f), mat4(1.0f));
  PlaneSet set;
  set.planes.push_back(fronto_parallel_plane(camera, 3.0f, 1.0f));
  Plane tilted = fronto_parallel_plane(camera, 2.5f, 1.0f);
  tilted.origin.z -= 1.0f;  // left edge farther: crosses the first plane
  tilted.u_axis.z += 2.0f;
  set.planes.push_back(tilted);
  for (Plane& p : set.planes) {
    p.texture = Image(tex_w, tex_h);
    for (vec4& t : p.texture.pixels) {
      const float a = u(rng);
      t = vec4(u(rng) * a, u(rng) * a, u(rng) * a, a);
    }
  }
  return set;
}

// L = sum of weights . colour, so dL/dcolour = weights.
double weighted_sum(const Image& image, const Image& weights) {
  double s = 0.0;
  for (size_t i = 0; i < image.pixels.size(); ++i)
    s += double(glm::dot(image.pixels[i], weights.pixels[i]));
  return s;
}

Image random_weights(int w, int h, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Image weights(w, h);
  for (vec4& p : weights.pixels) p = vec4(u(rng), u(rng), u(rng), u(rng));
  return weights;
}

}  // namespace

TEST_CASE("plane renderer backward matches finite differences", "[planes_fit]") {
  PlaneSet set = crossing_planes(3, 6, 5);
  const Camera camera = Camera::pinhole_fov_y(12, 10, glm::radians(50.0f), mat4(1.0f));
  const Image weights = random_weights(camera.width, camera.height, 7);
  std::vector<TextureGradient> grads;
  for (const Plane& p : set.planes) grads.emplace_back(p.texture.pixels.size(), vec4(0.0f));
  render_planes_backward(set, camera, weights, grads);
  const float h = 1e-3f;
  int checked = 0;
  double max_gradient = 0.0;
  for (size_t p = 0; p < set.planes.size(); ++p)
    for (size_t i = 0; i < set.planes[p].texture.pixels.size(); ++i)
      for (int ch = 0; ch < 4; ++ch) {
        float& value = set.planes[p].texture.pixels[i][ch];
        const float saved = value;
        value = saved + h;
        const double plus = weighted_sum(render_planes(set, camera).color, weights);
        value = saved - h;
        const double minus = weighted_sum(render_planes(set, camera).color, weights);
        value = saved;
        const double numeric = (plus - minus) / (2.0 * h);
        const double analytic = grads[p][i][ch];
        max_gradient = std::max(max_gradient, std::abs(analytic));
        INFO("plane " << p << " texel " << i << " channel " << ch);
        CHECK(analytic == Approx(numeric).margin(2e-3).epsilon(2e-2));
        ++checked;
      }
  CHECK(checked == 2 * 30 * 4);
  CHECK(max_gradient > 0.1);  // the texels are seen: the test is not comparing zeros
}

TEST_CASE("plane fittable gradients match finite differences through the sigmoids",
          "[planes_fit]") {
  PlaneSetFittable model(crossing_planes(5, 4, 4));
  const Camera camera = Camera::pinhole_fov_y(12, 10, glm::radians(50.0f), mat4(1.0f));
  const Image weights = random_weights(camera.width, camera.height, 9);
  std::vector<float> grads(model.parameters().size(), 0.0f);
  model.forward(camera);
  model.backward(weights, grads);
  const float h = 1e-2f;
  std::vector<float>& params = model.parameters();
  double max_gradient = 0.0;
  for (size_t k = 0; k < params.size(); ++k) {
    const float saved = params[k];
    params[k] = saved + h;
    const double plus = weighted_sum(model.forward(camera), weights);
    params[k] = saved - h;
    const double minus = weighted_sum(model.forward(camera), weights);
    params[k] = saved;
    const double numeric = (plus - minus) / (2.0 * h);
    max_gradient = std::max(max_gradient, std::abs(double(grads[k])));
    INFO("parameter " << k);
    CHECK(grads[k] == Approx(numeric).margin(1e-3).epsilon(2e-2));
  }
  CHECK(max_gradient > 0.01);
}

TEST_CASE("the plane renderer's forward is the reference renderer", "[planes_fit]") {
  PlaneSetFittable model(crossing_planes(11, 8, 8));
  const Camera camera = Camera::pinhole_fov_y(24, 20, glm::radians(50.0f), mat4(1.0f));
  CHECK(psnr(model.forward(camera), render_planes(model.planes(), camera).color) > 100.0);
}

TEST_CASE("an MPI fitted from a blank start reproduces a tiny analytic scene", "[planes_fit]") {
  // Three fronto-parallel planes with known patterns, seen from a 3x3 grid of cameras (several
  // pixels of parallax between the planes, so that the layers are identifiable); the student
  // has the same planes with grey, half-transparent textures.
  const Camera reference = Camera::pinhole_fov_y(24, 24, glm::radians(45.0f), mat4(1.0f));
  PlaneSet truth = make_fronto_parallel_mpi(reference, 1.5f, 6.0f, 3, 16, 16);
  for (size_t p = 0; p < 3; ++p)
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) {
        const bool on = p == 0 ? true : ((x / 4 + y / 4 + int(p)) % 2 == 0);
        const float a = on ? (p == 0 ? 1.0f : 0.8f) : 0.0f;
        const vec3 c(0.2f + 0.6f * float(p == 0), 0.3f + 0.2f * float(x) / 16.0f,
                     0.9f - 0.3f * float(p));
        truth.planes[p].texture.at(x, y) = vec4(c * a, a);
      }
  std::vector<FitView> train, test;
  for (int j = -1; j <= 1; ++j)
    for (int i = -1; i <= 1; ++i) {
      Camera c = reference;
      c.camera_to_world[3] = vec4(0.4f * float(i), 0.4f * float(j), 0.0f, 1.0f);
      train.push_back({"train", c, render_planes(truth, c).color});
    }
  for (const vec2 offset : {vec2(0.2f, 0.17f), vec2(-0.23f, -0.13f)}) {
    Camera c = reference;
    c.camera_to_world[3] = vec4(offset, 0.0f, 1.0f);
    test.push_back({"test", c, render_planes(truth, c).color});
  }
  PlaneSet start = truth;
  for (Plane& p : start.planes) p.texture = Image(16, 16, vec4(0.25f, 0.25f, 0.25f, 0.5f));
  PlaneSetFittable model(start, 0.1f, 0.1f);
  FitLoopOptions options;
  options.steps = 400;
  options.loss = FitLoss::kL2;
  options.progress = false;
  const double before = score_views(model, test, vec3(0.0f))[0].psnr;
  const FitLoopReport report = fit_to_views(model, train, test, options);
  INFO("held-out PSNR " << before << " dB -> " << report.mean_psnr << " dB; train "
                        << report.final_train_psnr);
  CHECK_FALSE(report.stopped_on_nan);
  CHECK(report.steps == 400);
  CHECK(report.held_out.size() == 2);
  CHECK(report.mean_psnr > 33.0);
  CHECK(report.mean_psnr > before + 15.0);
}

TEST_CASE("RANSAC finds known planes among noisy points and outliers", "[planes_fit]") {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 0.005f);
  std::vector<vec3> points;
  for (int i = 0; i < 1500; ++i) points.push_back({4 * u(rng) - 2, 4 * u(rng), noise(rng)});  // z=0
  for (int i = 0; i < 1000; ++i)
    points.push_back({4 * u(rng) - 2, 4 + noise(rng), 3 * u(rng)});  // y=4
  for (int i = 0; i < 700; ++i)
    points.push_back({-2 + noise(rng), 4 * u(rng), 3 * u(rng)});  // x=-2
  for (int i = 0; i < 600; ++i)
    points.push_back({4 * u(rng) - 2, 4 * u(rng), 3 * u(rng)});  // outliers
  RansacOptions options;
  options.threshold = 0.03f;
  options.min_fraction = 0.05f;
  const std::vector<DetectedPlane> planes = ransac_planes(points, options);
  REQUIRE(planes.size() == 3);
  const vec3 normals[3] = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}};
  const float offsets[3] = {0.0f, 4.0f, -2.0f};
  for (int k = 0; k < 3; ++k) {
    INFO("plane " << k);
    const DetectedPlane& p = planes[size_t(k)];  // biggest first: floor, back wall, side wall
    const float sign = glm::dot(p.normal, normals[k]) < 0.0f ? -1.0f : 1.0f;
    CHECK(std::abs(glm::dot(p.normal, normals[k])) > std::cos(glm::radians(1.0f)));
    CHECK(sign * p.offset == Approx(offsets[k]).margin(0.02));
    CHECK(p.inliers.size() > size_t(k == 0 ? 1400 : k == 1 ? 900 : 600));
  }
  // The same plane found in two views merges into one; a different one stays apart.
  DetectedPlane a = planes[0], b = planes[0], c = planes[1];
  b.normal = glm::normalize(b.normal + vec3(0.02f, 0, 0));
  b.offset += 0.01f;
  const auto merged = merge_planes({a, b, c}, points, glm::radians(5.0f), 0.05f);
  CHECK(merged.size() == 2);
}

TEST_CASE("a structural MPI layout finds the planes of a box room from depth", "[planes_fit]") {
  // Floor, back wall and left wall as opaque planes; their depth seen from three cameras.
  PlaneSet room;
  auto wall = [&](vec3 origin, vec3 u, vec3 v) {
    Plane p;
    p.origin = origin;
    p.u_axis = u;
    p.v_axis = v;
    p.texture = Image(4, 4, vec4(0.5f, 0.5f, 0.5f, 1.0f));
    room.planes.push_back(p);
  };
  wall({-3, -1, -8}, {6, 0, 0}, {0, 0, 8});  // floor y = -1
  wall({-3, 3, -8}, {6, 0, 0}, {0, -4, 0});  // back wall z = -8
  wall({-3, 3, 0}, {0, 0, -8}, {0, -4, 0});  // left wall x = -3
  std::vector<DepthView> views;
  Camera reference;
  for (int i = -1; i <= 1; ++i) {
    const Camera c = Camera::pinhole_fov_y(64, 48, glm::radians(70.0f),
                                           look_at(vec3(0.3f * float(i), 0.5f, 0), vec3(0, 0, -8)));
    if (i == 0) reference = c;
    const RenderOutput r = render_planes(room, c);
    DepthView v{c, r.depth, ScalarImage(64, 48, 1.0f)};
    views.push_back(v);
  }
  SmpiOptions options;
  options.fronto_planes = 2;
  const SmpiLayout layout = build_smpi_layout(reference, views, options);
  CHECK(layout.structural == 3);
  // Points within a few pixels of a crease have mixed normals and stay unexplained.
  CHECK(float(layout.explained) > 0.9f * float(layout.points));
  CHECK(layout.planes.planes.size() == 5);
  // Each structural plane lies on one of the room's planes.
  for (int k = 0; k < layout.structural; ++k) {
    const Plane& p = layout.planes.planes[size_t(k)];
    const vec3 n = p.normal();
    const bool floor = std::abs(n.y) > 0.999f && std::abs(p.center().y + 1.0f) < 0.05f;
    const bool back = std::abs(n.z) > 0.999f && std::abs(p.center().z + 8.0f) < 0.1f;
    const bool left = std::abs(n.x) > 0.999f && std::abs(p.center().x + 3.0f) < 0.05f;
    INFO("plane " << k << " normal " << n.x << " " << n.y << " " << n.z);
    CHECK((floor || back || left));
  }
}

TEST_CASE("photo-consistency moves a misplaced posed plane back onto a textured floor",
          "[planes_fit]") {
  // A textured floor y = -1 seen by five cameras; the plane to refine starts 6 cm too high and
  // tilted by 1.5 degrees.
  Plane floor;
  floor.origin = vec3(-3, -1, -9);
  floor.u_axis = vec3(6, 0, 0);
  floor.v_axis = vec3(0, 0, 8);
  floor.texture = Image(96, 128);
  for (int y = 0; y < 128; ++y)
    for (int x = 0; x < 96; ++x) {
      // Smooth colour waves: a sharp checker would make the cost depend on resampling at edges.
      const float fx = float(x), fy = float(y);
      floor.texture.at(x, y) = vec4(0.5f + 0.4f * std::sin(0.35f * fx) * std::cos(0.2f * fy),
                                    0.5f + 0.4f * std::sin(0.23f * fy + 0.1f * fx),
                                    0.5f + 0.4f * std::cos(0.3f * fx - 0.17f * fy), 1.0f);
    }
  PlaneSet truth;
  truth.planes.push_back(floor);
  std::vector<FitView> views;
  for (int i = -2; i <= 2; ++i) {
    const Camera c = Camera::pinhole_fov_y(
        192, 144, glm::radians(60.0f), look_at(vec3(0.4f * float(i), 0.3f, 0), vec3(0, -1, -5)));
    views.push_back(
        FitView{std::string("v").append(std::to_string(i)), c, render_planes(truth, c).color});
  }
  PlaneSet start = truth;
  Plane& p = start.planes[0];
  const vec3 centre = p.center() + vec3(0, 0.06f, 0);
  const mat3 tilt = glm::mat3_cast(glm::angleAxis(glm::radians(1.5f), vec3(1, 0, 0)));
  p.u_axis = tilt * p.u_axis;
  p.v_axis = tilt * p.v_axis;
  p.origin = centre - 0.5f * (p.u_axis + p.v_axis);
  const auto result = refine_plane_poses(start, 0, 1, views, nullptr);
  REQUIRE(result.size() == 1);
  INFO("moved " << result[0].moved << " m, turned " << result[0].turned_deg << " deg, variance "
                << result[0].cost_before << " -> " << result[0].cost_after);
  CHECK(result[0].cost_after < 0.3 * result[0].cost_before);
  const Plane& q = start.planes[0];
  const float angle = glm::degrees(std::acos(std::min(1.0f, std::abs(q.normal().y))));
  INFO("left: " << angle << " deg, " << q.center().y + 1.0f << " m");
  CHECK(angle < 0.5f);                           // from 1.5
  CHECK(std::abs(q.center().y + 1.0f) < 0.02f);  // from 0.06
  // No views that see it: the plane stays where it is.
  PlaneSet alone = truth;
  CHECK(refine_plane_poses(alone, 0, 1, {}, nullptr)[0].moved == 0.0f);
}

TEST_CASE("field to MPI in closed form reproduces the field from the reference camera",
          "[planes_fit]") {
  // A field of constant density and colour (all weights zero: density exp(bias), colour 0.5)
  // over its box: the slabs' alphas and colours must composite to the field's own render.
  FieldConfig config;
  config.encoding.levels = 2;
  config.encoding.log2_table_size = 10;
  config.encoding.base_resolution = 4;
  config.encoding.finest_resolution = 8;
  config.density_hidden = 16;
  config.color_hidden = 16;
  config.grid_resolution = 8;
  config.density_bias = std::log(0.6f);
  config.box_lo = vec3(-1.0f);
  config.box_hi = vec3(1.0f);
  RadianceField field = create_field(config, 1);
  std::fill(field.params.begin(), field.params.end(), 0.0f);
  const Camera reference = Camera::pinhole_fov_y(24, 20, glm::radians(60.0f),
                                                 look_at(vec3(0.3f, 0.2f, 3.5f), vec3(0.0f)));
  PlaneSet mpi = make_mpi_to_fit(reference, DepthRange{2.0f, 5.0f}, 12, 0.0f);
  field_to_mpi(field, mat4(1.0f), mpi, 8);
  const Image field_render = render_field(field, reference).color;
  const Image mpi_render = render_planes(mpi, reference).color;
  const double db = psnr(mpi_render, field_render);
  INFO("MPI vs field " << db << " dB; centre alpha " << mpi_render.at(12, 10).a << " vs "
                       << field_render.at(12, 10).a);
  CHECK(field_render.at(12, 10).a > 0.5f);  // the box is dense enough to matter
  CHECK(db > 35.0);
}

TEST_CASE("cameras that do not see the bounds are bad input", "[planes_fit]") {
  const Camera c = Camera::pinhole_fov_y(32, 24, glm::radians(50.0f), mat4(1.0f));  // looks down -z
  Bounds3 behind;
  behind.add(vec3(-1, -1, 4));
  behind.add(vec3(1, 1, 6));
  CHECK_THROWS_AS(check_cameras_see(behind, {c}, "data.json"), InputError);
  Bounds3 ahead;
  ahead.add(vec3(-1, -1, -6));
  ahead.add(vec3(1, 1, -4));
  CHECK_NOTHROW(check_cameras_see(ahead, {c}, "data.json"));
}
