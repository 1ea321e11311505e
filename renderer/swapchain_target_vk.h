// The viewer's on-screen target: a window surface's swapchain, a view and framebuffer per image,
// the render pass the overlay (ImGui) draws in, and a "presentation done" semaphore per image.
// A frame is rendered into host memory or an offscreen target, copied into the acquired image
// (TRANSFER_DST), the overlay pass loads it and draws on top, and the image is presented.
// recreate() rebuilds everything size-dependent (window resized, VK_ERROR_OUT_OF_DATE_KHR,
// VK_SUBOPTIMAL_KHR); a minimised window (size 0) has no swapchain until it is restored.
#pragma once

#include <cstdint>
#include <vector>

#include "renderer/context_vk.h"
#include "renderer/handles_vk.h"

namespace strata {

class SwapchainTargetVk {
 public:
  // Takes ownership of `surface` (created on ctx's instance). Throws VulkanUnavailable when the
  // context's queue cannot present to it or the device lacks VK_KHR_swapchain.
  SwapchainTargetVk(const ContextVk& ctx, VkSurfaceKHR surface);
  ~SwapchainTargetVk();
  SwapchainTargetVk(const SwapchainTargetVk&) = delete;
  SwapchainTargetVk& operator=(const SwapchainTargetVk&) = delete;

  // (Re)creates the swapchain for a framebuffer of width x height pixels (the surface's current
  // extent wins when it has one). Waits for the device first. Returns false (and holds no
  // swapchain) when the size is 0, as for a minimised window.
  bool recreate(uint32_t width, uint32_t height);

  bool ready() const { return bool(swapchain_); }
  VkSwapchainKHR swapchain() const { return swapchain_.get(); }
  VkFormat format() const { return format_; }
  // Whether the pixels are stored blue first (B8G8R8A8) rather than red first.
  bool bgra() const;
  uint32_t width() const { return width_; }
  uint32_t height() const { return height_; }
  uint32_t image_count() const { return uint32_t(images_.size()); }
  uint32_t min_image_count() const { return min_image_count_; }
  VkImage image(uint32_t i) const { return images_[i]; }
  VkFramebuffer framebuffer(uint32_t i) const { return framebuffers_[i].get(); }
  VkSemaphore presentable(uint32_t i) const { return presentable_[i].get(); }
  // The overlay pass: one colour attachment, loaded (TRANSFER_DST_OPTIMAL in), stored, and
  // left in PRESENT_SRC_KHR.
  VkRenderPass render_pass() const { return render_pass_.get(); }
  // Whether images can be copied out (screenshots of what the window shows).
  bool readable() const { return readable_; }
  // How often the swapchain was (re)made; for tests and the stats overlay.
  int generation() const { return generation_; }

 private:
  const ContextVk& ctx_;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  VkFormat format_ = VK_FORMAT_UNDEFINED;
  VkColorSpaceKHR color_space_ = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
  UniqueRenderPass render_pass_;
  UniqueSwapchain swapchain_;
  std::vector<VkImage> images_;  // owned by the swapchain
  std::vector<UniqueImageView> views_;
  std::vector<UniqueFramebuffer> framebuffers_;
  std::vector<UniqueSemaphore> presentable_;
  uint32_t width_ = 0, height_ = 0;
  uint32_t min_image_count_ = 2;
  bool readable_ = false;
  int generation_ = 0;
};

}  // namespace strata
