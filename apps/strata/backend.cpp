#include "apps/strata/backend.h"

#include <cstdio>

#include "neural/core/error.h"
#include "renderer/vulkan_renderer.h"

namespace strata::cli {

void add_backend_options(CLI::App& command, BackendChoice& choice) {
  command
      .add_option("--backend", choice.backend,
                  "Renderer: vulkan (a GPU, or the CPU Vulkan device) or cpu (the reference)")
      ->check(CLI::IsMember({"vulkan", "cpu"}))
      ->capture_default_str();
  command.add_option("--device", choice.device,
                     "Vulkan device: index or name substring (see strata info --devices)");
}

std::unique_ptr<SceneRenderer> make_renderer(const BackendChoice& choice, const Scene& scene) {
  if (choice.backend == "cpu") return make_cpu_renderer();
  bool has_field = false;
  for (const SceneItem& item : scene.items)
    has_field |= std::holds_alternative<RadianceField>(item.content);
  if (has_field) {
    // The Vulkan path for fields arrives with a later issue; until then the CPU reference draws.
    std::fprintf(stderr,
                 "strata: notice: the Vulkan renderer does not draw radiance fields yet; using the "
                 "CPU reference\n");
    return make_cpu_renderer();
  }
  VulkanOptions options;
  options.device = choice.device;
  try {
    return make_vulkan_renderer(options);
  } catch (const VulkanUnavailable& e) {
    // A device the user named explicitly must exist; otherwise fall back with a notice.
    if (!choice.device.empty()) throw InputError("", "--device", e.what());
    std::fprintf(stderr,
                 "strata: notice: no Vulkan device (%s); using the CPU reference renderer\n",
                 e.what());
    return make_cpu_renderer();
  }
}

void print_vulkan_devices() {
  std::vector<VulkanDeviceInfo> devices;
  try {
    devices = list_vulkan_devices();
  } catch (const VulkanUnavailable& e) {
    std::printf("Vulkan devices: none (%s)\n  strata renders with the CPU reference renderer\n",
                e.what());
    return;
  }
  int chosen = -1;
  try {
    chosen = choose_vulkan_device(devices, "");
  } catch (const VulkanUnavailable&) {
  }
  std::printf("Vulkan devices:\n");
  for (size_t i = 0; i < devices.size(); ++i) {
    const VulkanDeviceInfo& d = devices[i];
    std::printf("  %d: %s  [%s]  Vulkan %s  %s  %.1f GiB%s\n", d.index, d.name.c_str(),
                d.type.c_str(), d.api_version.c_str(), d.driver.c_str(),
                double(d.device_local_bytes) / (1 << 30), int(i) == chosen ? "  (default)" : "");
  }
}

}  // namespace strata::cli
