#include "neural/gltf/gltf_export.h"

#include <algorithm>
#include <cstdio>

#include "neural/core/error.h"
#include "neural/core/json_io.h"
#include "neural/gltf/gltf_builder.h"
#include "neural/gltf/gltf_internal.h"
#include "neural/gltf/gltf_mesh.h"
#include "neural/gltf/gltf_shells.h"

namespace strata {

namespace {

std::vector<double> matrix_values(const mat4& m) {
  std::vector<double> v(16);
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r) v[size_t(c * 4 + r)] = m[c][r];
  return v;
}

// Distance of a plane's centre along the reference camera's view axis (0 without one).
float plane_depth(const Plane& p, const std::optional<Camera>& reference) {
  if (!reference) return 0.0f;
  return glm::dot(p.center() - reference->position(), reference->forward());
}

// One node per plane, farthest first.
void add_planes(GltfBuilder& b, const PlaneSet& planes, tinygltf::Node& parent, const char* prefix,
                int max_texture) {
  std::vector<size_t> order(planes.planes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (planes.reference_camera)
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t c) {
      return plane_depth(planes.planes[a], planes.reference_camera) >
             plane_depth(planes.planes[c], planes.reference_camera);
    });
  auto& model = b.model();
  for (size_t k = 0; k < order.size(); ++k) {
    const Plane& p = planes.planes[order[k]];
    char name[48];
    std::snprintf(name, sizeof(name), "%s_%02zu", prefix, k);
    tinygltf::Material material;
    material.name = p.name;
    material.alphaMode = "BLEND";
    material.doubleSided = true;
    material.pbrMetallicRoughness.baseColorTexture.index =
        b.add_texture(p.texture, name, max_texture);
    material.pbrMetallicRoughness.metallicFactor = 0.0;
    material.pbrMetallicRoughness.roughnessFactor = 1.0;
    // Unlit: a plane's texels are final colours (as MPIs are rendered), not albedo to be lit.
    material.extensions["KHR_materials_unlit"] = tinygltf::Value(tinygltf::Value::Object());
    model.materials.push_back(material);

    // Corners in texture order; the front face (counter-clockwise) faces the reference camera.
    const vec3 normal = glm::normalize(glm::cross(p.v_axis, p.u_axis));
    tinygltf::Primitive primitive;
    primitive.mode = TINYGLTF_MODE_TRIANGLES;
    primitive.attributes["POSITION"] = b.add_vec3(
        {p.origin, p.origin + p.u_axis, p.origin + p.u_axis + p.v_axis, p.origin + p.v_axis}, true);
    primitive.attributes["NORMAL"] = b.add_vec3({normal, normal, normal, normal}, false);
    primitive.attributes["TEXCOORD_0"] =
        b.add_vec2({vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 1)});
    primitive.indices = b.add_indices({0, 2, 1, 0, 3, 2});
    primitive.material = int(model.materials.size() - 1);
    tinygltf::Mesh mesh;
    mesh.name = p.name;
    mesh.primitives.push_back(primitive);
    model.meshes.push_back(mesh);

    tinygltf::Node node;
    node.name = name;
    node.mesh = int(model.meshes.size() - 1);
    node.extras = gltf_object(
        {{"strata_plane",
          gltf_object({{"name", tinygltf::Value(p.name)},
                       {"depth", tinygltf::Value(double(plane_depth(p, planes.reference_camera)))},
                       {"order", tinygltf::Value(int(k))}})}});
    model.nodes.push_back(node);
    parent.children.push_back(int(model.nodes.size() - 1));
  }
}

}  // namespace

void export_gltf(const Scene& scene, const std::string& path, const GltfExportOptions& options) {
  GltfBuilder b(path);
  auto& model = b.model();
  bool any = false;
  for (const SceneItem& item : scene.items) {
    tinygltf::Node node;
    node.name = item.name.empty() ? "item" : item.name;
    if (item.transform != mat4(1.0f)) node.matrix = matrix_values(item.transform);
    if (const auto* planes = std::get_if<PlaneSet>(&item.content)) {
      add_planes(b, *planes, node, "plane", options.max_texture_size);
      if (planes->reference_camera)
        node.extras = gltf_object({{"strata_reference_camera",
                                    to_gltf_value(camera_to_json(*planes->reference_camera))}});
    } else if (std::holds_alternative<GaussianCloud>(item.content)) {
      // Splats are written in world space (the item's transform baked in), turned to y-up.
      Scene single;
      single.items.push_back(item);
      GaussianCloud cloud = scene_gaussians(single);
      drop_invalid(cloud, item.source.empty() ? item.name : item.source);
      node.matrix.clear();
      if (!cloud.empty()) add_gaussians(b, cloud, item.layer_names, node);
    } else if (const auto* stack = std::get_if<LayerStack>(&item.content)) {
      Scene single;
      single.items.push_back(SceneItem{item.name, item.source, mat4(1.0f), *stack, {}, {}});
      PlaneSet cards = scene_planes(single);
      cards.reference_camera = stack->reference_camera();
      add_planes(b, cards, node, "layer", options.max_texture_size);
      node.extras = gltf_object(
          {{"strata_reference_camera", to_gltf_value(camera_to_json(*cards.reference_camera))}});
    } else if (const auto* field = std::get_if<RadianceField>(&item.content)) {
      // The cameras exported with the scene are the views the mesh is for: its atlas gives
      // their texels to the surface they see (cameras taken into the item's space).
      FieldMeshOptions mesh_options = options.field_mesh;
      if (mesh_options.cameras.empty()) {
        const mat4 world_to_item = glm::inverse(item.transform);
        for (Camera camera : options.cameras) {
          camera.camera_to_world = world_to_item * camera.camera_to_world;
          mesh_options.cameras.push_back(camera);
        }
      }
      const FieldMesh mesh =
          mesh_from_field(*field, mesh_options, item.source.empty() ? item.name : item.source);
      node.children.push_back(add_textured_mesh(b, mesh.mesh, mesh.texture, node.name + "_mesh",
                                                GltfAlphaMode::kOpaque, false,
                                                options.max_texture_size));
      if (options.on_field_mesh) options.on_field_mesh(node.name, mesh);
    } else if (const auto* shells = std::get_if<ShellVolume>(&item.content)) {
      add_shell_meshes(b, *shells, node, "shell", options.max_texture_size);
    }
    if (node.children.empty()) continue;
    any = true;
    b.add_root_child(std::move(node));
  }
  if (!any) throw InputError(path, "", "the scene holds nothing to export");
  if (!model.materials.empty()) b.use_extension("KHR_materials_unlit");
  for (size_t i = 0; i < options.cameras.size(); ++i) {
    const Camera& c = options.cameras[i];
    tinygltf::Camera camera;
    char name[32];
    std::snprintf(name, sizeof(name), "camera_%03zu", i);
    camera.name = name;
    camera.type = "perspective";
    camera.perspective.yfov = c.fov_y();
    camera.perspective.aspectRatio = double(c.width) / double(c.height);
    camera.perspective.znear = 0.01;
    camera.perspective.zfar = 1000.0;  // tinygltf writes 0 (invalid) when left unset
    model.cameras.push_back(camera);
    tinygltf::Node node;
    node.name = name;
    node.camera = int(model.cameras.size() - 1);
    node.matrix = matrix_values(c.camera_to_world);
    b.add_root_child(std::move(node));
  }
  b.write();
}

}  // namespace strata
