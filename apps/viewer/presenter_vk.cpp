// The presenter: its own ContextVk (with the window's surface extensions and VK_KHR_swapchain),
// two frames in flight (FrameLoopVk), a staging buffer per frame for the pixels, and the ImGui
// Vulkan backend loaded through strata's loader (IMGUI_IMPL_VULKAN_NO_PROTOTYPES).
// The Vulkan header first: GLFW declares glfwCreateWindowSurface only after it.
#include "renderer/loader_vk.h"
//
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "apps/viewer/presenter.h"
#include "backends/imgui_impl_vulkan.h"
#include "renderer/context_vk.h"
#include "renderer/error_vk.h"
#include "renderer/frame_loop_vk.h"
#include "renderer/resources_vk.h"
#include "renderer/swapchain_target_vk.h"

namespace strata::viewer {

namespace {

constexpr uint32_t kFramesInFlight = 2;

void check_imgui_result(VkResult result) {
  if (result < 0) vk_check(result, "ImGui Vulkan backend");
}

std::vector<std::string> glfw_instance_extensions() {
  uint32_t count = 0;
  const char** names = glfwGetRequiredInstanceExtensions(&count);
  if (!names)
    throw VulkanUnavailable(
        "GLFW found no Vulkan window support (glfwGetRequiredInstanceExtensions)");
  return std::vector<std::string>(names, names + count);
}

VulkanOptions context_options(const PresenterOptions& options) {
  VulkanOptions o;
  o.device = options.device;
  o.instance_extensions = glfw_instance_extensions();
  o.swapchain = true;
  return o;
}

class PresenterVk final : public Presenter {
 public:
  PresenterVk(GLFWwindow* window, const PresenterOptions& options)
      : window_(window), ctx_(context_options(options)), frames_(ctx_, kFramesInFlight) {
    VkSurfaceKHR surface = VK_NULL_HANDLE;
    const VkResult made = glfwCreateWindowSurface(ctx_.instance(), window_, nullptr, &surface);
    if (made != VK_SUCCESS)
      throw VulkanUnavailable(std::string("could not make a Vulkan surface for the window: ") +
                              vk_result_name(made));
    target_ = std::make_unique<SwapchainTargetVk>(ctx_, surface);
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    target_->recreate(uint32_t(std::max(w, 1)), uint32_t(std::max(h, 1)));
    for (uint32_t i = 0; i < kFramesInFlight; ++i) {
      VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
      VkSemaphore s = VK_NULL_HANDLE;
      STRATA_VK_CHECK(vkCreateSemaphore(ctx_.device(), &info, nullptr, &s), "acquire semaphore");
      acquired_.emplace_back(ctx_.device(), s);
    }
    staging_.resize(kFramesInFlight);

    VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16}};
    VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pool_info.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    pool_info.maxSets = 16;
    pool_info.poolSizeCount = 1;
    pool_info.pPoolSizes = sizes;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    STRATA_VK_CHECK(vkCreateDescriptorPool(ctx_.device(), &pool_info, nullptr, &pool),
                    "ImGui descriptor pool");
    imgui_pool_ = UniqueDescriptorPool(ctx_.device(), pool);

    instance_for_loader_ = ctx_.instance();
    ImGui_ImplVulkan_LoadFunctions(
        [](const char* name, void* user) -> PFN_vkVoidFunction {
          return vkGetInstanceProcAddr(*static_cast<VkInstance*>(user), name);
        },
        &instance_for_loader_);
    ImGui_ImplVulkan_InitInfo init{};
    init.Instance = ctx_.instance();
    init.PhysicalDevice = ctx_.physical_device();
    init.Device = ctx_.device();
    init.QueueFamily = ctx_.queue_family();
    init.Queue = ctx_.queue();
    init.DescriptorPool = imgui_pool_.get();
    init.Subpass = 0;
    init.MinImageCount = std::max(2u, target_->min_image_count());
    // ImGui keeps this many vertex buffers and reuses them round robin: more than frames in flight.
    init.ImageCount = std::max(kFramesInFlight + 1, target_->image_count());
    init.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
    init.CheckVkResultFn = check_imgui_result;
    if (!ImGui_ImplVulkan_Init(&init, target_->render_pass()))
      throw VulkanError("the ImGui Vulkan backend did not start");
    imgui_started_ = true;
    frames_.run_now([](VkCommandBuffer cmd) { ImGui_ImplVulkan_CreateFontsTexture(cmd); },
                    "uploading the ImGui font");
    ImGui_ImplVulkan_DestroyFontUploadObjects();
  }

