// Textured triangle meshes in glTF: one mesh (one primitive: POSITION, NORMAL, TEXCOORD_0,
// indices) with an unlit material whose baseColorTexture is a sRGB PNG — used for fields turned
// to meshes and for the shells of a ShellVolume.
#pragma once

#include <string>

#include "neural/core/image.h"
#include "neural/gltf/gltf_builder.h"
#include "neural/mesh/triangle_mesh.h"

namespace strata {

enum class GltfAlphaMode {
  kOpaque,  // alpha ignored (meshes from fields)
  kMask,    // alpha tested at 0.5
  kBlend,   // alpha blended (shells)
};

// Adds `mesh` (>= 1 triangle; normals computed smooth when it has none) with `texture` (needs
// uvs; ignored when empty: a plain white material) as a new node named `name`, and declares
// KHR_materials_unlit. Textures larger than max_texture_size a side are downscaled with a warning.
// The node is NOT attached: push the returned node index into a parent's children (or pass it to
// scene nodes). Throws InputError for an empty mesh or a texture without uvs.
int add_textured_mesh(GltfBuilder& builder, const TriangleMesh& mesh, const Image& texture,
                      const std::string& name, GltfAlphaMode alpha_mode, bool double_sided = false,
                      int max_texture_size = 8192);

// Writes one textured mesh as a whole file (.glb or .gltf + .bin + PNG), atomically: the mesh's
// node under the builder's root node.
void write_textured_mesh_gltf(const std::string& path, const TriangleMesh& mesh,
                              const Image& texture, const std::string& name,
                              GltfAlphaMode alpha_mode = GltfAlphaMode::kOpaque);

}  // namespace strata
