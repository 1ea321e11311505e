// Picking a Vulkan device from the listed ones (no Vulkan types: unit-testable without a GPU).
// Declared in vulkan_renderer.h: choose_vulkan_device. This header adds the helpers it uses.
#pragma once

#include <string>
#include <vector>

#include "renderer/vulkan_renderer.h"

namespace strata {

// "1.3.230" -> 1003; unparsable text -> 0.
int vulkan_version_major_minor(const std::string& api_version);
// The preference rank of a device type for automatic choice (lower is better): discrete 0,
// integrated 1, cpu 2, virtual 3, other 4.
int vulkan_device_type_rank(const std::string& type);
// One line per device for messages: "  0: llvmpipe (...) [cpu, Vulkan 1.3.230]".
std::string describe_vulkan_devices(const std::vector<VulkanDeviceInfo>& devices);

}  // namespace strata
