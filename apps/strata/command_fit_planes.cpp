// strata fit planes|smpi DATA --out DIR [--planes N] [--minutes M | --steps N] [--downscale D]
// [--reference-camera N]: fits a fronto-parallel MPI (planes) or a structural MPI (smpi) to a
// dataset's training views on the CPU, with a progress bar, the result folder as the checkpoint,
// and a held-out table. Also the shared printing of `strata convert --to planes|smpi`.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/planes/mpi_fit_run.h"

namespace strata::cli {

void print_planes_report(const PlanesRunReport& r, const std::string& out) {
  const FitLoopReport& f = r.fit;
  if (f.stopped_on_nan) {
    std::fflush(stdout);
    std::fprintf(stderr, "strata: error: %s\n", f.message.c_str());
    std::exit(1);
  }
  std::printf("%s\n", r.summary.c_str());
  std::printf("fitted %d steps in %.1f s: loss %.5f, training PSNR %.2f dB; wrote %s (%d planes",
              f.steps, f.seconds, f.final_loss, f.final_train_psnr, out.c_str(), r.planes);
  if (r.structural_planes > 0) std::printf(", %d structural", r.structural_planes);
  std::printf(")\n");
  print_fit_curve(f.curve);
  if (f.held_out.empty()) {
    std::printf("no held-out views to score\n");
    return;
  }
  const bool teacher = r.teacher_scores.size() == f.held_out.size();
  const bool closed = r.closed_form_scores.size() == f.held_out.size();
  std::printf("held-out views:\n  %-16s %9s %7s", "view", "PSNR dB", "SSIM");
  if (closed) std::printf(" %12s", "closed form");
  if (teacher) std::printf(" %13s %12s", "teacher PSNR", "teacher SSIM");
  std::printf("\n");
  double teacher_psnr = 0.0, teacher_ssim = 0.0, closed_psnr = 0.0;
  for (size_t i = 0; i < f.held_out.size(); ++i) {
    const ViewScore& v = f.held_out[i];
    std::printf("  %-16s %9.2f %7.4f", v.name.c_str(), v.psnr, v.ssim);
    if (closed) {
      std::printf(" %12.2f", r.closed_form_scores[i].psnr);
      closed_psnr += r.closed_form_scores[i].psnr / double(f.held_out.size());
    }
    if (teacher) {
      std::printf(" %13.2f %12.4f", r.teacher_scores[i].psnr, r.teacher_scores[i].ssim);
      teacher_psnr += r.teacher_scores[i].psnr / double(f.held_out.size());
      teacher_ssim += r.teacher_scores[i].ssim / double(f.held_out.size());
    }
    std::printf("\n");
  }
  if (closed) std::printf("closed-form start: mean PSNR %.2f\n", closed_psnr);
  if (teacher) std::printf("teacher: mean PSNR %.2f SSIM %.4f\n", teacher_psnr, teacher_ssim);
  std::printf("mean PSNR %.2f SSIM %.4f\n", f.mean_psnr, f.mean_ssim);
}

void add_planes_run_options(CLI::App* c, PlanesRunOptions* o, int* threads) {
  // On `convert`, another kind may have declared an option of the same name first: it is then
  // shared (read back by name, see command_convert.cpp).
  auto option = [c](const std::string& name, auto& value, const std::string& help) {
    if (!c->get_option_no_throw(name)) c->add_option(name, value, help)->capture_default_str();
  };
  option("--planes", o->planes,
         "MPI planes (smpi: fronto-parallel planes besides the structural ones)");
  option("--reference-camera", o->reference_camera,
         "Training view index of the reference camera (-1: nearest the centre of all)");
  option("--near", o->range.near_depth, "Nearest plane depth, metres (0: estimated)");
  option("--far", o->range.far_depth, "Farthest plane depth, metres (0: estimated)");
  option("--structural-planes", o->smpi.structural_planes, "smpi: dominant planes placed at most");
  option("--patch", o->loop.patch_size, "Side of the random crops fitted (0: whole views)");
  option("--color-lr", o->color_learning_rate, "Adam step size of the colour logits");
  option("--alpha-lr", o->alpha_learning_rate, "Adam step size of the alpha logits");
  option("--threads", *threads, "Worker threads (0: all cores)");
}

void check_planes_run_options(PlanesRunOptions& o, int threads) {
  if (o.loop.steps > 0 && o.loop.minutes > 0.0)
    throw InputError("", "--steps/--minutes", "give at most one of --steps and --minutes");
  if (threads < 0) throw InputError("", "--threads", "expected a count >= 1");
  if (threads > 0) set_thread_count(threads);
  if (o.downscale < 1) throw InputError("", "--downscale", "expected an integer >= 1");
  if (!(o.color_learning_rate > 0.0f && std::isfinite(o.color_learning_rate)))
    throw InputError("", "--color-lr", "expected a finite learning rate > 0");
  if (!(o.alpha_learning_rate > 0.0f && std::isfinite(o.alpha_learning_rate)))
    throw InputError("", "--alpha-lr", "expected a finite learning rate > 0");
  o.loop.background = vec3(1.0f);   // scores as the NeRF papers: over white
  o.loop.random_background = true;  // transparent targets then constrain alpha
}

namespace {

struct FitPlanesArgs {
  PlanesRunOptions run;
  int threads = 0;
};

void add_one(CLI::App& fit, const std::string& name, PlanesLayout layout, const std::string& help) {
  auto args = std::make_shared<FitPlanesArgs>();
  args->run.layout = layout;
  if (layout == PlanesLayout::kStructural) args->run.planes = 8;
  PlanesRunOptions& o = args->run;
  CLI::App* c = fit.add_subcommand(name, help);
  c->add_option("data", o.data, "Dataset: a folder with transforms*.json or poses_bounds.npy")
      ->required();
  c->add_option("--out", o.out, "Output folder: planes.json + RGBA PNGs (also the checkpoint)")
      ->required();
  c->add_option("--steps", o.loop.steps, "Optimiser steps (default 1000 unless --minutes)");
  c->add_option("--minutes", o.loop.minutes, "Or fit for this many minutes (fitting time)");
  c->add_option("--downscale", o.downscale, "Divide image sizes by this integer")
      ->capture_default_str();
  c->add_option("--test-every", o.test_every,
                "Single-file datasets: every n-th frame is a test view")
      ->capture_default_str();
  c->add_option("--checkpoint-every", o.loop.checkpoint_every,
                "Steps between checkpoints into --out (0: at the end only)")
      ->capture_default_str();
  c->add_option("--eval-every", o.loop.eval_every, "Score held-out views every this many steps");
  c->add_option("--seed", o.loop.seed, "Random seed (same seed, same result)")
      ->capture_default_str();
  add_planes_run_options(c, &o, &args->threads);
  c->callback([args] {
    PlanesRunOptions run = args->run;
    check_planes_run_options(run, args->threads);
    print_planes_report(run_planes_fit(run), run.out);
  });
}

}  // namespace

void add_fit_planes_commands(CLI::App& fit) {
  add_one(fit, "planes", PlanesLayout::kMpi,
          "Fit a fronto-parallel MPI (planes even in inverse depth at a reference camera) to a "
          "dataset's training views");
  add_one(fit, "smpi", PlanesLayout::kStructural,
          "Fit a structural MPI (planes posed on the scene's dominant planes, found by RANSAC "
          "on a first MPI's depth, plus fronto-parallel planes) to a dataset's training views");
}

}  // namespace strata::cli
