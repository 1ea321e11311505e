// The subcommands of `strata`, each registered on the top-level CLI11 app by one function.
// A command's callback throws strata::InputError for bad input; main() prints it and exits 2.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "neural/fit/fit_loop.h"

namespace strata {
struct GaussianConvertOptions;
}

namespace strata::cli {

// `strata convert` declares an option shared by the student kinds once (whichever kind adds it
// first) and each kind reads it back by name: sets `value` when `name` exists on `c` and was given.
template <typename T>
void read_option_by_name(CLI::App* c, const std::string& name, T& value) {
  const CLI::Option* option = c->get_option_no_throw(name);
  if (option && option->count() > 0) value = option->as<T>();
}

// Reads back the options the planes and shells kinds of `convert` share (dataset, split, teacher
// views, the fitting loop's length, seed, checkpoints and scores, learning rates) into `o`.
template <typename RunOptions>
void read_shared_convert_options(CLI::App* c, RunOptions& o) {
  read_option_by_name(c, "--data", o.data);
  read_option_by_name(c, "--downscale", o.downscale);
  read_option_by_name(c, "--test-every", o.test_every);
  read_option_by_name(c, "--views", o.views);
  read_option_by_name(c, "--steps", o.loop.steps);
  read_option_by_name(c, "--minutes", o.loop.minutes);
  read_option_by_name(c, "--seed", o.loop.seed);
  read_option_by_name(c, "--checkpoint-every", o.loop.checkpoint_every);
  read_option_by_name(c, "--eval-every", o.loop.eval_every);
  read_option_by_name(c, "--color-lr", o.color_learning_rate);
  read_option_by_name(c, "--alpha-lr", o.alpha_learning_rate);
}

// Prints the held-out scores of --eval-every (seconds, step, PSNR, SSIM), if there are any.
inline void print_fit_curve(const std::vector<FitCurvePoint>& curve) {
  if (curve.empty()) return;
  std::printf("held-out PSNR against fitting time:\n  %9s %7s %9s %7s\n", "seconds", "step",
              "PSNR dB", "SSIM");
  for (const FitCurvePoint& p : curve)
    std::printf("  %9.1f %7d %9.2f %7.4f\n", p.seconds, p.step, p.psnr, p.ssim);
}

void add_info_command(CLI::App& app);     // strata info PATH | --devices
void add_render_command(CLI::App& app);   // strata render SCENE (--path P | --orbit) --out DIR
void add_bench_command(CLI::App& app);    // strata bench planes ...
void add_export_command(CLI::App& app);   // strata export INPUT --out scene.glb
void add_convert_command(CLI::App& app);  // strata convert pano DIR | INPUT --to KIND --out OUT

void add_fit_command(CLI::App& app);   // strata fit field|planes|smpi|gaussians DATA --out OUT ...
void add_eval_command(CLI::App& app);  // strata eval OUT DATA [--out DIR] (any representation)

// strata fit planes|smpi DATA --out DIR (command_fit_planes.cpp): subcommands of `fit`.
void add_fit_planes_commands(CLI::App& fit);

// strata fit gaussians DATA --out OUT.ply (command_fit_gaussians.cpp): a subcommand of `fit`.
void register_fit_gaussians(CLI::App& fit);
// strata convert INPUT --to gaussians --data DATA --out OUT.ply: the options this branch adds to
// the convert command (filled when it parses) and its run (command_fit_gaussians.cpp).
struct GaussianConvertCli {
  std::shared_ptr<GaussianConvertOptions> options;  // filled by the parser
  std::shared_ptr<int> threads;                     // --threads (0: all cores)
};
GaussianConvertCli add_convert_gaussians_options(CLI::App* convert);
void run_convert_to_gaussians(const GaussianConvertCli& cli, const std::string& input,
                              const std::string& out);

// strata bench shells (command_bench_shells.cpp): a subcommand of `bench`.
void register_bench_shells(CLI::App& bench);
// strata fit shells DATA --mesh M --out DIR (command_fit_shells.cpp): a subcommand of `fit`.
void register_fit_shells(CLI::App& fit);
// strata convert INPUT --to shells --out DIR: the options this branch adds to the convert command
// and its run (command_fit_shells.cpp); shared options are read from `convert` by name.
struct ShellConvertCli {
  std::shared_ptr<void> args;  // the parsed shell options (command_fit_shells.cpp's type)
};
ShellConvertCli add_convert_shells_options(CLI::App* convert);
void run_convert_to_shells(CLI::App* convert, const ShellConvertCli& cli, const std::string& input,
                           const std::string& out);

}  // namespace strata::cli
