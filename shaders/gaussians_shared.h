// Bindings, push constants and records of the Vulkan Gaussian renderer, shared by the GLSL
// compute shaders (shaders/gaussians_*.comp) and the C++ that feeds them
// (renderer/gaussians_renderer_vk.cpp). Members are vec4/uvec4 so that std430 (GLSL) and glm
// (C++) agree without padding rules.
#ifndef STRATA_SHADERS_GAUSSIANS_SHARED_H
#define STRATA_SHADERS_GAUSSIANS_SHARED_H

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

// Descriptor set 0 of every Gaussian pipeline. Every per-Gaussian and per-entry buffer is a texel
// buffer (read through uniform texel buffers, written through storage texel buffers): their limit
// is maxTexelBufferElements (2^27 texels = 2 GiB of RGBA32 on llvmpipe, 2^27 or more on GPUs)
// where a storage buffer binding is limited to maxStorageBufferRange (128 MiB on llvmpipe). With
// 64-byte projected records a storage buffer held 2.1M Gaussians there; as 4 texels they fit 33M,
// and 2^27 tile entries fit where 16.7M did, so 6.1M Gaussians (19.7M entries at 1465x766) draw
// on llvmpipe without splitting any buffer into chunks, and a GPU runs exactly the same code (no
// chunk selection, no extra indirection). Packing the record tighter would not have sufficed (even
// 32 bytes x 6.1M exceeds 128 MiB). CPU devices also gather texels faster than they load buffers
// at computed indices (see planes_shared.h).
STRATA_SHARED_CONST(uint, kGaussBindingCloud, 0);        // samplerBuffer: kGaussCloudTexels each
STRATA_SHARED_CONST(uint, kGaussBindingSh, 1);           // samplerBuffer: SH rgb, packed
STRATA_SHARED_CONST(uint, kGaussBindingLayerMask, 2);    // uint[kGaussMaskWords]: visible bits
STRATA_SHARED_CONST(uint, kGaussBindingProjected, 3);    // uimageBuffer rgba32ui: GpuProjected
                                                         // as 4 texels (floats as bits)
STRATA_SHARED_CONST(uint, kGaussBindingTileCounts, 4);   // uint[tiles]: entries per tile
STRATA_SHARED_CONST(uint, kGaussBindingTileOffsets, 5);  // uint[tiles + 1]: exclusive scan
STRATA_SHARED_CONST(uint, kGaussBindingTileCursor, 6);   // uint[tiles]: fill cursors
STRATA_SHARED_CONST(uint, kGaussBindingEntries, 7);      // uimageBuffer rg32ui: (key, id); see
                                                         // gaussians_sort.comp for the key
STRATA_SHARED_CONST(uint, kGaussBindingStatus, 8);       // GpuGaussStatus, host-visible
STRATA_SHARED_CONST(uint, kGaussBindingColor, 9);        // rgba32f storage image (premultiplied)
STRATA_SHARED_CONST(uint, kGaussBindingDepth, 10);       // r32f storage image (expected depth)
// The rasterizer reads the projected Gaussians and the sorted entries through texel views of the
// same buffers: CPU devices gather texels with vector loads where buffer (and shared-memory)
// loads at a loop-dependent index become per-lane loops.
STRATA_SHARED_CONST(uint, kGaussBindingProjectedRead, 11);  // samplerBuffer rgba32f: GpuProjected
STRATA_SHARED_CONST(uint, kGaussBindingEntriesRead, 12);    // usamplerBuffer rg32ui: entries
// Where the sort merges lists longer than its shared memory holds (same size as the entries).
STRATA_SHARED_CONST(uint, kGaussBindingSortScratch, 13);  // uimageBuffer rg32ui

// Texels of one GpuProjected record.
STRATA_SHARED_CONST(uint, kGaussProjectedTexels, 4);
// Texels of one Gaussian in the cloud buffer: (position xyz, opacity logit), (log scale xyz,
// layer id as a float, or -1 for a defective Gaussian that is never drawn), (quaternion w x y z).
STRATA_SHARED_CONST(uint, kGaussCloudTexels, 3);
// SH: the 3 K floats of a Gaussian (rgb of each coefficient, DC first) start at texel
// i * ceil(3 K / 4); K = (degree + 1)^2 of the cloud.

