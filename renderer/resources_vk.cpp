#include "renderer/resources_vk.h"

#include <algorithm>
#include <cstdio>

#include "renderer/error_vk.h"

namespace strata {

namespace {

// The format features that `usage` needs of an optimally tiled image.
VkFormatFeatureFlags features_for(VkImageUsageFlags usage) {
  VkFormatFeatureFlags features = 0;
  if (usage & VK_IMAGE_USAGE_SAMPLED_BIT)
    features |=
        VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT | VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT;
  if (usage & VK_IMAGE_USAGE_STORAGE_BIT) features |= VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT;
  if (usage & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) features |= VK_FORMAT_FEATURE_TRANSFER_SRC_BIT;
  if (usage & VK_IMAGE_USAGE_TRANSFER_DST_BIT) features |= VK_FORMAT_FEATURE_TRANSFER_DST_BIT;
  return features;
}

std::string mib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return text;
}

}  // namespace

UniqueMemory allocate_memory(const ContextVk& ctx, const VkMemoryRequirements& requirements,
                             VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
                             const std::string& what, uint32_t* type_out) {
  const uint32_t type = ctx.memory_type(requirements.memoryTypeBits, required, preferred, what);
  const uint64_t heap = ctx.heap_bytes(type);
  if (requirements.size > heap ||
      (ctx.max_allocation_bytes() && requirements.size > ctx.max_allocation_bytes()))
    throw VulkanError("out of device memory: " + what + " needs " + mib(requirements.size) +
                      " but device '" + ctx.info().name + "' allows at most " +
                      mib(std::min<uint64_t>(
                          heap, ctx.max_allocation_bytes() ? ctx.max_allocation_bytes() : heap)) +
                      " in one allocation; try smaller textures, fewer planes, or --backend cpu");
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  info.allocationSize = requirements.size;
  info.memoryTypeIndex = type;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  const VkResult result = vkAllocateMemory(ctx.device(), &info, nullptr, &memory);
  if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
    throw VulkanError("out of device memory: " + what + " needs " + mib(requirements.size) +
                      " (heap of " + mib(heap) + " on '" + ctx.info().name +
                      "'); try smaller textures, fewer planes, or --backend cpu");
  STRATA_VK_CHECK(result, what);
  UniqueMemory owned(ctx.device(), memory);
  ctx.name(memory, what + " memory");
  if (type_out) *type_out = type;
  return owned;
}

void BufferVk::flush(const ContextVk& ctx) const {
  if (coherent || !mapped) return;
  VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
  range.memory = memory.get();
  // Whole-range flushes avoid nonCoherentAtomSize rounding.
  range.offset = 0;
  range.size = VK_WHOLE_SIZE;
  STRATA_VK_CHECK(vkFlushMappedMemoryRanges(ctx.device(), 1, &range), "flushing a buffer");
}

void BufferVk::invalidate(const ContextVk& ctx) const {
  if (coherent || !mapped) return;
  VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
  range.memory = memory.get();
  range.offset = 0;
  range.size = VK_WHOLE_SIZE;
  STRATA_VK_CHECK(vkInvalidateMappedMemoryRanges(ctx.device(), 1, &range), "reading a buffer back");
}

BufferVk create_buffer(const ContextVk& ctx, uint64_t bytes, VkBufferUsageFlags usage,
                       MemoryUse use, const std::string& name) {
  BufferVk b;
  b.size = bytes;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = bytes;
  info.usage = usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateBuffer(ctx.device(), &info, nullptr, &buffer), name);
  b.buffer = UniqueBuffer(ctx.device(), buffer);
  ctx.name(buffer, name);
  VkMemoryRequirements requirements{};
  vkGetBufferMemoryRequirements(ctx.device(), buffer, &requirements);
  VkMemoryPropertyFlags required = 0, preferred = 0;
  switch (use) {
    case MemoryUse::kDeviceOnly:
      required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
      break;
    case MemoryUse::kUpload:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
      preferred = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      break;
    case MemoryUse::kReadback:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
      preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
      break;
  }
  uint32_t type = 0;
  b.memory = allocate_memory(ctx, requirements, required, preferred, name, &type);
  STRATA_VK_CHECK(vkBindBufferMemory(ctx.device(), buffer, b.memory.get(), 0), name);
  if (use != MemoryUse::kDeviceOnly) {
    STRATA_VK_CHECK(vkMapMemory(ctx.device(), b.memory.get(), 0, VK_WHOLE_SIZE, 0, &b.mapped),
                    name);
    b.coherent = ctx.memory_type_has(type, VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  }
  return b;
}

