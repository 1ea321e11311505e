// The CPU reference renderer of a whole Scene: each kind of representation is drawn by its own
// reference renderer, and the results are merged per pixel in depth order (nearer over farther,
// by expected depth) — DESIGN.md's rule for the items of a scene.
#pragma once

#include "neural/field/radiance_field.h"
#include "neural/gaussians/gaussian_render.h"
#include "neural/scene/scene.h"

namespace strata {

// What a Scene looks like to the CPU renderers, prepared once and drawn from many cameras.
struct PreparedScene {
  PlaneSet planes;                  // every plane and layer card in world space
  GaussianCloud gaussians;          // every Gaussian in world space
  std::vector<ShellVolume> shells;  // every shell volume, in world space
  std::vector<std::pair<const RadianceField*, mat4>> fields;  // borrowed from the Scene (which
                                                              // must outlive this), item->world
};
PreparedScene prepare_scene(const Scene& scene);

struct SceneRenderOptions {
  std::vector<bool> visible_gaussian_layers;  // empty: all (Gaussian panoramas' layers)
};

// Renders a prepared scene; colour premultiplied, depth as Camera::depth_of_hit.
RenderOutput render_scene(const PreparedScene& scene, const Camera& camera,
                          const SceneRenderOptions& options = {});

// Merges two renders per pixel: the one with the nearer expected depth goes over the other.
RenderOutput merge_by_depth(const RenderOutput& a, const RenderOutput& b);

}  // namespace strata
