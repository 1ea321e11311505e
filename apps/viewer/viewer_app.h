// The viewer's window and frame loop: GLFW window, presenter (Vulkan swapchain + ImGui),
// the scene renderers, input, panels and the script. One frame: events, script commands,
// panels, render the scene if anything changed, shade it for the view mode, present.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/viewer/script.h"
#include "apps/viewer/viewer_state.h"

struct GLFWwindow;

namespace strata::viewer {

struct ViewerOptions {
  std::vector<std::string> files;
  std::string script;              // --script FILE
  int width = 0, height = 0;       // --size WxH (0: the settings' size)
  std::string backend = "vulkan";  // "vulkan" or "cpu" for the scene
  std::string device;
  bool no_settings = false;  // do not read or write the settings file
};

// Runs the viewer until the window closes or a script quits. Returns the exit status: 0, or 1
// when a script failed or Vulkan validation reported anything during a script run.
int run_viewer(const ViewerOptions& options);

}  // namespace strata::viewer
