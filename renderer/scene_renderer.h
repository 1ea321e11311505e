// SceneRenderer: the one interface through which apps draw a Scene, whatever the backend
// (the CPU reference or Vulkan). A frame goes to an Image here; the viewer's swapchain path
// reuses the same per-representation renderers.
#pragma once

#include <memory>
#include <string>

#include "neural/core/image.h"
#include "neural/scene/scene.h"

namespace strata {

class SceneRenderer {
 public:
  virtual ~SceneRenderer() = default;
  // Which backend and device draws, e.g. "cpu (2 threads)" or "vulkan: llvmpipe (LLVM 15.0.6)".
  virtual std::string name() const = 0;
  // Prepares `scene` for drawing (uploads textures); the scene is copied or uploaded, not kept by
  // reference. May be slow; call once per scene.
  virtual void set_scene(const Scene& scene) = 0;
  // Draws the scene set last, seen by `camera`: premultiplied RGBA and expected depth.
  virtual RenderOutput render(const Camera& camera) = 0;
};

// The CPU reference renderer (multithreaded; see neural/planes/plane_set_render.h).
std::unique_ptr<SceneRenderer> make_cpu_renderer();

}  // namespace strata
