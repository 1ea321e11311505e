#include "neural/scene/scene.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "neural/core/error.h"
#include "neural/core/json_io.h"
#include "neural/field/field_io.h"
#include "neural/gaussians/gaussian_io.h"
#include "neural/gltf/gltf_export.h"
#include "neural/layers/layer_stack_io.h"
#include "neural/panorama/gaussian_panorama.h"
#include "neural/planes/fronto_parallel_mpi.h"
#include "neural/planes/plane_set_io.h"
#include "neural/planes/stereo_magnification.h"
#include "neural/shells/shells_io.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

// Depths for layers that have none: even in inverse depth between these, back layer farthest.
constexpr float kDefaultCardNear = 1.0f, kDefaultCardFar = 10.0f;

// The card of one layer: a rectangle facing the reference camera covering the layer's pixels.
Plane layer_card(const Camera& camera, const Layer& layer, float depth) {
  const vec3 corner((float(layer.offset.x) - camera.cx) / camera.fx * depth,
                    (camera.cy - float(layer.offset.y)) / camera.fy * depth, -depth);
  Plane p;
  p.name = layer.name;
  p.origin = corner;
  p.u_axis = vec3(float(layer.image.width) / camera.fx * depth, 0.0f, 0.0f);
  p.v_axis = vec3(0.0f, -float(layer.image.height) / camera.fy * depth, 0.0f);
  p.texture = layer.image;
  if (layer.opacity < 1.0f)
    for (vec4& c : p.texture.pixels) c *= layer.opacity;
  return p;
}

PlaneSet layer_cards(const LayerStack& stack) {
  const Camera camera = stack.reference_camera();
  std::vector<size_t> without_depth;
  for (size_t i = 0; i < stack.layers.size(); ++i)
    if (stack.layers[i].visible && !stack.layers[i].depth) without_depth.push_back(i);
  std::vector<float> default_depths;
  if (!without_depth.empty())
    default_depths =
        inverse_depth_spacing(kDefaultCardNear, kDefaultCardFar, int(without_depth.size()));
  if (!without_depth.empty())
    warn("layer stack: " + std::to_string(without_depth.size()) +
         " layer(s) without a depth placed as cards between " +
         std::to_string(int(kDefaultCardNear)) + " and " + std::to_string(int(kDefaultCardFar)) +
         " m (back layer farthest)");
  PlaneSet set;
  set.reference_camera = camera;
  size_t next_default = 0;
  for (size_t i = 0; i < stack.layers.size(); ++i) {
    const Layer& layer = stack.layers[i];
    if (!layer.visible) continue;
    const float depth = layer.depth ? *layer.depth : default_depths[next_default++];
    if (layer.blend != BlendMode::kNormal && layer.blend != BlendMode::kPremultiplied)
      warn("layer '" + layer.name + "': blend mode " + blend_mode_name(layer.blend) +
           " has no meaning between cards in 3D; drawn as normal (\"over\")");
    set.planes.push_back(layer_card(camera, layer, depth));
  }
  return set;
}

PlaneSet transformed(PlaneSet set, const mat4& transform) {
  const mat3 linear = mat3(transform);
  for (Plane& p : set.planes) {
    p.origin = vec3(transform * vec4(p.origin, 1.0f));
    p.u_axis = linear * p.u_axis;
    p.v_axis = linear * p.v_axis;
  }
  if (set.reference_camera)
    set.reference_camera->camera_to_world = transform * set.reference_camera->camera_to_world;
  return set;
}

// What kind of file a JSON holds, from its "kind" field or its top-level keys.
std::string json_kind(const std::string& file) {
  const Json json = read_json_file(file);
  if (json.is_object() && json.contains("kind") && json["kind"].is_string())
    return json["kind"].get<std::string>();
  if (json.is_object() && json.contains("planes")) return "planes";
  if (json.is_object() && json.contains("layers")) return "layers";
  return "";
}

