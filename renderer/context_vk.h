// The Vulkan context: instance (debug utils and the validation layer when asked), the chosen
// physical device, a logical device with one compute-capable queue, debug names, and the
// validation messages collected so far. One per renderer; not copyable or movable (the debug
// callback keeps a pointer to its message log).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "renderer/handles_vk.h"
#include "renderer/vulkan_renderer.h"

namespace strata {

// Creates an instance for listing devices or rendering. `validation`: enable the Khronos layer
// (with synchronization validation) when it is installed, else warn once; `log` (may be null)
// receives warnings and errors from the layer and the loader. Sets *debug_utils and *validation_on.
struct ValidationLog;
// `required_extensions` (the window surface's) must be available, else VulkanUnavailable.
UniqueInstance create_vulkan_instance(bool validation, ValidationLog* log, bool* debug_utils,
                                      bool* validation_on,
                                      const std::vector<std::string>& required_extensions = {});

// Messages of severity warning or error from the debug-utils messenger, thread-safe.
struct ValidationLog {
  mutable std::mutex mutex;
  std::vector<std::string> messages;  // "[ERROR validation] VUID-...: text", in arrival order
  void add(std::string message);
  std::vector<std::string> snapshot() const;
};

// Describes physical device `device` (enumeration position `index`).
VulkanDeviceInfo describe_physical_device(VkPhysicalDevice device, int index);

class ContextVk {
 public:
  // Starts Vulkan on the device `options.device` picks (see choose_vulkan_device). Throws
  // VulkanUnavailable when there is no loader, no device or no match.
  explicit ContextVk(const VulkanOptions& options);
  ~ContextVk();
  ContextVk(const ContextVk&) = delete;
  ContextVk& operator=(const ContextVk&) = delete;

  VkInstance instance() const { return instance_.get(); }
  VkPhysicalDevice physical_device() const { return physical_device_; }
  VkDevice device() const { return device_.get(); }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  const VkPhysicalDeviceLimits& limits() const { return properties_.limits; }
  const VulkanDeviceInfo& info() const { return info_; }
  // Nanoseconds per timestamp tick, or 0 when the queue cannot write timestamps.
  double timestamp_period_ns() const { return timestamp_period_ns_; }
  // Largest single allocation the device accepts, bytes (maxMemoryAllocationSize).
  uint64_t max_allocation_bytes() const { return max_allocation_bytes_; }

  bool validation_enabled() const { return validation_on_; }
  std::vector<std::string> validation_messages() const { return log_->snapshot(); }

  // A memory type index among `type_bits` with all of `required` and, when one exists, all of
  // `preferred` too. Throws VulkanError naming `what` when none has `required`.
  uint32_t memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                       VkMemoryPropertyFlags preferred, const std::string& what) const;
  // Size of the heap that memory type `type` lives in, bytes.
  uint64_t heap_bytes(uint32_t type) const;
  bool memory_type_has(uint32_t type, VkMemoryPropertyFlags flags) const;

  // Names an object for validation messages and debuggers (no-op without debug utils).
  template <typename Handle>
  void name(Handle handle, const std::string& text) const {
    set_object_name(object_type<Handle>(), reinterpret_cast<uint64_t>(handle), text);
  }
  // Opens / closes a labelled region in a command buffer (no-op without debug utils).
  void begin_label(VkCommandBuffer cmd, const char* label) const;
  void end_label(VkCommandBuffer cmd) const;

 private:
  template <typename Handle>
  static constexpr VkObjectType object_type() {
    if constexpr (std::is_same_v<Handle, VkBuffer>)
      return VK_OBJECT_TYPE_BUFFER;
    else if constexpr (std::is_same_v<Handle, VkBufferView>)
      return VK_OBJECT_TYPE_BUFFER_VIEW;
    else if constexpr (std::is_same_v<Handle, VkImage>)
      return VK_OBJECT_TYPE_IMAGE;
    else if constexpr (std::is_same_v<Handle, VkImageView>)
      return VK_OBJECT_TYPE_IMAGE_VIEW;
    else if constexpr (std::is_same_v<Handle, VkDeviceMemory>)
      return VK_OBJECT_TYPE_DEVICE_MEMORY;
    else if constexpr (std::is_same_v<Handle, VkFence>)
      return VK_OBJECT_TYPE_FENCE;
    else if constexpr (std::is_same_v<Handle, VkQueryPool>)
      return VK_OBJECT_TYPE_QUERY_POOL;
    else if constexpr (std::is_same_v<Handle, VkCommandPool>)
      return VK_OBJECT_TYPE_COMMAND_POOL;
    else if constexpr (std::is_same_v<Handle, VkCommandBuffer>)
      return VK_OBJECT_TYPE_COMMAND_BUFFER;
    else if constexpr (std::is_same_v<Handle, VkShaderModule>)
      return VK_OBJECT_TYPE_SHADER_MODULE;
    else if constexpr (std::is_same_v<Handle, VkPipeline>)
      return VK_OBJECT_TYPE_PIPELINE;
    else if constexpr (std::is_same_v<Handle, VkPipelineLayout>)
      return VK_OBJECT_TYPE_PIPELINE_LAYOUT;
    else if constexpr (std::is_same_v<Handle, VkDescriptorSetLayout>)
      return VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT;
    else if constexpr (std::is_same_v<Handle, VkDescriptorPool>)
      return VK_OBJECT_TYPE_DESCRIPTOR_POOL;
    else if constexpr (std::is_same_v<Handle, VkDescriptorSet>)
      return VK_OBJECT_TYPE_DESCRIPTOR_SET;
    else if constexpr (std::is_same_v<Handle, VkQueue>)
      return VK_OBJECT_TYPE_QUEUE;
    else if constexpr (std::is_same_v<Handle, VkDevice>)
      return VK_OBJECT_TYPE_DEVICE;
    else if constexpr (std::is_same_v<Handle, VkSemaphore>)
      return VK_OBJECT_TYPE_SEMAPHORE;
    else if constexpr (std::is_same_v<Handle, VkRenderPass>)
      return VK_OBJECT_TYPE_RENDER_PASS;
    else if constexpr (std::is_same_v<Handle, VkFramebuffer>)
      return VK_OBJECT_TYPE_FRAMEBUFFER;
    else if constexpr (std::is_same_v<Handle, VkSwapchainKHR>)
      return VK_OBJECT_TYPE_SWAPCHAIN_KHR;
    else
      static_assert(sizeof(Handle) == 0, "add this handle type to ContextVk::object_type");
  }
  void set_object_name(VkObjectType type, uint64_t handle, const std::string& text) const;

  std::unique_ptr<ValidationLog> log_;  // first: the messenger writes into it until destroyed
  UniqueInstance instance_;
  UniqueDebugMessenger messenger_;
  bool debug_utils_ = false;    // VK_EXT_debug_utils enabled: names, labels, messenger
  bool validation_on_ = false;  // the Khronos validation layer is active
  VkPhysicalDevice physical_device_ = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  uint64_t max_allocation_bytes_ = 0;
  VulkanDeviceInfo info_{};
  UniqueDevice device_;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  double timestamp_period_ns_ = 0.0;
};

}  // namespace strata
