// Fitting a radiance field: an analytic coloured sphere (rendered exactly, a few views) fitted to
// >= 30 dB on a held-out view, determinism for a fixed seed, and stop/resume through checkpoints.
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/json_io.h"
#include "neural/core/metrics.h"
#include "neural/core/parallel.h"
#include "neural/field/field_io.h"
#include "neural/field/field_render.h"
#include "neural/field/fit.h"
#include "neural/field/trainer.h"
#include "tests/test_support.h"

using namespace strata;
namespace fs = std::filesystem;

namespace {

constexpr float kRadius = 0.6f;
constexpr float kDistance = 2.5f;

// The sphere seen by `camera`: colour 0.5 + 0.4 * normal on the sphere, transparent elsewhere.
Image render_sphere(const Camera& camera) {
  Image image(camera.width, camera.height);
  for (int y = 0; y < camera.height; ++y)
    for (int x = 0; x < camera.width; ++x) {
      const Ray r = camera.ray(vec2(float(x) + 0.5f, float(y) + 0.5f));
      const float b = glm::dot(r.origin, r.direction);
      const float c = glm::dot(r.origin, r.origin) - kRadius * kRadius;
      const float disc = b * b - c;
      if (disc < 0.0f) continue;
      const float t = -b - std::sqrt(disc);
      const vec3 n = glm::normalize(r.origin + t * r.direction);
      image.at(x, y) = vec4(vec3(0.5f) + 0.4f * n, 1.0f);
    }
  return image;
}

// A camera on a sphere around the sphere, looking at it.
Camera sphere_camera(float azimuth, float elevation, int size) {
  const vec3 eye = kDistance * vec3(std::cos(elevation) * std::cos(azimuth), std::sin(elevation),
                                    std::cos(elevation) * std::sin(azimuth));
  return Camera::pinhole_fov_y(size, size, glm::radians(40.0f), look_at(eye, vec3(0.0f)));
}

std::vector<TrainView> sphere_views(int size) {
  std::vector<TrainView> views;
  // Three rings of eight (few views let a field fake the geometry with view-dependent colour).
  for (int ring = 0; ring < 3; ++ring)
    for (int i = 0; i < 8; ++i) {
      const Camera c = sphere_camera((float(i) + 0.5f * float(ring)) * kPi / 4.0f,
                                     -0.5f + 0.5f * float(ring), size);
      views.push_back(TrainView{c, render_sphere(c)});
    }
  return views;
}

FieldConfig small_config() {
  FieldConfig c;
  c.encoding.levels = 8;
  c.encoding.log2_table_size = 14;
  c.encoding.base_resolution = 8;
  c.encoding.finest_resolution = 128;
  c.density_hidden = 32;
  c.color_hidden = 32;
  c.color_hidden_layers = 1;
  c.geometry_features = 8;
  c.sh_degree = 2;
  c.box_lo = vec3(-1.0f);
  c.box_hi = vec3(1.0f);
  c.min_step = 2.0f * std::sqrt(3.0f) / 256.0f;
  c.max_step = c.min_step;
  c.grid_resolution = 32;
  return c;
}

TrainerOptions small_trainer(uint64_t seed) {
  TrainerOptions t;
  t.seed = seed;
  t.target_samples_per_step = 1 << 13;
  t.min_rays_per_step = 256;
  t.max_rays_per_step = 1024;
  t.rays_per_chunk = 32;
  t.occupancy_interval = 8;
  t.occupancy_warmup = 64;
  return t;
}

// A transforms.json dataset of the sphere (8 training views and 2 test views, RGBA PNGs).
std::string write_sphere_dataset(const std::string& name, int size) {
  const std::string dir = test::output_dir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  Json frames = Json::array();
  for (int i = 0; i < 10; ++i) {
    const Camera c = sphere_camera(float(i) * 0.7f, i % 2 ? 0.4f : -0.2f, size);
    const std::string file = "view_" + std::to_string(i) + ".png";
    write_png(dir + "/" + file, render_sphere(c));
    frames.push_back(
        {{"file_path", file}, {"transform_matrix", matrix_to_json(c.camera_to_world)}});
  }
  const Json root = {{"camera_angle_x", 2.0 * std::atan(std::tan(glm::radians(20.0)))},
                     {"frames", frames}};
  write_json_file(dir + "/transforms.json", root);
  return dir;
}

}  // namespace

