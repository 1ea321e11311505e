#version 450
// Pass 5 of the Gaussian renderer: one workgroup per 16x16 tile composites the tile's sorted
// Gaussians front to back with the CPU reference's rules (rasterize() in
// neural/gaussians/gaussian_render.cpp, Inria's renderCUDA): alpha = min(0.99, opacity
// exp(-q/2)) with d = mean - pixel centre (wrapped across the panorama seam); q < 0 and
// alpha < 1/255 are skipped; a Gaussian that would take T below 1e-4 is not blended and ends
// the pixel. Writes premultiplied RGBA (C, 1 - T) and the expected depth sum(w z) / sum(w).
// Each pixel walks its tile's list on its own and stops when it ends; the projected records are
// read through texel views (see gaussians_shared.h), so no shared-memory staging and no barriers:
// on llvmpipe a group of lanes leaves the loop once all its pixels ended, on GPUs a warp does.
//
// Like the CPU reference, a pixel blends a Gaussian only inside the box where alpha can reach
// 1/255 (|d| <= sqrt(2 ln(255 opacity) cov) + 1 px per axis, computed by the projection; outside
// it alpha is surely below 1/255, so the result is the same). Each entry also carries the slices
// of the tile (8-pixel half rows) that the box reaches, set by the sort, and a pixel skips to the
// next entry that reaches its slice in a loop of its own. Why a loop and not an `if`: llvmpipe
// runs a workgroup as 8-lane slices and executes the body of every `if` (and the first trip of
// every loop) under a mask even when no lane is active; only a loop's back edge is a real branch.
// So the scan loop costs a missed Gaussian one entry fetch and a bit test, and the fetches and
// arithmetic below run once per Gaussian that reaches the slice (a few of the tile's 32 slices
// for small splats) instead of once per entry: 2.3x faster on llvmpipe. GPUs gain the same (a
// warp skips the Gaussians that miss all its pixels).
#extension GL_GOOGLE_include_directive : require

#include "gaussians_shared.h"
#include "gaussians_common.glsl"

layout(local_size_x = STRATA_GAUSS_TILE, local_size_y = STRATA_GAUSS_TILE, local_size_z = 1) in;

layout(std430, set = 0, binding = kGaussBindingTileOffsets) readonly buffer OffsetBuffer {
  uint tile_offsets[];
};
layout(set = 0, binding = kGaussBindingEntriesRead) uniform usamplerBuffer entries;
layout(set = 0, binding = kGaussBindingProjectedRead) uniform samplerBuffer projected_texels;
layout(set = 0, binding = kGaussBindingColor, rgba32f) writeonly uniform image2D out_color;
layout(set = 0, binding = kGaussBindingDepth, r32f) writeonly uniform image2D out_depth;

void main() {
  const uint tile = gl_WorkGroupID.y * tiles_x() + gl_WorkGroupID.x;
  const uint begin = min(tile_offsets[tile], pc.params.w);
  const uint end = min(tile_offsets[tile + 1u], pc.params.w);
  const ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  const bool inside = pixel.x < int(pc.image.x) && pixel.y < int(pc.image.y);
  const vec2 centre = vec2(pixel) + 0.5;
  const uint my_slice = slice_bit(gl_LocalInvocationID.xy);
  bool done = !inside;
  float trans = 1.0, depth_sum = 0.0, weight_sum = 0.0;
  vec3 rgb = vec3(0.0);
  for (uint j = begin; !done; ++j) {
    // Skips to the next entry whose box reaches this pixel's slice (uniform across the slice).
    uvec2 entry = uvec2(0u);  // (slice bits, Gaussian index)
    for (; j < end; ++j) {
      entry = texelFetch(entries, int(j)).xy;
      if ((entry.x & my_slice) != 0u) break;
    }
    if (j >= end) break;
    const int g = int(entry.y * kGaussProjectedTexels);
    const vec4 mean_depth = texelFetch(projected_texels, g);
    const vec4 color = texelFetch(projected_texels, g + 2);
    const vec4 co = texelFetch(projected_texels, g + 1);
    const float dx = wrap_dx(mean_depth.x - centre.x);
    const float dy = mean_depth.y - centre.y;
    // The CPU's box (half sides < 0 when opacity < 1/255: never drawn).
    if (abs(dx) > mean_depth.w || abs(dy) > color.w) continue;
    const float power = -0.5 * (co.x * dx * dx + co.z * dy * dy) - co.y * dx * dy;
    if (power > 0.0) continue;
    const float alpha = min(kGaussMaxAlpha, co.w * exp(power));
    if (alpha < kGaussMinAlpha) continue;
    const float next_t = trans * (1.0 - alpha);
    if (next_t < kGaussMinTransmittance) {
      done = true;
      continue;
    }
    const float weight = alpha * trans;
    rgb += weight * color.rgb;
    depth_sum += weight * mean_depth.z;
    weight_sum += weight;
    trans = next_t;
  }
  if (!inside) return;
  imageStore(out_color, pixel, vec4(rgb, 1.0 - trans));
  imageStore(out_depth, pixel, vec4(weight_sum > 0.0 ? depth_sum / weight_sum : 0.0));
}
