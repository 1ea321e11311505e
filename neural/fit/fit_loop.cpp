#include "neural/fit/fit_loop.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>

#include "neural/core/error.h"
#include "neural/core/progress.h"
#include "neural/fit/ssim_loss.h"
#include "neural/optim/adam.h"
#include "neural/scene/scene_render.h"

namespace strata {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_options(const FitLoopOptions& o, const std::vector<FitView>& train) {
  if (train.empty()) throw InputError("", "training views", "expected at least one view to fit");
  if (o.steps < 0) throw InputError("", "--steps", "expected a step count >= 0");
  if (!(o.minutes >= 0.0)) throw InputError("", "--minutes", "expected minutes >= 0");
  if (o.patch_size < 0) throw InputError("", "--patch", "expected a patch size >= 0");
  if (o.views_per_step < 1) throw InputError("", "--views-per-step", "expected a count >= 1");
  if (!(o.dssim_weight >= 0.0f && o.dssim_weight <= 1.0f))
    throw InputError("", "--dssim", "expected a weight in [0, 1]");
  if (!(o.final_learning_rate_factor > 0.0f))
    throw InputError("", "final_learning_rate_factor", "expected a factor > 0");
  if (o.eval_every < 0 || o.checkpoint_every < 0)
    throw InputError("", "--eval-every/--checkpoint-every", "expected a step count >= 0");
  for (const FitView& v : train)
    if (v.image.width != v.camera.width || v.image.height != v.camera.height)
      throw InputError(v.name, "image", "expected the image to match its camera's size");
}

// Loss of one (patch) render against its target, both over `background`; writes dL/d(render)
// (premultiplied RGBA) scaled by `scale` into d_render. Returns {loss, mse} of this view.
std::pair<double, double> view_loss(const Image& render, const Image& target, vec3 background,
                                    const FitLoopOptions& o, float scale, Image* d_render) {
  const size_t n = render.pixels.size();
  std::vector<vec3> x(n), y(n);
  for (size_t i = 0; i < n; ++i) {
    const vec4 r = render.pixels[i], t = target.pixels[i];
    x[i] = vec3(r) + (1.0f - r.a) * background;
    y[i] = vec3(t) + (1.0f - t.a) * background;
  }
  *d_render = Image(render.width, render.height);
  const float w_pixel = (1.0f - o.dssim_weight) * scale / (3.0f * float(n));
  double loss = 0.0, mse = 0.0;
  std::vector<vec3> grad(n);
  for (size_t i = 0; i < n; ++i) {
    const vec3 d = x[i] - y[i];
    mse += double(glm::dot(d, d));
    if (o.loss == FitLoss::kL1) {
      loss += double(std::abs(d.x) + std::abs(d.y) + std::abs(d.z));
      grad[i] = w_pixel * glm::sign(d);
    } else {
      loss += double(glm::dot(d, d));
      grad[i] = w_pixel * 2.0f * d;
    }
  }
  loss *= double(1.0f - o.dssim_weight) / (3.0 * double(n));
  mse /= 3.0 * double(n);
  if (o.dssim_weight > 0.0f) {
    std::vector<vec3> d_ssim;
    const double s = ssim_with_gradient(x, y, render.width, render.height, &d_ssim);
    loss += double(o.dssim_weight) * (1.0 - s);
    for (size_t i = 0; i < n; ++i) grad[i] -= o.dssim_weight * scale * d_ssim[i];
  }
  // x = rgb + (1 - a) * background: d/d rgb = 1, d/d a = -background.
  for (size_t i = 0; i < n; ++i)
    d_render->pixels[i] = vec4(grad[i], -glm::dot(grad[i], background));
  return {loss, mse};
}

bool all_finite(const std::vector<float>& values, const std::vector<size_t>* listed) {
  // A sum is non-finite when any term is (overflow aside, which is as bad).
  double sum = 0.0;
  if (listed)
    for (size_t i : *listed) sum += double(values[i]);
  else
    for (float v : values) sum += double(v);
  return std::isfinite(sum);
}

}  // namespace

Camera crop_camera(const Camera& camera, int x0, int y0, int width, int height) {
  if (camera.projection != Projection::kPinhole)
    throw std::invalid_argument("crop_camera: only pinhole cameras can be cropped");
  Camera c = camera;
  c.width = width;
  c.height = height;
  c.cx = camera.cx - float(x0);
  c.cy = camera.cy - float(y0);
  return c;
}

