// Checking and repairing a triangle mesh that a user handed us: values that cannot be used are an
// error naming the file; defects that can be fixed are fixed with one warning line.
#pragma once

#include <cstddef>
#include <string>

#include "neural/mesh/triangle_mesh.h"

namespace strata {

struct MeshRepairOptions {
  bool weld = false;               // merge vertices closer than weld_tolerance (positions, and uvs
                                   // and normals when present, must match within it)
  float weld_tolerance = 1e-6f;    // relative to the bounding-box diagonal
  float degenerate_area = 1e-12f;  // triangles with area <= this * diagonal^2 are removed
};

struct MeshRepairReport {
  size_t degenerate_removed = 0;  // triangles with repeated indices or (near) zero area
  size_t vertices_welded = 0;     // vertices merged into another one
  size_t unused_removed = 0;      // vertices no triangle referenced
  size_t non_manifold_edges = 0;  // edges shared by more than two triangles (kept, reported)
  size_t boundary_edges = 0;      // edges of exactly one triangle (open mesh; not a defect)
  bool normals_dropped = false;   // normals were NaN/zero and were discarded (recompute them)
};

// Throws InputError(source, field, ...) for what cannot be repaired: an index count that is not a
// multiple of 3, indices out of range, NaN/inf positions (names the first vertex), normals/uvs
// arrays whose size differs from positions, NaN/inf uvs. Does not modify the mesh.
void validate_mesh(const TriangleMesh& mesh, const std::string& source);

// validate_mesh, then: removes degenerate triangles, welds when asked, drops unused vertices,
// drops unusable normals (NaN or zero length), counts non-manifold and boundary edges. Emits one
// warn() line per kind of defect found (naming `source`). Never throws for a valid mesh.
MeshRepairReport repair_mesh(TriangleMesh* mesh, const std::string& source,
                             const MeshRepairOptions& options = {});

// Removes connected components (triangles joined through shared vertex indices) with fewer than
// `min_triangles` triangles — the floaters of a mesh extracted from a field — and the vertices
// only they used. Returns the number of triangles removed.
size_t remove_small_components(TriangleMesh* mesh, size_t min_triangles);

// Edges (unordered vertex pairs, welded by exact position) used by more than two triangles.
size_t count_non_manifold_edges(const TriangleMesh& mesh);

// Edges used by exactly one triangle (by exact position); 0 for a closed (watertight) mesh.
size_t count_boundary_edges(const TriangleMesh& mesh);

}  // namespace strata
