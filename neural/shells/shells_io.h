// shells.json: a ShellVolume as JSON, a base mesh file and one RGBA PNG per shell (straight
// alpha, like every strata PNG; textures are premultiplied in memory).
//
// {
//   "version": 1, "kind": "shells",
//   "mesh": "base.obj",                      // OBJ or glTF (.glb/.gltf): positions, normals, uvs
//   "texture_width": 512, "texture_height": 512,
//   "shells": [{"offset": -0.01, "image": "shell_00.png"}, ...]   // offsets in metres, ascending
// }
// Paths are relative to the JSON file's folder.
#pragma once

#include <string>

#include "neural/shells/shell_volume.h"

namespace strata {

// Reads a shells.json file, or the shells.json inside a folder. The mesh is repaired like any
// user mesh (mesh_repair.h; warnings for what was fixed) and given smooth welded normals when it
// has none. Throws InputError naming the file and field for missing files, malformed JSON, a
// mesh without UVs, offsets not ascending, texture sizes that differ from the JSON.
ShellVolume load_shell_volume(const std::string& path);

// Writes shells.json, base.obj and shell_NN.png into `folder` (created if missing); each file
// atomically, shells.json last. Precondition: shells.validate() passes.
void save_shell_volume(const ShellVolume& shells, const std::string& folder);

// True when `path` is a shells.json or a folder holding one.
bool is_shell_volume_path(const std::string& path);

}  // namespace strata
