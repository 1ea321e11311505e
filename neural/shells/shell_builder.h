// Building a ShellVolume around a base mesh: the mesh is checked and repaired, given a UV atlas
// when it has none, given smooth welded normals (so shells do not tear at UV seams) that are
// further smoothed over the surface (so shells offset along them do not fold over themselves at
// sharp edges), and K shells are placed at even offsets between -thickness and
// +outer_fraction * thickness.
#pragma once

#include <string>

#include "neural/core/camera.h"
#include "neural/mesh/triangle_mesh.h"
#include "neural/shells/shell_volume.h"

namespace strata {

struct ShellBuildOptions {
  int shells = 16;         // K, 1..64 (nerf_toys: 16 beat 8 by 0.8 dB, 4 by 3.1: the shells must
                           // lie close enough that a surface falls on one; docs/QUALITY.md)
  float thickness = 0.0f;  // d: offsets span [-d, +outer_fraction d], metres; 0: 1% of the
                           // mesh's bounding-box diagonal
  float outer_fraction = 1.0f;  // the outermost shell sits at +outer_fraction d (0..4; 1:
                                // symmetric; below 1 puts more shells inside the surface)
  int texture_size = 768;       // texels a side of every shell texture, 16..8192 (nerf_toys,
                                // field -> shells, 300 steps: 512² 34.29 dB, 724² 35.13,
                                // 1024² 35.00 — texels beyond the views' pixels overfit)
  int atlas_padding = 2;        // texels between UV charts when an atlas is made: the renderers
                                // sample bilinearly (no mipmaps), so 2 keep every chart's samples
                                // its own, and the texels go to the surface (4 left 94% of a
                                // 1024² atlas of a field's surface empty)
  std::vector<Camera> cameras;  // the views the shells are made for: when an atlas is made, charts
                                // none of them sees (through the shells' span) get
                                // unseen_texel_scale of the texel density; none: all alike
  float unseen_texel_scale = 0.25f;  // 0 < s <= 1, linear (nerf_toys: views see 44% of the
                                     // field surface's area; see docs/QUALITY.md)
  int normal_smoothing = 3;          // Laplacian smoothing passes over the welded vertex normals
  vec4 initial_texel{0.5f, 0.5f, 0.5f, 0.05f};  // straight RGBA every texel starts with
};

// K offsets evenly from -thickness to +outer_fraction * thickness (ascending; {0} for one shell).
std::vector<float> shell_offsets(int shells, float thickness, float outer_fraction = 1.0f);

// Builds shells around `base` (item space, metres). Repairs the mesh (mesh_repair.h: degenerate
// triangles and unused vertices removed with a warning), makes a UV atlas when it has no UVs.
// Throws InputError naming `source` for meshes that cannot be repaired (NaN vertices, indices out
// of range, no triangle) and for options out of range.
ShellVolume build_shells(TriangleMesh base, const ShellBuildOptions& options,
                         const std::string& source);

// The base's vertex normals welded by position, area weighted and smoothed `passes` times over
// neighbouring vertices (unit length).
std::vector<vec3> smoothed_shell_normals(const TriangleMesh& base, int passes);

}  // namespace strata