Image crop_image(const Image& image, int x0, int y0, int width, int height) {
  Image out(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) out.at(x, y) = image.at(x0 + x, y0 + y);
  return out;
}

std::vector<ViewScore> score_views(Fittable& model, const std::vector<FitView>& views,
                                   vec3 background) {
  std::vector<ViewScore> scores;
  for (const FitView& v : views) {
    const auto start = Clock::now();
    const Image& render = model.forward(v.camera);
    ViewScore s;
    s.seconds = seconds_since(start);
    s.name = v.name;
    s.psnr = psnr(render, v.image, background);
    s.ssim = ssim(render, v.image, background);
    scores.push_back(s);
  }
  return scores;
}

std::vector<ViewScore> score_scene(const Scene& scene, const std::vector<FitView>& views,
                                   vec3 background) {
  const PreparedScene prepared = prepare_scene(scene);
  std::vector<ViewScore> scores;
  for (const FitView& v : views) {
    const auto start = Clock::now();
    const Image render = render_scene(prepared, v.camera).color;
    ViewScore s;
    s.seconds = seconds_since(start);
    s.name = v.name;
    s.psnr = psnr(render, v.image, background);
    s.ssim = ssim(render, v.image, background);
    scores.push_back(s);
  }
  return scores;
}

FitLoopReport fit_to_views(Fittable& model, const std::vector<FitView>& train,
                           const std::vector<FitView>& test, const FitLoopOptions& o) {
  check_options(o, train);
  FitLoopReport report;
  const bool timed = o.steps == 0 && o.minutes > 0.0;
  const int total_steps = o.steps > 0 ? o.steps : (timed ? INT_MAX : 1000);
  const double budget = o.minutes * 60.0;

  AdamConfig adam_config;
  adam_config.beta1 = o.beta1;
  adam_config.beta2 = o.beta2;
  adam_config.epsilon = o.epsilon;
  adam_config.weight_decay = 0.0f;
  size_t n = model.parameters().size();
  Adam adam(n, o.sparse_adam ? n : 0, adam_config);
  std::vector<float> gradients(n, 0.0f);
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);

  std::unique_ptr<ProgressBar> bar;
  if (o.progress)
    bar = std::make_unique<ProgressBar>(timed ? "seconds" : "steps",
                                        timed ? size_t(std::ceil(budget)) : size_t(total_steps));
  std::deque<std::pair<double, double>> recent;  // (loss, mse) of the last steps
  double fit_seconds = 0.0;
  Image d_render;

  auto score_curve = [&](int step) {
    std::vector<FitView> views = test;
    if (o.eval_views > 0 && views.size() > size_t(o.eval_views)) views.resize(size_t(o.eval_views));
    const std::vector<ViewScore> s = score_views(model, views, o.background);
    FitCurvePoint p;
    p.step = step;
    p.seconds = fit_seconds;
    for (const ViewScore& v : s) {
      p.psnr += v.psnr / double(s.size());
      p.ssim += v.ssim / double(s.size());
    }
    report.curve.push_back(p);
  };
  auto checkpoint = [&](int step) {
    if (o.checkpoint_path.empty()) return;
    model.save(o.checkpoint_path);
    report.last_checkpoint_step = step;
  };

  int step = 0;
  while (step < total_steps && !(timed && fit_seconds >= budget)) {
    const auto step_start = Clock::now();
    const float progress = timed ? float(std::min(1.0, fit_seconds / budget))
                                 : float(step) / float(std::max(1, total_steps - 1));
    const float decay = std::pow(o.final_learning_rate_factor, std::min(1.0f, progress));
    std::vector<Adam::Range> ranges;
    for (const ParameterGroup& g : model.groups())
      ranges.push_back(Adam::Range{g.begin, g.end, g.learning_rate * decay});

    double loss = 0.0, mse = 0.0;
    for (int v = 0; v < o.views_per_step; ++v) {
      const FitView& view = train[size_t(rng() % train.size())];
      const int w = view.camera.width, h = view.camera.height;
      Camera camera = view.camera;
      const Image* target = &view.image;
      Image patch;
      if (o.patch_size > 0 && (o.patch_size < w || o.patch_size < h)) {
        const int pw = std::min(o.patch_size, w), ph = std::min(o.patch_size, h);
        const int x0 = int(rng() % uint64_t(w - pw + 1)), y0 = int(rng() % uint64_t(h - ph + 1));
        camera = crop_camera(view.camera, x0, y0, pw, ph);
        patch = crop_image(view.image, x0, y0, pw, ph);
        target = &patch;
      }
      const vec3 background =
          o.random_background ? vec3(unit(rng), unit(rng), unit(rng)) : o.background;
      const Image& render = model.forward(camera);
      const auto [l, m] =
          view_loss(render, *target, background, o, 1.0f / float(o.views_per_step), &d_render);
      loss += l / o.views_per_step;
      mse += m / o.views_per_step;
      model.backward(d_render, gradients);
    }
    ++step;
    // A Fittable that lists what its views touched gets a step over just those (the same step:
    // the optimiser leaves zero gradients alone).
    const std::vector<size_t>* touched = o.sparse_adam ? model.touched_parameters() : nullptr;
    if (!std::isfinite(loss) || !all_finite(gradients, touched)) {
      report.stopped_on_nan = true;
      char text[400];
      std::snprintf(text, sizeof text,
                    "the %s went non-finite (NaN or infinity) at step %d; the fit stopped before "
                    "applying it (a learning rate too high?)",
                    std::isfinite(loss) ? "gradient" : "loss", step);
      report.message = text;
      if (report.last_checkpoint_step >= 0)
        report.message += "; the last good checkpoint, from step " +
                          std::to_string(report.last_checkpoint_step) + ", is kept in " +
                          o.checkpoint_path;
      else
        report.message += "; no checkpoint had been written yet";
      --step;
      break;
    }
    // parameters() once a step: it tells the Fittable its buffer is being written.
    std::vector<float>& parameters = model.parameters();
    if (touched)
      adam.step_listed(parameters.data(), gradients.data(), *touched, ranges);
    else
      adam.step(parameters.data(), gradients.data(), ranges);
    const std::vector<long> remap = model.after_step(step);
    if (!remap.empty()) {
      n = model.parameters().size();
      if (remap.size() != n)
        throw std::logic_error("Fittable::after_step: the remap does not cover the parameters");
      adam.remap(remap, o.sparse_adam ? n : 0);
      gradients.assign(n, 0.0f);
    } else if (parameters.size() != n) {
      throw std::logic_error("Fittable::after_step resized the parameters without a remap");
    }
    fit_seconds += seconds_since(step_start);

    recent.emplace_back(loss, mse);
    if (recent.size() > 50) recent.pop_front();
    if (o.on_step) o.on_step(step, loss);
    if (bar) {
      char detail[96];
      std::snprintf(detail, sizeof detail, "loss %.4f  PSNR %.2f dB", loss,
                    mse > 0.0 ? -10.0 * std::log10(mse) : 99.0);
      bar->update(timed ? size_t(std::min(fit_seconds, budget)) : size_t(step), detail);
    }
    if (o.eval_every > 0 && step % o.eval_every == 0 && !test.empty()) score_curve(step);
    if (o.checkpoint_every > 0 && step % o.checkpoint_every == 0) checkpoint(step);
    if (o.stop && o.stop->load()) {
      report.stopped = true;
      break;
    }
  }
  if (bar) bar->finish();

  report.steps = step;
  report.seconds = fit_seconds;
  double mse_mean = 0.0;
  for (const auto& [l, m] : recent) {
    report.final_loss += l / double(recent.size());
    mse_mean += m / double(recent.size());
  }
  report.final_train_psnr = mse_mean > 0.0 ? -10.0 * std::log10(mse_mean) : 0.0;
  if (report.stopped_on_nan) return report;
  if (report.last_checkpoint_step != step) checkpoint(step);
  if (!test.empty()) {
    report.held_out = score_views(model, test, o.background);
    for (const ViewScore& v : report.held_out) {
      report.mean_psnr += v.psnr / double(report.held_out.size());
      report.mean_ssim += v.ssim / double(report.held_out.size());
    }
  }
  return report;
}

}  // namespace strata