  ~PresenterVk() override {
    try {
      frames_.wait_all();
    } catch (...) {
    }
    vkDeviceWaitIdle(ctx_.device());
    if (imgui_started_) ImGui_ImplVulkan_Shutdown();
  }

  std::string device_name() const override { return ctx_.info().name; }
  void new_frame() override { ImGui_ImplVulkan_NewFrame(); }
  int swapchain_generation() const override { return target_->generation(); }
  bool validation_enabled() const override { return ctx_.validation_enabled(); }
  std::vector<std::string> validation_messages() const override {
    return ctx_.validation_messages();
  }

  bool present(const Rgba8Image& image, bool overlay, Rgba8Image* capture) override {
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window_, &fb_w, &fb_h);
    if (fb_w <= 0 || fb_h <= 0 || glfwGetWindowAttrib(window_, GLFW_ICONIFIED))
      return false;  // minimised: nothing to show
    if (stale_ || !target_->ready() || target_->width() != uint32_t(fb_w) ||
        target_->height() != uint32_t(fb_h)) {
      frames_.wait_all();
      stale_ = false;
      if (!target_->recreate(uint32_t(fb_w), uint32_t(fb_h))) return false;
      ImGui_ImplVulkan_SetMinImageCount(std::max(2u, target_->min_image_count()));
    }