void load_panorama_item(const std::string& path, SceneItem& item) {
  GaussianPanorama panorama = load_gaussian_panorama(path);
  drop_invalid(panorama.cloud, path);
  item.content = std::move(panorama.cloud);
  item.layer_names = panorama.layers;
  item.reference_camera = panorama.eye;
}

SceneItem load_item(const std::string& path) {
  std::error_code ec;
  SceneItem item;
  item.source = path;
  item.name = fs::path(path).filename().string();
  if (fs::is_directory(path, ec)) {
    item.name = fs::path(path).lexically_normal().filename().string();
    if (item.name.empty())
      item.name = fs::path(path).lexically_normal().parent_path().filename().string();
    if (fs::exists(fs::path(path) / "panorama.json", ec)) {
      load_panorama_item(path, item);
    } else if (fs::exists(fs::path(path) / "planes.json", ec)) {
      item.content = load_plane_set(path);
    } else if (fs::exists(fs::path(path) / "layers.json", ec)) {
      item.content = load_layer_stack(path);
    } else if (fs::exists(fs::path(path) / "shells.json", ec)) {
      item.content = load_shell_volume(path);
    } else if (is_stereo_magnification_folder(path)) {
      item.content = import_stereo_magnification(path);
    } else {
      throw InputError(path, "",
                       "the folder holds nothing strata reads (expected planes.json, layers.json, "
                       "shells.json or Stereo Magnification mpi_rgb_XX.png files)");
    }
    return item;
  }
  if (!fs::exists(path, ec)) throw InputError(path, "", "file or folder not found");
  const std::string extension = fs::path(path).extension().string();
  if (extension == ".ply" || extension == ".splat" || extension == ".spz") {
    GaussianCloud cloud = load_gaussian_cloud(path);
    drop_invalid(cloud, path);
    if (cloud.empty())
      throw InputError(path, "", "the file holds no Gaussian that can be rendered");
    item.content = std::move(cloud);
    return item;
  }
  if (extension == ".field") {
    item.content = load_field(path);
    return item;
  }
  if (extension != ".json")
    throw InputError(path, "",
                     "unsupported file type \"" + extension +
                         "\"; expected planes.json, layers.json, shells.json, panorama.json, .ply, "
                         ".splat, "
                         ".spz, .glb or .gltf");
  const std::string kind = json_kind(path);
  if (kind == "gaussian_panorama") {
    load_panorama_item(path, item);
  } else if (kind == "planes") {
    item.content = load_plane_set(path);
  } else if (kind == "layers") {
    item.content = load_layer_stack(path);
  } else if (kind == "shells") {
    item.content = load_shell_volume(path);
  } else {
    throw InputError(path, "kind",
                     "expected \"planes\", \"layers\" or \"shells\" (a planes.json, layers.json "
                     "or shells.json file)");
  }
  return item;
}

}  // namespace

Bounds3 Scene::bounds() const {
  Bounds3 b = scene_planes(*this).bounds();
  b.add(scene_gaussians(*this).bounds());
  for (const SceneItem& item : items)
    if (const auto* shells = std::get_if<ShellVolume>(&item.content)) {
      b.add(transformed_shells(*shells, item.transform).bounds());
    } else if (const auto* field = std::get_if<RadianceField>(&item.content)) {
      for (int corner = 0; corner < 8; ++corner) {
        const vec3 p((corner & 1) ? field->config.box_hi.x : field->config.box_lo.x,
                     (corner & 2) ? field->config.box_hi.y : field->config.box_lo.y,
                     (corner & 4) ? field->config.box_hi.z : field->config.box_lo.z);
        b.add(vec3(item.transform * vec4(p, 1.0f)));
      }
    }
  return b;
}

