#include "tests/vulkan_test_support.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace strata::test {

std::unique_ptr<VulkanSceneRenderer> vulkan_or_skip(const VulkanPlanesSettings& settings,
                                                    const VulkanGaussiansSettings& gaussians) {
  VulkanOptions options;
  options.validation = true;
  std::unique_ptr<VulkanSceneRenderer> renderer;
  try {
    renderer = make_vulkan_scene_renderer(options, settings, gaussians);
  } catch (const VulkanUnavailable& e) {
    WARN("no Vulkan device, Vulkan test skipped: " << e.what());
    return nullptr;
  }
  if (!renderer->validation_enabled()) {
    const char* require = std::getenv("STRATA_REQUIRE_VALIDATION");
    if (require && std::strcmp(require, "1") == 0)
      FAIL(
          "VK_LAYER_KHRONOS_validation is not installed and STRATA_REQUIRE_VALIDATION=1 "
          "(install vulkan-validationlayers)");
    WARN("VK_LAYER_KHRONOS_validation is not installed: running without validation");
  }
  return renderer;
}

void require_no_validation_messages(const VulkanSceneRenderer& renderer) {
  const std::vector<std::string> messages = renderer.validation_messages();
  std::string all;
  for (const std::string& m : messages) all += m + "\n";
  INFO(all);
  REQUIRE(messages.empty());
}

}  // namespace strata::test
