// strata convert: turns one representation into another.
//   convert pano DIR --out OUT: lifts equirectangular layers with depth to a layered Gaussian
//     panorama (LayerPano3D).
//   convert INPUT --to planes|smpi|gaussians|shells|field --data DATA --out OUT: fits the student
//     to views rendered from INPUT (the teacher: any scene strata loads), sampled around the
//     dataset's cameras or along --camera-path (PVD's any-to-any conversion).
// Options shared by the kinds (--data, --views, --steps, ...) are declared once on `convert`;
// a kind reads the ones it needs by name.
#include <cstdio>

#include <chrono>
#include "apps/strata/commands.h"

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/field/field_distill.h"
#include "neural/panorama/gaussian_panorama.h"
#include "neural/planes/mpi_fit_run.h"

namespace strata::cli {

void print_planes_report(const PlanesRunReport& r, const std::string& out);  // command_fit_planes
void add_planes_run_options(CLI::App* c, PlanesRunOptions* o, int* threads);
void check_planes_run_options(PlanesRunOptions& o, int threads);

namespace {

struct PanoOptions {
  std::string input;
  std::string out;
  LiftOptions lift;
};

void run_convert_pano(const PanoOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const GaussianPanorama panorama = build_gaussian_panorama(o.input, o.lift);
  save_gaussian_panorama(panorama, o.out);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("lifted %zu Gaussians in %zu layers from a %dx%d panorama in %.2f s\n",
              panorama.cloud.size(), panorama.layers.size(), panorama.eye.width,
              panorama.eye.height, seconds);
  for (size_t l = 0; l < panorama.layers.size(); ++l) {
    size_t count = 0;
    for (uint16_t id : panorama.cloud.layers) count += id == l;
    std::printf("  layer_%zu.ply  %-12s %zu Gaussians\n", l, panorama.layers[l].c_str(), count);
  }
  std::printf("wrote %s/panorama.json; view it with: strata render %s --eye --out DIR\n",
              o.out.c_str(), o.out.c_str());
}

// An option of `convert` shared by the kinds: added once (by whichever kind comes first).
void add_shared(CLI::App* c, const std::string& name, const std::string& help) {
  if (!c->get_option_no_throw(name)) c->add_option(name, help);
}

struct ConvertArgs {
  std::string input;
  std::string to;
  std::string out;
  PlanesRunOptions planes;  // --to planes|smpi: the kind's own options
  int planes_threads = 0;
  bool no_closed_form = false;
};

void run_convert_to_planes(CLI::App* c, ConvertArgs& a) {
  PlanesRunOptions o = a.planes;
  o.layout = a.to == "smpi" ? PlanesLayout::kStructural : PlanesLayout::kMpi;
  if (o.layout == PlanesLayout::kStructural) o.planes = 8;
  o.teacher = a.input;
  o.out = a.out;
  o.closed_form = !a.no_closed_form;
  read_shared_convert_options(c, o);
  read_option_by_name(c, "--camera-path", o.camera_path);
  read_option_by_name(c, "--planes", o.planes);
  read_option_by_name(c, "--reference-camera", o.reference_camera);
  read_option_by_name(c, "--near", o.range.near_depth);
  read_option_by_name(c, "--far", o.range.far_depth);
  read_option_by_name(c, "--structural-planes", o.smpi.structural_planes);
  read_option_by_name(c, "--patch", o.loop.patch_size);
  int threads = a.planes_threads;
  read_option_by_name(c, "--threads", threads);
  check_planes_run_options(o, threads);
  print_planes_report(run_planes_fit(o), o.out);
}

void run_convert_to_field(CLI::App* c, const ConvertArgs& a) {
  FieldConvertOptions o;
  o.teacher = a.input;
  o.fit.out = a.out;
  o.fit.checkpoint_seconds = 0.0;
  read_option_by_name(c, "--data", o.data);
  read_option_by_name(c, "--camera-path", o.path);
  read_option_by_name(c, "--downscale", o.fit.downscale);
  read_option_by_name(c, "--test-every", o.fit.test_every);
  read_option_by_name(c, "--views", o.views);
  read_option_by_name(c, "--steps", o.fit.steps);
  read_option_by_name(c, "--minutes", o.fit.minutes);
  read_option_by_name(c, "--seed", o.fit.trainer.seed);
  read_option_by_name(c, "--checkpoint-every", o.fit.checkpoint_steps);
  read_option_by_name(c, "--eval-every", o.fit.eval_steps);
  int threads = 0;
  read_option_by_name(c, "--threads", threads);
  if (o.fit.steps > 0 && o.fit.minutes > 0.0)
    throw InputError("", "--steps/--minutes", "give at most one of --steps and --minutes");
  if (threads < 0) throw InputError("", "--threads", "expected a count >= 1");
  if (threads > 0) set_thread_count(threads);
  if (o.fit.checkpoint_steps < 0)
    throw InputError("", "--checkpoint-every", "expected a step count >= 0");
  if (o.fit.eval_steps < 0) throw InputError("", "--eval-every", "expected a step count >= 0");

  const FieldConvertReport r = convert_to_field(o);
  std::printf("trained %llu steps (%.1f s, %.0f rays/s, %.1f samples/ray); wrote %s\n",
              (unsigned long long)r.fit.steps, r.fit.train_seconds, r.fit.rays_per_second,
              r.fit.samples_per_ray, o.fit.out.c_str());
  if (!r.fit.curve.empty()) {
    std::printf("held-out PSNR against training time:\n  %9s %7s %9s %7s\n", "seconds", "step",
                "PSNR dB", "SSIM");
    for (const CurvePoint& p : r.fit.curve)
      std::printf("  %9.1f %7llu %9.2f %7.4f\n", p.seconds, (unsigned long long)p.step, p.psnr,
                  p.ssim);
  }
  if (r.field.empty()) return;
  std::printf("held-out views (over white):\n  %-16s %9s %7s %11s %7s %12s\n", "view", "field dB",
              "SSIM", "teacher dB", "SSIM", "vs teacher");
  double sums[5] = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < r.field.size(); ++i) {
    std::printf("  %-16s %9.2f %7.4f %11.2f %7.4f %12.2f\n", r.field[i].name.c_str(),
                r.field[i].psnr, r.field[i].ssim, r.teacher[i].psnr, r.teacher[i].ssim,
                r.vs_teacher[i].psnr);
    const double v[5] = {r.field[i].psnr, r.field[i].ssim, r.teacher[i].psnr, r.teacher[i].ssim,
                         r.vs_teacher[i].psnr};
    for (int k = 0; k < 5; ++k) sums[k] += v[k];
  }
  const double n = double(r.field.size());
  std::printf("  %-16s %9.2f %7.4f %11.2f %7.4f %12.2f\n", "mean", sums[0] / n, sums[1] / n,
              sums[2] / n, sums[3] / n, sums[4] / n);
  std::printf("mean PSNR %.2f SSIM %.4f\n", sums[0] / n, sums[1] / n);
}

}  // namespace

