// Assembles a glTF 2.0 model (tinygltf's Model) from strata data: one binary buffer, PNG
// textures, accessors with the bounds the validator asks for, and writes it as .glb or as
// .gltf + .bin + PNG files, every file atomically.
#pragma once

#include <tiny_gltf.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "neural/core/image.h"
#include "neural/core/math.h"

namespace strata {

class GltfBuilder {
 public:
  // `path` decides the container: ".glb" one binary file, ".gltf" JSON + .bin + PNGs beside it.
  // Throws InputError for any other extension.
  explicit GltfBuilder(const std::string& path);

  tinygltf::Model& model() { return model_; }

  // Appends raw bytes as a buffer view (4-byte aligned); target is 0, ARRAY_BUFFER or
  // ELEMENT_ARRAY_BUFFER. Returns the view's index.
  int add_view(const void* data, size_t bytes, int target);
  // Float accessors over new views; POSITION-like data gets min/max (`bounds`).
  int add_floats(const std::vector<float>& values, int components, bool bounds,
                 int target = TINYGLTF_TARGET_ARRAY_BUFFER);
  int add_vec3(const std::vector<vec3>& values, bool bounds);
  int add_vec2(const std::vector<vec2>& values);
  int add_vec4(const std::vector<vec4>& values);
  int add_indices(const std::vector<uint32_t>& indices);
  // A PNG texture (straight alpha, sRGB) with linear filtering and clamped edges; textures
  // larger than `max_size` a side are downscaled with a warning. Returns the texture index.
  int add_texture(const Image& image, const std::string& name, int max_size = 8192);
  // Adds a node under the scene's root node; returns its index.
  int add_root_child(tinygltf::Node node);
  // Declares an extension in extensionsUsed (and extensionsRequired when `required`).
  void use_extension(const std::string& name, bool required = false);
  // Serialises and writes the file(s), atomically.
  void write();

 private:
  std::string path_;
  bool binary_;
  tinygltf::Model model_;
  int root_ = -1;
  int sampler_ = -1;
  std::vector<std::pair<std::string, std::string>> side_files_;  // .gltf: PNG file name, bytes
};

// Converts between nlohmann JSON and tinygltf Values (for extras holding strata's JSON).
tinygltf::Value to_gltf_value(const nlohmann::json& json);
nlohmann::json from_gltf_value(const tinygltf::Value& value);

// An object of tinygltf Values from (key, value) pairs, for extras and extensions.
tinygltf::Value gltf_object(
    std::initializer_list<std::pair<const std::string, tinygltf::Value>> members);

}  // namespace strata
