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
// Like the CPU reference, a pixel evaluates exp() only inside the box where alpha can reach
// 1/255 (|d| <= sqrt(2 ln(255 opacity) cov) + 1 px per axis; outside it alpha is surely below
// 1/255, so the result is the same). The test guards a loop of at most one trip rather than an
// `if`: CPU devices (llvmpipe) run both sides of an `if` under a mask but leave a loop once no
// lane is active, so rows of pixels outside a small footprint skip the work; GPUs gain the same.
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
  const float width = float(pc.image.x);
  const bool wrap = wraps();
  bool done = !inside;
  float trans = 1.0, depth_sum = 0.0, weight_sum = 0.0;
  vec3 rgb = vec3(0.0);
  for (uint j = begin; j < end && !done; ++j) {
    const int g = int(texelFetch(entries, int(j)).y) * 4;
    const vec4 mean_depth = texelFetch(projected_texels, g);
    const vec4 color = texelFetch(projected_texels, g + 2);
    const float opacity = texelFetch(projected_texels, g + 1).w;
    float dx = mean_depth.x - centre.x;
    if (wrap) dx = dx > 0.5 * width ? dx - width : (dx < -0.5 * width ? dx + width : dx);
    const float dy = mean_depth.y - centre.y;
    // The CPU's box: opacity < 1/255 never draws (q_max < 0 makes the test fail).
    const float q_max = 2.0 * log(opacity / kGaussMinAlpha);
    const bool near = opacity >= kGaussMinAlpha && abs(dx) <= sqrt(q_max * mean_depth.w) + 1.0 &&
                      abs(dy) <= sqrt(q_max * color.w) + 1.0;
    for (bool once = near; once; once = false) {
      const vec4 co = texelFetch(projected_texels, g + 1);
      const float power = -0.5 * (co.x * dx * dx + co.z * dy * dy) - co.y * dx * dy;
      if (power > 0.0) continue;
      const float alpha = min(kGaussMaxAlpha, co.w * exp(power));
      if (alpha < kGaussMinAlpha) continue;
      const float next_t = trans * (1.0 - alpha);
      if (next_t < kGaussMinTransmittance) {
        done = true;  // ends the j loop too
        continue;
      }
      const float weight = alpha * trans;
      rgb += weight * color.rgb;
      depth_sum += weight * mean_depth.z;
      weight_sum += weight;
      trans = next_t;
    }
  }
  if (!inside) return;
  imageStore(out_color, pixel, vec4(rgb, 1.0 - trans));
  imageStore(out_depth, pixel, vec4(weight_sum > 0.0 ? depth_sum / weight_sum : 0.0));
}
