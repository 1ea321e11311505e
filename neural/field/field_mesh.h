// A radiance field as a textured triangle mesh: the density sampled on a grid over the occupied
// part of the field, marching cubes at a density threshold, optional quadric simplification, a UV
// atlas, and a colour texture baked from the field's radiance seen along the surface normal.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/field/radiance_field.h"
#include "neural/mesh/triangle_mesh.h"

namespace strata {

struct FieldMeshOptions {
  int resolution = 256;     // grid nodes along the longest side of the sampled box
  float threshold = 25.0f;  // density (1/metres) of the surface: a 1 cm slab is ~22% opaque.
                            // Lower catches the haze of a trained field (nerf_toys at 10: 2x
                            // the charts, 21.7 dB), higher eats thin parts (200: 17.2 dB)
  size_t target_triangles = 300000;  // > 0: simplify to about this many triangles (nerf_toys:
                                     // 2.0 M marched; 300 k keeps 28.0 dB, a 21 MB .glb)
  int texture_size = 2048;           // atlas texels a side; a power of two, 16..16384
  int dilate = 4;                    // texels filled beyond chart borders (bilinear/mipmap seams)
  int smooth_iterations = 20;        // Taubin smoothing of the marched surface (mesh_smooth.h)
                                     // before simplification: takes out the voxel stair steps
  float chart_cone_degrees = 50.0f;  // UV charts: normal cone (see uv_atlas.h)
  float min_component = 0.002f;      // pieces with fewer triangles than this fraction of the mesh
                                     // are dropped (floaters of the field)
  std::vector<Camera> cameras;       // the views the mesh is made for (none: all of it alike):
                                     // charts none of them sees get unseen_texel_scale of the
                                     // texel density (surfaces within 3 grid cells behind the
                                     // nearest one count as seen)
  float unseen_texel_scale = 0.25f;  // 0 < s <= 1, linear
  bool progress = false;             // progress bars on stderr while sampling and baking
};

// Batched callbacks, so a network can evaluate many points at once. Both are called from one
// thread at a time with up to a few hundred thousand points.
// density: world points -> density (1/metres), one per point.
using DensityBatchFn =
    std::function<void(const std::vector<vec3>& points, std::vector<float>* density)>;
// colour: what is seen looking along a ray through each (point, unit direction): the colour
// (straight rgb in [0,1], display-encoded) and its opacity in [0,1].
using ColourBatchFn = std::function<void(
    const std::vector<vec3>& points, const std::vector<vec3>& directions, std::vector<vec4>* rgba)>;

struct FieldMesh {
  TriangleMesh mesh;             // positions, outward unit normals, uvs (world space, metres)
  Image texture;                 // texture_size², opaque; texels outside the charts hold dilated
                                 // border colours, then the mean colour
  size_t charts = 0;             // UV charts
  float atlas_fill = 0.0f;       // fraction of the texture covered by triangles
  size_t marched_triangles = 0;  // before simplification
  double seconds = 0.0;          // wall time of the whole conversion
};

// The core, independent of RadianceField: samples `density` on a grid over `box` (the longest
// side gets options.resolution nodes), extracts the surface density == threshold, simplifies,
// builds the atlas and bakes each covered texel with `colour` looking at the surface point along
// the inward normal. Throws InputError(source, "threshold", ...) when no surface crosses the
// threshold inside the box, and for invalid options.
FieldMesh mesh_from_density(const Bounds3& box, const DensityBatchFn& density,
                            const ColourBatchFn& colour, const FieldMeshOptions& options,
                            const std::string& source = "");

// The field's version: the box is the occupancy grid's occupied bounds (one cell of margin,
// clipped to the field's box); density from the network (zero in empty occupancy cells); colour
// by volume rendering a short ray (see field_mesh.cpp for why). `source` names the field file in
// errors.
FieldMesh mesh_from_field(const RadianceField& field, const FieldMeshOptions& options,
                          const std::string& source = "");

}  // namespace strata
