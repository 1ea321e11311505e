// strata-viewer [FILES...]: the interactive viewer. See README.md ("Viewer") for keys.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "apps/viewer/viewer_app.h"
#include "neural/core/error.h"

int main(int argc, char** argv) {
  strata::viewer::ViewerOptions options;
  CLI::App app{
      "strata-viewer: look around planes, layer stacks, Gaussian clouds and panoramas, "
      "fields and datasets; make camera paths for `strata render`"};
  app.add_option("files", options.files, "Scenes to open (anything `strata render` reads)");
  app.add_option("--script", options.script,
                 "Run commands from FILE, one a line (see apps/viewer/script.h), then keep going "
                 "unless it says quit");
  std::string size;
  app.add_option("--size", size, "Window size WIDTHxHEIGHT (default: as last time, or 1280x720)");
  app.add_option("--backend", options.backend, "Scene renderer: vulkan or cpu")
      ->check(CLI::IsMember({"vulkan", "cpu"}));
  app.add_option("--device", options.device, "Vulkan device: index or name substring");
  app.add_flag("--no-settings", options.no_settings,
               "Neither read nor write the settings file (recent files, window size)");
  CLI11_PARSE(app, argc, argv);
  if (!size.empty()) {
    char x = 0;
    if (std::sscanf(size.c_str(), "%d%c%d", &options.width, &x, &options.height) != 3 || x != 'x' ||
        options.width < 16 || options.height < 16 || options.width > 16384 ||
        options.height > 16384) {
      std::fprintf(stderr, "strata-viewer: error: --size expects WIDTHxHEIGHT, e.g. 1280x720\n");
      return 1;
    }
  }
  try {
    return strata::viewer::run_viewer(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata-viewer: error: %s\n", e.what());
    return 1;
  }
}
