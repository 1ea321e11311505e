#include "neural/mesh/mesh_io.h"

#include <tiny_gltf.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/gltf/gltf_internal.h"
#include "neural/gltf/gltf_mesh.h"
#include "neural/mesh/mesh_repair.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// Parses floats from `s` (whitespace separated) into out[0..n); returns how many were read.
int parse_floats(std::string_view s, float* out, int n) {
  int count = 0;
  size_t i = 0;
  while (count < n) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    // std::from_chars for float is in libstdc++ 11+; strtof needs a terminated copy.
    const std::string token(s.substr(i, j - i));
    char* end = nullptr;
    const float v = std::strtof(token.c_str(), &end);
    if (end != token.c_str() + token.size()) return -1;
    out[count++] = v;
    i = j;
  }
  return count;
}

}  // namespace

TriangleMesh read_obj(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "file not found");
  const std::string text = read_file(path);
  std::vector<vec3> v, vn;
  std::vector<vec2> vt;
  std::vector<std::array<int64_t, 3>> corners;  // per triangle corner: v, vt, vn (0-based, -1)
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find_first_of(" \t");
    const std::string_view tag = line.substr(0, space);
    const std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    const std::string where = "line " + std::to_string(line_no);
    if (tag == "v" || tag == "vn" || tag == "vt") {
      float f[3] = {0, 0, 0};
      const int want = tag == "vt" ? 2 : 3;
      const int got = parse_floats(rest, f, 3);
      if (got < want)
        throw InputError(path, where,
                         "'" + std::string(tag) + "' with " + std::to_string(want) + " numbers");
      if (tag == "v") v.emplace_back(f[0], f[1], f[2]);
      if (tag == "vn") vn.emplace_back(f[0], f[1], f[2]);
      if (tag == "vt") vt.emplace_back(f[0], 1.0f - f[1]);  // OBJ's v is up, glTF's down
    } else if (tag == "f") {
      std::vector<std::array<int64_t, 3>> face;
      std::istringstream in{std::string(rest)};
      std::string token;
      while (in >> token) {
        std::array<int64_t, 3> c{-1, -1, -1};
        size_t start = 0;
        for (int k = 0; k < 3; ++k) {
          const size_t slash = token.find('/', start);
          const std::string part =
              token.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
          if (!part.empty()) {
            int64_t value = 0;
            const auto [p, e] = std::from_chars(part.data(), part.data() + part.size(), value);
            if (e != std::errc() || p != part.data() + part.size() || value == 0)
              throw InputError(path, where,
                               "face indices like 'v', 'v/vt', 'v//vn' or 'v/vt/vn'"
                               " (1-based or negative), got '" +
                                   token + "'");
            const size_t count = k == 0 ? v.size() : k == 1 ? vt.size() : vn.size();
            const int64_t index = value > 0 ? value - 1 : int64_t(count) + value;
            if (index < 0 || index >= int64_t(count))
              throw InputError(path, where,
                               "a " +
                                   std::string(k == 0   ? "v"
                                               : k == 1 ? "vt"
                                                        : "vn") +
                                   " index within the " + std::to_string(count) +
                                   " defined so far, got " + std::to_string(value));
            c[size_t(k)] = index;
          } else if (k == 0) {
            throw InputError(path, where, "a vertex index in '" + token + "'");
          }
          if (slash == std::string::npos) break;
          start = slash + 1;
        }
        face.push_back(c);
      }
      if (face.size() < 3) throw InputError(path, where, "a face with at least 3 vertices");
      for (size_t i = 1; i + 1 < face.size(); ++i)
        corners.insert(corners.end(), {face[0], face[i], face[i + 1]});
    }
    // Other statements (o, g, s, usemtl, mtllib, l, p) carry nothing a TriangleMesh holds.
  }
  if (corners.empty()) throw InputError(path, "f", "at least one face");
  bool all_vt = true, all_vn = true;
  for (const auto& c : corners) {
    all_vt = all_vt && c[1] >= 0;
    all_vn = all_vn && c[2] >= 0;
  }
  TriangleMesh mesh;
  std::map<std::array<int64_t, 3>, uint32_t> vertex_of;
  for (auto c : corners) {
    if (!all_vt) c[1] = -1;
    if (!all_vn) c[2] = -1;
    const auto [it, added] = vertex_of.emplace(c, uint32_t(mesh.positions.size()));
    if (added) {
      mesh.positions.push_back(v[size_t(c[0])]);
      if (all_vt) mesh.uvs.push_back(vt[size_t(c[1])]);
      if (all_vn) mesh.normals.push_back(vn[size_t(c[2])]);
    }
    mesh.indices.push_back(it->second);
  }
  validate_mesh(mesh, path);
  return mesh;
}

