// Reading and writing triangle meshes: Wavefront OBJ (v/vt/vn, polygons fan-triangulated) and
// glTF 2.0 (.gltf/.glb; every triangle primitive of the default scene with node transforms
// applied). Writers go through the glTF exporter or write OBJ text, atomically.
#pragma once

#include <string>

#include "neural/core/image.h"
#include "neural/mesh/triangle_mesh.h"

namespace strata {

// Reads an OBJ file. Faces with 3+ vertices are fan-triangulated; negative (relative) indices
// are resolved; corners with different v/vt/vn combinations become separate vertices (uvs are
// flipped to glTF's v-down). Normals/uvs are kept only when every corner has them. Throws
// InputError naming the file and line for unreadable numbers, indices out of range or no faces.
// The mesh is checked (validate_mesh: NaN/inf values are an InputError) but not repaired.
TriangleMesh read_obj(const std::string& path);

// Writes `mesh` as OBJ text (v, vt when it has uvs, vn when it has normals; f with 1-based
// indices), atomically.
void write_obj(const TriangleMesh& mesh, const std::string& path);

// Reads the triangles of every mesh primitive reachable from the default scene (or scene 0, or
// every root node when there is no scene) of a .gltf/.glb file, node transforms applied (normals
// with the inverse transpose); TEXCOORD_0 and NORMAL are kept only when every primitive has them.
// Throws InputError naming the file for unreadable files, accessors out of range, no triangles
// or NaN/inf values (validate_mesh); not repaired.
TriangleMesh read_gltf_mesh(const std::string& path);

// read_obj or read_gltf_mesh by extension (.obj, .gltf, .glb; case-insensitive); InputError for
// another extension.
TriangleMesh read_mesh(const std::string& path);

// Writes by extension: .obj (geometry only; `texture` ignored) or .gltf/.glb through
// add_textured_mesh (gltf_mesh.h; opaque, unlit, with `texture` when it is not empty and the mesh
// has uvs). InputError for another extension or an empty mesh.
void write_mesh(const TriangleMesh& mesh, const std::string& path, const Image& texture = {});

}  // namespace strata
