// A headless render target: premultiplied colour (RGBA32F) and expected depth (R32F) storage
// images that the planes passes write, kept in VK_IMAGE_LAYOUT_GENERAL, plus a host-visible
// buffer to read them back into a RenderOutput. The viewer shows such a frame through
// SwapchainTargetVk (renderer/swapchain_target_vk.h): read back, shaded for its view mode, and
// copied into the acquired swapchain image.
#pragma once

#include <cstdint>

#include "neural/core/image.h"
#include "renderer/context_vk.h"
#include "renderer/resources_vk.h"

namespace strata {

class OffscreenTargetVk {
 public:
  OffscreenTargetVk() = default;
  // Images of width x height (> 0) named after `name`.
  OffscreenTargetVk(const ContextVk& ctx, uint32_t width, uint32_t height, const std::string& name);

  uint32_t width() const { return color_.width; }
  uint32_t height() const { return color_.height; }
  bool empty() const { return !color_.image; }
  const ImageVk& color() const { return color_; }
  const ImageVk& depth() const { return depth_; }

  // Makes both images writable by compute shaders, discarding their contents (layout
  // UNDEFINED -> GENERAL after earlier transfer reads and shader writes).
  void record_begin(VkCommandBuffer cmd);
  // Copies both images (written by compute shaders, or already copied once) into the readback
  // buffer through TRANSFER_SRC_OPTIMAL, then makes the copy visible to the host.
  void record_readback(VkCommandBuffer cmd);
  // The last copied frame (call after the commands of record_readback have finished).
  RenderOutput read(const ContextVk& ctx) const;

 private:
  ImageVk color_;      // RGBA32F, premultiplied
  ImageVk depth_;      // R32F, metres
  BufferVk readback_;  // colour texels, then depth texels
  // The images' layout once the commands recorded so far have run: GENERAL after
  // record_begin, TRANSFER_SRC_OPTIMAL after record_readback.
  VkImageLayout layout_ = VK_IMAGE_LAYOUT_UNDEFINED;
};

}  // namespace strata
