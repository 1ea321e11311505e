// A ShellVolume in glTF: one mesh per shell (the base mesh moved along its normals by the shell's
// offset, the shared UVs) with its RGBA texture, unlit, alphaMode BLEND, double-sided; innermost
// shell first, so viewers that keep the order draw the inner shells before the outer ones.
#pragma once

#include <string>

#include "neural/gltf/gltf_builder.h"
#include "neural/shells/shell_volume.h"

namespace strata {

// Adds one node per shell ("<prefix>_NN") under `parent` (not yet attached to the model).
// Precondition: shells.validate() passes.
void add_shell_meshes(GltfBuilder& builder, const ShellVolume& shells, tinygltf::Node& parent,
                      const std::string& prefix, int max_texture_size = 8192);

}  // namespace strata