void add_convert_command(CLI::App& app) {
  CLI::App* convert = app.add_subcommand(
      "convert",
      "Convert one representation into another: `convert pano DIR`, or `convert INPUT --to "
      "planes|smpi|gaussians|shells|field` (fit to views rendered from INPUT)");
  convert->require_subcommand(0, 1);
  auto pano = std::make_shared<PanoOptions>();
  CLI::App* command = convert->add_subcommand("pano",
                                              "Lift equirectangular layers with depth to a layered "
                                              "Gaussian panorama (panorama.json + layer_N.ply)");
  command
      ->add_option(
          "input", pano->input,
          "Folder with pano.json and its layers (or pano_full/pano_background + depth EXRs)")
      ->required();
  command->add_option("--out", pano->out, "Output folder")->required();
  command
      ->add_option("--footprint", pano->lift.footprint,
                   "Gaussian width across the ray, in pixel spacings")
      ->capture_default_str();
  command
      ->add_option("--thickness", pano->lift.thickness,
                   "Gaussian depth along the ray, relative to its width")
      ->capture_default_str();
  command->callback([pano] { run_convert_pano(*pano); });

  // convert INPUT --to KIND.
  auto args = std::make_shared<ConvertArgs>();
  convert->add_option("input", args->input,
                      "The teacher: any scene strata loads (.field, planes.json, .ply, ...)");
  convert->add_option("--to", args->to,
                      "The student's kind: planes, smpi, gaussians, shells or field");
  convert->add_option(
      "--out", args->out,
      "Output (planes, smpi, shells: a folder; gaussians: a .ply; field: a .field)");
  const GaussianConvertCli gaussians = add_convert_gaussians_options(convert);
  const ShellConvertCli shells = add_convert_shells_options(convert);  // command_fit_shells.cpp
  add_shared(convert, "--data",
             "Dataset whose cameras the teacher is rendered around (and whose test photographs "
             "score the result)");
  add_shared(convert, "--camera-path", "Render the teacher along this path.json instead");
  add_shared(convert, "--downscale", "Dataset image downscale");
  add_shared(convert, "--test-every", "Single-file datasets: every n-th frame is a test view");
  add_shared(convert, "--views", "Teacher views (around the dataset's cameras, or along the path)");
  add_shared(convert, "--steps", "Optimiser steps (default 1000 unless --minutes)");
  add_shared(convert, "--minutes", "Or fit for this many minutes (fitting time)");
  add_shared(convert, "--seed", "Random seed");
  add_shared(convert, "--checkpoint-every", "Steps between checkpoints into --out");
  add_shared(convert, "--eval-every", "Score held-out views every this many steps");
  add_shared(convert, "--threads", "Worker threads (default: all cores)");
  add_planes_run_options(convert, &args->planes, &args->planes_threads);
  convert
      ->add_option("--near-angle", args->planes.near_angle_deg,
                   "planes/smpi: views within this many degrees of the reference camera's "
                   "direction are rendered from the teacher and scored")
      ->capture_default_str();
  convert->add_flag("--no-closed-form", args->no_closed_form,
                    "planes: start a field's MPI from even alpha instead of its slab integrals");
  convert->callback([convert, args, gaussians, shells] {
    if (convert->get_subcommands().size() > 0) return;  // `convert pano` ran
    if (args->input.empty())
      throw InputError("", "INPUT", "expected `convert pano DIR` or `convert INPUT --to KIND`");
    if (args->out.empty()) throw InputError("", "--out", "expected an output path");
    if (args->to == "planes" || args->to == "smpi") {
      run_convert_to_planes(convert, *args);
    } else if (args->to == "gaussians") {
      run_convert_to_gaussians(gaussians, args->input, args->out);
    } else if (args->to == "shells") {
      run_convert_to_shells(convert, shells, args->input, args->out);
    } else if (args->to == "field") {
      run_convert_to_field(convert, *args);
    } else {
      throw InputError("", "--to",
                       "expected planes, smpi, gaussians, shells or field, not '" + args->to + "'");
    }
  });
}

}  // namespace strata::cli
