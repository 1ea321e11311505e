// A ShellVolume made from a radiance field alone (`strata convert scene.field --to shells`): the
// base mesh is the field's surface (marching cubes on the density, simplified, with a UV atlas:
// neural/field/field_mesh.h), or a mesh the user gives; shells are built around it
// (shell_builder.h) and baked from the field (shell_bake.h).
#pragma once

#include <optional>
#include <string>

#include "neural/field/radiance_field.h"
#include "neural/mesh/triangle_mesh.h"
#include "neural/shells/shell_bake.h"
#include "neural/shells/shell_builder.h"

namespace strata {

struct ShellsFromFieldOptions {
  ShellBuildOptions build;           // shells, thickness (0: 1.5 grid cells of the mesh), texels
  int mesh_resolution = 128;         // marching-cubes grid nodes along the longest side
  float density_threshold = 10.0f;   // density (1/metres) of the base surface
  size_t target_triangles = 100000;  // simplification target (0: none)
  ShellBakeOptions bake;
};

// Shells around `base` when given (repaired, atlas made when it has no UVs) or around the
// field's own surface, with textures baked from `field`. `source` names the field in errors.
ShellVolume shells_from_field(const RadianceField& field, const std::optional<TriangleMesh>& base,
                              const ShellsFromFieldOptions& options, const std::string& source);

}  // namespace strata
