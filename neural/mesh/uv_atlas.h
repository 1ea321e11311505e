// A texture atlas for a mesh without UVs: charts grown over adjacent triangles whose (smoothed)
// normals stay within a cone of the chart's average normal, each flattened by projection onto its
// average-normal plane (charts that fold are split), scaled to one texel density and packed into
// a square atlas with padding between charts (by outline: chart_packing.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neural/mesh/triangle_mesh.h"

namespace strata {

struct UvAtlasOptions {
  float cone_degrees = 50.0f;  // a triangle joins a chart when its smoothed normal is within this
                               // angle of the chart's running average normal (and its face normal
                               // within 75 degrees)
  int atlas_size = 2048;       // texels a side of the texture the atlas is made for (padding)
  int padding = 4;             // empty texels kept between charts and at the atlas border
  size_t max_chart_triangles = 0;  // 0: unlimited; otherwise charts stop growing at this size
  std::vector<uint8_t> seen;       // per triangle, 1 where a view sees it (mesh_visibility.h);
                                   // empty: all seen
  float unseen_scale = 0.25f;      // texel density of charts no view sees, relative to the rest
                                   // (linear): texels go where the views look
  std::string source;              // the mesh's file (or the scene it came from), for errors
};

struct UvAtlas {
  TriangleMesh mesh;                     // the input with seams split: same triangles (same
                                         // order), uvs in [0,1]², normals kept when present
  std::vector<uint32_t> source_vertex;   // per new vertex: the input vertex it copies
  std::vector<uint32_t> triangle_chart;  // per triangle: its chart
  size_t chart_count = 0;                // charts made
  float fill = 0.0f;                     // fraction of the atlas area covered by triangles
};

// Builds the atlas; charts grow over triangles alike in `seen` (small ones then join a
// neighbour), and mostly unseen charts get unseen_scale of the texel density. Throws
// std::invalid_argument for an empty mesh or atlas_size < 16, and InputError (naming options.source
// and "texture_size") when the charts cannot fit the atlas. Charts never overlap each other in UV
// space at atlas_size resolution (`padding` texels apart). Within a chart, up to 2% of its uv area
// may fold over (voxel-scale stair steps of meshes from fields; such texels show the neighbouring
// surface); smooth surfaces do not fold at all.
UvAtlas build_uv_atlas(const TriangleMesh& mesh, const UvAtlasOptions& options = {});

// Which triangle covers each texel of a width x height texture (texel centres inside the
// triangle's uv footprint, uv (0,0) the top-left corner; ties on shared edges go to one side).
struct TexelCoverage {
  int width = 0, height = 0;      // texels
  std::vector<int32_t> triangle;  // per texel (row-major, top row first): triangle, or -1
  std::vector<vec3> barycentric;  // per covered texel: weights of the triangle's 3 corners
  size_t covered = 0;             // texels with a triangle
  size_t overlaps = 0;            // texels claimed by more than one triangle (0 for an atlas)
};

// Rasterises the mesh's uvs (required) at width x height, deterministically (the
// lowest triangle index wins a contested texel).
TexelCoverage rasterize_uvs(const TriangleMesh& mesh, int width, int height);

}  // namespace strata
