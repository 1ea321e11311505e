// Shared by the glTF writer and reader; not part of the public API.
#pragma once

#include <string>
#include <vector>

#include "neural/gaussians/gaussian_cloud.h"
#include "neural/gltf/gltf_builder.h"

namespace strata {

// KHR_gaussian_splatting stores splats in glTF's y-up frame; 3DGS PLY files (COLMAP frames) are
// y-down. Like PlayCanvas splat-transform, strata turns them 180 degrees about z on the way out
// ((x, y, z) -> (-x, -y, z), rotations and SH coefficients with them) and back on the way in.
GaussianCloud turned_about_z(const GaussianCloud& cloud);

// Adds `cloud` under `parent` as POINTS primitives with KHR_gaussian_splatting (one mesh per
// layer when it has several, named after `layer_names`).
void add_gaussians(GltfBuilder& builder, const GaussianCloud& cloud,
                   const std::vector<std::string>& layer_names, tinygltf::Node& parent);

// Reads one KHR_gaussian_splatting primitive, applying `world` (rigid, uniform scale) and
// undoing the y-up turn. Throws InputError naming `file` and the attribute for missing or
// malformed data.
GaussianCloud read_gaussian_primitive(const tinygltf::Model& model,
                                      const tinygltf::Primitive& primitive, const mat4& world,
                                      const std::string& file, const std::string& where);

// Reads `components` floats per element of a float (or normalised integer) accessor.
std::vector<float> read_accessor(const tinygltf::Model& model, int accessor, int components,
                                 const std::string& file);

}  // namespace strata
