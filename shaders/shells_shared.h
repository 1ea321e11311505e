// Bindings, push constants and records of the Vulkan shells renderer, shared by the GLSL compute
// shaders (shaders/shells_*.comp) and the C++ that feeds them (renderer/shells_renderer_vk.cpp).
// Members are vec4/uvec4 so that std430 (GLSL) and glm (C++) agree without padding rules.
#ifndef STRATA_SHADERS_SHELLS_SHARED_H
#define STRATA_SHADERS_SHELLS_SHARED_H

#ifdef __cplusplus
#include <cstdint>

#include <glm/glm.hpp>
namespace strata::gpu {
using vec4 = glm::vec4;
using uvec4 = glm::uvec4;
using ivec4 = glm::ivec4;
using uint = uint32_t;
#define STRATA_SHARED_CONST(type, name, value) inline constexpr type name = value
#else
#define STRATA_SHARED_CONST(type, name, value) const type name = value
#endif

// Descriptor set 0 of every shells pipeline. The mesh and textures are read through texel
// buffers (large element limits, fast gathers on CPU devices; see planes_shared.h).
STRATA_SHARED_CONST(uint, kShellBindingVertices, 0);     // samplerBuffer rgba32f: 2 per vertex
STRATA_SHARED_CONST(uint, kShellBindingIndices, 1);      // usamplerBuffer r32ui: 3 per triangle
STRATA_SHARED_CONST(uint, kShellBindingTextures, 2);     // samplerBuffer rgba8: K * W * H texels
STRATA_SHARED_CONST(uint, kShellBindingOffsets, 3);      // float[K]: shell offsets, metres
STRATA_SHARED_CONST(uint, kShellBindingRects, 4);        // ivec4[triangles]: touched tiles
STRATA_SHARED_CONST(uint, kShellBindingTileCounts, 5);   // uint[tiles]
STRATA_SHARED_CONST(uint, kShellBindingTileOffsets, 6);  // uint[tiles + 1]: exclusive scan
STRATA_SHARED_CONST(uint, kShellBindingTileCursor, 7);   // uint[tiles]: fill cursors
STRATA_SHARED_CONST(uint, kShellBindingEntries, 8);      // uvec2[capacity]: (triangle, slices)
STRATA_SHARED_CONST(uint, kShellBindingStatus, 9);       // GpuShellStatus, host-visible
STRATA_SHARED_CONST(uint, kShellBindingColor, 10);       // rgba32f storage image (premultiplied)
STRATA_SHARED_CONST(uint, kShellBindingDepth, 11);       // r32f storage image (expected depth)
// Per triangle, written by the bin pass: kShellSetupTexels RGBA32F texels — the clipped and
// projected polygon's 4 vertices (pixel x, y, 1/w, vertex count in texel 0's w), their uv/w
// (2 texels) and the pixel bounding box (x0, y0, x1, y1). Read by the rasterizer through texel
// views, as are the entries (CPU devices gather texels fast; see gaussians_shared.h).
STRATA_SHARED_CONST(uint, kShellBindingSetup, 12);        // vec4[triangles * kShellSetupTexels]
STRATA_SHARED_CONST(uint, kShellBindingSetupRead, 13);    // samplerBuffer rgba32f view of it
STRATA_SHARED_CONST(uint, kShellBindingEntriesRead, 14);  // usamplerBuffer rg32ui view of entries
STRATA_SHARED_CONST(uint, kShellSetupTexels, 7);

// 16x16-pixel tiles (the CPU reference's); the rasterizer runs one workgroup per tile.
#define STRATA_SHELL_TILE 16
STRATA_SHARED_CONST(uint, kShellTile, STRATA_SHELL_TILE);
// A tile's 32 slices are its 8-pixel half rows (slice 2 y + x / 8): llvmpipe runs a workgroup
// as 8-lane slices in this order. Each tile entry carries the mask of the slices that the
// triangle reaches (row by row; shells_fill.comp), and the rasterizer's slices skip the others.
// Workgroup size of the per-triangle passes and the scan.
#define STRATA_SHELL_GROUP 256
STRATA_SHARED_CONST(uint, kShellGroup, STRATA_SHELL_GROUP);
// Fragments a pixel keeps (the nearest ones); beyond, the farthest are dropped. Shells of a
// closed mesh give 2K fragments per pixel at most where the mesh does not fold.
#define STRATA_SHELL_MAX_FRAGMENTS 32
// GpuShellStatus / rect.x of a culled triangle.
STRATA_SHARED_CONST(int, kShellCulled, -1);

// Written by the scan pass, read by the host after the frame.
struct GpuShellStatus {
  uvec4 totals;  // x: tile entries needed this frame; y: entries the buffer holds (capacity)
};

// Push constants of every shells pipeline (96 bytes).
struct ShellsPush {
  vec4 row0;        // world -> camera, row 0 (xyz rotation, w translation)
  vec4 row1;        // row 1
  vec4 row2;        // row 2
  vec4 intrinsics;  // fx, fy, cx, cy, pixels
  uvec4 image;      // x, y: width, height (pixels); z: triangles (all shells); w: base triangles
  uvec4 params;     // x, y: tiles across, down; z: entry capacity; w: texture width | height << 16
};

#ifdef __cplusplus
static_assert(sizeof(ShellsPush) == 96, "ShellsPush must match its layout");
}  // namespace strata::gpu
#endif

#endif  // STRATA_SHADERS_SHELLS_SHARED_H
