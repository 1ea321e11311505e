#version 450
// Pass 1 of the planes renderer: for every screen tile, the planes that can add anything to its
// pixels, sorted by distance at the tile's centre, and whether that order holds at every pixel.
//
// A plane is kept for a tile when some ray of the tile can hit it inside its extent AND the
// texels that those hits can sample are not all zero. All rays of a tile lie inside a pyramid of
// four corner rays (exactly for a pinhole camera, through a bounding cone for an
// equirectangular one), so their hits on the plane lie inside the convex hull of the four corner
// hits; the texture rectangle around that hull is checked against the plane's occupancy table
// (a summed-area table over 8x8-texel blocks). Skipped planes would only have added exact zeros
// (premultiplied colour 0, alpha 0), so the image is unchanged: this is empty-space skipping,
// and it is what makes real MPIs cheap (most of each plane is transparent).
//
// Order: for planes A and B ahead of the eye over the whole pyramid, t_A < t_B along ray d
// exactly when sign(h_A h_B) * dot(h_A n_B - h_B n_A, d) < 0 (h = normal.w): a linear function
// of d, so its sign at the four corner rays decides it for every ray of the tile. When each
// neighbouring pair of the centre-sorted list keeps its order at all four corners, the list's
// order is every pixel's order and pass 2 composites without sorting; where planes cross
// inside the tile, pass 2 sorts per pixel.
//
// One invocation per tile; no atomics; every record's header is written.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require

#include "planes_shared.h"
#include "planes_common.glsl"

layout(local_size_x = STRATA_PLANES_TILE_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = kPlanesBindingOccupancy) uniform usamplerBuffer occupancy;
layout(std430, set = 0, binding = kPlanesBindingTiles) writeonly buffer TileBlock {
  uint tile_records[];
};

const uint kEmpty = 0xffffffffu;

// The four corner rays (world space, any length) of a pyramid holding every pixel ray of the
// tile; false when no such pyramid is narrow enough (then every plane is kept, unordered).
bool tile_pyramid(uvec2 tile, out vec3 corners[4]) {
  const vec2 lo = vec2(tile * kPlanesTile);
  const vec2 hi = lo + vec2(kPlanesTile);
  if (pc.image.z == kProjectionPinhole) {
    // Unnormalised pinhole directions are affine in the pixel position: the corner rays of the
    // tile's rectangle span every ray through it.
    const vec2 f = pc.intrinsics.xy, c = pc.intrinsics.zw;
    corners[0] = to_world(vec3((lo.x - c.x) / f.x, -(lo.y - c.y) / f.y, -1.0));
    corners[1] = to_world(vec3((hi.x - c.x) / f.x, -(lo.y - c.y) / f.y, -1.0));
    corners[2] = to_world(vec3((lo.x - c.x) / f.x, -(hi.y - c.y) / f.y, -1.0));
    corners[3] = to_world(vec3((hi.x - c.x) / f.x, -(hi.y - c.y) / f.y, -1.0));
    return true;
  }
  // Equirectangular: the tile covers longitudes phi_c +- dphi and latitudes theta_c +- dtheta.
  // Walking from the centre along the meridian, then along the parallel, bounds the angle to any
  // direction of the tile by dtheta + dphi * max cos(latitude): a cone, inside a square pyramid.
  const vec2 size = vec2(pc.image.xy);
  const float phi_c = (0.5 * (lo.x + hi.x) / size.x - 0.5) * 2.0 * kPi;
  const float theta_c = (0.5 - 0.5 * (lo.y + hi.y) / size.y) * kPi;
  const float dphi = float(kPlanesTile) / size.x * kPi;
  const float dtheta = 0.5 * float(kPlanesTile) / size.y * kPi;
  const float theta_lo = theta_c - dtheta, theta_hi = theta_c + dtheta;
  const float max_cos = (theta_lo <= 0.0 && theta_hi >= 0.0)
                            ? 1.0
                            : cos(min(min(abs(theta_lo), abs(theta_hi)), 0.5 * kPi));
  const float angle = (dtheta + dphi * max_cos) * 1.02 + 1e-4;
  const vec3 axis = vec3(cos(theta_c) * sin(phi_c), sin(theta_c), -cos(theta_c) * cos(phi_c));
  const vec3 e1 = vec3(cos(phi_c), 0.0, sin(phi_c));  // east, perpendicular to axis
  const vec3 e2 = cross(axis, e1);
  const float r = tan(min(angle, 1.2));
  corners[0] = to_world(axis + r * (-e1 - e2));
  corners[1] = to_world(axis + r * (e1 - e2));
  corners[2] = to_world(axis + r * (-e1 + e2));
  corners[3] = to_world(axis + r * (e1 + e2));
  return angle <= 1.2;
}

// Sum of a plane's occupancy table over blocks [b0, b1] (inclusive).
uint occupied_blocks(PlaneTexture texture, uvec2 b0, uvec2 b1) {
  const uint stride = texture.blocks.x + 1;
  const uint base = texture.occupancy;
  const uint a = texelFetch(occupancy, int(base + (b1.y + 1) * stride + b1.x + 1)).x;
  const uint b = texelFetch(occupancy, int(base + b0.y * stride + b1.x + 1)).x;
  const uint c = texelFetch(occupancy, int(base + (b1.y + 1) * stride + b0.x)).x;
  const uint d = texelFetch(occupancy, int(base + b0.y * stride + b0.x)).x;
  return a - b - c + d;
}

