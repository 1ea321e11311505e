// Showing frames in the window: the Vulkan swapchain (renderer/swapchain_target_vk.h) with the
// Dear ImGui overlay drawn on top. No Vulkan types here; presenter_vk.cpp holds them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/viewer/view_mode.h"

struct GLFWwindow;

namespace strata::viewer {

struct PresenterOptions {
  std::string device;  // Vulkan device index or name substring ("" = best)
};

class Presenter {
 public:
  virtual ~Presenter() = default;
  // The device that presents, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
  virtual std::string device_name() const = 0;
  // Starts the Vulkan side of an ImGui frame (call before ImGui::NewFrame).
  virtual void new_frame() = 0;
  // Shows `frame` (any size; the window's top-left corner, the rest cleared) and, when `overlay`,
  // ImGui's draw data on top (ImGui::Render must have been called). Returns false when the frame
  // was skipped: a minimised window, or a swapchain just recreated. With `capture`, fills it with
  // what the window shows after presenting (the overlay included when drawn).
  virtual bool present(const Rgba8Image& frame, bool overlay, Rgba8Image* capture) = 0;
  // How often the swapchain was made (1 at start; +1 per resize or out-of-date).
  virtual int swapchain_generation() const = 0;
  // Whether the Khronos validation layer is on (STRATA_VK_VALIDATION=1 and installed).
  virtual bool validation_enabled() const = 0;
  // Validation-layer warnings and errors so far (STRATA_VK_VALIDATION=1).
  virtual std::vector<std::string> validation_messages() const = 0;
};

// Starts Vulkan for `window` (GLFW, no client API) and Dear ImGui's Vulkan backend (the ImGui
// context must exist). Throws VulkanUnavailable / VulkanError.
std::unique_ptr<Presenter> make_presenter(GLFWwindow* window, const PresenterOptions& options);

}  // namespace strata::viewer