void write_obj(const TriangleMesh& mesh, const std::string& path) {
  std::string out;
  out.reserve(mesh.vertex_count() * 80 + mesh.indices.size() * 12);
  out += "# strata triangle mesh\n";
  char buf[128];
  for (const vec3& p : mesh.positions) {
    std::snprintf(buf, sizeof(buf), "v %.9g %.9g %.9g\n", p.x, p.y, p.z);
    out += buf;
  }
  const bool uv = mesh.has_uvs(), n = mesh.has_normals();
  if (uv)
    for (const vec2& t : mesh.uvs) {
      std::snprintf(buf, sizeof(buf), "vt %.9g %.9g\n", t.x, 1.0f - t.y);
      out += buf;
    }
  if (n)
    for (const vec3& d : mesh.normals) {
      std::snprintf(buf, sizeof(buf), "vn %.9g %.9g %.9g\n", d.x, d.y, d.z);
      out += buf;
    }
  for (size_t t = 0; t < mesh.triangle_count(); ++t) {
    out += "f";
    for (int k = 0; k < 3; ++k) {
      const uint32_t i = mesh.indices[3 * t + size_t(k)] + 1;
      if (uv && n)
        std::snprintf(buf, sizeof(buf), " %u/%u/%u", i, i, i);
      else if (uv)
        std::snprintf(buf, sizeof(buf), " %u/%u", i, i);
      else if (n)
        std::snprintf(buf, sizeof(buf), " %u//%u", i, i);
      else
        std::snprintf(buf, sizeof(buf), " %u", i);
      out += buf;
    }
    out += "\n";
  }
  write_text_atomically(path, out);
}

