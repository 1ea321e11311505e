// Helpers shared by the Vulkan tests: a renderer with the validation layer on (or a skip when
// the machine has no Vulkan device), and the check that the layer said nothing.
#pragma once

#include <memory>

#include "renderer/vulkan_renderer.h"

namespace strata::test {

// A Vulkan renderer with validation on, or null after a WARN when there is no Vulkan device.
// When the validation layer is not installed the tests run without it after a WARN, unless the
// environment has STRATA_REQUIRE_VALIDATION=1 (scripts/test.sh, which installs the layer): then
// the test FAILS.
std::unique_ptr<VulkanSceneRenderer> vulkan_or_skip(const VulkanPlanesSettings& settings = {},
                                                    const VulkanGaussiansSettings& gaussians = {});

// Fails the test, listing them, when the renderer has collected any validation message.
void require_no_validation_messages(const VulkanSceneRenderer& renderer);

}  // namespace strata::test
