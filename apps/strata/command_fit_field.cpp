// strata fit field DATA --out scene.field [--steps N | --minutes M] [--downscale N] [--resume]:
// trains a radiance field on the CPU with a progress bar (loss, PSNR, rays/s), checkpoints
// written atomically, and Ctrl-C (SIGINT) ending the run with a last checkpoint (exit code 130).
// `fit` is the parent of every fitting command; each representation's file adds its own
// subcommand (add_fit_command below calls their registration functions, declared in commands.h).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/field/fit.h"

namespace strata::cli {

namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void on_interrupt(int) {
  g_stop_requested.store(true);
}

struct FitFieldArgs {
  FitOptions fit;
  int threads = 0;
  std::string curve_csv;
};

void print_times(const PhaseTimes& t, double wall_seconds) {
  const double total = std::max(1e-9, t.total());
  auto line = [&](const char* name, double s) {
    std::printf("  %-22s %8.1f s  %5.1f%%\n", name, s, 100.0 * s / total);
  };
  std::printf("where the time goes (thread-seconds; %.1f s wall):\n", wall_seconds);
  line("ray setup + marching", t.march);
  line("hash encoding", t.encode);
  line("density MLP", t.density_mlp);
  line("SH + colour MLP", t.color);
  line("compositing + loss", t.composite);
  line("colour MLP backward", t.color_backward);
  line("density MLP backward", t.density_backward);
  line("hash encoding backward", t.encode_backward);
  line("Adam", t.optimizer);
  line("occupancy grid", t.occupancy);
}

void run_fit_field(const FitFieldArgs& args) {
  if (args.fit.steps > 0 && args.fit.minutes > 0.0)
    throw InputError("", "--steps/--minutes", "give at most one of --steps and --minutes");
  if (args.threads < 0) throw InputError("", "--threads", "expected a count >= 1");
  if (args.threads > 0) set_thread_count(args.threads);
  g_stop_requested = false;
  // Ctrl-C ends the run after the current step, with a checkpoint; a second one kills it (the
  // checkpoint writes are atomic, so nothing half-written is left either way).
  struct sigaction action {
  }, previous{};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, &previous);
  FitReport report;
  try {
    report = fit_field(args.fit, &g_stop_requested);
  } catch (...) {
    sigaction(SIGINT, &previous, nullptr);
    throw;
  }
  sigaction(SIGINT, &previous, nullptr);

  std::printf(
      "%s %llu steps (%.1f s of training this run, %.0f rays/s, %.1f samples/ray composited, "
      "%.1f marched); wrote %s\n",
      report.stopped ? "interrupted after" : "trained", (unsigned long long)report.steps,
      report.train_seconds, report.rays_per_second, report.samples_per_ray, report.marched_per_ray,
      args.fit.out.c_str());
  print_times(report.times, report.train_seconds);
  if (!report.curve.empty()) {
    std::printf("PSNR against training time (test views, white background):\n");
    std::printf("  %9s %7s %9s %7s\n", "seconds", "step", "PSNR dB", "SSIM");
    for (const CurvePoint& p : report.curve)
      std::printf("  %9.1f %7llu %9.2f %7.4f\n", p.seconds, (unsigned long long)p.step, p.psnr,
                  p.ssim);
    if (!args.curve_csv.empty()) {
      std::ofstream csv(args.curve_csv);
      if (!csv) throw InputError(args.curve_csv, "", "cannot write the curve file");
      csv << "seconds,step,psnr,ssim\n";
      for (const CurvePoint& p : report.curve)
        csv << p.seconds << "," << p.step << "," << p.psnr << "," << p.ssim << "\n";
    }
  }
  std::fflush(stdout);
  if (report.stopped) {
    std::fprintf(stderr,
                 "strata: interrupted; the checkpoint %s holds step %llu (--resume "
                 "continues)\n",
                 args.fit.out.c_str(), (unsigned long long)report.steps);
    std::exit(130);
  }
}

void add_fit_field_command(CLI::App& fit) {
  auto args = std::make_shared<FitFieldArgs>();
  FitOptions& o = args->fit;
  CLI::App* c = fit.add_subcommand(
      "field", "Train a radiance field (hash grid + MLP, instant-ngp style) on the CPU");
  c->add_option("data", o.data, "Dataset: a folder with transforms*.json or poses_bounds.npy")
      ->required();
  c->add_option("--out", o.out, "The .field file to write (also the checkpoint)")->required();
  c->add_option("--steps", o.steps, "Train until this many steps in total (default 3000)");
  c->add_option("--minutes", o.minutes, "Or train for this many minutes (training time)");
  c->add_option("--downscale", o.downscale, "Divide image sizes by this integer")
      ->capture_default_str();
  c->add_option("--test-every", o.test_every,
                "Single-file datasets: every n-th frame is a test view")
      ->capture_default_str();
  c->add_flag("--resume", o.resume, "Continue from --out (weights and optimiser state)");
  c->add_option("--seed", o.trainer.seed, "Random seed (same seed, same result)")
      ->capture_default_str();
  c->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  c->add_option("--checkpoint-every", o.checkpoint_seconds,
                "Seconds between checkpoints (0: only at the end)")
      ->capture_default_str();
  c->add_option("--eval-every", o.eval_seconds,
                "Score the test views every this many seconds of training (clock paused)");
  c->add_option("--eval-views", o.eval_views, "Test views scored by --eval-every (0: all)");
  c->add_option("--curve", args->curve_csv, "Write the PSNR curve of --eval-every to this CSV");
  c->add_option("--lr", o.learning_rate, "Adam learning rate")->capture_default_str();
  c->add_option("--samples-per-step", o.trainer.target_samples_per_step,
                "Samples per step (rays per step adapt to it)")
      ->capture_default_str();
  c->add_option("--levels", o.config.encoding.levels, "Hash grid levels")->capture_default_str();
  c->add_option("--features-per-level", o.config.encoding.features_per_level,
                "Hash grid features per level")
      ->capture_default_str();
  c->add_option("--log2-table-size", o.config.encoding.log2_table_size,
                "Hash table entries per level, log2")
      ->capture_default_str();
  c->add_option("--base-resolution", o.config.encoding.base_resolution, "Coarsest grid resolution")
      ->capture_default_str();
  c->add_option("--finest-resolution", o.config.encoding.finest_resolution,
                "Finest grid resolution")
      ->capture_default_str();
  c->add_option("--hidden", o.config.density_hidden, "Neurons per hidden layer (both MLPs)")
      ->capture_default_str()
      ->each([&o](const std::string&) { o.config.color_hidden = o.config.density_hidden; });
  c->add_option("--color-layers", o.config.color_hidden_layers, "Hidden layers of the colour MLP")
      ->capture_default_str();
  c->add_option("--grid-resolution", o.grid_resolution,
                "Occupancy grid cells per axis (default: 64 for objects, 128 for larger scenes)");
  c->callback([args] { run_fit_field(*args); });
}

}  // namespace

void add_fit_command(CLI::App& app) {
  CLI::App* fit = app.add_subcommand("fit", "Fit a representation to posed photographs");
  fit->require_subcommand(1);
  add_fit_field_command(*fit);
  add_fit_planes_commands(*fit);  // command_fit_planes.cpp
  register_fit_gaussians(*fit);   // command_fit_gaussians.cpp
  register_fit_shells(*fit);      // command_fit_shells.cpp
}

}  // namespace strata::cli
