#version 450
// Pass 5 of the Gaussian renderer: one workgroup per 16x16 tile composites the tile's sorted
// Gaussians front to back with the CPU reference's rules (rasterize() in
// neural/gaussians/gaussian_render.cpp, Inria's renderCUDA): alpha = min(0.99, opacity
// exp(-q/2)) with d = mean - pixel centre (wrapped across the panorama seam); q < 0 and
// alpha < 1/255 are skipped; a Gaussian that would take T below 1e-4 is not blended and ends
// the pixel. Writes premultiplied RGBA (C, 1 - T) and the expected depth sum(w z) / sum(w).
// Each pixel walks its tile's list on its own and stops when it ends; the projected records are
// read through texel views (see gaussians_shared.h), so no shared-memory staging and no barriers.
//
// Like the CPU reference, a pixel blends a Gaussian only inside the box where alpha can reach
// 1/255 (|d| <= sqrt(2 ln(255 opacity) cov) + 1 px per axis, computed by the projection; outside
// it alpha is surely below 1/255, so the result is the same). The sort also marks which of the
// tile's slices (8-pixel half rows) each box reaches, 32 entries per word, and a pixel walks the
// set bits of its slice's words. Why bits and loops rather than a test per entry: llvmpipe runs a
// workgroup as 8-lane slices and executes the body of every `if` (and the first trip of every
// loop) under a mask even when no lane is active; only a loop's back edge is a real branch. So a
// Gaussian that misses the slice costs a bit of a word, and blend() runs once per Gaussian that
// reaches it (a few of the tile's 32 slices for small splats) instead of once per entry. GPUs
// gain the same (a warp skips the Gaussians that miss all its pixels).
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

// Pixel state: premultiplied colour, transmittance, expected-depth sums; done once saturated.
struct Pixel {
  vec3 rgb;
  float trans, depth_sum, weight_sum;
  bool done;
};

// Blends the Gaussian of list entry j into pixel `p` at `centre`.
void blend(uint j, vec2 centre, inout Pixel p) {
  const int g = int(texelFetch(entries, int(j)).y * kGaussProjectedTexels);
  const vec4 mean_depth = texelFetch(projected_texels, g);
  const vec4 color = texelFetch(projected_texels, g + 2);
  const vec4 co = texelFetch(projected_texels, g + 1);
  const float dx = wrap_dx(mean_depth.x - centre.x);
  const float dy = mean_depth.y - centre.y;
  // The CPU's box (half sides < 0 when opacity < 1/255: never drawn).
  if (abs(dx) > mean_depth.w || abs(dy) > color.w) return;
  const float power = -0.5 * (co.x * dx * dx + co.z * dy * dy) - co.y * dx * dy;
  if (power > 0.0) return;
  const float alpha = min(kGaussMaxAlpha, co.w * exp(power));
  if (alpha < kGaussMinAlpha) return;
  const float next_t = p.trans * (1.0 - alpha);
  if (next_t < kGaussMinTransmittance) {
    p.done = true;
    return;
  }
  const float weight = alpha * p.trans;
  p.rgb += weight * color.rgb;
  p.depth_sum += weight * mean_depth.z;
  p.weight_sum += weight;
  p.trans = next_t;
}

void main() {
  const uint tile = gl_WorkGroupID.y * tiles_x() + gl_WorkGroupID.x;
  const uint begin = min(tile_offsets[tile], pc.params.w);
  const uint end = min(tile_offsets[tile + 1u], pc.params.w);
  const ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  const bool inside = pixel.x < int(pc.image.x) && pixel.y < int(pc.image.y);
  const vec2 centre = vec2(pixel) + 0.5;
  Pixel p = Pixel(vec3(0.0), 1.0, 0.0, 0.0, !inside);
  // Whole groups of 32 entries: word `slice` of a group says which of them reach this pixel's
  // slice (gaussians_sort.comp), so the scan costs one fetch per 32 entries.
  const uint slice = findLSB(slice_bit(gl_LocalInvocationID.xy));
  const uint grouped = (end - begin) & ~31u;
  uint group = 0u;
  uint bits = grouped > 0u ? texelFetch(entries, int(begin + slice)).x : 0u;
  while (!p.done) {
    while (bits == 0u && group + 32u < grouped) {
      group += 32u;
      bits = texelFetch(entries, int(begin + group + slice)).x;
    }
    if (bits == 0u) break;
    const uint k = uint(findLSB(bits));
    bits &= bits - 1u;
    blend(begin + group + k, centre, p);
  }
  // The last (end - begin) % 32 entries carry their own slice bits.
  const uint my_slice = slice_bit(gl_LocalInvocationID.xy);
  for (uint j = begin + grouped; !p.done; ++j) {
    // Skips to the next entry whose box reaches this pixel's slice (uniform across the slice).
    for (; j < end; ++j)
      if ((texelFetch(entries, int(j)).x & my_slice) != 0u) break;
    if (j >= end) break;
    blend(j, centre, p);
  }
  if (!inside) return;
  imageStore(out_color, pixel, vec4(p.rgb, 1.0 - p.trans));
  imageStore(out_depth, pixel, vec4(p.weight_sum > 0.0 ? p.depth_sum / p.weight_sum : 0.0));
}
