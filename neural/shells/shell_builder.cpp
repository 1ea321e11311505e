#include "neural/shells/shell_builder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "neural/core/error.h"
#include "neural/mesh/mesh_normals.h"
#include "neural/mesh/mesh_repair.h"
#include "neural/mesh/mesh_visibility.h"
#include "neural/mesh/uv_atlas.h"

namespace strata {

std::vector<float> shell_offsets(int shells, float thickness, float outer_fraction) {
  std::vector<float> offsets(size_t(std::max(shells, 1)), 0.0f);
  const float span = (1.0f + outer_fraction) * thickness;
  if (shells > 1)
    for (int k = 0; k < shells; ++k)
      offsets[size_t(k)] = -thickness + span * float(k) / float(shells - 1);
  return offsets;
}

std::vector<vec3> smoothed_shell_normals(const TriangleMesh& base, int passes) {
  std::vector<vec3> normals = smooth_vertex_normals(base, true);
  if (passes <= 0) return normals;
  // Weld by exact position: one node per distinct position, edges between nodes.
  std::map<std::tuple<float, float, float>, uint32_t> node_of;
  std::vector<uint32_t> node(base.vertex_count());
  for (size_t i = 0; i < base.vertex_count(); ++i) {
    const vec3 p = base.positions[i];
    node[i] =
        node_of.emplace(std::make_tuple(p.x, p.y, p.z), uint32_t(node_of.size())).first->second;
  }
  const size_t nodes = node_of.size();
  std::vector<vec3> n(nodes, vec3(0.0f));
  for (size_t i = 0; i < base.vertex_count(); ++i) n[node[i]] = normals[i];
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  for (size_t f = 0; f < base.triangle_count(); ++f)
    for (int j = 0; j < 3; ++j) {
      const uint32_t a = node[base.indices[3 * f + j]], b = node[base.indices[3 * f + (j + 1) % 3]];
      if (a != b) edges.emplace_back(std::min(a, b), std::max(a, b));
    }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  for (int pass = 0; pass < passes; ++pass) {
    std::vector<vec3> sum = n;  // each node keeps its own normal with weight 1
    for (const auto& [a, b] : edges) {
      sum[a] += n[b];
      sum[b] += n[a];
    }
    for (size_t i = 0; i < nodes; ++i) {
      const float length = glm::length(sum[i]);
      if (length > 1e-12f) n[i] = sum[i] / length;
    }
  }
  for (size_t i = 0; i < base.vertex_count(); ++i) normals[i] = n[node[i]];
  return normals;
}

ShellVolume build_shells(TriangleMesh base, const ShellBuildOptions& options,
                         const std::string& source) {
  if (options.shells < 1 || options.shells > 64)
    throw InputError(source, "shells",
                     "expected 1..64 shells, found " + std::to_string(options.shells));
  if (!(options.thickness >= 0.0f) || !std::isfinite(options.thickness))
    throw InputError(source, "thickness", "expected a finite thickness >= 0 (metres)");
  if (!(options.outer_fraction >= 0.0f && options.outer_fraction <= 4.0f))
    throw InputError(source, "outer_fraction", "expected a fraction of the thickness in 0..4");
  if (options.texture_size < 16 || options.texture_size > 8192)
    throw InputError(source, "texture_size",
                     "expected 16..8192 texels, found " + std::to_string(options.texture_size));
  if (!(options.unseen_texel_scale > 0.0f && options.unseen_texel_scale <= 1.0f))
    throw InputError(source, "unseen_texel_scale", "expected a texel density in (0, 1]");
  repair_mesh(&base, source);
  if (base.triangle_count() == 0)
    throw InputError(source, "mesh", "expected at least one non-degenerate triangle");
  float thickness = options.thickness;
  if (thickness == 0.0f) thickness = 0.01f * glm::length(base.bounds().extent());
  if (!base.has_uvs()) {
    UvAtlasOptions atlas_options;
    atlas_options.atlas_size = std::max(options.texture_size, 16);
    atlas_options.padding = std::max(1, options.atlas_padding);
    atlas_options.source = source;
    if (!options.cameras.empty()) {
      VisibilityOptions visibility;
      visibility.depth_tolerance = (1.0f + options.outer_fraction) * thickness;
      atlas_options.seen = seen_triangles(base, options.cameras, visibility);
      atlas_options.unseen_scale = options.unseen_texel_scale;
    }
    base = build_uv_atlas(base, atlas_options).mesh;
  }
  base.normals = smoothed_shell_normals(base, options.normal_smoothing);
  ShellVolume shells;
  shells.base = std::move(base);
  shells.offsets = shell_offsets(options.shells, thickness, options.outer_fraction);
  const vec4 straight = glm::clamp(options.initial_texel, vec4(0.0f), vec4(1.0f));
  const vec4 texel(vec3(straight) * straight.a, straight.a);
  shells.textures.assign(size_t(options.shells),
                         Image(options.texture_size, options.texture_size, texel));
  shells.validate(source);
  return shells;
}

}  // namespace strata