Scene load_scene(const std::string& path) {
  Scene scene;
  const std::string extension = fs::path(path).extension().string();
  if (extension == ".glb" || extension == ".gltf") {
    // A glTF file may hold planes and splats together: one item each.
    GltfContents contents = import_gltf(path);
    const std::string name = fs::path(path).filename().string();
    if (contents.planes) {
      scene.reference_camera = contents.planes->reference_camera;
      scene.items.push_back(
          SceneItem{name, path, mat4(1.0f), std::move(*contents.planes), {}, std::nullopt});
    }
    if (contents.gaussians) {
      drop_invalid(*contents.gaussians, path);
      scene.items.push_back(SceneItem{name, path, mat4(1.0f), std::move(*contents.gaussians),
                                      contents.gaussian_layer_names, std::nullopt});
    }
    return scene;
  }
  scene.items.push_back(load_item(path));
  const SceneItem& item = scene.items.back();
  if (const auto* planes = std::get_if<PlaneSet>(&item.content)) {
    if (planes->reference_camera) {
      scene.reference_camera = *planes->reference_camera;
      scene.reference_camera->camera_to_world =
          item.transform * scene.reference_camera->camera_to_world;
    }
  } else if (const auto* stack = std::get_if<LayerStack>(&item.content)) {
    scene.reference_camera = stack->reference_camera();
  } else if (item.reference_camera) {
    scene.reference_camera = item.reference_camera;
  }
  return scene;
}

PlaneSet scene_planes(const Scene& scene) {
  PlaneSet all;
  for (const SceneItem& item : scene.items) {
    PlaneSet set;
    if (const auto* planes = std::get_if<PlaneSet>(&item.content)) {
      set = transformed(*planes, item.transform);
    } else if (const auto* stack = std::get_if<LayerStack>(&item.content)) {
      set = transformed(layer_cards(*stack), item.transform);
    }
    for (Plane& p : set.planes) all.planes.push_back(std::move(p));
  }
  all.reference_camera = scene.reference_camera;
  return all;
}

GaussianCloud scene_gaussians(const Scene& scene) {
  GaussianCloud all;
  for (const SceneItem& item : scene.items) {
    const auto* cloud = std::get_if<GaussianCloud>(&item.content);
    if (!cloud) continue;
    if (item.transform == mat4(1.0f)) {
      all.append(*cloud);
      continue;
    }
    // A rigid transform with a uniform scale moves means, turns rotations and scales sizes.
    GaussianCloud moved = *cloud;
    const mat3 linear = mat3(item.transform);
    const float scale = std::cbrt(std::abs(glm::determinant(linear)));
    const quat turn = glm::quat_cast(linear / scale);
    for (size_t i = 0; i < moved.size(); ++i) {
      moved.positions[i] = vec3(item.transform * vec4(moved.positions[i], 1.0f));
      moved.rotations[i] = turn * moved.rotations[i];
      moved.log_scales[i] += std::log(scale);
    }
    all.append(moved);
  }
  return all;
}

