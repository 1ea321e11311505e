// The Vulkan backend of SceneRenderer: headless, on any Vulkan 1.2 device (a GPU, or Mesa's CPU
// device llvmpipe where there is none). No Vulkan types here: handles never leave renderer/.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "renderer/scene_renderer.h"

namespace strata {

// One Vulkan physical device as `strata info --devices` lists it.
struct VulkanDeviceInfo {
  int index;                // position in the loader's enumeration; what --device N names
  std::string name;         // e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string type;         // "discrete", "integrated", "virtual", "cpu" or "other"
  std::string driver;       // driver name and version, e.g. "llvmpipe Mesa 22.3.6 (LLVM 15.0.6)"
  std::string api_version;  // Vulkan version the device supports, e.g. "1.3.230"
  uint64_t device_local_bytes;  // total size of the device-local memory heaps, bytes
};

struct VulkanOptions {
  std::string device;       // "" = auto (discrete, then integrated, then cpu); else an index or
                            // a case-insensitive name substring
  bool validation = false;  // enable VK_LAYER_KHRONOS_validation (also on when the environment
                            // has STRATA_VK_VALIDATION=1); messages are collected, see below
  // The viewer's window: instance extensions its surface needs (glfwGetRequiredInstanceExtensions)
  // and, with `swapchain`, the device extension VK_KHR_swapchain. Missing ones throw
  // VulkanUnavailable naming them.
  std::vector<std::string> instance_extensions;
  bool swapchain = false;
};

// No Vulkan loader, no Vulkan 1.2 device, or no device matching VulkanOptions::device. The
// message says which and what to do; callers fall back to the CPU renderer.
class VulkanUnavailable : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A Vulkan call failed while rendering (out of device memory, device lost, ...). The message
// names the operation, the object and the VkResult.
class VulkanError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every Vulkan device the loader reports, in enumeration order. Throws VulkanUnavailable when
// there is no loader or no device at all.
std::vector<VulkanDeviceInfo> list_vulkan_devices();

// The index (into `devices`) that VulkanOptions::device `request` picks: "" = the first
// discrete, else integrated, else cpu, else any device; digits = that VulkanDeviceInfo::index;
// otherwise the first device whose name contains `request` (case-insensitive). Devices below
// Vulkan 1.2 are never picked. Throws VulkanUnavailable naming the devices when none fits.
int choose_vulkan_device(const std::vector<VulkanDeviceInfo>& devices, const std::string& request);

// The Vulkan scene renderer with what tests and the bench need beyond SceneRenderer.
class VulkanSceneRenderer : public SceneRenderer {
 public:
  // The device that draws.
  virtual VulkanDeviceInfo device_info() const = 0;
  // Whether the Khronos validation layer is on (it may be asked for but not installed).
  virtual bool validation_enabled() const = 0;
  // Every validation-layer (and loader) message of severity warning or error so far, in order.
  // Tests fail when this is not empty.
  virtual std::vector<std::string> validation_messages() const = 0;
  // Records and submits a frame for `camera` without reading it back; returns at once unless
  // all frames in flight are busy (then waits for the oldest). For timing with fences.
  virtual void draw(const Camera& camera) = 0;
  // Waits until every submitted frame has finished.
  virtual void finish() = 0;
  // Colour and depth of the last frame drawn (draw() or render()); waits for it. Throws
  // std::logic_error when nothing was drawn since set_scene.
  virtual RenderOutput read_back() = 0;
  // Mean device milliseconds of each pass (e.g. "planes: composite") over the frames finished
  // since the last call, from GPU timestamps; empty where the device has none.
  virtual std::vector<std::pair<std::string, double>> take_pass_times_ms() = 0;
  // Bytes of texture data on the device for the current scene (texel blocks and occupancy).
  virtual uint64_t texture_bytes() const = 0;
  // Which Gaussian layers draw (SceneRenderOptions::visible_gaussian_layers: empty = all; else
  // layer l iff l < size and visible[l]), for frames drawn from now on; kept across set_scene.
  virtual void set_visible_gaussian_layers(const std::vector<bool>& visible) = 0;
};

// How the planes renderer stores textures; the defaults suit every use, the rest is for tests
// and measurements.
struct VulkanPlanesSettings {
  bool half_float_textures = false;  // RGBA16F texels (2x memory) instead of RGBA8 (straight
                                     // alpha where lossless, else premultiplied)
  int max_texture_size = 0;          // largest texture side kept, texels; 0 = no limit but the
                                     // device's. Larger textures are downscaled with a warning.
  uint64_t memory_budget_bytes = 0;  // device memory the scene's textures may take; 0 = what
                                     // the device has. Beyond it set_scene fails as out of
                                     // device memory.
};

// How the Gaussian renderer sorts each tile's list; the default suits every use, the rest is for
// tests.
struct VulkanGaussiansSettings {
  uint32_t sort_shared_entries = 0;  // entries a tile's sort holds in shared memory at once, a
                                     // power of two in [32, 2048]; 0 = the most the device's
                                     // shared memory allows. Longer lists are sorted in chunks of
                                     // it and merged in device memory (tests force that path).
};

// A Vulkan renderer on the device `options` picks. Throws VulkanUnavailable (no loader, no
// device, no match) and VulkanError (the device failed to start).
std::unique_ptr<SceneRenderer> make_vulkan_renderer(const VulkanOptions& options);
// The same, with the Vulkan-specific interface, texture and sort settings.
std::unique_ptr<VulkanSceneRenderer> make_vulkan_scene_renderer(
    const VulkanOptions& options, const VulkanPlanesSettings& settings = {},
    const VulkanGaussiansSettings& gaussian_settings = {});

}  // namespace strata
