// Buffers and images with their own memory (one allocation each: the renderer makes a handful
// of large resources, so a general allocator would buy nothing). Every allocation is checked
// against the heap size and the device's largest allocation first, so a scene too large for the
// device gets a clear VulkanError instead of a driver failure.
#pragma once

#include <cstdint>
#include <string>

#include "renderer/context_vk.h"
#include "renderer/handles_vk.h"

namespace strata {

// A buffer, its memory, and (host-visible buffers) a persistent mapping.
struct BufferVk {
  UniqueBuffer buffer;     // the VkBuffer
  UniqueMemory memory;     // its dedicated allocation (freeing it unmaps)
  void* mapped = nullptr;  // host address of byte 0, or null for device-only memory
  uint64_t size = 0;       // bytes
  bool coherent = false;   // host writes need no flush, device writes no invalidate

  VkBuffer get() const { return buffer.get(); }
  // Makes host writes visible to the device (no-op when coherent).
  void flush(const ContextVk& ctx) const;
  // Makes device writes visible to the host before reading `mapped` (no-op when coherent).
  void invalidate(const ContextVk& ctx) const;
};

enum class MemoryUse {
  kDeviceOnly,  // device-local; filled by transfers or shaders
  kUpload,      // host-visible, written by the host each frame or once (staging)
  kReadback,    // host-visible, host-cached where possible, read by the host
};

// Creates a buffer of `bytes` with `usage`, named `name`. Throws VulkanError (with the size and
// heap in the message) when the memory cannot be had.
BufferVk create_buffer(const ContextVk& ctx, uint64_t bytes, VkBufferUsageFlags usage,
                       MemoryUse use, const std::string& name);

// A formatted view of `buffer` (a texel buffer), named `name`.
UniqueBufferView create_buffer_view(const ContextVk& ctx, const BufferVk& buffer, VkFormat format,
                                    const std::string& name);

// A 2D image (or 2D array), its memory and a view of all its layers.
struct ImageVk {
  UniqueImage image;     // the VkImage
  UniqueMemory memory;   // its dedicated allocation
  UniqueImageView view;  // 2D view (layers == 1) or 2D-array view
  VkFormat format = VK_FORMAT_UNDEFINED;
  uint32_t width = 0;   // texels
  uint32_t height = 0;  // texels
  uint32_t layers = 0;  // array layers
  uint64_t bytes = 0;   // size of its allocation

  VkImage get() const { return image.get(); }
};

// Creates a device-local, optimally tiled 2D image (an array view when `array_view`), named
// `name`. Throws VulkanError when the format lacks `usage` or memory runs out.
ImageVk create_image(const ContextVk& ctx, uint32_t width, uint32_t height, uint32_t layers,
                     VkFormat format, VkImageUsageFlags usage, bool array_view,
                     const std::string& name);

// Allocates memory meeting `requirements` (throws VulkanError naming `what` on failure).
UniqueMemory allocate_memory(const ContextVk& ctx, const VkMemoryRequirements& requirements,
                             VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
                             const std::string& what, uint32_t* type_out = nullptr);

// A whole-image (all layers) barrier with layout transition, for the common cases.
void image_barrier(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                   VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                   VkPipelineStageFlags dst_stage, VkAccessFlags dst_access);
// A global memory barrier (buffers and images without layout change).
void memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                    VkPipelineStageFlags dst_stage, VkAccessFlags dst_access);

}  // namespace strata
