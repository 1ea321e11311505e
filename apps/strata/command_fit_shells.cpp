// strata fit shells DATA (--mesh base.glb|obj | --bake scene.field) --out DIR [--shells K
// --thickness D --texture-size S --minutes M | --steps N]: fits the textures of K shells around a
// base mesh to a dataset's photographs (CPU), from the bake of a radiance field when one is given,
// with the result folder as the checkpoint and a held-out table. Also the `--to shells` branch of
// `strata convert` (bake from a radiance field, then fit to its renders).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/shells/shell_fit_run.h"

namespace strata::cli {

namespace {

void print_report(const ShellRunReport& r, const std::string& out) {
  const FitLoopReport& f = r.fit;
  if (f.stopped_on_nan) {
    std::fflush(stdout);
    std::fprintf(stderr, "strata: error: %s\n", f.message.c_str());
    std::exit(1);
  }
  std::printf("%s\n", r.summary.c_str());
  std::printf("fitted %d steps in %.1f s: loss %.5f, training PSNR %.2f dB; wrote %s\n", f.steps,
              f.seconds, f.final_loss, f.final_train_psnr, out.c_str());
  print_fit_curve(f.curve);
  if (f.held_out.empty()) {
    std::printf("no held-out views to score\n");
    return;
  }
  const bool baked = r.baked_scores.size() == f.held_out.size();
  const bool teacher = r.teacher_scores.size() == f.held_out.size();
  std::printf("held-out views:\n  %-16s %9s %7s", "view", "PSNR dB", "SSIM");
  if (baked) std::printf(" %11s", "baked PSNR");
  const std::string teacher_column = r.teacher_name + " PSNR";
  if (teacher) std::printf(" %13s", teacher_column.c_str());
  std::printf("\n");
  double baked_psnr = 0.0, teacher_psnr = 0.0, teacher_ssim = 0.0;
  const double n = double(f.held_out.size());
  for (size_t i = 0; i < f.held_out.size(); ++i) {
    std::printf("  %-16s %9.2f %7.4f", f.held_out[i].name.c_str(), f.held_out[i].psnr,
                f.held_out[i].ssim);
    if (baked) {
      std::printf(" %11.2f", r.baked_scores[i].psnr);
      baked_psnr += r.baked_scores[i].psnr / n;
    }
    if (teacher) {
      std::printf(" %13.2f", r.teacher_scores[i].psnr);
      teacher_psnr += r.teacher_scores[i].psnr / n;
      teacher_ssim += r.teacher_scores[i].ssim / n;
    }
    std::printf("\n");
  }
  if (baked) std::printf("baked start: mean PSNR %.2f\n", baked_psnr);
  if (teacher)
    std::printf("%s: mean PSNR %.2f SSIM %.4f\n", r.teacher_name.c_str(), teacher_psnr,
                teacher_ssim);
  std::printf("mean PSNR %.2f SSIM %.4f\n", f.mean_psnr, f.mean_ssim);
}

struct ShellArgs {
  ShellRunOptions run;
  int threads = 0;
  bool no_bake = false;  // convert: skip the bake
};

// The options of the shells themselves; on `convert` an option another kind declared first is
// shared (read back by name in run_convert_to_shells).
void add_shell_options(CLI::App* c, ShellArgs* a) {
  auto option = [c](const std::string& name, auto& value, const std::string& help) {
    if (!c->get_option_no_throw(name)) c->add_option(name, value, help)->capture_default_str();
  };
  ShellRunOptions& o = a->run;
  option("--mesh", o.mesh,
         "Base mesh (.obj, .glb, .gltf); converting or baking a field: its own "
         "surface when absent");
  option("--shells", o.shells.build.shells, "Shells (K) around the base mesh");
  option("--thickness", o.shells.build.thickness,
         "Shells span [-d, +F d] along the normals (F: --outer-fraction), metres (0: "
         "automatic)");
  option("--outer-fraction", o.shells.build.outer_fraction,
         "The outermost shell at +F times the thickness (0..4; 1: symmetric; below 1: more "
         "shells inside the surface)");
  option("--texture-size", o.shells.build.texture_size, "Texels a side of each shell texture");
  option("--unseen-texel-scale", o.shells.build.unseen_texel_scale,
         "Texel density of the surface no view sees, relative to the rest (0..1; 1: all alike)");
  option("--mesh-resolution", o.shells.mesh_resolution,
         "Field surface: marching-cubes nodes along the longest side");
  option("--target-triangles", o.shells.target_triangles,
         "Field surface: simplify to about this many triangles (0: no simplification)");
  option("--density-threshold", o.shells.density_threshold, "Field surface: density, 1/metres");
  option("--color-lr", o.color_learning_rate, "Adam step size of the colours");
  option("--alpha-lr", o.alpha_learning_rate, "Adam step size of the alpha logits");
  option("--distortion", o.distortion,
         "Weight of the distortion loss: keeps each pixel's opacity at one depth (0: off)");
  option("--resume", o.resume,
         "Start from the shells saved in this folder (a checkpoint: its mesh, atlas and "
         "textures) instead of building new ones");
  option("--threads", a->threads, "Worker threads (0: all cores)");
}

void finish_options(ShellRunOptions& o, int threads) {
  if (o.loop.steps > 0 && o.loop.minutes > 0.0)
    throw InputError("", "--steps/--minutes", "give at most one of --steps and --minutes");
  if (o.loop.steps == 0 && o.loop.minutes == 0.0) o.loop.steps = 1000;
  if (threads < 0) throw InputError("", "--threads", "expected a count >= 1");
  if (threads > 0) set_thread_count(threads);
  if (o.downscale < 1) throw InputError("", "--downscale", "expected an integer >= 1");
  const float outer = o.shells.build.outer_fraction;
  if (!(outer >= 0.0f && outer <= 4.0f))
    throw InputError("", "--outer-fraction", "expected a fraction of the thickness in 0..4");
  const float unseen = o.shells.build.unseen_texel_scale;
  if (!(unseen > 0.0f && unseen <= 1.0f))
    throw InputError("", "--unseen-texel-scale", "expected a relative texel density in (0, 1]");
  if (!(o.distortion >= 0.0f && std::isfinite(o.distortion)))
    throw InputError("", "--distortion", "expected a weight >= 0");
  if (!(o.view_scale > 0.0f && o.view_scale <= 8.0f))
    throw InputError("", "--view-scale", "expected a factor in (0, 8]");
  // L2: 0.8 L1 + 0.2 D-SSIM gave +0.006 SSIM but -0.18 dB with 16 shells (docs/QUALITY.md).
  o.loop.loss = FitLoss::kL2;
  o.loop.background = vec3(1.0f);   // scores as the NeRF papers: over white
  o.loop.random_background = true;  // transparent targets then constrain alpha
}

}  // namespace

void register_fit_shells(CLI::App& fit) {
  auto args = std::make_shared<ShellArgs>();
  ShellRunOptions& o = args->run;
  CLI::App* c = fit.add_subcommand(
      "shells",
      "Fit the RGBA textures of shells around a base mesh (layered surface volume) to posed "
      "photographs");
  c->add_option("data", o.data, "Dataset: a folder with transforms*.json or poses_bounds.npy")
      ->required();
  c->add_option("--out", o.out,
                "Output folder: shells.json + base.obj + PNGs (also the "
                "checkpoint)")
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
  c->add_option("--bake", o.bake_field,
                "A radiance field (.field) whose bake starts the fit; without --mesh its surface "
                "is the base mesh");
  c->add_option("--field-views", o.field_views,
                "With --bake: also fit renders of the field at this many blends of the training "
                "cameras")
      ->capture_default_str();
  add_shell_options(c, args.get());
  c->callback([args] {
    ShellRunOptions run = args->run;
    finish_options(run, args->threads);
    if (run.mesh.empty() && run.bake_field.empty() && run.resume.empty())
      throw InputError("", "--mesh", "expected a base mesh (.obj, .glb, .gltf) or --bake FIELD");
    if (run.field_views < 0) throw InputError("", "--field-views", "expected a count >= 0");
    if (run.field_views > 0 && run.bake_field.empty())
      throw InputError("", "--field-views", "renders a field: give it with --bake FIELD");
    print_report(run_shells_fit(run), run.out);
  });
}

ShellConvertCli add_convert_shells_options(CLI::App* convert) {
  auto args = std::make_shared<ShellArgs>();
  add_shell_options(convert, args.get());
  convert->add_flag("--no-bake", args->no_bake,
                    "shells: start from grey texels instead of the field's bake");
  convert
      ->add_option("--view-scale", args->run.view_scale,
                   "shells: render the teacher views at this times the cameras' resolution")
      ->capture_default_str();
  return ShellConvertCli{args};
}

void run_convert_to_shells(CLI::App* convert, const ShellConvertCli& cli, const std::string& input,
                           const std::string& out) {
  ShellArgs& a = *std::static_pointer_cast<ShellArgs>(cli.args);
  ShellRunOptions o = a.run;
  o.teacher = input;
  o.out = out;
  read_option_by_name(convert, "--mesh", o.mesh);
  read_option_by_name(convert, "--shells", o.shells.build.shells);
  read_option_by_name(convert, "--thickness", o.shells.build.thickness);
  read_option_by_name(convert, "--texture-size", o.shells.build.texture_size);
  read_shared_convert_options(convert, o);
  int threads = a.threads;
  read_option_by_name(convert, "--threads", threads);
  o.bake = !a.no_bake;
  finish_options(o, threads);
  print_report(run_shells_fit(o), out);
}

}  // namespace strata::cli
