#include "neural/field/fit.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/core/progress.h"
#include "neural/dataset/dataset.h"
#include "neural/field/field_bounds.h"
#include "neural/field/field_eval.h"
#include "neural/field/field_io.h"

namespace strata {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kDefaultSteps = 3000;

std::string format(const char* fmt, double a, double b = 0.0, double c = 0.0) {
  char buffer[256];
  std::snprintf(buffer, sizeof(buffer), fmt, a, b, c);
  return buffer;
}

}  // namespace

FitReport fit_field(const FitOptions& o, const std::atomic<bool>* stop,
                    const std::function<void(uint64_t)>& after_step) {
  if (o.out.empty()) throw InputError("", "--out", "give the .field file to write");
  if (o.steps < 0) throw InputError("", "--steps", "expected a count >= 1");
  if (!(o.minutes >= 0.0) || !std::isfinite(o.minutes))
    throw InputError("", "--minutes", "expected a positive duration");
  if (o.downscale < 1) throw InputError("", "--downscale", "expected an integer >= 1");
  if (!(o.learning_rate > 0.0f) || !(o.final_learning_rate > 0.0f))
    throw InputError("", "--lr", "expected positive learning rates");

  const Dataset dataset = load_dataset(o.data, DatasetOptions{o.downscale, o.test_every});
  if (dataset.train.empty())
    throw InputError(o.data, "frames", "no training views (every frame is a test view)");

  RadianceField field;
  TrainerState state;
  bool has_state = false;
  if (o.resume) {
    std::error_code ec;
    if (!std::filesystem::exists(o.out, ec))
      throw InputError(o.out, "", "--resume: there is no checkpoint to resume from");
    field = load_field(o.out, &state, &has_state);
    if (!has_state)
      warn(o.out + " holds no optimiser state; training resumes with fresh Adam moments");
  } else {
    FieldConfig config = o.config;
    fit_bounds_to_dataset(dataset, &config);
    config.grid_resolution =
        o.grid_resolution > 0 ? o.grid_resolution : (config.cone_angle > 0.0f ? 128 : 64);
    config.dataset_downscale = o.downscale;
    field = create_field(config, o.trainer.seed);
  }
  std::ostringstream head;
  head << "dataset " << dataset.source << ": " << dataset.train.size() << " training views, "
       << dataset.test.size() << " test views, " << dataset.train[0].camera.width << "x"
       << dataset.train[0].camera.height;
  if (has_state) head << "\nresuming at step " << state.step;
  return train_field(field, load_train_views(dataset.train), has_state ? &state : nullptr,
                     dataset.test, o, head.str(), stop, after_step);
}

