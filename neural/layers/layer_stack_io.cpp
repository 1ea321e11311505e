#include "neural/layers/layer_stack_io.h"

#include <cstdio>
#include <filesystem>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/json_io.h"

namespace strata {

namespace fs = std::filesystem;

namespace {
constexpr int kLayersVersion = 1;
}

LayerStack load_layer_stack(const std::string& path) {
  std::string file = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    file = (fs::path(path) / "layers.json").string();
    if (!fs::exists(file, ec)) throw InputError(path, "", "the folder holds no layers.json");
  }
  const Json json = read_json_file(file);
  const JsonView root(json, file);
  if (!json.is_object()) root.fail("expected a JSON object");
  if (root.has("kind") && root.at("kind").string() != "layers")
    root.at("kind").fail("expected \"layers\", found \"" + root.at("kind").string() + "\"");
  const int version = root.integer_or("version", kLayersVersion);
  if (version != kLayersVersion)
    root.at("version").fail("expected version " + std::to_string(kLayersVersion) + ", found " +
                            std::to_string(version));
  LayerStack stack;
  stack.width = root.at("width").integer();
  stack.height = root.at("height").integer();
  if (stack.width <= 0 || stack.height <= 0)
    root.at("width").fail("expected a positive canvas size");
  stack.fov_y_deg = float(root.number_or("fov_y_deg", stack.fov_y_deg));
  const JsonView list = root.at("layers");
  const size_t count = list.array_size();
  if (count == 0) list.fail("expected at least one layer, found none");
  const fs::path folder = fs::path(file).parent_path();
  for (size_t i = 0; i < count; ++i) {
    const JsonView entry = list.at(i);
    Layer layer;
    layer.name = entry.string_or("name", "layer_" + std::to_string(i));
    const std::string blend = entry.string_or("blend", "normal");
    const auto mode = parse_blend_mode(blend);
    if (!mode)
      entry.at("blend").fail("unknown blend mode \"" + blend +
                             "\"; expected normal, premultiplied, multiply, screen or add");
    layer.blend = *mode;
    layer.file = entry.at("image").string();
    const std::string image_path = (folder / layer.file).string();
    layer.image = read_image(image_path, layer.blend == BlendMode::kPremultiplied);
    if (entry.has("width") && entry.at("width").integer() != layer.image.width)
      entry.at("width").fail("says " + std::to_string(entry.at("width").integer()) + " but " +
                             image_path + " is " + std::to_string(layer.image.width) +
                             " pixels wide");
    if (entry.has("height") && entry.at("height").integer() != layer.image.height)
      entry.at("height").fail("says " + std::to_string(entry.at("height").integer()) + " but " +
                              image_path + " is " + std::to_string(layer.image.height) +
                              " pixels high");
    layer.opacity = float(entry.number_or("opacity", 1.0));
    if (!(layer.opacity >= 0.0f && layer.opacity <= 1.0f))
      entry.at("opacity").fail("expected a number in [0, 1]");
    layer.visible = entry.boolean_or("visible", true);
    if (entry.has("offset")) {
      const vec2 o = entry.at("offset").vector2();
      if (o.x != std::floor(o.x) || o.y != std::floor(o.y))
        entry.at("offset").fail("expected whole pixels");
      layer.offset = ivec2(o);
    }
    if (entry.has("depth")) {
      const double d = entry.at("depth").number();
      if (!(d > 0.0)) entry.at("depth").fail("expected a positive distance in metres");
      layer.depth = float(d);
    }
    stack.layers.push_back(std::move(layer));
  }
  stack.validate(file);
  return stack;
}

void save_layer_stack(const LayerStack& stack, const std::string& folder) {
  ensure_writable_directory(folder);
  Json root;
  root["version"] = kLayersVersion;
  root["kind"] = "layers";
  root["width"] = stack.width;
  root["height"] = stack.height;
  root["fov_y_deg"] = stack.fov_y_deg;
  Json list = Json::array();
  for (size_t i = 0; i < stack.layers.size(); ++i) {
    const Layer& l = stack.layers[i];
    char name[32];
    std::snprintf(name, sizeof(name), "layer_%02zu.png", i);
    const std::string path = (fs::path(folder) / name).string();
    if (l.blend == BlendMode::kPremultiplied) {
      // Keep the colour premultiplied in the file: store it as if it were straight and opaque
      // in rgb, with the real alpha — write_png divides by alpha, so pre-scale by it.
      Image copy = l.image;
      for (vec4& p : copy.pixels) p = vec4(vec3(p) * p.a, p.a);
      write_png(path, copy);
    } else {
      write_png(path, l.image);
    }
    Json entry = {{"name", l.name},
                  {"image", name},
                  {"width", l.image.width},
                  {"height", l.image.height},
                  {"opacity", l.opacity},
                  {"visible", l.visible},
                  {"blend", blend_mode_name(l.blend)},
                  {"offset", {l.offset.x, l.offset.y}}};
    if (l.depth) entry["depth"] = *l.depth;
    list.push_back(entry);
  }
  root["layers"] = list;
  write_json_file((fs::path(folder) / "layers.json").string(), root);
}

}  // namespace strata