TEST_CASE("A field fits an analytic sphere to 30 dB on a held-out view", "[field]") {
  RadianceField field = create_field(small_config(), 1);
  FieldTrainer trainer(field, sphere_views(64), small_trainer(1));
  for (int i = 0; i < 600; ++i) trainer.step(i < 400 ? 1e-2f : 2e-3f);
  const Camera held_out = sphere_camera(0.5f, 0.2f, 64);
  const RenderOutput out = render_field(field, held_out);
  const auto cmp =
      test::compare_images("field_sphere", out.color, render_sphere(held_out), 30.0, vec3(1.0f));
  INFO(cmp.message);
  CHECK(cmp.ok);
  // Depth: z-depth of the sphere's front at the centre pixel, 0 off the sphere.
  CHECK(out.depth.at(32, 32) == Approx(kDistance - kRadius).margin(0.05));  // < 4 steps
  CHECK(out.depth.at(0, 0) == 0.0f);
  CHECK(out.color.at(0, 0).a < 0.02f);
  // The occupancy grid keeps the sphere and has emptied most of the box.
  const Bounds3 content = occupied_bounds(field);
  CHECK(glm::all(glm::lessThanEqual(content.lo, vec3(-kRadius + 0.07f))));
  CHECK(glm::all(glm::greaterThanEqual(content.hi, vec3(kRadius - 0.07f))));
  const double occupied =
      double(field.occupancy.occupied_count()) / double(field.occupancy.cells());
  INFO("occupied fraction " << occupied);
  CHECK(occupied < 0.25);  // the sphere is 11% of the box
}

TEST_CASE("Training is deterministic for a seed, whatever the thread count", "[field]") {
  auto run = [](uint64_t seed, int threads) {
    const int saved = thread_count();
    set_thread_count(threads);
    RadianceField field = create_field(small_config(), seed);
    FieldTrainer trainer(field, sphere_views(24), small_trainer(seed));
    for (int i = 0; i < 20; ++i) trainer.step();
    set_thread_count(saved);
    return field;
  };
  const RadianceField a = run(7, 2), b = run(7, 2), c = run(7, 1), d = run(8, 2);
  CHECK(a.params == b.params);
  CHECK(a.occupancy.density == b.occupancy.density);
  CHECK(a.params == c.params);
  CHECK(a.params != d.params);  // the seed matters
}

TEST_CASE("A stopped fit keeps its checkpoint, and resuming it gives the uninterrupted result",
          "[field]") {
  const std::string data = write_sphere_dataset("field_fit_data", 24);
  FitOptions o;
  o.data = data;
  o.test_every = 5;
  o.steps = 24;
  o.config = small_config();
  o.trainer = small_trainer(3);
  o.checkpoint_seconds = 0.0;
  o.progress = false;
  o.out = test::output_dir() + "/field_straight.field";
  const FitReport straight = fit_field(o);
  CHECK(straight.steps == 24);
  CHECK_FALSE(straight.stopped);

  // The same run stopped after step 10 (as Ctrl-C does), then resumed.
  o.out = test::output_dir() + "/field_stopped.field";
  std::atomic<bool> stop{false};
  const FitReport first = fit_field(o, &stop, [&](uint64_t step) { stop = step >= 10; });
  CHECK(first.stopped);
  CHECK(first.steps == 10);
  TrainerState state;
  bool has_state = false;
  const RadianceField checkpoint = load_field(o.out, &state, &has_state);
  CHECK(has_state);
  CHECK(state.step == 10);

  o.resume = true;
  const FitReport second = fit_field(o);
  CHECK(second.steps == 24);
  const RadianceField resumed = load_field(o.out);
  const RadianceField uninterrupted = load_field(test::output_dir() + "/field_straight.field");
  CHECK(resumed.params == uninterrupted.params);
  CHECK(resumed.occupancy.density == uninterrupted.occupancy.density);
  CHECK(resumed.params != checkpoint.params);

  // Resuming without a checkpoint is an input error.
  o.out = test::output_dir() + "/field_absent.field";
  fs::remove(o.out);
  CHECK_THROWS_AS(fit_field(o), InputError);
}
