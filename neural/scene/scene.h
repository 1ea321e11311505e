// Scene: items, each a representation with a transform, rendered together. Items are merged
// per pixel in depth order (DESIGN.md compositing rules).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "neural/core/camera.h"
#include "neural/field/radiance_field.h"
#include "neural/gaussians/gaussian_cloud.h"
#include "neural/layers/layer_stack.h"
#include "neural/planes/plane_set.h"
#include "neural/shells/shell_volume.h"

namespace strata {

struct SceneItem {
  std::string name;      // for people
  std::string source;    // the file it was loaded from
  mat4 transform{1.0f};  // item space to world space (rigid, optionally uniformly scaled)
  std::variant<PlaneSet, LayerStack, GaussianCloud, RadianceField, ShellVolume>
      content;                             // the representation
  std::vector<std::string> layer_names;    // Gaussian panoramas: the name of each layer id
  std::optional<Camera> reference_camera;  // item space; set for panoramas (their eye)
};

struct Scene {
  std::vector<SceneItem> items;
  std::optional<Camera> reference_camera;  // world space; a default view when an item has one

  Bounds3 bounds() const;  // world space
};

// Loads a scene from a planes.json, a layers.json, a glTF file of textured quads (as strata
// exports), a Gaussian cloud (.ply, .splat, .spz), a Gaussian panorama (panorama.json), a
// radiance field (.field), a shells.json (layered surface volume), a
// Stereo Magnification folder or a folder holding one of them. Throws InputError naming
// the path when nothing there can be read.
Scene load_scene(const std::string& path);

// Every plane of the scene in world space: PlaneSets transformed, layer cards placed in front of
// their stack's reference camera (layers without a depth get one, even in inverse depth).
PlaneSet scene_planes(const Scene& scene);

// Every Gaussian of the scene in world space (items' transforms applied), layer ids kept.
GaussianCloud scene_gaussians(const Scene& scene);

// One line per item describing what it holds (kind, sizes, counts, bounds), for `strata info`.
std::string describe(const Scene& scene);

}  // namespace strata
