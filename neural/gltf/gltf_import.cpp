// Reading planes back from glTF: every textured quad becomes a Plane whose pose is solved from
// its vertices and texture coordinates, so files from other tools work as long as their quads
// map the texture affinely.
#include <cstring>
#include <filesystem>
#include <glm/gtc/matrix_transform.hpp>

#include "neural/core/error.h"
#include "neural/core/json_io.h"
#include "neural/gltf/gltf_builder.h"
#include "neural/gltf/gltf_export.h"
#include "neural/gltf/gltf_internal.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

mat4 node_matrix(const tinygltf::Node& node) {
  mat4 m(1.0f);
  if (node.matrix.size() == 16) {
    for (int c = 0; c < 4; ++c)
      for (int r = 0; r < 4; ++r) m[c][r] = float(node.matrix[size_t(c * 4 + r)]);
    return m;
  }
  if (node.translation.size() == 3)
    m = glm::translate(mat4(1.0f),
                       vec3(node.translation[0], node.translation[1], node.translation[2]));
  if (node.rotation.size() == 4)
    m = m * glm::mat4_cast(quat(float(node.rotation[3]), float(node.rotation[0]),
                                float(node.rotation[1]), float(node.rotation[2])));
  if (node.scale.size() == 3) m = glm::scale(m, vec3(node.scale[0], node.scale[1], node.scale[2]));
  return m;
}

// Reads `components` floats per element of a float accessor (tightly packed or strided).
std::vector<float> read_floats(const tinygltf::Model& model, int accessor_index, int components,
                               const std::string& file) {
  if (accessor_index < 0 || size_t(accessor_index) >= model.accessors.size())
    throw InputError(file, "accessors", "index out of range");
  const tinygltf::Accessor& a = model.accessors[size_t(accessor_index)];
  if (a.componentType != TINYGLTF_COMPONENT_TYPE_FLOAT || a.bufferView < 0)
    throw InputError(file, "accessors[" + std::to_string(accessor_index) + "]",
                     "expected float data in a buffer view");
  const tinygltf::BufferView& view = model.bufferViews[size_t(a.bufferView)];
  const auto& data = model.buffers[size_t(view.buffer)].data;
  const size_t stride = view.byteStride ? view.byteStride : size_t(components) * 4;
  const size_t begin = view.byteOffset + a.byteOffset;
  if (a.count > 0 && begin + (a.count - 1) * stride + size_t(components) * 4 > data.size())
    throw InputError(file, "accessors[" + std::to_string(accessor_index) + "]",
                     "reaches past the end of its buffer");
  std::vector<float> out(a.count * size_t(components));
  for (size_t i = 0; i < a.count; ++i)
    std::memcpy(&out[i * size_t(components)], &data[begin + i * stride], size_t(components) * 4);
  return out;
}

Image texture_image(const tinygltf::Model& model, int texture_index, const std::string& file) {
  const tinygltf::Texture& texture = model.textures.at(size_t(texture_index));
  const tinygltf::Image& source = model.images.at(size_t(texture.source));
  if (source.image.empty() || source.bits != 8)
    throw InputError(file, "images[" + std::to_string(texture.source) + "]",
                     "cannot decode the image (expected 8-bit PNG or JPG)");
  Image image(source.width, source.height);
  const int n = source.component;
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    const unsigned char* p = &source.image[i * size_t(n)];
    const vec3 rgb = n >= 3 ? vec3(p[0], p[1], p[2]) / 255.0f : vec3(p[0] / 255.0f);
    const float a = n == 4 ? p[3] / 255.0f : (n == 2 ? p[1] / 255.0f : 1.0f);
    image.pixels[i] = vec4(rgb * a, a);
  }
  return image;
}

struct Found {
  int order;
  Plane plane;
};

struct Collected {
  std::vector<Found> planes;
  std::optional<Camera> reference;
  GaussianCloud gaussians;
  bool has_gaussians = false;
  std::vector<std::string> layer_names;
};