FitReport train_field(RadianceField& field, std::vector<TrainView> views,
                      const TrainerState* resume, const std::vector<DatasetFrame>& test_frames,
                      const FitOptions& o, const std::string& summary_head,
                      const std::atomic<bool>* stop,
                      const std::function<void(uint64_t)>& after_step) {
  const int total_steps = o.steps == 0 && o.minutes == 0.0 ? kDefaultSteps : o.steps;
  const double total_seconds = o.minutes * 60.0;
  FieldTrainer trainer(field, std::move(views), o.trainer, resume);
  const FieldNetwork network(field.config);

  FitReport report;
  {
    std::ostringstream s;
    s << summary_head << "\n"
      << "bounds: " << field.config.bounds_rule << "\n"
      << "field: " << network.n_params() << " parameters (hash grid " << network.encoding_params()
      << "), occupancy grid " << field.config.grid_resolution << "^3, " << thread_count()
      << " threads";
    report.summary = s.str();
  }
  if (o.progress) std::fprintf(stderr, "%s\n", report.summary.c_str());

  std::unique_ptr<ProgressBar> bar;
  if (o.progress)
    bar = total_steps > 0 ? std::make_unique<ProgressBar>("steps", size_t(total_steps))
                          : std::make_unique<ProgressBar>("seconds", size_t(total_seconds));

  std::vector<DatasetFrame> eval_frames = test_frames;
  if (o.eval_views > 0 && eval_frames.size() > size_t(o.eval_views)) {
    // Spread the scored views over the test set.
    std::vector<DatasetFrame> picked;
    for (int i = 0; i < o.eval_views; ++i)
      picked.push_back(eval_frames[size_t(i) * eval_frames.size() / size_t(o.eval_views)]);
    eval_frames = picked;
  }
  auto score = [&](double seconds) {
    if (eval_frames.empty()) return;
    const EvalResult r = evaluate_field(field, eval_frames);
    report.curve.push_back(CurvePoint{seconds, trainer.steps_done(), r.mean_psnr, r.mean_ssim});
    if (o.progress)
      std::fprintf(stderr, "%scurve: %.1f s, step %llu, test PSNR %.2f dB, SSIM %.4f\n",
                   bar ? "\n" : "", seconds, (unsigned long long)trainer.steps_done(), r.mean_psnr,
                   r.mean_ssim);
  };
  auto checkpoint = [&] {
    if (o.out.empty()) return;  // a field used within another run (no file)
    const TrainerState s = trainer.state();
    save_field(o.out, field, &s);
  };

  const uint64_t first_step = trainer.steps_done();
  double train_seconds = 0.0, next_eval = o.eval_seconds, mse_ema = -1.0, rays_ema = 0.0;
  size_t rays_total = 0, samples_total = 0, marched_total = 0;
  auto last_checkpoint = Clock::now();
  uint64_t last_checkpoint_step = first_step;
  while (true) {
    if (total_steps > 0 && trainer.steps_done() >= uint64_t(total_steps)) break;
    if (total_seconds > 0.0 && train_seconds >= total_seconds) break;
    if (stop && stop->load()) {
      report.stopped = true;
      break;
    }
    const double progress = total_steps > 0 ? double(trainer.steps_done()) / total_steps
                                            : train_seconds / total_seconds;
    float lr = o.learning_rate;
    if (progress > o.decay_start && o.decay_start < 1.0f) {
      const double f = (progress - o.decay_start) / (1.0 - o.decay_start);
      lr = float(o.learning_rate * std::pow(o.final_learning_rate / o.learning_rate, f));
    }
    const StepStats s = trainer.step(lr);
    train_seconds += s.seconds;
    rays_total += s.rays;
    samples_total += s.samples;
    marched_total += s.marched;
    mse_ema = mse_ema < 0.0 ? s.mse : 0.95 * mse_ema + 0.05 * s.mse;
    const double rays_per_second = double(s.rays) / std::max(1e-9, s.seconds);
    rays_ema = rays_ema == 0.0 ? rays_per_second : 0.9 * rays_ema + 0.1 * rays_per_second;
    if (after_step) after_step(trainer.steps_done());
    if (bar) {
      const std::string detail = format("loss %.5f  PSNR %.2f dB  ", mse_ema,
                                        -10.0 * std::log10(std::max(mse_ema, 1e-12))) +
                                 format("%.0fk rays/s  %.0f samples/ray", rays_ema / 1000.0,
                                        double(s.samples) / double(std::max<size_t>(1, s.rays)));
      bar->update(total_steps > 0 ? size_t(trainer.steps_done()) : size_t(train_seconds), detail);
    }
    if (o.eval_seconds > 0.0 && train_seconds >= next_eval) {
      score(train_seconds);
      while (next_eval <= train_seconds) next_eval += o.eval_seconds;
    } else if (o.eval_steps > 0 && trainer.steps_done() % uint64_t(o.eval_steps) == 0) {
      score(train_seconds);
    }
    const bool by_time = o.checkpoint_seconds > 0.0 &&
                         std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >=
                             o.checkpoint_seconds;
    const bool by_steps = o.checkpoint_steps > 0 && trainer.steps_done() - last_checkpoint_step >=
                                                        uint64_t(o.checkpoint_steps);
    if (by_time || by_steps) {
      checkpoint();
      last_checkpoint = Clock::now();
      last_checkpoint_step = trainer.steps_done();
    }
  }
  if (bar) bar->finish();
  checkpoint();
  if ((o.eval_seconds > 0.0 || o.eval_steps > 0) && !report.stopped &&
      (report.curve.empty() || report.curve.back().step != trainer.steps_done()))
    score(train_seconds);

  report.steps = trainer.steps_done();
  report.train_seconds = train_seconds;
  report.rays_per_second = train_seconds > 0.0 ? double(rays_total) / train_seconds : 0.0;
  report.samples_per_ray = rays_total ? double(samples_total) / double(rays_total) : 0.0;
  report.marched_per_ray = rays_total ? double(marched_total) / double(rays_total) : 0.0;
  report.last_mse = std::max(0.0, mse_ema);
  report.times = trainer.times();
  (void)first_step;
  return report;
}

}  // namespace strata
