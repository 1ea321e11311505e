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
  // render() plus RenderOutput::layer: per pixel the scene-wide label of the dominant layer
  // (neural/scene/scene_render.h), named by layer_name. Only the CPU reference labels; the
  // default (Vulkan: its shaders output no labels yet) leaves RenderOutput::layer empty.
  virtual RenderOutput render_layers(const Camera& camera) { return render(camera); }
  // The name of label `label` of render_layers ("item / layer"); "none" for -1 or unknown.
  virtual std::string layer_name(int label) const {
    return label < 0 ? "none" : "layer " + std::to_string(label);
  }
};

// The CPU reference renderer (multithreaded; see neural/planes/plane_set_render.h).
std::unique_ptr<SceneRenderer> make_cpu_renderer();

}  // namespace strata
