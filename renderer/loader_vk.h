// The Vulkan loader, opened at run time (dlopen of libvulkan.so.1) rather than linked, so that
// strata starts on machines without Vulkan and falls back to the CPU renderer with a message.
// Every Vulkan function the renderer calls is a function pointer in namespace strata with the
// API's own name (volk's approach, but namespaced so nothing clashes with libvulkan's symbols).
// This header is the only place that includes <vulkan/vulkan.h>.
#pragma once

#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <vulkan/vulkan.h>

// Functions fetched before an instance exists.
#define STRATA_VK_GLOBAL_FUNCTIONS(X)       \
  X(vkCreateInstance)                       \
  X(vkEnumerateInstanceExtensionProperties) \
  X(vkEnumerateInstanceLayerProperties)     \
  X(vkEnumerateInstanceVersion)

// Instance- and device-level functions, fetched through vkGetInstanceProcAddr so that they are
// the loader's dispatching trampolines: valid for every instance and device of the process.
#define STRATA_VK_INSTANCE_FUNCTIONS(X)       \
  X(vkDestroyInstance)                        \
  X(vkEnumeratePhysicalDevices)               \
  X(vkGetPhysicalDeviceProperties)            \
  X(vkGetPhysicalDeviceProperties2)           \
  X(vkGetPhysicalDeviceMemoryProperties)      \
  X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkGetPhysicalDeviceFormatProperties)      \
  X(vkEnumerateDeviceExtensionProperties)     \
  X(vkCreateDevice)                           \
  X(vkDestroyDevice)                          \
  X(vkGetDeviceQueue)                         \
  X(vkDeviceWaitIdle)                         \
  X(vkQueueSubmit)                            \
  X(vkQueueWaitIdle)                          \
  X(vkCreateCommandPool)                      \
  X(vkDestroyCommandPool)                     \
  X(vkAllocateCommandBuffers)                 \
  X(vkFreeCommandBuffers)                     \
  X(vkBeginCommandBuffer)                     \
  X(vkEndCommandBuffer)                       \
  X(vkResetCommandBuffer)                     \
  X(vkCreateFence)                            \
  X(vkDestroyFence)                           \
  X(vkWaitForFences)                          \
  X(vkResetFences)                            \
  X(vkCreateBuffer)                           \
  X(vkDestroyBuffer)                          \
  X(vkCreateBufferView)                       \
  X(vkDestroyBufferView)                      \
  X(vkCreateImage)                            \
  X(vkDestroyImage)                           \
  X(vkCreateImageView)                        \
  X(vkDestroyImageView)                       \
  X(vkAllocateMemory)                         \
  X(vkFreeMemory)                             \
  X(vkBindBufferMemory)                       \
  X(vkBindImageMemory)                        \
  X(vkGetBufferMemoryRequirements)            \
  X(vkGetImageMemoryRequirements)             \
  X(vkMapMemory)                              \
  X(vkFlushMappedMemoryRanges)                \
  X(vkInvalidateMappedMemoryRanges)           \
  X(vkCreateShaderModule)                     \
  X(vkDestroyShaderModule)                    \
  X(vkCreateComputePipelines)                 \
  X(vkDestroyPipeline)                        \
  X(vkCreatePipelineLayout)                   \
  X(vkDestroyPipelineLayout)                  \
  X(vkCreateDescriptorSetLayout)              \
  X(vkDestroyDescriptorSetLayout)             \
  X(vkCreateDescriptorPool)                   \
  X(vkDestroyDescriptorPool)                  \
  X(vkAllocateDescriptorSets)                 \
  X(vkUpdateDescriptorSets)                   \
  X(vkCmdBindPipeline)                        \
  X(vkCmdBindDescriptorSets)                  \
  X(vkCmdPushConstants)                       \
  X(vkCmdDispatch)                            \
  X(vkCmdPipelineBarrier)                     \
  X(vkCmdCopyImageToBuffer)                   \
  X(vkCmdCopyBuffer)                          \
  X(vkCmdFillBuffer)                          \
  X(vkCreateQueryPool)                        \
  X(vkDestroyQueryPool)                       \
  X(vkCmdResetQueryPool)                      \
  X(vkCmdWriteTimestamp)                      \
  X(vkGetQueryPoolResults)                    \
  X(vkCreateSemaphore)                        \
  X(vkDestroySemaphore)                       \
  X(vkCreateRenderPass)                       \
  X(vkDestroyRenderPass)                      \
  X(vkCreateFramebuffer)                      \
  X(vkDestroyFramebuffer)                     \
  X(vkCmdBeginRenderPass)                     \
  X(vkCmdEndRenderPass)                       \
  X(vkCmdCopyBufferToImage)                   \
  X(vkCmdClearColorImage)

// VK_KHR_surface and VK_KHR_swapchain (the viewer's window): null unless the instance and device
// enable them.
#define STRATA_VK_PRESENT_FUNCTIONS(X)         \
  X(vkDestroySurfaceKHR)                       \
  X(vkGetPhysicalDeviceSurfaceSupportKHR)      \
  X(vkGetPhysicalDeviceSurfaceCapabilitiesKHR) \
  X(vkGetPhysicalDeviceSurfaceFormatsKHR)      \
  X(vkGetPhysicalDeviceSurfacePresentModesKHR) \
  X(vkCreateSwapchainKHR)                      \
  X(vkDestroySwapchainKHR)                     \
  X(vkGetSwapchainImagesKHR)                   \
  X(vkAcquireNextImageKHR)                     \
  X(vkQueuePresentKHR)

// VK_EXT_debug_utils: null when the extension is not enabled.
#define STRATA_VK_DEBUG_UTILS_FUNCTIONS(X) \
  X(vkCreateDebugUtilsMessengerEXT)        \
  X(vkDestroyDebugUtilsMessengerEXT)       \
  X(vkSetDebugUtilsObjectNameEXT)          \
  X(vkCmdBeginDebugUtilsLabelEXT)          \
  X(vkCmdEndDebugUtilsLabelEXT)

namespace strata {

#define STRATA_VK_DECLARE(name) extern PFN_##name name;
STRATA_VK_DECLARE(vkGetInstanceProcAddr)
STRATA_VK_GLOBAL_FUNCTIONS(STRATA_VK_DECLARE)
STRATA_VK_INSTANCE_FUNCTIONS(STRATA_VK_DECLARE)
STRATA_VK_DEBUG_UTILS_FUNCTIONS(STRATA_VK_DECLARE)
STRATA_VK_PRESENT_FUNCTIONS(STRATA_VK_DECLARE)
#undef STRATA_VK_DECLARE

// Opens the Vulkan loader once per process and fetches the global functions. Throws
// VulkanUnavailable (vulkan_renderer.h) naming the library when there is no loader.
void load_vulkan_library();
// Fetches the instance- and device-level functions through `instance`. Only functions still
// null are written (the loader's trampolines are the same for every instance), so loading for a
// second instance never changes a pointer another thread may be using. Throws VulkanUnavailable
// when a core function is missing.
void load_vulkan_instance_functions(VkInstance instance);

}  // namespace strata
