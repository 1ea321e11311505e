// VkResult checking: every failing call becomes a VulkanError (vulkan_renderer.h) that names the
// call, what it was for and the result, e.g. "vkAllocateMemory (plane texels):
// VK_ERROR_OUT_OF_DEVICE_MEMORY".
#pragma once

#include <string>

#include "renderer/loader_vk.h"

namespace strata {

// The enumerant's name, e.g. "VK_ERROR_DEVICE_LOST".
const char* vk_result_name(VkResult result);

// Throws VulkanError "<call> (<what>): <result name>" unless result is VK_SUCCESS (or another
// non-error code, which are returned unchanged).
VkResult vk_check(VkResult result, const char* call, const std::string& what = "");

}  // namespace strata

// Checks a Vulkan call; `what` says what it was for (may be "").
#define STRATA_VK_CHECK(call, what) ::strata::vk_check((call), #call, (what))
