#include "renderer/swapchain_target_vk.h"

#include <algorithm>

#include "renderer/error_vk.h"

namespace strata {

SwapchainTargetVk::SwapchainTargetVk(const ContextVk& ctx, VkSurfaceKHR surface)
    : ctx_(ctx), surface_(surface) {
  if (!vkCreateSwapchainKHR || !vkGetPhysicalDeviceSurfaceSupportKHR)
    throw VulkanUnavailable("the Vulkan loader has no swapchain functions");
  VkBool32 supported = VK_FALSE;
  STRATA_VK_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(ctx.physical_device(), ctx.queue_family(),
                                                       surface_, &supported),
                  "surface support");
  if (!supported)
    throw VulkanUnavailable("device '" + ctx.info().name + "' cannot present to this window");

  uint32_t count = 0;
  STRATA_VK_CHECK(
      vkGetPhysicalDeviceSurfaceFormatsKHR(ctx.physical_device(), surface_, &count, nullptr),
      "surface formats");
  std::vector<VkSurfaceFormatKHR> formats(count);
  STRATA_VK_CHECK(
      vkGetPhysicalDeviceSurfaceFormatsKHR(ctx.physical_device(), surface_, &count, formats.data()),
      "surface formats");
  formats.resize(count);
  if (formats.empty()) throw VulkanUnavailable("the window surface offers no pixel format");
  // UNORM, not SRGB: strata's images hold display values already (as PNG files do).
  VkSurfaceFormatKHR chosen = formats[0];
  for (VkFormat wanted : {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM}) {
    auto it = std::find_if(formats.begin(), formats.end(),
                           [&](const VkSurfaceFormatKHR& f) { return f.format == wanted; });
    if (it != formats.end()) {
      chosen = *it;
      break;
    }
  }
  format_ = chosen.format;
  color_space_ = chosen.colorSpace;

