// Bindings, push constants and per-plane records of the planes renderer, shared by the GLSL
// compute shaders (shaders/planes*.comp) and the C++ that feeds them
// (renderer/planes_renderer_vk.cpp). Every struct member is a vec4 or uvec4: a GpuPlane is read
// as RGBA32F texels, and glm (C++) lays them out with no padding rules to remember.
#ifndef STRATA_SHADERS_PLANES_SHARED_H
#define STRATA_SHADERS_PLANES_SHARED_H

#ifdef __cplusplus
#include <cstdint>

#include <glm/glm.hpp>
namespace strata::gpu {
using vec4 = glm::vec4;
using uvec4 = glm::uvec4;
using uint = uint32_t;
#define STRATA_SHARED_CONST(type, name, value) inline constexpr type name = value
#else
#define STRATA_SHARED_CONST(type, name, value) const type name = value
#endif

// Descriptor set 0 of both planes pipelines. Textures, plane records, occupancy tables and tile
// lists are read as texel buffers because CPU devices (llvmpipe) fetch texels with vector
// gathers, while their buffer loads at a loop-dependent index are per-lane loops, several times
// slower.
STRATA_SHARED_CONST(uint, kPlanesBindingTexels, 0);     // usamplerBuffer: 8x8-texel blocks
STRATA_SHARED_CONST(uint, kPlanesBindingPlanes, 1);     // samplerBuffer rgba32f: GpuPlane[]
STRATA_SHARED_CONST(uint, kPlanesBindingOccupancy, 2);  // usamplerBuffer r32ui: summed areas
STRATA_SHARED_CONST(uint, kPlanesBindingTiles, 3);      // storage buffer: TileRecord per tile
STRATA_SHARED_CONST(uint, kPlanesBindingTilesRead, 4);  // usamplerBuffer r32ui: the same buffer
STRATA_SHARED_CONST(uint, kPlanesBindingColor, 5);      // rgba32f storage image (premultiplied)
STRATA_SHARED_CONST(uint, kPlanesBindingDepth, 6);      // r32f storage image (expected depth)

// Screen tiles are kPlanesTile x kPlanesTile pixels; the composite pass runs one workgroup per
// tile, so the tile's plane list is the same for the whole workgroup.
#define STRATA_PLANES_TILE 8
STRATA_SHARED_CONST(uint, kPlanesTile, STRATA_PLANES_TILE);
// Workgroup size of the tile pass (one invocation per tile).
#define STRATA_PLANES_TILE_GROUP 64
STRATA_SHARED_CONST(uint, kPlanesTileGroup, STRATA_PLANES_TILE_GROUP);
// Longest plane list stored per tile; a tile with more candidate planes visits every plane.
STRATA_SHARED_CONST(uint, kPlanesTileList, 32);
// A tile record is 1 + min(planes, kPlanesTileList) uints: a header, then plane indices sorted
// by distance at the tile's centre. Header bits:
STRATA_SHARED_CONST(uint, kTileCountMask, 0xffffu);      // candidate planes in the tile
STRATA_SHARED_CONST(uint, kTileOrdered, 0x80000000u);    // the list's order holds at every pixel
STRATA_SHARED_CONST(uint, kTileAllPlanes, 0x40000000u);  // too many candidates: visit all planes
// Textures are stored, and their occupancy counted, in blocks of kPlanesBlock x kPlanesBlock
// texels (renderer/texture_blocks.h).
STRATA_SHARED_CONST(uint, kPlanesBlock, 8);
// GpuPlane::texture.z flags.
STRATA_SHARED_CONST(uint, kPlaneStraightAlpha, 1u);  // RGBA8 texels hold straight colour
// Hits sorted per pixel in one pass on unordered tiles; more hits take further passes.
STRATA_SHARED_CONST(uint, kPlanesMaxHits, 8);
// The most planes one draw holds: sort keys keep ceil(log2(planes)) bits of plane index in the
// hit distance's mantissa, and 12 bits still order hits to 5e-4 relative distance.
STRATA_SHARED_CONST(uint, kPlanesMaxPlanes, 4096);
// Front-to-back compositing stops once transmittance falls below this (the CPU reference's rule).
STRATA_SHARED_CONST(float, kPlanesMinTransmittance, 1e-4);

STRATA_SHARED_CONST(uint, kProjectionPinhole, 0);
STRATA_SHARED_CONST(uint, kProjectionEquirectangular, 1);

// One plane as the shaders see it for one frame. Positions are relative to the eye, so no camera
// position is needed: a ray from the eye along unit direction d hits the plane at
// t = normal.w / dot(normal.xyz, d), texture coordinates s = u_dual.w + t * dot(d, u_dual.xyz)
// and v = v_dual.w + t * dot(d, v_dual.xyz) (the CPU reference's arithmetic).
struct GpuPlane {
  vec4 normal;    // xyz: unit normal; w: dot(normal, origin - eye), metres
  vec4 u_dual;    // xyz: dual of u_axis (s = dot(p - origin, xyz)); w: dot(eye - origin, xyz)
  vec4 v_dual;    // xyz: dual of v_axis; w: dot(eye - origin, xyz)
  uvec4 texture;  // x: first texel in the texel buffer; y: width | height << 16 (texels); z:
                  // flags; w: first entry of its occupancy table ((blocks down + 1) rows of
                  // (blocks across + 1), blocks of kPlanesBlock texels)
};

// Push constants of both planes pipelines (96 bytes; Vulkan guarantees 128).
struct PlanesPush {
  vec4 rotation0;   // xyz: first column of the camera-to-world rotation
  vec4 rotation1;   // xyz: second column
  vec4 rotation2;   // xyz: third column
  vec4 intrinsics;  // fx, fy, cx, cy in pixels (pinhole only)
  uvec4 image;      // x, y: image width, height (pixels); z: projection; w: plane count
  uvec4 tiles;      // x, y: tiles across, down; z: uints per tile record; w: key index bits
};

#ifdef __cplusplus
static_assert(sizeof(GpuPlane) == 4 * 16, "planes_common.glsl reads a GpuPlane as 4 texels");
static_assert(sizeof(PlanesPush) == 96, "PlanesPush must match its push-constant layout");
}  // namespace strata::gpu
#endif

#endif  // STRATA_SHADERS_PLANES_SHARED_H
