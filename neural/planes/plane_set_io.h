// planes.json: a PlaneSet as JSON plus one RGBA PNG per plane (straight alpha).
//
// {
//   "version": 1, "kind": "planes",
//   "reference_camera": {camera, optional (json_io.h)},
//   "planes": [{"name": "floor", "image": "plane_00.png", "width": 512, "height": 512,
//               "origin": [x, y, z], "u_axis": [x, y, z], "v_axis": [x, y, z]}, ...]
// }
// origin is the world position of the image's top-left corner, u_axis spans its width and
// v_axis its height (metres). "width"/"height" are optional and, when present, must match the
// PNG. Image paths are relative to the JSON file's folder.
#pragma once

#include <string>

#include "neural/planes/plane_set.h"

namespace strata {

// Reads a planes.json file, or the planes.json inside a folder. Throws InputError naming the
// file and field for missing files, malformed JSON, non-finite poses, size mismatches, zero
// planes and degenerate axes.
PlaneSet load_plane_set(const std::string& path);

// Writes planes.json and plane_XX.png into `folder` (created if missing); each file is written
// atomically, planes.json last.
void save_plane_set(const PlaneSet& planes, const std::string& folder);

}  // namespace strata
