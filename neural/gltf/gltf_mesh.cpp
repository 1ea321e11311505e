#include "neural/gltf/gltf_mesh.h"

#include "neural/core/error.h"
#include "neural/mesh/mesh_normals.h"

namespace strata {

int add_textured_mesh(GltfBuilder& builder, const TriangleMesh& mesh, const Image& texture,
                      const std::string& name, GltfAlphaMode alpha_mode, bool double_sided,
                      int max_texture_size) {
  if (mesh.triangle_count() == 0 || mesh.vertex_count() == 0)
    throw InputError("", name, "a mesh with at least one triangle to export");
  const bool textured = !texture.empty();
  if (textured && !mesh.has_uvs())
    throw InputError("", name, "texture coordinates (uvs) for a textured mesh");
  auto& model = builder.model();

  tinygltf::Material material;
  material.name = name;
  material.alphaMode = alpha_mode == GltfAlphaMode::kOpaque ? "OPAQUE"
                       : alpha_mode == GltfAlphaMode::kMask ? "MASK"
                                                            : "BLEND";
  if (alpha_mode == GltfAlphaMode::kMask) material.alphaCutoff = 0.5;
  material.doubleSided = double_sided;
  material.pbrMetallicRoughness.metallicFactor = 0.0;
  material.pbrMetallicRoughness.roughnessFactor = 1.0;
  if (textured)
    material.pbrMetallicRoughness.baseColorTexture.index =
        builder.add_texture(texture, name, max_texture_size);
  // Unlit: the texels are the colours the source showed (radiance), not albedo to be lit again.
  material.extensions["KHR_materials_unlit"] = tinygltf::Value(tinygltf::Value::Object());
  builder.use_extension("KHR_materials_unlit");
  model.materials.push_back(material);

  tinygltf::Primitive primitive;
  primitive.mode = TINYGLTF_MODE_TRIANGLES;
  primitive.attributes["POSITION"] = builder.add_vec3(mesh.positions, true);
  primitive.attributes["NORMAL"] = builder.add_vec3(
      mesh.has_normals() ? mesh.normals : smooth_vertex_normals(mesh, false), false);
  if (mesh.has_uvs()) primitive.attributes["TEXCOORD_0"] = builder.add_vec2(mesh.uvs);
  primitive.indices = builder.add_indices(mesh.indices);
  primitive.material = int(model.materials.size() - 1);
  tinygltf::Mesh gltf_mesh;
  gltf_mesh.name = name;
  gltf_mesh.primitives.push_back(primitive);
  model.meshes.push_back(gltf_mesh);

  tinygltf::Node node;
  node.name = name;
  node.mesh = int(model.meshes.size() - 1);
  model.nodes.push_back(node);
  return int(model.nodes.size() - 1);
}

void write_textured_mesh_gltf(const std::string& path, const TriangleMesh& mesh,
                              const Image& texture, const std::string& name,
                              GltfAlphaMode alpha_mode) {
  GltfBuilder builder(path);
  const int node = add_textured_mesh(builder, mesh, texture, name, alpha_mode);
  builder.model().nodes[0].children.push_back(node);
  builder.write();
}

}  // namespace strata
