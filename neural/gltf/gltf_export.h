// Export to glTF 2.0 (.glb, or .gltf + .bin + PNGs). Planes and layer cards become textured
// quads: unlit, alphaMode BLEND, double-sided, straight-alpha sRGB PNGs, one node per plane in
// back-to-front order (plane_00 the farthest from the reference camera) with the plane's depth
// and name in the node's extras so a re-import restores them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/field/field_mesh.h"
#include "neural/gaussians/gaussian_cloud.h"
#include "neural/scene/scene.h"

namespace strata {

struct GltfExportOptions {
  std::vector<Camera> cameras;  // exported as glTF perspective cameras (camera_000, ...)
  int max_texture_size = 8192;  // larger textures are downscaled with a warning
  FieldMeshOptions field_mesh;  // radiance fields become textured meshes (field_mesh.h); with
                                // no cameras of its own, a field's atlas favours what `cameras`
                                // see (field_mesh.unseen_texel_scale = 1: no preference)
  std::function<void(const std::string& item, const FieldMesh& mesh)>
      on_field_mesh;  // optional: called after each field is meshed (for summary lines)
};

// Writes every item of `scene` under one root node, with the items' transforms. Radiance fields
// become one opaque, unlit textured mesh each (marching cubes + baked colour texture); a field
// with no surface at the threshold throws InputError. A ShellVolume becomes one mesh per shell
// (shared UVs, its RGBA texture, alphaMode BLEND: gltf_shells.h). The file type
// follows the extension of `path` (.glb or .gltf). Throws InputError for another extension or
// a scene with nothing to export; nothing is written then.
void export_gltf(const Scene& scene, const std::string& path,
                 const GltfExportOptions& options = {});

// What strata reads from a glTF file: textured quads as planes, KHR_gaussian_splatting
// primitives as Gaussians (layer ids from strata's node extras).
struct GltfContents {
  std::optional<PlaneSet> planes;                 // when the file has textured quads
  std::optional<GaussianCloud> gaussians;         // when it has splat primitives
  std::vector<std::string> gaussian_layer_names;  // strata's layered panoramas: one per layer id
};
// Reads a .glb/.gltf; throws InputError naming the file when it cannot be read or holds neither.
GltfContents import_gltf(const std::string& path);

// Reads planes back from a glTF file written by strata (or any file whose meshes are textured
// quads): one PlaneSet per file, the reference camera restored when present. Throws InputError
// naming the file for files it cannot read or that hold no quads.
PlaneSet import_gltf_planes(const std::string& path);

}  // namespace strata