  VkAttachmentDescription attachment{};
  attachment.format = format_;
  attachment.samples = VK_SAMPLE_COUNT_1_BIT;
  attachment.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
  attachment.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  attachment.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  attachment.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  attachment.initialLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  attachment.finalLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
  VkAttachmentReference reference{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subpass{};
  subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subpass.colorAttachmentCount = 1;
  subpass.pColorAttachments = &reference;
  VkSubpassDependency dependencies[2]{};
  // The frame's copy into the image finishes before the overlay loads and blends.
  dependencies[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  dependencies[0].dstSubpass = 0;
  dependencies[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  dependencies[0].srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  dependencies[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dependencies[0].dstAccessMask =
      VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  // The overlay's writes finish before a screenshot copy reads the image.
  dependencies[1].srcSubpass = 0;
  dependencies[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  dependencies[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dependencies[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  dependencies[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  dependencies[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  VkRenderPassCreateInfo info{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  info.attachmentCount = 1;
  info.pAttachments = &attachment;
  info.subpassCount = 1;
  info.pSubpasses = &subpass;
  info.dependencyCount = 2;
  info.pDependencies = dependencies;
  VkRenderPass pass = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateRenderPass(ctx.device(), &info, nullptr, &pass), "overlay render pass");
  render_pass_ = UniqueRenderPass(ctx.device(), pass);
  ctx.name(pass, "overlay render pass");
}

SwapchainTargetVk::~SwapchainTargetVk() {
  vkDeviceWaitIdle(ctx_.device());
  framebuffers_.clear();
  views_.clear();
  presentable_.clear();
  swapchain_.reset();
  render_pass_.reset();
  if (surface_ && vkDestroySurfaceKHR) vkDestroySurfaceKHR(ctx_.instance(), surface_, nullptr);
}

bool SwapchainTargetVk::bgra() const {
  return format_ == VK_FORMAT_B8G8R8A8_UNORM || format_ == VK_FORMAT_B8G8R8A8_SRGB;
}

bool SwapchainTargetVk::recreate(uint32_t width, uint32_t height) {
  vkDeviceWaitIdle(ctx_.device());
  framebuffers_.clear();
  views_.clear();
  presentable_.clear();
  images_.clear();
  VkSurfaceCapabilitiesKHR caps{};
  STRATA_VK_CHECK(
      vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_.physical_device(), surface_, &caps),
      "surface capabilities");
  if (caps.currentExtent.width != 0xFFFFFFFFu) {
    width = caps.currentExtent.width;
    height = caps.currentExtent.height;
  }
  width = std::clamp(width, caps.minImageExtent.width, caps.maxImageExtent.width);
  height = std::clamp(height, caps.minImageExtent.height, caps.maxImageExtent.height);
  if (width == 0 || height == 0) {
    swapchain_.reset();
    width_ = height_ = 0;
    return false;
  }
  min_image_count_ = std::max(2u, caps.minImageCount);
  uint32_t image_count = std::max(min_image_count_, caps.minImageCount + 1);
  if (caps.maxImageCount > 0) image_count = std::min(image_count, caps.maxImageCount);
  readable_ = (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) != 0;

  VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  info.surface = surface_;
  info.minImageCount = image_count;
  info.imageFormat = format_;
  info.imageColorSpace = color_space_;
  info.imageExtent = {width, height};
  info.imageArrayLayers = 1;
  info.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                    (readable_ ? VK_IMAGE_USAGE_TRANSFER_SRC_BIT : 0);
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = (caps.supportedTransforms & VK_SURFACE_TRANSFORM_IDENTITY_BIT_KHR)
                          ? VK_SURFACE_TRANSFORM_IDENTITY_BIT_KHR
                          : caps.currentTransform;
  info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  if (!(caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR))
    info.compositeAlpha = VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR;
  info.presentMode = VK_PRESENT_MODE_FIFO_KHR;  // always available
  info.clipped = VK_TRUE;
  info.oldSwapchain = swapchain_.get();
  VkSwapchainKHR made = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateSwapchainKHR(ctx_.device(), &info, nullptr, &made), "swapchain");
  swapchain_ = UniqueSwapchain(ctx_.device(), made);  // destroys the old one
  ctx_.name(made, "swapchain");

  uint32_t count = 0;
  STRATA_VK_CHECK(vkGetSwapchainImagesKHR(ctx_.device(), made, &count, nullptr),
                  "swapchain images");
  images_.resize(count);
  STRATA_VK_CHECK(vkGetSwapchainImagesKHR(ctx_.device(), made, &count, images_.data()),
                  "swapchain images");
  for (uint32_t i = 0; i < count; ++i) {
    VkImageViewCreateInfo view_info{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    view_info.image = images_[i];
    view_info.viewType = VK_IMAGE_VIEW_TYPE_2D;
    view_info.format = format_;
    view_info.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageView view = VK_NULL_HANDLE;
    STRATA_VK_CHECK(vkCreateImageView(ctx_.device(), &view_info, nullptr, &view),
                    "swapchain image view");
    views_.emplace_back(ctx_.device(), view);
    VkFramebufferCreateInfo fb{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fb.renderPass = render_pass_.get();
    fb.attachmentCount = 1;
    fb.pAttachments = &view;
    fb.width = width;
    fb.height = height;
    fb.layers = 1;
    VkFramebuffer framebuffer = VK_NULL_HANDLE;
    STRATA_VK_CHECK(vkCreateFramebuffer(ctx_.device(), &fb, nullptr, &framebuffer),
                    "swapchain framebuffer");
    framebuffers_.emplace_back(ctx_.device(), framebuffer);
    VkSemaphoreCreateInfo sem{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore semaphore = VK_NULL_HANDLE;
    STRATA_VK_CHECK(vkCreateSemaphore(ctx_.device(), &sem, nullptr, &semaphore),
                    "present semaphore");
    presentable_.emplace_back(ctx_.device(), semaphore);
  }
  width_ = width;
  height_ = height;
  ++generation_;
  return true;
}

}  // namespace strata