void main() {
  const uint tile_count = pc.tiles.x * pc.tiles.y;
  // Dispatched as a 2D grid of workgroups when one row of them would exceed the device limit.
  const uint tile_index =
      (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * STRATA_PLANES_TILE_GROUP +
      gl_LocalInvocationID.x;
  // Invocations past the last tile go along (no early return keeps the plane loop uniform).
  const bool valid = tile_index < tile_count;
  const uvec2 tile = uvec2(tile_index % pc.tiles.x, tile_index / pc.tiles.x);
  vec3 corners[4];
  const bool have_pyramid = tile_pyramid(tile, corners);
  const vec3 centre = corners[0] + corners[1] + corners[2] + corners[3];
  const uint index_mask = (1u << pc.tiles.w) - 1u;

  // The candidates' keys (distance along the centre ray, then index), ascending, in registers.
  uint keys[kPlanesTileList];
  [[unroll]] for (uint j = 0; j < kPlanesTileList; ++j) keys[j] = kEmpty;
  uint count = 0;
  bool ordered = have_pyramid;
  for (uint i = 0; i < pc.image.w; ++i) {
    const vec4 n = plane_normal(i), ud = plane_u_dual(i), vd = plane_v_dual(i);
    const PlaneTexture texture = plane_texture(i);
    const float h = n.w;
    int ahead = 0;
    vec2 st_lo = vec2(1e30), st_hi = vec2(-1e30);
    [[unroll]] for (int c = 0; c < 4; ++c) {
      const float k = dot(n.xyz, corners[c]);
      const bool in_front = k * h > 0.0;
      const float t = h / k;
      const vec2 st = vec2(ud.w + t * dot(corners[c], ud.xyz), vd.w + t * dot(corners[c], vd.xyz));
      st_lo = in_front ? min(st_lo, st) : st_lo;
      st_hi = in_front ? max(st_hi, st) : st_hi;
      ahead += in_front ? 1 : 0;
    }
    // Whole plane when the pyramid straddles its horizon (hits reach arbitrarily far) or there
    // is no pyramid; else the texels a bilinear sample at the hull can touch, plus a texel of
    // slack for rounding.
    const bool whole = ahead < 4 || !have_pyramid;
    const float margin = 1e-4;
    const bool outside = st_hi.x < -margin || st_hi.y < -margin || st_lo.x > 1.0 + margin ||
                         st_lo.y > 1.0 + margin;
    const vec2 size = vec2(texture.size);
    const vec2 x_lo = floor(clamp(st_lo, -1.0, 2.0) * size - 0.5) - 1.0;
    const vec2 x_hi = floor(clamp(st_hi, -1.0, 2.0) * size - 0.5) + 2.0;
    const uvec2 t0 = whole ? uvec2(0) : uvec2(clamp(x_lo, vec2(0.0), size - 1.0)) / kPlanesBlock;
    const uvec2 t1 =
        whole ? texture.blocks - 1 : uvec2(clamp(x_hi, vec2(0.0), size - 1.0)) / kPlanesBlock;
    const bool candidate = valid && (have_pyramid ? ahead > 0 : true) && (whole || !outside) &&
                           occupied_blocks(texture, t0, t1) > 0;
    ordered = ordered && !(candidate && ahead < 4);
    // Sort key at the tile's centre ray (any positive scale of the distance orders the same).
    const float t_centre = max(h / dot(n.xyz, centre), 0.0);
    uint key = candidate ? (floatBitsToUint(t_centre) & ~index_mask) | i : kEmpty;
    [[unroll]] for (uint j = 0; j < kPlanesTileList; ++j) {
      const uint smaller = min(keys[j], key);
      key = max(keys[j], key);
      keys[j] = smaller;
    }
    count += candidate ? 1u : 0u;
  }
  const bool all_planes = count > kPlanesTileList;

  // Neighbours in the list must keep their order at all four corners.
  [[unroll]] for (uint k = 1; k < kPlanesTileList; ++k) {
    const uint last = max(pc.image.w, 1u) - 1u;  // empty slots: any valid index, result unused
    const uint a = min(keys[k - 1] & index_mask, last), b = min(keys[k] & index_mask, last);
    const vec4 na = plane_normal(a), nb = plane_normal(b);
    const vec3 w = na.w * nb.xyz - nb.w * na.xyz;
    const float sigma = sign(na.w) * sign(nb.w);
    bool before = true;
    [[unroll]] for (int c = 0; c < 4; ++c) before = before && sigma * dot(w, corners[c]) < 0.0;
    ordered = ordered && (k >= count || before);
  }
  ordered = ordered && !all_planes;

  if (valid) {
    const uint base = tile_index * pc.tiles.z;
    tile_records[base] = min(count, kTileCountMask) | (ordered ? kTileOrdered : 0u) |
                         (all_planes ? kTileAllPlanes : 0u);
    [[unroll]] for (uint k = 0; k < kPlanesTileList; ++k) {
      if (k < count && k + 1 < pc.tiles.z) tile_records[base + 1 + k] = keys[k] & index_mask;
    }
  }
}
