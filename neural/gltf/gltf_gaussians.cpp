// KHR_gaussian_splatting (ratified): POSITION, KHR_gaussian_splatting:ROTATION (unit quaternion,
// x y z w), :SCALE (linear standard deviations), :OPACITY (linear 0..1), :SH_DEGREE_l_COEF_n
// (raw SH coefficients, degree by degree, n = 0..2l in order m = -l..l), COLOR_0 as the
// point-cloud fallback. The SH basis and its order are 3DGS's, so coefficient k of strata's
// layout is degree l = floor(sqrt(k)), n = k - l^2.
#include <cmath>
#include <cstring>

#include "neural/core/error.h"
#include "neural/gltf/gltf_internal.h"

namespace strata {

namespace {

const char* kExtension = "KHR_gaussian_splatting";

std::string attribute(const char* name) {
  return std::string(kExtension) + ":" + name;
}
std::string sh_attribute(int degree, int n) {
  return attribute(("SH_DEGREE_" + std::to_string(degree) + "_COEF_" + std::to_string(n)).c_str());
}

// Sign of SH basis function k under (x, y, z) -> (-x, -y, z): odd in x + y flips.
constexpr float kShSignTurnZ[16] = {1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1};

}  // namespace

GaussianCloud turned_about_z(const GaussianCloud& cloud) {
  GaussianCloud out = cloud;
  const quat turn(0.0f, 0.0f, 0.0f, 1.0f);  // 180 degrees about z, (w, x, y, z)
  const int k_count = cloud.sh_coefficients();
  for (size_t i = 0; i < out.size(); ++i) {
    out.positions[i] = vec3(-out.positions[i].x, -out.positions[i].y, out.positions[i].z);
    out.rotations[i] = turn * out.rotations[i];
    for (int k = 0; k < k_count; ++k) out.sh_at(i, k) *= kShSignTurnZ[k];
  }
  return out;
}

void add_gaussians(GltfBuilder& b, const GaussianCloud& source,
                   const std::vector<std::string>& layer_names, tinygltf::Node& parent) {
  auto& model = b.model();
  const GaussianCloud turned = turned_about_z(source);
  uint16_t max_layer = 0;
  for (uint16_t l : turned.layers) max_layer = std::max(max_layer, l);
  const int k_count = turned.sh_coefficients();
  for (uint16_t layer = 0; layer <= max_layer; ++layer) {
    std::vector<vec3> positions, scales;
    std::vector<vec4> rotations;
    std::vector<float> opacities;
    std::vector<uint8_t> colors;
    std::vector<std::vector<vec3>> sh(static_cast<size_t>(k_count));
    for (size_t i = 0; i < turned.size(); ++i) {
      if (turned.layers[i] != layer) continue;
      positions.push_back(turned.positions[i]);
      const quat q = glm::normalize(turned.rotations[i]);
      rotations.emplace_back(q.x, q.y, q.z, q.w);
      scales.push_back(turned.scale(i));
      opacities.push_back(turned.opacity(i));
      const vec3 c = glm::clamp(turned.dc_color(i), 0.0f, 1.0f);
      for (float v : {c.r, c.g, c.b, opacities.back()})
        colors.push_back(uint8_t(std::lround(v * 255.0f)));
      for (int k = 0; k < k_count; ++k) sh[size_t(k)].push_back(turned.sh_at(i, k));
    }
    if (positions.empty()) continue;
    tinygltf::Primitive primitive;
    primitive.mode = TINYGLTF_MODE_POINTS;
    primitive.attributes["POSITION"] = b.add_vec3(positions, true);
    primitive.attributes[attribute("ROTATION")] = b.add_vec4(rotations);
    primitive.attributes[attribute("SCALE")] = b.add_vec3(scales, false);
    primitive.attributes[attribute("OPACITY")] = b.add_floats(opacities, 1, false);
    for (int k = 0; k < k_count; ++k) {
      const int degree = int(std::sqrt(float(k)) + 1e-4f);
      primitive.attributes[sh_attribute(degree, k - degree * degree)] =
          b.add_vec3(sh[size_t(k)], false);
    }
    tinygltf::Accessor color;
    color.bufferView = b.add_view(colors.data(), colors.size(), TINYGLTF_TARGET_ARRAY_BUFFER);
    color.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE;
    color.normalized = true;
    color.count = positions.size();
    color.type = TINYGLTF_TYPE_VEC4;
    model.accessors.push_back(color);
    primitive.attributes["COLOR_0"] = int(model.accessors.size() - 1);
    primitive.extensions[kExtension] =
        gltf_object({{"kernel", tinygltf::Value(std::string("ellipse"))},
                     {"colorSpace", tinygltf::Value(std::string("srgb_rec709_display"))},
                     {"projection", tinygltf::Value(std::string("perspective"))},
                     {"sortingMethod", tinygltf::Value(std::string("cameraDistance"))}});
    tinygltf::Mesh mesh;
    mesh.name = layer < layer_names.size() ? layer_names[layer] : "gaussians";
    mesh.primitives.push_back(primitive);
    model.meshes.push_back(mesh);
    tinygltf::Node node;
    node.name = max_layer > 0 ? "layer_" + std::to_string(layer) + "_" + mesh.name : "gaussians";
    node.mesh = int(model.meshes.size() - 1);
    node.extras = gltf_object({{"strata_layer", tinygltf::Value(int(layer))}});
    model.nodes.push_back(node);
    parent.children.push_back(int(model.nodes.size() - 1));
  }
  b.use_extension(kExtension);
}

std::vector<float> read_accessor(const tinygltf::Model& model, int index, int components,
                                 const std::string& file) {
  const std::string where = "accessors[" + std::to_string(index) + "]";
  if (index < 0 || size_t(index) >= model.accessors.size())
    throw InputError(file, where, "index out of range");
  const tinygltf::Accessor& a = model.accessors[size_t(index)];
  const int expected = components == 1   ? TINYGLTF_TYPE_SCALAR
                       : components == 2 ? TINYGLTF_TYPE_VEC2
                       : components == 3 ? TINYGLTF_TYPE_VEC3
                                         : TINYGLTF_TYPE_VEC4;
  if (a.type != expected)
    throw InputError(file, where, "expected " + std::to_string(components) + " components");
  if (a.bufferView < 0 || size_t(a.bufferView) >= model.bufferViews.size())
    throw InputError(file, where, "has no buffer view (sparse accessors are not supported)");
  const tinygltf::BufferView& view = model.bufferViews[size_t(a.bufferView)];
  if (view.buffer < 0 || size_t(view.buffer) >= model.buffers.size())
    throw InputError(file, where, "bad buffer");
  const auto& data = model.buffers[size_t(view.buffer)].data;
  const int size = tinygltf::GetComponentSizeInBytes(uint32_t(a.componentType));
  if (size <= 0) throw InputError(file, where, "unknown component type");
  const size_t element = size_t(size) * size_t(components);
  const size_t stride = view.byteStride ? view.byteStride : element;
  const size_t begin = view.byteOffset + a.byteOffset;
  if (a.count > 0 && (begin + (a.count - 1) * stride + element > data.size() ||
                      begin + (a.count - 1) * stride + element > view.byteOffset + view.byteLength))
    throw InputError(file, where, "reaches past the end of its buffer");
  std::vector<float> out(a.count * size_t(components));
  for (size_t i = 0; i < a.count; ++i) {
    const unsigned char* p = &data[begin + i * stride];
    for (int c = 0; c < components; ++c) {
      float v = 0.0f;
      switch (a.componentType) {
        case TINYGLTF_COMPONENT_TYPE_FLOAT:
          std::memcpy(&v, p + 4 * c, 4);
          break;
        case TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE:
          v = p[c] / (a.normalized ? 255.0f : 1.0f);
          break;
        case TINYGLTF_COMPONENT_TYPE_BYTE:
          v = std::max(-1.0f, int8_t(p[c]) / (a.normalized ? 127.0f : 1.0f));
          break;
        case TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT: {
          uint16_t s;
          std::memcpy(&s, p + 2 * c, 2);
          v = s / (a.normalized ? 65535.0f : 1.0f);
          break;
        }
        case TINYGLTF_COMPONENT_TYPE_SHORT: {
          int16_t s;
          std::memcpy(&s, p + 2 * c, 2);
          v = std::max(-1.0f, s / (a.normalized ? 32767.0f : 1.0f));
          break;
        }
        default:
          throw InputError(file, where,
                           "unsupported component type " + std::to_string(a.componentType));
      }
      out[i * size_t(components) + size_t(c)] = v;
    }
  }
  return out;
}

GaussianCloud read_gaussian_primitive(const tinygltf::Model& model,
                                      const tinygltf::Primitive& primitive, const mat4& world,
                                      const std::string& file, const std::string& where) {
  auto find = [&](const std::string& name, bool required) -> int {
    const auto it = primitive.attributes.find(name);
    if (it == primitive.attributes.end()) {
      if (required) throw InputError(file, where + ".attributes", "missing " + name);
      return -1;
    }
    return it->second;
  };
  const std::vector<float> positions = read_accessor(model, find("POSITION", true), 3, file);
  const std::vector<float> rotations =
      read_accessor(model, find(attribute("ROTATION"), true), 4, file);
  const std::vector<float> scales = read_accessor(model, find(attribute("SCALE"), true), 3, file);
  const std::vector<float> opacities =
      read_accessor(model, find(attribute("OPACITY"), true), 1, file);
  const size_t n = positions.size() / 3;
  if (rotations.size() / 4 != n || scales.size() / 3 != n || opacities.size() != n)
    throw InputError(file, where, "attribute counts differ");
  int degree = -1;
  while (degree < 3 && find(sh_attribute(degree + 1, 0), false) >= 0) ++degree;
  if (degree < 0) throw InputError(file, where + ".attributes", "missing " + sh_attribute(0, 0));
  GaussianCloud cloud;
  cloud.set_sh_degree(degree);
  cloud.resize(n);
  bool log_scales = false;
  for (float s : scales)
    if (s < 0.0f) log_scales = true;  // an early-draft writer: logs, not standard deviations
  if (log_scales)
    warn(file + ": " + where + " stores negative scales; read as log scales (a draft-era writer)");
  for (size_t i = 0; i < n; ++i) {
    cloud.positions[i] = vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
    cloud.rotations[i] =
        quat(rotations[4 * i + 3], rotations[4 * i], rotations[4 * i + 1], rotations[4 * i + 2]);
    const vec3 s(scales[3 * i], scales[3 * i + 1], scales[3 * i + 2]);
    cloud.log_scales[i] = log_scales ? s : glm::log(glm::max(s, vec3(1e-30f)));
    cloud.opacity_logits[i] = logit_from_opacity(std::clamp(opacities[i], 1e-7f, 1.0f - 1e-7f));
  }
  for (int l = 0; l <= degree; ++l)
    for (int m = 0; m <= 2 * l; ++m) {
      const std::vector<float> c = read_accessor(model, find(sh_attribute(l, m), true), 3, file);
      if (c.size() / 3 != n)
        throw InputError(file, where, sh_attribute(l, m) + " has the wrong count");
      for (size_t i = 0; i < n; ++i)
        cloud.sh_at(i, l * l + m) = vec3(c[3 * i], c[3 * i + 1], c[3 * i + 2]);
    }
  for (quat& q : cloud.rotations) {
    const float length = glm::length(q);
    if (length > 0.0f && std::isfinite(length)) q /= length;
  }
  if (world != mat4(1.0f)) {
    const mat3 linear = mat3(world);
    const float scale = std::cbrt(std::abs(glm::determinant(linear)));
    const quat turn = glm::quat_cast(linear / scale);
    for (size_t i = 0; i < n; ++i) {
      cloud.positions[i] = vec3(world * vec4(cloud.positions[i], 1.0f));
      cloud.rotations[i] = turn * cloud.rotations[i];
      cloud.log_scales[i] += std::log(scale);
    }
  }
  return turned_about_z(cloud);  // glTF's y-up world back to the PLY frame
}

}  // namespace strata