std::string describe(const Scene& scene) {
  std::ostringstream out;
  auto fmt_bounds = [](const Bounds3& b) {
    char text[160];
    std::snprintf(text, sizeof(text), "[%.3g, %.3g, %.3g] .. [%.3g, %.3g, %.3g]", b.lo.x, b.lo.y,
                  b.lo.z, b.hi.x, b.hi.y, b.hi.z);
    return std::string(text);
  };
  for (const SceneItem& item : scene.items) {
    if (const auto* planes = std::get_if<PlaneSet>(&item.content)) {
      int parallel = 0;
      if (planes->reference_camera) {
        const vec3 forward = planes->reference_camera->forward();
        for (const Plane& p : planes->planes)
          if (std::abs(std::abs(glm::dot(p.normal(), forward)) - 1.0f) < 1e-4f) ++parallel;
      }
      const bool mpi = planes->reference_camera && parallel == int(planes->planes.size());
      out << item.source << ": " << (mpi ? "fronto-parallel MPI" : "posed planes (structural MPI)")
          << ", " << planes->planes.size() << " planes";
      if (planes->reference_camera && !mpi) out << " (" << parallel << " fronto-parallel)";
      out << "\n  bounds " << fmt_bounds(planes->bounds()) << " m\n";
      out << "  textures " << planes->texture_bytes_rgba8() / 1024 << " KiB as RGBA8";
      for (size_t i = 0; i < planes->planes.size() && i < 64; ++i) {
        const Plane& p = planes->planes[i];
        char line[200];
        std::snprintf(line, sizeof(line),
                      "\n  %-12s %4dx%-4d  %.3g x %.3g m  centre [%.3g, %.3g, %.3g]",
                      p.name.c_str(), p.texture.width, p.texture.height, glm::length(p.u_axis),
                      glm::length(p.v_axis), p.center().x, p.center().y, p.center().z);
        out << line;
      }
      if (planes->planes.size() > 64) out << "\n  ... " << planes->planes.size() - 64 << " more";
      if (planes->reference_camera) {
        const Camera& c = *planes->reference_camera;
        char line[160];
        std::snprintf(line, sizeof(line),
                      "\n  reference camera %dx%d, vertical fov %.1f deg, at [%.3g, %.3g, %.3g]",
                      c.width, c.height, glm::degrees(c.fov_y()), c.position().x, c.position().y,
                      c.position().z);
        out << line;
      }
      out << "\n";
    } else if (const auto* cloud = std::get_if<GaussianCloud>(&item.content)) {
      out << item.source << ": "
          << (item.layer_names.empty() ? "Gaussian splats" : "layered Gaussian panorama") << "\n";
      out << describe(*cloud) << "\n";
      for (size_t l = 0; l < item.layer_names.size(); ++l) {
        size_t count = 0;
        for (uint16_t id : cloud->layers) count += id == l;
        out << "  layer " << l << " " << item.layer_names[l] << ": " << count << " Gaussians\n";
      }
    } else if (const auto* field = std::get_if<RadianceField>(&item.content)) {
      const FieldConfig& c = field->config;
      char line[400];
      std::snprintf(line, sizeof(line),
                    "%s: radiance field (hash grid + MLP), %zu parameters\n  box [%.3g, %.3g, "
                    "%.3g] .. [%.3g, %.3g, "
                    "%.3g] m (%s)\n  hash grid: %d levels x %d features, 2^%d entries a level, "
                    "resolution %d..%d\n"
                    "  occupancy grid %d^3\n",
                    item.source.c_str(), field->params.size(), c.box_lo.x, c.box_lo.y, c.box_lo.z,
                    c.box_hi.x, c.box_hi.y, c.box_hi.z, c.bounds_rule.c_str(), c.encoding.levels,
                    c.encoding.features_per_level, c.encoding.log2_table_size,
                    c.encoding.base_resolution, c.encoding.finest_resolution, c.grid_resolution);
      out << line;
    } else if (const auto* shells = std::get_if<ShellVolume>(&item.content)) {
      char line[300];
      std::snprintf(line, sizeof(line),
                    "%s: shell volume (layered surface volume), %zu shells over a base mesh of %zu "
                    "triangles (%zu vertices), %zu triangles drawn\n  textures %d x %d RGBA a "
                    "shell\n  offsets %.4g .. %.4g m\n  bounds %s m\n",
                    item.source.c_str(), shells->shell_count(), shells->base.triangle_count(),
                    shells->base.vertex_count(), shells->triangle_count(), shells->texture_width(),
                    shells->texture_height(), shells->offsets.front(), shells->offsets.back(),
                    fmt_bounds(shells->bounds()).c_str());
      out << line;
    } else if (const auto* stack = std::get_if<LayerStack>(&item.content)) {
      out << item.source << ": layer stack, " << stack->layers.size() << " layers on a "
          << stack->width << "x" << stack->height << " canvas, reference fov " << stack->fov_y_deg
          << " deg\n";
      for (const Layer& l : stack->layers) {
        char line[200];
        std::snprintf(line, sizeof(line), "  %-12s %4dx%-4d at (%d, %d)  %-13s opacity %.2f%s",
                      l.name.c_str(), l.image.width, l.image.height, l.offset.x, l.offset.y,
                      blend_mode_name(l.blend), l.opacity, l.visible ? "" : "  hidden");
        out << line;
        if (l.depth) out << "  depth " << *l.depth << " m";
        out << "\n";
      }
    }
  }
  return out.str();
}

}  // namespace strata
