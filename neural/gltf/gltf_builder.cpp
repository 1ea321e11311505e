#include "neural/gltf/gltf_builder.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"

namespace strata {

namespace fs = std::filesystem;

tinygltf::Value to_gltf_value(const nlohmann::json& json) {
  if (json.is_object()) {
    tinygltf::Value::Object object;
    for (auto it = json.begin(); it != json.end(); ++it)
      object[it.key()] = to_gltf_value(it.value());
    return tinygltf::Value(std::move(object));
  }
  if (json.is_array()) {
    tinygltf::Value::Array array;
    for (const auto& v : json) array.push_back(to_gltf_value(v));
    return tinygltf::Value(std::move(array));
  }
  if (json.is_boolean()) return tinygltf::Value(json.get<bool>());
  if (json.is_number_integer()) return tinygltf::Value(json.get<int>());
  if (json.is_number()) return tinygltf::Value(json.get<double>());
  if (json.is_string()) return tinygltf::Value(json.get<std::string>());
  return tinygltf::Value();
}

nlohmann::json from_gltf_value(const tinygltf::Value& value) {
  switch (value.Type()) {
    case tinygltf::OBJECT_TYPE: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& key : value.Keys()) object[key] = from_gltf_value(value.Get(key));
      return object;
    }
    case tinygltf::ARRAY_TYPE: {
      nlohmann::json array = nlohmann::json::array();
      for (size_t i = 0; i < value.ArrayLen(); ++i)
        array.push_back(from_gltf_value(value.Get(int(i))));
      return array;
    }
    case tinygltf::BOOL_TYPE:
      return value.Get<bool>();
    case tinygltf::INT_TYPE:
      return value.Get<int>();
    case tinygltf::REAL_TYPE:
      return value.Get<double>();
    case tinygltf::STRING_TYPE:
      return value.Get<std::string>();
    default:
      return nullptr;
  }
}

tinygltf::Value gltf_object(
    std::initializer_list<std::pair<const std::string, tinygltf::Value>> members) {
  return tinygltf::Value(tinygltf::Value::Object(members));
}

GltfBuilder::GltfBuilder(const std::string& path) : path_(path) {
  const std::string extension = fs::path(path).extension().string();
  if (extension != ".glb" && extension != ".gltf")
    throw InputError(path, "--out",
                     "expected a .glb or .gltf file name, found \"" + extension + "\"");
  binary_ = extension == ".glb";
  model_.asset.version = "2.0";
  model_.asset.generator = "strata";
  model_.buffers.emplace_back();
  tinygltf::Node root;
  root.name = "strata";
  model_.nodes.push_back(root);
  root_ = 0;
  tinygltf::Scene scene;
  scene.nodes = {root_};
  model_.scenes.push_back(scene);
  model_.defaultScene = 0;
}

int GltfBuilder::add_view(const void* data, size_t bytes, int target) {
  auto& buffer = model_.buffers[0].data;
  while (buffer.size() % 4 != 0) buffer.push_back(0);
  tinygltf::BufferView view;
  view.buffer = 0;
  view.byteOffset = buffer.size();
  view.byteLength = bytes;
  view.target = target;
  const auto* p = static_cast<const unsigned char*>(data);
  buffer.insert(buffer.end(), p, p + bytes);
  model_.bufferViews.push_back(view);
  return int(model_.bufferViews.size() - 1);
}

int GltfBuilder::add_floats(const std::vector<float>& values, int components, bool bounds,
                            int target) {
  tinygltf::Accessor accessor;
  accessor.bufferView = add_view(values.data(), values.size() * sizeof(float), target);
  accessor.componentType = TINYGLTF_COMPONENT_TYPE_FLOAT;
  accessor.count = values.size() / size_t(components);
  accessor.type = components == 1   ? TINYGLTF_TYPE_SCALAR
                  : components == 2 ? TINYGLTF_TYPE_VEC2
                  : components == 3 ? TINYGLTF_TYPE_VEC3
                                    : TINYGLTF_TYPE_VEC4;
  if (bounds && accessor.count > 0) {
    accessor.minValues.assign(size_t(components), 1e300);
    accessor.maxValues.assign(size_t(components), -1e300);
    for (size_t i = 0; i < values.size(); ++i) {
      const size_t c = i % size_t(components);
      accessor.minValues[c] = std::min(accessor.minValues[c], double(values[i]));
      accessor.maxValues[c] = std::max(accessor.maxValues[c], double(values[i]));
    }
  }
  model_.accessors.push_back(accessor);
  return int(model_.accessors.size() - 1);
}

int GltfBuilder::add_vec3(const std::vector<vec3>& values, bool bounds) {
  std::vector<float> flat;
  flat.reserve(values.size() * 3);
  for (const vec3& v : values) flat.insert(flat.end(), {v.x, v.y, v.z});
  return add_floats(flat, 3, bounds);
}

