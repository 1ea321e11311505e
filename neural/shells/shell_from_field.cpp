#include "neural/shells/shell_from_field.h"

#include "neural/field/field_mesh.h"

namespace strata {

ShellVolume shells_from_field(const RadianceField& field, const std::optional<TriangleMesh>& base,
                              const ShellsFromFieldOptions& options, const std::string& source) {
  ShellBuildOptions build = options.build;
  TriangleMesh mesh;
  if (base) {
    mesh = *base;
  } else {
    FieldMeshOptions mesh_options;
    mesh_options.resolution = options.mesh_resolution;
    mesh_options.threshold = options.density_threshold;
    mesh_options.target_triangles = options.target_triangles;
    // The atlas is laid out for the shell textures; field_mesh's own texture is not used.
    int atlas = 16;
    while (atlas < build.texture_size) atlas *= 2;
    mesh_options.texture_size = atlas;
    mesh_options.dilate = build.atlas_padding;  // the atlas padding (its texture is not used)
    mesh_options.progress = options.bake.progress;
    mesh_options.cameras = build.cameras;
    mesh_options.unseen_texel_scale = build.unseen_texel_scale;
    mesh = mesh_from_field(field, mesh_options, source).mesh;
    if (build.thickness == 0.0f) {
      // The surface is only known to about a grid cell: shells span +-1.5 cells around it.
      const vec3 extent = mesh.bounds().extent();
      const float cell = std::max(extent.x, std::max(extent.y, extent.z)) /
                         float(std::max(options.mesh_resolution - 1, 1));
      build.thickness = 1.5f * cell;
    }
  }
  ShellVolume shells = build_shells(std::move(mesh), build, source);
  bake_shells_from_field(shells, field, options.bake);
  return shells;
}

}  // namespace strata
