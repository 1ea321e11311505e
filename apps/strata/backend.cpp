#include "apps/strata/backend.h"

#include "neural/core/error.h"

namespace strata::cli {

void add_backend_options(CLI::App& command, BackendChoice& choice) {
  command
      .add_option("--backend", choice.backend,
                  "Renderer: vulkan (GPU or the CPU Vulkan device) or cpu (reference)")
      ->check(CLI::IsMember({"vulkan", "cpu"}))
      ->capture_default_str();
  command.add_option("--device", choice.device,
                     "Vulkan device: index or name substring (see strata info --devices)");
}

std::unique_ptr<SceneRenderer> make_renderer(const BackendChoice& choice) {
  if (choice.backend == "cpu") return make_cpu_renderer();
  // Vulkan arrives with the renderer issue; until then the CPU reference draws.
  std::fprintf(
      stderr,
      "strata: notice: Vulkan renderer not available in this build; using the CPU reference\n");
  return make_cpu_renderer();
}

void print_vulkan_devices() {
  std::printf("Vulkan devices: not available in this build\n");
}

}  // namespace strata::cli
