// What the viewer has open: the items of every file loaded, each with the viewer's own settings
// (visible, opacity, an extra transform, and for layered items each layer on or off), and the
// Scene they make together. Plain C++; the scene panel edits it, scripts too.
//
// Layers of an item: the planes of a plane set, the layers of a layer stack, the named layers of
// a Gaussian panorama. Other kinds (radiance fields, kinds added later) have none and are shown
// generically.
#pragma once

#include <string>
#include <vector>

#include "neural/scene/scene.h"

namespace strata::viewer {

struct DocumentItem {
  SceneItem item;  // as loaded
  bool visible = true;
  float opacity = 1.0f;    // multiplies alpha (planes, layers, Gaussians)
  vec3 translation{0.0f};  // applied after the item's own transform
  float yaw_deg = 0.0f;    // about +y through the origin
  float scale = 1.0f;
  std::vector<std::string> layers;  // layer names (empty: the item has no layers)
  std::vector<bool> layer_visible;  // one per layer
};

// What kind of representation an item holds, for people ("planes", "layers", "gaussians",
// "field", or "item" for kinds this viewer does not know).
std::string item_kind(const SceneItem& item);
// The layer names of an item (see above).
std::vector<std::string> item_layers(const SceneItem& item);

struct SceneCounts {
  size_t items = 0, planes = 0, gaussians = 0, triangles = 0;
};

class SceneDocument {
 public:
  // Loads `path` (anything load_scene reads) and adds its items. Throws InputError when the file
  // cannot be read; what is already open stays.
  void open(const std::string& path);
  // Adds the items of `scene` (from `source`).
  void add(const Scene& scene, const std::string& source);
  void clear();

  std::vector<DocumentItem>& items() { return items_; }
  const std::vector<DocumentItem>& items() const { return items_; }
  const std::vector<std::string>& files() const { return files_; }
  bool empty() const { return items_.empty(); }

  // The index of the item named by `text` (an index or an item name), or -1.
  int find_item(const std::string& text) const;
  // The index of layer `text` (an index or a name) of item `item`, or -1.
  int find_layer(int item, const std::string& text) const;

  // The scene to draw: visible items with their opacity, layers and transforms applied.
  Scene build() const;
  // The scene as loaded, every item as is (bounds, reference camera, counts).
  const Scene& loaded() const { return loaded_; }
  SceneCounts counts() const;

  // Bumped by every change that needs build() again; the panel and scripts call touch().
  uint64_t version() const { return version_; }
  void touch() { ++version_; }

 private:
  std::vector<DocumentItem> items_;
  std::vector<std::string> files_;
  Scene loaded_;
  uint64_t version_ = 1;
};

}  // namespace strata::viewer
