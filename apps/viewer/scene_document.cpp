#include "apps/viewer/scene_document.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <glm/gtc/matrix_transform.hpp>

namespace strata::viewer {

namespace {

bool is_index(const std::string& text, int* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (!end || *end != '\0' || v < 0) return false;
  *value = int(v);
  return true;
}

float logit(float p) {
  p = std::min(std::max(p, 1e-6f), 1.0f - 1e-6f);
  return std::log(p / (1.0f - p));
}

}  // namespace

std::string item_kind(const SceneItem& item) {
  if (std::holds_alternative<PlaneSet>(item.content)) return "planes";
  if (std::holds_alternative<LayerStack>(item.content)) return "layers";
  if (std::holds_alternative<GaussianCloud>(item.content))
    return item.layer_names.empty() ? "gaussians" : "gaussian panorama";
  if (std::holds_alternative<RadianceField>(item.content)) return "field";
  if (std::holds_alternative<ShellVolume>(item.content)) return "shells";
  return "item";
}

std::vector<std::string> item_layers(const SceneItem& item) {
  std::vector<std::string> names;
  if (const auto* planes = std::get_if<PlaneSet>(&item.content)) {
    for (size_t i = 0; i < planes->planes.size(); ++i)
      names.push_back(planes->planes[i].name.empty() ? "plane " + std::to_string(i)
                                                     : planes->planes[i].name);
  } else if (const auto* stack = std::get_if<LayerStack>(&item.content)) {
    for (size_t i = 0; i < stack->layers.size(); ++i)
      names.push_back(stack->layers[i].name.empty() ? "layer " + std::to_string(i)
                                                    : stack->layers[i].name);
  } else if (std::holds_alternative<GaussianCloud>(item.content)) {
    names = item.layer_names;
  } else if (const auto* shells = std::get_if<ShellVolume>(&item.content)) {
    for (size_t i = 0; i < shells->shell_count(); ++i) {
      char name[48];
      std::snprintf(name, sizeof(name), "shell %zu (%+.3g m)", i, shells->offsets[i]);
      names.push_back(name);
    }
  }
  return names;
}

void SceneDocument::open(const std::string& path) {
  add(load_scene(path), path);
}

void SceneDocument::add(const Scene& scene, const std::string& source) {
  for (const SceneItem& item : scene.items) {
    DocumentItem d;
    d.item = item;
    if (d.item.source.empty()) d.item.source = source;
    d.layers = item_layers(item);
    d.layer_visible.assign(d.layers.size(), true);
    // Layers a stack hides itself start hidden.
    if (const auto* stack = std::get_if<LayerStack>(&item.content))
      for (size_t i = 0; i < stack->layers.size(); ++i)
        d.layer_visible[i] = stack->layers[i].visible;
    items_.push_back(std::move(d));
    loaded_.items.push_back(item);
  }
  if (!loaded_.reference_camera && scene.reference_camera)
    loaded_.reference_camera = scene.reference_camera;
  files_.push_back(source);
  touch();
}

void SceneDocument::clear() {
  items_.clear();
  files_.clear();
  loaded_ = Scene{};
  touch();
}

int SceneDocument::find_item(const std::string& text) const {
  int index = -1;
  if (is_index(text, &index)) return index < int(items_.size()) ? index : -1;
  for (size_t i = 0; i < items_.size(); ++i)
    if (items_[i].item.name == text) return int(i);
  return -1;
}

int SceneDocument::find_layer(int item, const std::string& text) const {
  if (item < 0 || item >= int(items_.size())) return -1;
  const std::vector<std::string>& layers = items_[size_t(item)].layers;
  int index = -1;
  if (is_index(text, &index)) return index < int(layers.size()) ? index : -1;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i] == text) return int(i);
  return -1;
}

