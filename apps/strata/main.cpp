// strata: the command line. Exit codes: 0 success, 2 bad input or arguments, 1 internal error.
#include <cstdio>
#include <exception>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "renderer/vulkan_renderer.h"

int main(int argc, char** argv) {
  CLI::App app{
      "strata: layered scenes (layer stacks, MPIs and posed planes, Gaussian splats and panoramas, "
      "radiance fields) — inspect, render, fit, evaluate, convert, export, benchmark"};
  app.require_subcommand(1);
  strata::cli::add_info_command(app);
  strata::cli::add_render_command(app);
  strata::cli::add_bench_command(app);
  strata::cli::add_export_command(app);
  strata::cli::add_convert_command(app);
  strata::cli::add_fit_command(app);
  strata::cli::add_eval_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const strata::InputError& e) {
    std::fprintf(stderr, "strata: error: %s\n", e.what());
    return 2;
  } catch (const strata::VulkanError& e) {
    // The device failed (out of memory, a limit, device lost): not a bug, not bad input.
    std::fprintf(stderr, "strata: error: Vulkan: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