UniqueBufferView create_buffer_view(const ContextVk& ctx, const BufferVk& buffer, VkFormat format,
                                    const std::string& name) {
  VkBufferViewCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  info.buffer = buffer.get();
  info.format = format;
  info.offset = 0;
  info.range = VK_WHOLE_SIZE;
  VkBufferView view = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateBufferView(ctx.device(), &info, nullptr, &view), name);
  ctx.name(view, name);
  return UniqueBufferView(ctx.device(), view);
}

ImageVk create_image(const ContextVk& ctx, uint32_t width, uint32_t height, uint32_t layers,
                     VkFormat format, VkImageUsageFlags usage, bool array_view,
                     const std::string& name) {
  ImageVk img;
  img.format = format;
  img.width = width;
  img.height = height;
  img.layers = layers;
  const VkPhysicalDeviceLimits& limits = ctx.limits();
  if (width > limits.maxImageDimension2D || height > limits.maxImageDimension2D ||
      layers > limits.maxImageArrayLayers)
    throw VulkanError(name + ": " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                      std::to_string(layers) + " exceeds the device's image limits (" +
                      std::to_string(limits.maxImageDimension2D) + " texels, " +
                      std::to_string(limits.maxImageArrayLayers) + " layers)");
  VkFormatProperties format_properties{};
  vkGetPhysicalDeviceFormatProperties(ctx.physical_device(), format, &format_properties);
  const VkFormatFeatureFlags needed = features_for(usage);
  if ((format_properties.optimalTilingFeatures & needed) != needed)
    throw VulkanError(name + ": device '" + ctx.info().name + "' cannot use format " +
                      std::to_string(int(format)) + " for this image's usage");
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  info.imageType = VK_IMAGE_TYPE_2D;
  info.format = format;
  info.extent = {width, height, 1};
  info.mipLevels = 1;
  info.arrayLayers = layers;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = VK_IMAGE_TILING_OPTIMAL;
  info.usage = usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  VkImage image = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateImage(ctx.device(), &info, nullptr, &image), name);
  img.image = UniqueImage(ctx.device(), image);
  ctx.name(image, name);
  VkMemoryRequirements requirements{};
  vkGetImageMemoryRequirements(ctx.device(), image, &requirements);
  img.memory = allocate_memory(ctx, requirements, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, name);
  img.bytes = requirements.size;
  STRATA_VK_CHECK(vkBindImageMemory(ctx.device(), image, img.memory.get(), 0), name);

  VkImageViewCreateInfo view{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  view.image = image;
  view.viewType = array_view ? VK_IMAGE_VIEW_TYPE_2D_ARRAY : VK_IMAGE_VIEW_TYPE_2D;
  view.format = format;
  view.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, layers};
  VkImageView handle = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateImageView(ctx.device(), &view, nullptr, &handle), name);
  img.view = UniqueImageView(ctx.device(), handle);
  ctx.name(handle, name + " view");
  return img;
}

void image_barrier(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                   VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                   VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
  VkImageMemoryBarrier barrier{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  barrier.srcAccessMask = src_access;
  barrier.dstAccessMask = dst_access;
  barrier.oldLayout = from;
  barrier.newLayout = to;
  barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  barrier.image = image;
  barrier.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, VK_REMAINING_MIP_LEVELS, 0,
                              VK_REMAINING_ARRAY_LAYERS};
  vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 0, nullptr, 0, nullptr, 1, &barrier);
}

void memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                    VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = src_access;
  barrier.dstAccessMask = dst_access;
  vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

}  // namespace strata