Scene SceneDocument::build() const {
  Scene scene;
  scene.reference_camera = loaded_.reference_camera;
  for (const DocumentItem& d : items_) {
    if (!d.visible) continue;
    SceneItem item = d.item;
    const mat4 extra = glm::translate(mat4(1.0f), d.translation) *
                       glm::rotate(mat4(1.0f), glm::radians(d.yaw_deg), vec3(0, 1, 0)) *
                       glm::scale(mat4(1.0f), vec3(d.scale));
    item.transform = extra * item.transform;
    const auto hidden = [&](size_t layer) {
      return layer < d.layer_visible.size() && !d.layer_visible[layer];
    };
    if (auto* planes = std::get_if<PlaneSet>(&item.content)) {
      std::vector<Plane> kept;
      for (size_t i = 0; i < planes->planes.size(); ++i) {
        if (hidden(i)) continue;
        kept.push_back(std::move(planes->planes[i]));
        if (d.opacity < 1.0f)
          for (vec4& p : kept.back().texture.pixels) p *= d.opacity;
      }
      planes->planes = std::move(kept);
    } else if (auto* stack = std::get_if<LayerStack>(&item.content)) {
      for (size_t i = 0; i < stack->layers.size(); ++i) {
        stack->layers[i].visible = !hidden(i);
        stack->layers[i].opacity *= d.opacity;
      }
    } else if (auto* cloud = std::get_if<GaussianCloud>(&item.content)) {
      bool any_hidden = false;
      for (size_t l = 0; l < d.layer_visible.size(); ++l) any_hidden |= !d.layer_visible[l];
      if (any_hidden && !cloud->layers.empty()) {
        std::vector<bool> keep(cloud->size());
        for (size_t i = 0; i < keep.size(); ++i) keep[i] = !hidden(cloud->layers[i]);
        cloud->filter(keep);
      }
      if (d.opacity < 1.0f)
        for (float& l : cloud->opacity_logits) l = logit(d.opacity / (1.0f + std::exp(-l)));
    } else if (auto* shells = std::get_if<ShellVolume>(&item.content)) {
      // A hidden shell is dropped with its texture; opacity scales every texel.
      ShellVolume kept;
      kept.base = std::move(shells->base);
      for (size_t i = 0; i < shells->shell_count(); ++i) {
        if (hidden(i)) continue;
        kept.offsets.push_back(shells->offsets[i]);
        kept.textures.push_back(std::move(shells->textures[i]));
        if (d.opacity < 1.0f)
          for (vec4& p : kept.textures.back().pixels) p *= d.opacity;
      }
      if (kept.offsets.empty()) continue;  // every shell hidden: nothing of the item to draw
      *shells = std::move(kept);
    }
    // Radiance fields and other kinds are drawn as loaded (opacity does not apply).
    scene.items.push_back(std::move(item));
  }
  return scene;
}

SceneCounts SceneDocument::counts() const {
  SceneCounts c;
  for (const DocumentItem& d : items_) {
    if (!d.visible) continue;
    ++c.items;
    if (const auto* planes = std::get_if<PlaneSet>(&d.item.content)) {
      for (size_t i = 0; i < planes->planes.size(); ++i)
        c.planes += (i < d.layer_visible.size() && !d.layer_visible[i]) ? 0 : 1;
    } else if (const auto* stack = std::get_if<LayerStack>(&d.item.content)) {
      for (size_t i = 0; i < stack->layers.size(); ++i)
        c.planes += (i < d.layer_visible.size() && !d.layer_visible[i]) ? 0 : 1;
    } else if (const auto* cloud = std::get_if<GaussianCloud>(&d.item.content)) {
      if (cloud->layers.empty() || d.layer_visible.empty()) {
        c.gaussians += cloud->size();
      } else {
        for (uint16_t l : cloud->layers)
          c.gaussians += (l < d.layer_visible.size() && !d.layer_visible[l]) ? 0 : 1;
      }
    } else if (const auto* shells = std::get_if<ShellVolume>(&d.item.content)) {
      for (size_t i = 0; i < shells->shell_count(); ++i)
        c.triangles +=
            (i < d.layer_visible.size() && !d.layer_visible[i]) ? 0 : shells->base.triangle_count();
    }
  }
  return c;
}

}  // namespace strata::viewer