    FrameVk& frame = frames_.begin_frame();
    const VkSemaphore acquired = acquired_[frame.slot].get();
    uint32_t index = 0;
    const VkResult acquire = vkAcquireNextImageKHR(ctx_.device(), target_->swapchain(), UINT64_MAX,
                                                   acquired, VK_NULL_HANDLE, &index);
    if (acquire == VK_ERROR_OUT_OF_DATE_KHR) {
      frames_.cancel(frame);
      stale_ = true;
      return false;
    }
    if (acquire != VK_SUCCESS && acquire != VK_SUBOPTIMAL_KHR) {
      frames_.cancel(frame);
      vk_check(acquire, "vkAcquireNextImageKHR", "the window's next image");
    }
    const uint32_t w = target_->width(), h = target_->height();
    const VkCommandBuffer cmd = frame.command_buffer();
    const VkImage swap_image = target_->image(index);
    try {
      // The pixels, swizzled to the swapchain's order, into this frame's staging buffer.
      const uint64_t bytes = uint64_t(std::max(image.width, 1)) * std::max(image.height, 1) * 4;
      BufferVk& staging = staging_[frame.slot];
      if (staging.size < bytes) {
        frames_.retire(std::move(staging));
        staging = create_buffer(ctx_, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUse::kUpload,
                                "window pixels " + std::to_string(frame.slot));
      }
      auto* dst = static_cast<uint8_t*>(staging.mapped);
      const size_t n = size_t(image.width) * image.height;
      if (target_->bgra()) {
        for (size_t i = 0; i < n; ++i) {
          dst[i * 4 + 0] = image.pixels[i * 4 + 2];
          dst[i * 4 + 1] = image.pixels[i * 4 + 1];
          dst[i * 4 + 2] = image.pixels[i * 4 + 0];
          dst[i * 4 + 3] = 255;
        }
      } else if (n > 0) {
        std::memcpy(dst, image.pixels.data(), n * 4);
      }
      staging.flush(ctx_);

      image_barrier(cmd, swap_image, VK_IMAGE_LAYOUT_UNDEFINED,
                    VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
      const uint32_t copy_w = std::min(uint32_t(image.width), w);
      const uint32_t copy_h = std::min(uint32_t(image.height), h);
      if (copy_w < w || copy_h < h) {
        VkClearColorValue clear{};
        VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
        vkCmdClearColorImage(cmd, swap_image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &clear, 1,
                             &range);
        memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
      }
      if (copy_w > 0 && copy_h > 0) {
        VkBufferImageCopy region{};
        region.bufferRowLength = uint32_t(image.width);
        region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.imageExtent = {copy_w, copy_h, 1};
        vkCmdCopyBufferToImage(cmd, staging.get(), swap_image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                               1, &region);
      }

      VkRenderPassBeginInfo pass{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
      pass.renderPass = target_->render_pass();
      pass.framebuffer = target_->framebuffer(index);
      pass.renderArea = {{0, 0}, {w, h}};
      vkCmdBeginRenderPass(cmd, &pass, VK_SUBPASS_CONTENTS_INLINE);
      ImDrawData* draw = ImGui::GetDrawData();
      if (overlay && draw) ImGui_ImplVulkan_RenderDrawData(draw, cmd);
      vkCmdEndRenderPass(cmd);

      const bool read = capture && target_->readable();
      if (read) {
        const uint64_t read_bytes = uint64_t(w) * h * 4;
        if (readback_.size < read_bytes) {
          frames_.retire(std::move(readback_));
          readback_ = create_buffer(ctx_, read_bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                    MemoryUse::kReadback, "window readback");
        }
        image_barrier(
            cmd, swap_image, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
            VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
            VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
        VkBufferImageCopy region{};
        region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.imageExtent = {w, h, 1};
        vkCmdCopyImageToBuffer(cmd, swap_image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                               readback_.get(), 1, &region);
        image_barrier(cmd, swap_image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                      VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                      VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0);
        memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
      }
      frames_.submit(frame, {acquired}, {VK_PIPELINE_STAGE_TRANSFER_BIT},
                     {target_->presentable(index)});

      const VkSemaphore presentable = target_->presentable(index);
      const VkSwapchainKHR swapchain = target_->swapchain();
      VkPresentInfoKHR info{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
      info.waitSemaphoreCount = 1;
      info.pWaitSemaphores = &presentable;
      info.swapchainCount = 1;
      info.pSwapchains = &swapchain;
      info.pImageIndices = &index;
      const VkResult presented = vkQueuePresentKHR(ctx_.queue(), &info);
      if (presented == VK_ERROR_OUT_OF_DATE_KHR || presented == VK_SUBOPTIMAL_KHR)
        stale_ = true;
      else if (presented != VK_SUCCESS)
        vk_check(presented, "vkQueuePresentKHR", "showing a frame");

      if (capture) {
        if (read) {
          frames_.wait(frame);
          readback_.invalidate(ctx_);
          capture->width = int(w);
          capture->height = int(h);
          capture->pixels.resize(size_t(w) * h * 4);
          const auto* src = static_cast<const uint8_t*>(readback_.mapped);
          const bool bgra = target_->bgra();
          for (size_t i = 0; i < size_t(w) * h; ++i) {
            capture->pixels[i * 4 + 0] = src[i * 4 + (bgra ? 2 : 0)];
            capture->pixels[i * 4 + 1] = src[i * 4 + 1];
            capture->pixels[i * 4 + 2] = src[i * 4 + (bgra ? 0 : 2)];
            capture->pixels[i * 4 + 3] = 255;
          }
        } else {
          *capture = image;  // the window cannot be read: the frame without the overlay
        }
      }
    } catch (...) {
      frames_.cancel(frame);
      throw;
    }
    return true;
  }

 private:
  GLFWwindow* window_;
  ContextVk ctx_;
  FrameLoopVk frames_;
  std::unique_ptr<SwapchainTargetVk> target_;
  std::vector<UniqueSemaphore> acquired_;  // per frame slot
  std::vector<BufferVk> staging_;          // per frame slot
  BufferVk readback_;
  UniqueDescriptorPool imgui_pool_;
  VkInstance instance_for_loader_ = VK_NULL_HANDLE;
  bool imgui_started_ = false;
  bool stale_ = false;  // the swapchain said out of date or suboptimal: remake before the next
};

}  // namespace

std::unique_ptr<Presenter> make_presenter(GLFWwindow* window, const PresenterOptions& options) {
  return std::make_unique<PresenterVk>(window, options);
}

}  // namespace strata::viewer
