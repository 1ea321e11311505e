// `strata fit gaussians`: dataset -> random start -> fit -> PLY and held-out scores.
#include "neural/gaussians/gaussian_fit_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "neural/core/error.h"
#include "neural/dataset/dataset.h"
#include "neural/field/field_bounds.h"
#include "neural/fit/fit_views.h"
#include "neural/gaussians/gaussian_seed.h"

namespace strata {

float camera_extent(const std::vector<Camera>& cameras) {
  vec3 centre(0.0f);
  for (const Camera& c : cameras) centre += c.position() / float(cameras.size());
  float radius = 0.0f;
  for (const Camera& c : cameras) radius = std::max(radius, glm::distance(c.position(), centre));
  return std::max(1.1f * radius, 1e-3f);
}

void scale_schedule(int steps, GaussianFitOptions* o) {
  // 3DGS over 30k steps: densify every 100 steps from 500 to 15k, reset opacities every 3k, one
  // more SH band every 1k. A CPU run is ~10x shorter: densify over its first half, a bit more
  // often (but over enough views to average the gradients), and reset opacities once, mid-way,
  // so that the second half can recover them -- only in runs long enough to recover (>= 4000
  // steps): in shorter ones a reset costs more than the floaters it removes.
  const int s = std::max(steps, 200);
  o->densify_until = s / 2;
  o->densify_from = std::clamp(s / 60, 50, 500);
  o->densify_every = std::clamp(s / 150, 20, 100);
  o->opacity_reset_every = s >= 4000 ? std::max(o->densify_until / 2, 2 * o->densify_every) : 0;
  o->sh_increase_every = std::max(s / 30, 1);
}

int planned_steps(const GaussianCloud& seed, const GaussianFitOptions& gaussians,
                  const std::vector<FitView>& train, const FitLoopOptions& loop) {
  if (loop.steps > 0) return loop.steps;
  if (!(loop.minutes > 0.0) || train.empty()) return 1000;  // the loop's default
  GaussianFittable probe(seed, gaussians);
  std::vector<float> g(probe.parameters().size(), 0.0f);
  const size_t count = std::min<size_t>(3, train.size());
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < count; ++i) {
    const Image& r = probe.forward(train[i].camera);
    probe.backward(Image(r.width, r.height), g);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double step_seconds = seconds / double(count) * double(std::max(1, loop.views_per_step));
  return int(std::clamp(loop.minutes * 60.0 / std::max(step_seconds, 1e-4), 200.0, 1e6));
}

GaussianRunReport fit_gaussians_to_dataset(const GaussianDatasetFitOptions& options) {
  if (options.out.empty()) throw InputError("", "--out", "expected an output .ply path");
  if (options.downscale < 1) throw InputError("", "--downscale", "expected an integer >= 1");
  if (options.seed_points < 1) throw InputError("", "--seed-points", "expected a count >= 1");
  const Dataset dataset =
      load_dataset(options.data, DatasetOptions{options.downscale, options.test_every});
  const std::vector<Camera> cameras = frame_cameras(dataset.train);
  // The box a radiance field would use (field_bounds.h), shrunk like 3DGS's [-1.3, 1.3]^3 for
  // object captures: random Gaussians fill it.
  FieldConfig config;
  fit_bounds_to_dataset(dataset, &config);
  Bounds3 box;
  box.lo = config.box_lo;
  box.hi = config.box_hi;
  check_cameras_see(cameras, box, dataset.source);
  if (config.bounds_rule.find("object") != std::string::npos ||
      config.bounds_rule.find("cube") != std::string::npos) {
    const vec3 c = box.center(), h = 0.5f * box.extent() * (1.3f / 1.5f);
    box.lo = c - h;
    box.hi = c + h;
  }

  GaussianRunReport report;
  GaussianFitOptions gaussians = options.gaussians;
  gaussians.scene_extent = camera_extent(cameras);
  const std::vector<FitView> train = dataset_views(dataset.train, options.loop.progress);
  const std::vector<FitView> test = dataset_views(dataset.test, options.loop.progress);
  GaussianCloud seed = seed_random(box, options.seed_points, options.loop.seed);
  report.seeded = seed.size();

  FitLoopOptions loop = options.loop;
  const int planned = planned_steps(seed, gaussians, train, loop);
  scale_schedule(planned, &gaussians);
  loop.checkpoint_path = options.out;

  char summary[512];
  std::snprintf(summary, sizeof summary,
                "%zu training and %zu test views at %dx%d (downscale %d); %zu random Gaussians "
                "in [%.2f, %.2f, %.2f]..[%.2f, %.2f, %.2f]; scene extent %.2f m; densify steps "
                "%d..%d every %d, opacity reset every %d",
                train.size(), test.size(), train[0].camera.width, train[0].camera.height,
                options.downscale, seed.size(), box.lo.x, box.lo.y, box.lo.z, box.hi.x, box.hi.y,
                box.hi.z, gaussians.scene_extent, gaussians.densify_from, gaussians.densify_until,
                gaussians.densify_every, gaussians.opacity_reset_every);
  report.summary = summary;
  if (loop.progress) std::fprintf(stderr, "%s\n", summary);

  GaussianFittable model(seed, gaussians);
  report.fit = fit_to_views(model, train, test, loop);
  report.gaussians = model.size();
  report.steps_per_second = report.fit.seconds > 0.0 ? report.fit.steps / report.fit.seconds : 0.0;
  return report;
}

std::string held_out_table(const GaussianRunReport& report) {
  const std::vector<ViewScore>& views = report.fit.held_out;
  const bool teacher = report.teacher.size() == views.size() && !views.empty();
  const bool vs = report.vs_teacher.size() == views.size() && !views.empty();
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %9s %7s", "view", "PSNR dB", "SSIM");
  out += line;
  if (teacher) out += "  teacher PSNR    SSIM";
  if (vs) out += "  vs teacher PSNR";
  double sums[5] = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < views.size(); ++i) {
    std::snprintf(line, sizeof line, "\n%-16s %9.2f %7.4f", views[i].name.c_str(), views[i].psnr,
                  views[i].ssim);
    out += line;
    sums[0] += views[i].psnr, sums[1] += views[i].ssim;
    if (teacher) {
      std::snprintf(line, sizeof line, "  %12.2f %7.4f", report.teacher[i].psnr,
                    report.teacher[i].ssim);
      out += line;
      sums[2] += report.teacher[i].psnr, sums[3] += report.teacher[i].ssim;
    }
    if (vs) {
      std::snprintf(line, sizeof line, "  %15.2f", report.vs_teacher[i].psnr);
      out += line;
      sums[4] += report.vs_teacher[i].psnr;
    }
  }
  const double n = double(std::max<size_t>(1, views.size()));
  std::snprintf(line, sizeof line, "\n%-16s %9.2f %7.4f", "mean", sums[0] / n, sums[1] / n);
  out += line;
  if (teacher) {
    std::snprintf(line, sizeof line, "  %12.2f %7.4f", sums[2] / n, sums[3] / n);
    out += line;
  }
  if (vs) {
    std::snprintf(line, sizeof line, "  %15.2f", sums[4] / n);
    out += line;
  }
  return out;
}

}  // namespace strata
