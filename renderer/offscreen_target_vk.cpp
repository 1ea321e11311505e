#include "renderer/offscreen_target_vk.h"

#include <cstring>
#include <stdexcept>

namespace strata {

namespace {

constexpr VkImageUsageFlags kUsage =
    VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;

}  // namespace

OffscreenTargetVk::OffscreenTargetVk(const ContextVk& ctx, uint32_t width, uint32_t height,
                                     const std::string& name) {
  color_ = create_image(ctx, width, height, 1, VK_FORMAT_R32G32B32A32_SFLOAT, kUsage, false,
                        name + " colour");
  depth_ =
      create_image(ctx, width, height, 1, VK_FORMAT_R32_SFLOAT, kUsage, false, name + " depth");
  const uint64_t pixels = uint64_t(width) * height;
  readback_ = create_buffer(ctx, pixels * (16 + 4), VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            MemoryUse::kReadback, name + " readback");
}

void OffscreenTargetVk::record_begin(VkCommandBuffer cmd) {
  // Earlier copies (transfer reads) and shader writes must finish before the new writes.
  for (const ImageVk* image : {&color_, &depth_})
    image_barrier(cmd, image->get(), VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL,
                  VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
  layout_ = VK_IMAGE_LAYOUT_GENERAL;
}

void OffscreenTargetVk::record_readback(VkCommandBuffer cmd) {
  if (layout_ == VK_IMAGE_LAYOUT_UNDEFINED)
    throw std::logic_error("OffscreenTargetVk::record_readback before anything was drawn");
  for (const ImageVk* image : {&color_, &depth_})
    image_barrier(cmd, image->get(), layout_, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_TRANSFER_READ_BIT);
  layout_ = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  VkBufferImageCopy region{};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {color_.width, color_.height, 1};
  vkCmdCopyImageToBuffer(cmd, color_.get(), layout_, readback_.get(), 1, &region);
  region.bufferOffset = uint64_t(color_.width) * color_.height * 16;
  vkCmdCopyImageToBuffer(cmd, depth_.get(), layout_, readback_.get(), 1, &region);
  memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                 VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
}

RenderOutput OffscreenTargetVk::read(const ContextVk& ctx) const {
  readback_.invalidate(ctx);
  const int w = int(color_.width), h = int(color_.height);
  RenderOutput out{Image(w, h), ScalarImage(w, h)};
  const size_t pixels = size_t(w) * h;
  static_assert(sizeof(vec4) == 16, "Image pixels must be tightly packed floats");
  const auto* bytes = static_cast<const uint8_t*>(readback_.mapped);
  std::memcpy(out.color.pixels.data(), bytes, pixels * 16);
  std::memcpy(out.depth.values.data(), bytes + pixels * 16, pixels * 4);
  return out;
}

}  // namespace strata