void visit(const tinygltf::Model& model, int index, const mat4& parent, const std::string& file,
           Collected& collected) {
  std::vector<Found>& found = collected.planes;
  std::optional<Camera>& reference = collected.reference;
  const tinygltf::Node& node = model.nodes.at(size_t(index));
  const mat4 world = parent * node_matrix(node);
  if (node.extras.Has("strata_reference_camera") && !reference) {
    const Json camera = from_gltf_value(node.extras.Get("strata_reference_camera"));
    Camera c = read_camera(JsonView(
        camera, file, "nodes[" + std::to_string(index) + "].extras.strata_reference_camera"));
    c.camera_to_world = world * c.camera_to_world;
    reference = c;
  }
  if (node.mesh >= 0) {
    const tinygltf::Mesh& mesh = model.meshes.at(size_t(node.mesh));
    for (size_t pi = 0; pi < mesh.primitives.size(); ++pi) {
      const tinygltf::Primitive& primitive = mesh.primitives[pi];
      if (primitive.extensions.count("KHR_gaussian_splatting")) {
        GaussianCloud cloud = read_gaussian_primitive(
            model, primitive, world, file,
            "meshes[" + std::to_string(node.mesh) + "].primitives[" + std::to_string(pi) + "]");
        if (node.extras.Has("strata_layer")) {
          const int layer = node.extras.Get("strata_layer").GetNumberAsInt();
          std::fill(cloud.layers.begin(), cloud.layers.end(), uint16_t(layer));
          if (collected.layer_names.size() <= size_t(layer))
            collected.layer_names.resize(size_t(layer) + 1);
          collected.layer_names[size_t(layer)] = mesh.name;
        }
        collected.gaussians.append(cloud);
        collected.has_gaussians = true;
        continue;
      }
      if (primitive.mode != TINYGLTF_MODE_TRIANGLES || !primitive.attributes.count("POSITION") ||
          !primitive.attributes.count("TEXCOORD_0") || primitive.material < 0)
        continue;
      const tinygltf::Material& material = model.materials.at(size_t(primitive.material));
      if (material.pbrMetallicRoughness.baseColorTexture.index < 0) continue;
      const std::vector<float> positions =
          read_floats(model, primitive.attributes.at("POSITION"), 3, file);
      const std::vector<float> uvs =
          read_floats(model, primitive.attributes.at("TEXCOORD_0"), 2, file);
      if (positions.size() != 12) continue;  // not a quad
      // Solve P = origin + s u + t v from three corners (an affine map of the texture).
      const mat3 st(vec3(uvs[0], uvs[1], 1.0f), vec3(uvs[2], uvs[3], 1.0f),
                    vec3(uvs[4], uvs[5], 1.0f));
      if (std::abs(glm::determinant(st)) < 1e-9f) continue;
      const mat3 inverse = glm::inverse(glm::transpose(st));  // rows (s, t, 1) per corner
      vec3 p[3];
      for (int k = 0; k < 3; ++k)
        p[k] = vec3(world * vec4(positions[size_t(3 * k)], positions[size_t(3 * k + 1)],
                                 positions[size_t(3 * k + 2)], 1.0f));
      auto combine = [&](int row) {
        return inverse[0][row] * p[0] + inverse[1][row] * p[1] + inverse[2][row] * p[2];
      };
      Plane plane;
      plane.u_axis = combine(0);
      plane.v_axis = combine(1);
      plane.origin = combine(2);
      plane.name = mesh.name.empty() ? node.name : mesh.name;
      plane.texture =
          texture_image(model, material.pbrMetallicRoughness.baseColorTexture.index, file);
      int order = int(found.size());
      if (node.extras.Has("strata_plane")) {
        const auto& extras = node.extras.Get("strata_plane");
        if (extras.Has("order")) order = extras.Get("order").GetNumberAsInt();
        if (extras.Has("name")) plane.name = extras.Get("name").Get<std::string>();
      }
      found.push_back(Found{order, std::move(plane)});
    }
  }
  for (int child : node.children) visit(model, child, world, file, collected);
}

}  // namespace

GltfContents import_gltf(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "file not found");
  tinygltf::TinyGLTF loader;
  tinygltf::Model model;
  std::string error, warning;
  const bool binary = fs::path(path).extension() == ".glb";
  const bool ok = binary ? loader.LoadBinaryFromFile(&model, &error, &warning, path)
                         : loader.LoadASCIIFromFile(&model, &error, &warning, path);
  if (!ok)
    throw InputError(path, "", "cannot read the glTF file: " + (error.empty() ? warning : error));
  if (model.scenes.empty()) throw InputError(path, "scenes", "the file has no scene");
  const int scene = model.defaultScene >= 0 ? model.defaultScene : 0;
  Collected collected;
  for (int root : model.scenes.at(size_t(scene)).nodes)
    visit(model, root, mat4(1.0f), path, collected);
  GltfContents contents;
  if (!collected.planes.empty()) {
    std::stable_sort(collected.planes.begin(), collected.planes.end(),
                     [](const Found& a, const Found& b) { return a.order < b.order; });
    PlaneSet set;
    for (Found& f : collected.planes) set.planes.push_back(std::move(f.plane));
    set.reference_camera = collected.reference;
    set.validate(path);
    contents.planes = std::move(set);
  }
  if (collected.has_gaussians) {
    contents.gaussians = std::move(collected.gaussians);
    contents.gaussian_layer_names = collected.layer_names;
  }
  if (!contents.planes && !contents.gaussians)
    throw InputError(
        path, "meshes",
        "no textured quads and no KHR_gaussian_splatting primitives: nothing strata reads");
  return contents;
}

PlaneSet import_gltf_planes(const std::string& path) {
  GltfContents contents = import_gltf(path);
  if (!contents.planes) throw InputError(path, "meshes", "no textured quads to read as planes");
  return std::move(*contents.planes);
}

}  // namespace strata