// 16x16-pixel tiles (kGaussianTileSize of the CPU reference); the rasterizer runs one workgroup
// of 256 invocations per tile.
#define STRATA_GAUSS_TILE 16
STRATA_SHARED_CONST(uint, kGaussTile, STRATA_GAUSS_TILE);
// Workgroup size of the per-Gaussian passes, the scan and the per-tile sort.
#define STRATA_GAUSS_GROUP 256
STRATA_SHARED_CONST(uint, kGaussGroup, STRATA_GAUSS_GROUP);
// Entries the sort holds in shared memory at once (two buffers of 8 bytes each: 32 KiB, the
// shared memory of llvmpipe and of every desktop GPU); a power of two. The host may lower it
// (specialization constant 0 of the sort) on devices with less shared memory, and tests do.
#define STRATA_GAUSS_SORT_SHARED 2048
STRATA_SHARED_CONST(uint, kGaussSortShared, STRATA_GAUSS_SORT_SHARED);
// Layer ids 0..65535 (uint16 in the cloud): one bit each.
STRATA_SHARED_CONST(uint, kGaussMaskWords, 2048);
// GpuProjected::rect.x of a culled Gaussian.
STRATA_SHARED_CONST(int, kGaussCulled, -1);

// The CPU reference's compositing constants (neural/gaussians/gaussian_render.h).
STRATA_SHARED_CONST(float, kGaussMinAlpha, 1.0 / 255.0);
STRATA_SHARED_CONST(float, kGaussMaxAlpha, 0.99);
STRATA_SHARED_CONST(float, kGaussMinTransmittance, 1e-4);

STRATA_SHARED_CONST(uint, kGaussProjectionPinhole, 0);
STRATA_SHARED_CONST(uint, kGaussProjectionEquirect, 1);

// One projected Gaussian (the CPU reference's ProjectedGaussians entry).
struct GpuProjected {
  vec4 mean_depth;     // xy: image position of the mean (pixels); z: depth (sort key, metres);
                       // w: half width of the box where alpha can reach 1/255 (pixels; < 0:
                       // opacity below 1/255, never drawn)
  vec4 conic_opacity;  // xyz: inverse 2D covariance (xx, xy, yy), px^-2; w: opacity
  vec4 color;          // rgb: SH colour + 0.5, clamped at 0; w: half height of that box (px)
  ivec4 rect;          // touched tiles x0, y0, x1, y1 inclusive (x0 > x1: wraps the seam);
                       // x0 = kGaussCulled: not drawn
};

// Written by the scan pass, read by the host after the frame.
struct GpuGaussStatus {
  uvec4 totals;  // x: tile entries needed this frame; y: entries the buffer holds (capacity)
};

// Push constants of every Gaussian pipeline (128 bytes, Vulkan's guaranteed minimum).
struct GaussiansPush {
  vec4 rotation_row0;  // xyz: world -> camera rotation, row 0; w: translation.x
  vec4 rotation_row1;  // row 1; w: translation.y
  vec4 rotation_row2;  // row 2; w: translation.z
  vec4 eye_near;       // xyz: camera centre, world; w: near plane (metres)
  vec4 intrinsics;     // fx, fy, cx, cy (pinhole), pixels
  vec4 limits;         // x, y: 1.3 tan(half field of view) (J's clamp, pinhole)
  uvec4 image;         // x, y: width, height (pixels); z: projection; w: Gaussian count
  uvec4 params;        // x, y: tiles across, down; z: SH stride K | evaluated degree << 8 |
                       // has layer ids << 16; w: entry capacity
};

#ifdef __cplusplus
static_assert(sizeof(GpuProjected) == 64, "GpuProjected must match its std430 layout");
static_assert(sizeof(GaussiansPush) == 128, "GaussiansPush must fit the guaranteed 128 bytes");
}  // namespace strata::gpu
#endif

#endif  // STRATA_SHADERS_GAUSSIANS_SHARED_H