int GltfBuilder::add_vec2(const std::vector<vec2>& values) {
  std::vector<float> flat;
  flat.reserve(values.size() * 2);
  for (const vec2& v : values) flat.insert(flat.end(), {v.x, v.y});
  return add_floats(flat, 2, false);
}

int GltfBuilder::add_vec4(const std::vector<vec4>& values) {
  std::vector<float> flat;
  flat.reserve(values.size() * 4);
  for (const vec4& v : values) flat.insert(flat.end(), {v.x, v.y, v.z, v.w});
  return add_floats(flat, 4, false);
}

int GltfBuilder::add_indices(const std::vector<uint32_t>& indices) {
  tinygltf::Accessor accessor;
  accessor.bufferView = add_view(indices.data(), indices.size() * sizeof(uint32_t),
                                 TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER);
  accessor.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT;
  accessor.count = indices.size();
  accessor.type = TINYGLTF_TYPE_SCALAR;
  model_.accessors.push_back(accessor);
  return int(model_.accessors.size() - 1);
}

int GltfBuilder::add_texture(const Image& image, const std::string& name, int max_size) {
  Image fitted = image;
  if (image.width > max_size || image.height > max_size) {
    const float scale = float(max_size) / float(std::max(image.width, image.height));
    const int w = std::max(1, int(image.width * scale)), h = std::max(1, int(image.height * scale));
    warn("texture '" + name + "' is " + std::to_string(image.width) + "x" +
         std::to_string(image.height) + ", over the " + std::to_string(max_size) +
         " px limit; downscaled to " + std::to_string(w) + "x" + std::to_string(h));
    fitted = resample(image, w, h);
  }
  const std::string png = encode_png(fitted);
  tinygltf::Image gltf_image;
  gltf_image.name = name;
  gltf_image.mimeType = "image/png";
  if (binary_) {
    gltf_image.bufferView = add_view(png.data(), png.size(), 0);
  } else {
    const std::string file =
        fs::path(path_).stem().string() + "_" + std::to_string(model_.images.size()) + ".png";
    gltf_image.uri = file;
    side_files_.emplace_back(file, png);
  }
  model_.images.push_back(gltf_image);
  if (sampler_ < 0) {
    tinygltf::Sampler sampler;
    sampler.magFilter = TINYGLTF_TEXTURE_FILTER_LINEAR;
    sampler.minFilter = TINYGLTF_TEXTURE_FILTER_LINEAR_MIPMAP_LINEAR;
    sampler.wrapS = TINYGLTF_TEXTURE_WRAP_CLAMP_TO_EDGE;
    sampler.wrapT = TINYGLTF_TEXTURE_WRAP_CLAMP_TO_EDGE;
    model_.samplers.push_back(sampler);
    sampler_ = int(model_.samplers.size() - 1);
  }
  tinygltf::Texture texture;
  texture.source = int(model_.images.size() - 1);
  texture.sampler = sampler_;
  model_.textures.push_back(texture);
  return int(model_.textures.size() - 1);
}

int GltfBuilder::add_root_child(tinygltf::Node node) {
  model_.nodes.push_back(std::move(node));
  const int index = int(model_.nodes.size() - 1);
  model_.nodes[size_t(root_)].children.push_back(index);
  return index;
}

void GltfBuilder::use_extension(const std::string& name, bool required) {
  auto add = [&](std::vector<std::string>& list) {
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
  };
  add(model_.extensionsUsed);
  if (required) add(model_.extensionsRequired);
}

void GltfBuilder::write() {
  tinygltf::TinyGLTF writer;
  // Images are PNG bytes already (in a buffer view, or a side file): tinygltf must not encode.
  writer.SetImageWriter([](const std::string*, const std::string*, const tinygltf::Image*, bool,
                           std::string*, void*) { return false; },
                        nullptr);
  std::ostringstream out;
  if (model_.buffers[0].data.empty()) model_.buffers.clear();
  if (!writer.WriteGltfSceneToStream(&model_, out, !binary_, binary_))
    throw InputError(path_, "", "cannot serialise the glTF model");
  if (binary_) {
    write_text_atomically(path_, out.str());
    return;
  }
  // .gltf: the stream writer embeds the buffer as base64; point it at a .bin file instead.
  const fs::path folder = fs::path(path_).parent_path();
  nlohmann::json json = nlohmann::json::parse(out.str());
  if (!model_.buffers.empty()) {
    const std::string bin = fs::path(path_).stem().string() + ".bin";
    json["buffers"][0]["uri"] = bin;
    const auto& data = model_.buffers[0].data;
    write_text_atomically((folder / bin).string(), std::string(data.begin(), data.end()));
  }
  for (const auto& [name, bytes] : side_files_)
    write_text_atomically((folder / name).string(), bytes);
  write_text_atomically(path_, json.dump(2) + "\n");
}

}  // namespace strata
