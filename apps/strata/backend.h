// Choosing the renderer for a command: Vulkan by default, the CPU reference on request or as
// the fallback when no Vulkan device exists (with a one-line notice).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "renderer/scene_renderer.h"

namespace strata::cli {

struct BackendChoice {
  std::string backend = "vulkan";  // "vulkan" or "cpu"
  std::string device;              // Vulkan device index or name substring; "" = best
};

// Adds --backend and --device to a command.
void add_backend_options(CLI::App& command, BackendChoice& choice);

// Makes the chosen renderer for `scene`. A missing Vulkan loader or device falls back to the CPU
// with a notice on stderr when the backend was not asked for explicitly; an explicit --device that
// matches nothing is an InputError.
std::unique_ptr<SceneRenderer> make_renderer(const BackendChoice& choice, const Scene& scene);

// Prints one line per Vulkan device (index, name, type, driver, memory), or why there is none.
void print_vulkan_devices();

}  // namespace strata::cli
