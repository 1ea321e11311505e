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
  // Scene-wide layer labels (RenderOutput::layer of render_scene): the planes first (their index
  // in `planes`), then the Gaussians' layer ids, then each shell volume's shells, then one per
  // field.
  int gaussian_labels_begin = 0;         // label of Gaussian layer id 0
  std::vector<int> shell_labels_begin;   // per entry of `shells`: label of its shell 0
  std::vector<int> field_labels;         // per entry of `fields`: its label
  std::vector<std::string> label_names;  // per label: "item / layer" for a legend
};
PreparedScene prepare_scene(const Scene& scene);

struct SceneRenderOptions {
  std::vector<bool> visible_gaussian_layers;  // empty: all (Gaussian panoramas' layers)
  bool want_layers = false;  // fill RenderOutput::layer with scene-wide labels (PreparedScene)
};

// The name of scene-wide layer label `label` ("item / layer"); "none" for -1 or out of range.
std::string label_name(const PreparedScene& scene, int label);

// Renders a prepared scene; colour premultiplied, depth as Camera::depth_of_hit.
RenderOutput render_scene(const PreparedScene& scene, const Camera& camera,
                          const SceneRenderOptions& options = {});

// Merges two renders per pixel: the one with the nearer expected depth goes over the other. When
// both carry layer labels, each pixel keeps the label of the render whose weight is larger
// (front: a_f; back: (1 - a_f) a_b).
RenderOutput merge_by_depth(const RenderOutput& a, const RenderOutput& b);

}  // namespace strata
