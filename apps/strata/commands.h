// The subcommands of `strata`, each registered on the top-level CLI11 app by one function.
// A command's callback throws strata::InputError for bad input; main() prints it and exits 2.
#pragma once

#include <CLI/CLI.hpp>

namespace strata::cli {

void add_info_command(CLI::App& app);     // strata info PATH | --devices
void add_render_command(CLI::App& app);   // strata render SCENE (--path P | --orbit) --out DIR
void add_bench_command(CLI::App& app);    // strata bench planes ...
void add_export_command(CLI::App& app);   // strata export INPUT --out scene.glb
void add_convert_command(CLI::App& app);  // strata convert pano DIR --out OUT

void add_fit_command(CLI::App& app);   // strata fit field DATA --out F.field [--steps|--minutes]
void add_eval_command(CLI::App& app);  // strata eval F.field DATA [--out DIR]

}  // namespace strata::cli