namespace {

mat4 node_transform(const tinygltf::Node& node) {
  if (node.matrix.size() == 16) {
    mat4 m;
    for (int c = 0; c < 4; ++c)
      for (int r = 0; r < 4; ++r) m[c][r] = float(node.matrix[size_t(c * 4 + r)]);
    return m;
  }
  mat4 m(1.0f);
  if (node.translation.size() == 3)
    m = glm::translate(m, vec3(node.translation[0], node.translation[1], node.translation[2]));
  if (node.rotation.size() == 4)
    m = m * glm::mat4_cast(quat(float(node.rotation[3]), float(node.rotation[0]),
                                float(node.rotation[1]), float(node.rotation[2])));
  if (node.scale.size() == 3) m = glm::scale(m, vec3(node.scale[0], node.scale[1], node.scale[2]));
  return m;
}

std::vector<uint32_t> read_indices(const tinygltf::Model& model, int accessor_index,
                                   const std::string& file, const std::string& where) {
  if (accessor_index < 0 || size_t(accessor_index) >= model.accessors.size())
    throw InputError(file, where + ".indices", "an accessor index in range");
  const tinygltf::Accessor& a = model.accessors[size_t(accessor_index)];
  const int size = a.componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE    ? 1
                   : a.componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT ? 2
                   : a.componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT   ? 4
                                                                               : 0;
  if (size == 0 || a.type != TINYGLTF_TYPE_SCALAR || a.bufferView < 0 ||
      size_t(a.bufferView) >= model.bufferViews.size())
    throw InputError(file, where + ".indices", "unsigned byte/short/int scalars in a buffer view");
  const tinygltf::BufferView& view = model.bufferViews[size_t(a.bufferView)];
  if (view.buffer < 0 || size_t(view.buffer) >= model.buffers.size())
    throw InputError(file, where + ".indices", "a buffer view over an existing buffer");
  const auto& data = model.buffers[size_t(view.buffer)].data;
  const size_t stride = view.byteStride ? view.byteStride : size_t(size);
  const size_t begin = view.byteOffset + a.byteOffset;
  if (a.count > 0 && begin + (a.count - 1) * stride + size_t(size) > data.size())
    throw InputError(file, where + ".indices", "data within its buffer");
  std::vector<uint32_t> out(a.count);
  for (size_t i = 0; i < a.count; ++i) {
    const unsigned char* p = &data[begin + i * stride];
    uint32_t v = 0;
    if (size == 1) v = p[0];
    if (size == 2) {
      uint16_t s;
      std::memcpy(&s, p, 2);
      v = s;
    }
    if (size == 4) std::memcpy(&v, p, 4);
    out[i] = v;
  }
  return out;
}

struct GltfMeshReader {
  const tinygltf::Model& model;
  const std::string& file;
  TriangleMesh mesh;
  bool all_uv = true, all_normal = true;
  std::vector<vec2> uvs;
  std::vector<vec3> normals;

  void visit(int index, const mat4& parent, int depth) {
    if (index < 0 || size_t(index) >= model.nodes.size() || depth > 64)
      throw InputError(file, "nodes", "node indices in range and a tree (no cycles)");
    const tinygltf::Node& node = model.nodes[size_t(index)];
    const mat4 world = parent * node_transform(node);
    if (node.mesh >= 0) {
      if (size_t(node.mesh) >= model.meshes.size())
        throw InputError(file, "nodes[" + std::to_string(index) + "].mesh",
                         "a mesh index in range");
      const tinygltf::Mesh& m = model.meshes[size_t(node.mesh)];
      const mat3 normal_matrix = glm::transpose(glm::inverse(mat3(world)));
      for (size_t pi = 0; pi < m.primitives.size(); ++pi) {
        const tinygltf::Primitive& p = m.primitives[pi];
        if (p.mode != TINYGLTF_MODE_TRIANGLES && p.mode != -1) continue;
        const auto pos_it = p.attributes.find("POSITION");
        if (pos_it == p.attributes.end()) continue;
        const std::string where =
            "meshes[" + std::to_string(node.mesh) + "].primitives[" + std::to_string(pi) + "]";
        const std::vector<float> pos = read_accessor(model, pos_it->second, 3, file);
        const size_t n = pos.size() / 3;
        const uint32_t base = uint32_t(mesh.positions.size());
        for (size_t i = 0; i < n; ++i)
          mesh.positions.push_back(
              vec3(world * vec4(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2], 1)));
        const auto uv_it = p.attributes.find("TEXCOORD_0");
        if (uv_it != p.attributes.end() && all_uv) {
          const std::vector<float> t = read_accessor(model, uv_it->second, 2, file);
          if (t.size() / 2 != n) throw InputError(file, where + ".TEXCOORD_0", "one per vertex");
          for (size_t i = 0; i < n; ++i) uvs.emplace_back(t[2 * i], t[2 * i + 1]);
        } else {
          all_uv = false;
        }
        const auto n_it = p.attributes.find("NORMAL");
        if (n_it != p.attributes.end() && all_normal) {
          const std::vector<float> d = read_accessor(model, n_it->second, 3, file);
          if (d.size() / 3 != n) throw InputError(file, where + ".NORMAL", "one per vertex");
          for (size_t i = 0; i < n; ++i) {
            const vec3 w = normal_matrix * vec3(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
            const float len = glm::length(w);
            normals.push_back(len > 0.0f ? w / len : w);
          }
        } else {
          all_normal = false;
        }
        if (p.indices >= 0) {
          const std::vector<uint32_t> idx = read_indices(model, p.indices, file, where);
          if (idx.size() % 3 != 0)
            throw InputError(file, where + ".indices", "a multiple of 3 indices (triangles)");
          for (uint32_t i : idx) {
            if (i >= n)
              throw InputError(file, where + ".indices",
                               "indices below the vertex count " + std::to_string(n) + ", got " +
                                   std::to_string(i));
            mesh.indices.push_back(base + i);
          }
        } else {
          for (size_t i = 0; i + 2 < n; i += 3)
            mesh.indices.insert(mesh.indices.end(), {base + uint32_t(i), base + uint32_t(i + 1),
                                                     base + uint32_t(i + 2)});
        }
        // A mirroring transform turns the winding around.
        if (glm::determinant(mat3(world)) < 0.0f)
          for (size_t t = 0; t < (mesh.indices.size() - 0) / 3; ++t)
            if (mesh.indices[3 * t] >= base)
              std::swap(mesh.indices[3 * t + 1], mesh.indices[3 * t + 2]);
      }
    }
    for (int child : node.children) visit(child, world, depth + 1);
  }
};

}  // namespace

