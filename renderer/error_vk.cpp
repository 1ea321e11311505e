#include "renderer/error_vk.h"

#include "renderer/vulkan_renderer.h"

namespace strata {

const char* vk_result_name(VkResult result) {
  switch (result) {
#define STRATA_VK_RESULT(name) \
  case name:                   \
    return #name;
    STRATA_VK_RESULT(VK_SUCCESS)
    STRATA_VK_RESULT(VK_NOT_READY)
    STRATA_VK_RESULT(VK_TIMEOUT)
    STRATA_VK_RESULT(VK_INCOMPLETE)
    STRATA_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    STRATA_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    STRATA_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    STRATA_VK_RESULT(VK_ERROR_DEVICE_LOST)
    STRATA_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    STRATA_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    STRATA_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    STRATA_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    STRATA_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    STRATA_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    STRATA_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    STRATA_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
    STRATA_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    STRATA_VK_RESULT(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    STRATA_VK_RESULT(VK_ERROR_FRAGMENTATION)
    STRATA_VK_RESULT(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    STRATA_VK_RESULT(VK_ERROR_UNKNOWN)
#undef STRATA_VK_RESULT
    default:
      return "VkResult (unknown)";
  }
}

VkResult vk_check(VkResult result, const char* call, const std::string& what) {
  if (result >= 0) return result;
  std::string message = call;
  // Keep just the function name of the checked expression.
  if (const size_t paren = message.find('('); paren != std::string::npos) message.resize(paren);
  if (!what.empty()) message += " (" + what + ")";
  message += ": ";
  message += vk_result_name(result);
  if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
    message +=
        "; the scene does not fit in this device's memory; try smaller textures, fewer "
        "planes, or --backend cpu";
  else if (result == VK_ERROR_DEVICE_LOST)
    message += "; the device stopped responding (driver reset or a GPU fault)";
  throw VulkanError(message);
}

}  // namespace strata
