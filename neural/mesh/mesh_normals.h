// Smooth vertex normals for a triangle mesh: each vertex gets the area-weighted average of the
// normals of its triangles (the cross product's length is twice the area).
#pragma once

#include <vector>

#include "neural/mesh/triangle_mesh.h"

namespace strata {

// One unit normal per vertex. With weld_by_position, vertices at the same position (UV seams,
// split hard edges) share one normal — the average over all their triangles — so offsets along
// the normals (shells) do not tear at seams. Vertices in no triangle (or only degenerate ones)
// get (0, 0, 1). Triangles are counter-clockwise seen from outside, so normals point outwards.
std::vector<vec3> smooth_vertex_normals(const TriangleMesh& mesh, bool weld_by_position = true);

// Sets mesh->normals to smooth_vertex_normals(*mesh, weld_by_position).
void compute_vertex_normals(TriangleMesh* mesh, bool weld_by_position = true);

// The unit normal of each triangle (zero for degenerate ones).
std::vector<vec3> face_normals(const TriangleMesh& mesh);

}  // namespace strata