TriangleMesh read_gltf_mesh(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "file not found");
  tinygltf::TinyGLTF loader;
  tinygltf::Model model;
  std::string error, warning;
  const bool binary = lower_extension(path) == ".glb";
  const bool ok = binary ? loader.LoadBinaryFromFile(&model, &error, &warning, path)
                         : loader.LoadASCIIFromFile(&model, &error, &warning, path);
  if (!ok)
    throw InputError(path, "", "cannot read the glTF file: " + (error.empty() ? warning : error));
  GltfMeshReader reader{model, path, {}, true, true, {}, {}};
  std::vector<int> roots;
  if (!model.scenes.empty()) {
    const int scene = model.defaultScene >= 0 && size_t(model.defaultScene) < model.scenes.size()
                          ? model.defaultScene
                          : 0;
    roots = model.scenes[size_t(scene)].nodes;
  } else {
    std::vector<bool> is_child(model.nodes.size(), false);
    for (const auto& n : model.nodes)
      for (int c : n.children)
        if (c >= 0 && size_t(c) < is_child.size()) is_child[size_t(c)] = true;
    for (size_t i = 0; i < model.nodes.size(); ++i)
      if (!is_child[i]) roots.push_back(int(i));
  }
  for (int r : roots) reader.visit(r, mat4(1.0f), 0);
  TriangleMesh mesh = std::move(reader.mesh);
  if (mesh.indices.empty())
    throw InputError(path, "meshes", "at least one triangle primitive in the default scene");
  if (reader.all_uv) mesh.uvs = std::move(reader.uvs);
  if (reader.all_normal) mesh.normals = std::move(reader.normals);
  validate_mesh(mesh, path);
  return mesh;
}

TriangleMesh read_mesh(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".obj") return read_obj(path);
  if (ext == ".gltf" || ext == ".glb") return read_gltf_mesh(path);
  throw InputError(path, "", "a mesh file ending in .obj, .gltf or .glb");
}

void write_mesh(const TriangleMesh& mesh, const std::string& path, const Image& texture) {
  const std::string ext = lower_extension(path);
  if (mesh.triangle_count() == 0) throw InputError(path, "", "a mesh with at least one triangle");
  if (ext == ".obj") return write_obj(mesh, path);
  if (ext == ".gltf" || ext == ".glb")
    return write_textured_mesh_gltf(path, mesh, mesh.has_uvs() ? texture : Image(),
                                    fs::path(path).stem().string());
  throw InputError(path, "", "a mesh file ending in .obj, .gltf or .glb");
}

}  // namespace strata
