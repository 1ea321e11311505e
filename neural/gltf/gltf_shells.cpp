#include "neural/gltf/gltf_shells.h"

#include <cstdio>

#include "neural/gltf/gltf_mesh.h"

namespace strata {

void add_shell_meshes(GltfBuilder& builder, const ShellVolume& shells, tinygltf::Node& parent,
                      const std::string& prefix, int max_texture_size) {
  for (size_t k = 0; k < shells.shell_count(); ++k) {
    TriangleMesh mesh = shells.base;
    for (size_t i = 0; i < mesh.positions.size(); ++i)
      mesh.positions[i] = shells.shell_vertex(k, i);
    char name[64];
    std::snprintf(name, sizeof(name), "%s_%02zu", prefix.c_str(), k);
    parent.children.push_back(add_textured_mesh(builder, mesh, shells.textures[k], name,
                                                GltfAlphaMode::kBlend, /*double_sided=*/true,
                                                max_texture_size));
  }
}

}  // namespace strata
