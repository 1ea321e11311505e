// strata fit gaussians DATA --out OUT.ply [--minutes M | --steps N] [--downscale D]
// [--max-gaussians N]: fits 3D Gaussians (random start, densification and pruning) to a
// dataset's training photographs on the CPU, with a progress bar (loss, PSNR), checkpoints (the
// output PLY, written atomically) and a final held-out table. Also the `--to gaussians` branch of
// `strata convert` (run_convert_to_gaussians). A NaN ends the run with a message, exit code 2,
// and the last good checkpoint kept.
#include <cstdio>
#include <memory>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/gaussians/gaussian_distill.h"
#include "neural/gaussians/gaussian_fit_run.h"

namespace strata::cli {

namespace {

struct FitGaussiansArgs {
  GaussianDatasetFitOptions run;
  int threads = 0;
};

// Options every Gaussian fit shares (fit gaussians and convert --to gaussians).
void add_shared_options(CLI::App* c, GaussianFitOptions* g, FitLoopOptions* loop, int* threads) {
  c->add_option("--steps", loop->steps, "Optimiser steps (default 1000 unless --minutes)");
  c->add_option("--minutes", loop->minutes, "Or fit for this many minutes (fitting time)");
  c->add_option("--max-gaussians", g->max_gaussians, "Densification never grows beyond this")
      ->capture_default_str();
  c->add_option("--sh-degree", g->sh_degree, "Spherical-harmonic degree fitted (0..3)")
      ->capture_default_str();
  c->add_option("--position-lr", g->position_lr, "Position learning rate, per metre of extent")
      ->capture_default_str();
  c->add_option("--lr-scale", g->scale_lr, "Log-scale learning rate")->capture_default_str();
  c->add_option("--opacity-lr", g->opacity_lr, "Opacity-logit learning rate")
      ->capture_default_str();
  c->add_option("--color-lr", g->sh_dc_lr, "SH DC learning rate (higher bands: 1/20 of it)")
      ->capture_default_str()
      ->each([g](const std::string&) { g->sh_rest_lr = g->sh_dc_lr / 20.0f; });
  c->add_option("--densify-threshold", g->densify_grad_threshold,
                "Mean view-space positional gradient (NDC) above which Gaussians densify")
      ->capture_default_str();
  c->add_option("--dssim", loop->dssim_weight, "Weight of D-SSIM in the loss (3DGS: 0.2)")
      ->capture_default_str();
  c->add_option("--checkpoint-every", loop->checkpoint_every,
                "Steps between checkpoints (0: only at the end)")
      ->capture_default_str();
  c->add_option("--eval-every", loop->eval_every, "Score held-out views every this many steps");
  c->add_option("--eval-views", loop->eval_views, "Held-out views scored by --eval-every (0: all)");
  c->add_option("--seed", loop->seed, "Random seed (same seed, same result)")
      ->capture_default_str();
  c->add_option("--threads", *threads, "Worker threads (default: all cores)");
}

// The defaults of a Gaussian fit: 3DGS's loss (0.8 L1 + 0.2 D-SSIM), a random background behind
// transparent targets while fitting (alpha is fitted too), scores on white (NeRF's convention).
void set_defaults(FitLoopOptions* loop) {
  loop->loss = FitLoss::kL1;
  loop->dssim_weight = 0.2f;
  loop->random_background = true;
  loop->background = vec3(1.0f);
  loop->checkpoint_every = 500;
  loop->final_learning_rate_factor = 0.1f;
}

void print_report(const GaussianRunReport& r, const std::string& out) {
  const FitLoopReport& f = r.fit;
  if (f.stopped_on_nan) {
    std::fflush(stdout);
    throw InputError(out, "",
                     "the fit diverged: " + f.message +
                         "; try lower learning rates (--position-lr, --lr-scale, ...)");
  }
  std::printf(
      "%s %d steps in %.1f s (%.2f steps/s): %zu -> %zu Gaussians; training PSNR %.2f dB; "
      "wrote %s\n",
      f.stopped ? "interrupted after" : "fitted", f.steps, f.seconds, r.steps_per_second, r.seeded,
      r.gaussians, f.final_train_psnr, out.c_str());
  print_fit_curve(f.curve);
  if (!f.held_out.empty())
    std::printf("held-out views (over white):\n%s\n", held_out_table(r).c_str());
  std::fflush(stdout);
}

void set_threads(int threads) {
  if (threads < 0) throw InputError("", "--threads", "expected a count >= 1");
  if (threads > 0) set_thread_count(threads);
}

}  // namespace

void register_fit_gaussians(CLI::App& fit) {
  auto args = std::make_shared<FitGaussiansArgs>();
  GaussianDatasetFitOptions& o = args->run;
  set_defaults(&o.loop);
  CLI::App* c = fit.add_subcommand(
      "gaussians", "Fit 3D Gaussians (3DGS: densification and pruning) to posed photographs");
  c->add_option("data", o.data, "Dataset: a folder with transforms*.json or poses_bounds.npy")
      ->required();
  c->add_option("--out", o.out, "The .ply to write (Inria 3DGS PLY; also the checkpoint)")
      ->required();
  c->add_option("--downscale", o.downscale, "Divide image sizes by this integer")
      ->capture_default_str();
  c->add_option("--test-every", o.test_every,
                "Single-file datasets: every n-th frame is a test view")
      ->capture_default_str();
  c->add_option("--seed-points", o.seed_points, "Random Gaussians to start from")
      ->capture_default_str();
  add_shared_options(c, &o.gaussians, &o.loop, &args->threads);
  c->callback([args] {
    set_threads(args->threads);
    if (args->run.loop.steps > 0 && args->run.loop.minutes > 0.0)
      throw InputError("", "--steps/--minutes", "give at most one of --steps and --minutes");
    const GaussianRunReport report = fit_gaussians_to_dataset(args->run);
    print_report(report, args->run.out);
  });
}

GaussianConvertCli add_convert_gaussians_options(CLI::App* command) {
  auto options = std::make_shared<GaussianConvertOptions>();
  auto threads = std::make_shared<int>(0);
  set_defaults(&options->loop);
  command->add_option(
      "--data", options->data,
      "Dataset whose cameras the teacher is rendered at (and whose test photographs "
      "score the result)");
  command->add_option("--downscale", options->downscale, "Dataset image downscale")
      ->capture_default_str();
  command
      ->add_option("--test-every", options->test_every,
                   "Single-file datasets: every n-th frame is a test view")
      ->capture_default_str();
  command
      ->add_option("--views", options->views,
                   "Teacher views (gaussians: besides the training cameras', blends of them), "
                   "or along --camera-path")
      ->capture_default_str();
  command->add_option("--camera-path", options->path,
                      "Render the teacher along this path.json instead");
  command
      ->add_option("--seed-views", options->seed_views,
                   "--to gaussians: cameras the teacher's surfaces are seeded from")
      ->capture_default_str();
  add_shared_options(command, &options->gaussians, &options->loop, threads.get());
  return GaussianConvertCli{options, threads};
}

void run_convert_to_gaussians(const GaussianConvertCli& cli, const std::string& input,
                              const std::string& out) {
  set_threads(*cli.threads);
  GaussianConvertOptions o = *cli.options;
  if (o.loop.steps > 0 && o.loop.minutes > 0.0)
    throw InputError("", "--steps/--minutes", "give at most one of --steps and --minutes");
  o.teacher = input;
  o.out = out;
  const GaussianRunReport report = convert_to_gaussians(o);
  print_report(report, out);
}

}  // namespace strata::cli
