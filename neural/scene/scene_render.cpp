#include "neural/scene/scene_render.h"

#include <algorithm>
#include <optional>

#include "neural/field/field_render.h"
#include "neural/planes/plane_set_render.h"
#include "neural/shells/shell_render.h"

namespace strata {

namespace {

std::string item_name(const SceneItem& item, size_t index) {
  return item.name.empty() ? "item " + std::to_string(index) : item.name;
}

// Labels and their names, in the order PreparedScene's comment gives.
void label_layers(const Scene& scene, PreparedScene* prepared) {
  std::vector<std::string>& names = prepared->label_names;
  // Planes, in scene_planes' order: a PlaneSet's planes, a LayerStack's visible layers.
  for (size_t i = 0; i < scene.items.size(); ++i) {
    const SceneItem& item = scene.items[i];
    size_t count = 0;
    if (const auto* planes = std::get_if<PlaneSet>(&item.content)) {
      count = planes->planes.size();
    } else if (const auto* stack = std::get_if<LayerStack>(&item.content)) {
      count = size_t(std::count_if(stack->layers.begin(), stack->layers.end(),
                                   [](const Layer& l) { return l.visible; }));
    }
    for (size_t k = 0; k < count; ++k) {
      const std::string& plane = prepared->planes.planes[names.size()].name;
      names.push_back(item_name(item, i) + " / " +
                      (plane.empty() ? "plane " + std::to_string(k) : plane));
    }
  }
  // Gaussians: scene_gaussians keeps layer ids, so items share them; a label per id.
  prepared->gaussian_labels_begin = int(names.size());
  int layer_count = 0;
  for (uint16_t l : prepared->gaussians.layers) layer_count = std::max(layer_count, int(l) + 1);
  std::string clouds;
  for (size_t i = 0; i < scene.items.size(); ++i)
    if (std::holds_alternative<GaussianCloud>(scene.items[i].content))
      clouds.append(clouds.empty() ? "" : "+").append(item_name(scene.items[i], i));
  for (int l = 0; l < layer_count; ++l) {
    std::string layer = "layer " + std::to_string(l);
    for (const SceneItem& item : scene.items)
      if (std::holds_alternative<GaussianCloud>(item.content) &&
          size_t(l) < item.layer_names.size()) {
        layer = item.layer_names[size_t(l)];
        break;
      }
    names.push_back(clouds + " / " + layer);
  }
  for (size_t i = 0; i < scene.items.size(); ++i)
    if (const auto* shells = std::get_if<ShellVolume>(&scene.items[i].content)) {
      prepared->shell_labels_begin.push_back(int(names.size()));
      for (size_t k = 0; k < shells->shell_count(); ++k)
        names.push_back(item_name(scene.items[i], i) + " / shell " + std::to_string(k));
    }
  for (size_t i = 0; i < scene.items.size(); ++i)
    if (std::holds_alternative<RadianceField>(scene.items[i].content)) {
      prepared->field_labels.push_back(int(names.size()));
      names.push_back(item_name(scene.items[i], i));
    }
}

// `part`'s labels (its own layer indices) moved to scene-wide labels starting at `begin`; a
// field (no labels of its own) gets `begin` wherever it drew something.
void relabel(RenderOutput* part, int begin) {
  if (part->layer.empty()) {
    part->layer.resize(part->color.pixels.size());
    for (size_t i = 0; i < part->layer.size(); ++i)
      part->layer[i] = part->color.pixels[i].a > 0.0f ? begin : -1;
    return;
  }
  for (int32_t& label : part->layer)
    if (label >= 0) label += begin;
}

}  // namespace

PreparedScene prepare_scene(const Scene& scene) {
  PreparedScene prepared;
  prepared.planes = scene_planes(scene);
  prepared.gaussians = scene_gaussians(scene);
  for (const SceneItem& item : scene.items)
    if (const auto* shells = std::get_if<ShellVolume>(&item.content))
      prepared.shells.push_back(transformed_shells(*shells, item.transform));
  for (const SceneItem& item : scene.items)
    if (const auto* field = std::get_if<RadianceField>(&item.content))
      prepared.fields.emplace_back(field, item.transform);
  label_layers(scene, &prepared);
  return prepared;
}

std::string label_name(const PreparedScene& scene, int label) {
  if (label < 0 || size_t(label) >= scene.label_names.size()) return "none";
  return scene.label_names[size_t(label)];
}

RenderOutput merge_by_depth(const RenderOutput& a, const RenderOutput& b) {
  RenderOutput out{Image(a.color.width, a.color.height),
                   ScalarImage(a.color.width, a.color.height)};
  const bool with_layers = !a.layer.empty() && !b.layer.empty();
  if (with_layers) out.layer.resize(a.color.pixels.size());
  for (size_t i = 0; i < a.color.pixels.size(); ++i) {
    const vec4 ca = a.color.pixels[i], cb = b.color.pixels[i];
    const float da = a.depth.values[i], db = b.depth.values[i];
    const bool a_first = cb.a <= 0.0f || (ca.a > 0.0f && da <= db);
    const vec4 front = a_first ? ca : cb, back = a_first ? cb : ca;
    const float df = a_first ? da : db, dbk = a_first ? db : da;
    out.color.pixels[i] = front + (1.0f - front.a) * back;
    const float wf = front.a, wb = (1.0f - front.a) * back.a;
    out.depth.values[i] = wf + wb > 0.0f ? (wf * df + wb * dbk) / (wf + wb) : 0.0f;
    if (with_layers) {
      const int32_t lf = a_first ? a.layer[i] : b.layer[i], lb = a_first ? b.layer[i] : a.layer[i];
      out.layer[i] = lf >= 0 && (wf >= wb || lb < 0) ? lf : lb;
    }
  }
  return out;
}

RenderOutput render_scene(const PreparedScene& scene, const Camera& camera,
                          const SceneRenderOptions& options) {
  std::optional<RenderOutput> result;
  auto merge = [&](RenderOutput part) {
    result = result ? merge_by_depth(*result, part) : std::move(part);
  };
  const bool layers = options.want_layers;
  // Scene-wide labels for a part whose own labels start at `begin`.
  auto labelled = [&](RenderOutput part, int begin) {
    if (layers) relabel(&part, begin);
    return part;
  };
  if (!scene.planes.planes.empty()) merge(render_planes(scene.planes, camera, layers));
  if (!scene.gaussians.empty()) {
    GaussianRenderOptions gaussian_options;
    gaussian_options.visible_layers = options.visible_gaussian_layers;
    gaussian_options.want_layers = layers;
    merge(labelled(render_gaussians(scene.gaussians, camera, gaussian_options),
                   scene.gaussian_labels_begin));
  }
  for (size_t k = 0; k < scene.shells.size(); ++k)
    merge(labelled(render_shells(scene.shells[k], camera, nullptr, layers),
                   k < scene.shell_labels_begin.size() ? scene.shell_labels_begin[k] : 0));
  for (size_t k = 0; k < scene.fields.size(); ++k) {
    const auto& [field, transform] = scene.fields[k];
    // A field is drawn in its own space: the camera moves instead (rigid transforms).
    Camera local = camera;
    local.camera_to_world = glm::inverse(transform) * camera.camera_to_world;
    merge(labelled(render_field(*field, local),
                   k < scene.field_labels.size() ? scene.field_labels[k] : 0));
  }
  if (!result) {
    RenderOutput empty{Image(camera.width, camera.height),
                       ScalarImage(camera.width, camera.height)};
    if (layers) empty.layer.assign(size_t(camera.width) * camera.height, -1);
    return empty;
  }
  return std::move(*result);
}

}  // namespace strata
