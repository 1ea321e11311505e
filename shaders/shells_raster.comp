#version 450
// Pass 4 of the shells renderer: one workgroup per 16x16 tile. The CPU reference's per-pixel
// fragment lists (neural/shells/shell_render.cpp), done per tile: every pixel walks the tile's
// triangles (set up by the bin pass: clipped at the near plane and projected), tests those whose
// box holds it with the same watertight edge functions and top-left rule, keeps its fragments
// sorted by (depth, triangle index) in a small array, and composites them front to back
// (C += T c, T *= 1 - a; stop once T < 1e-4) with bilinear texel samples, writing premultiplied
// colour and the expected depth. Why not the graphics pipeline with depth peeling: K shells of a
// closed mesh give up to 2K layers per pixel, and peeling redraws every triangle once per layer;
// a per-tile list sorted per pixel draws each triangle once and gives the CPU's order exactly.
#extension GL_GOOGLE_include_directive : require

#include "shells_shared.h"
#include "shells_common.glsl"

layout(local_size_x = STRATA_SHELL_TILE, local_size_y = STRATA_SHELL_TILE, local_size_z = 1) in;

layout(std430, set = 0, binding = kShellBindingTileOffsets) readonly buffer OffsetBuffer {
  uint tile_offsets[];
};
layout(set = 0, binding = kShellBindingEntriesRead) uniform usamplerBuffer entries;
layout(set = 0, binding = kShellBindingSetupRead) uniform samplerBuffer setup;
layout(set = 0, binding = kShellBindingTextures) uniform samplerBuffer textures;
layout(set = 0, binding = kShellBindingColor, rgba32f) writeonly uniform image2D out_color;
layout(set = 0, binding = kShellBindingDepth, r32f) writeonly uniform image2D out_depth;

// The CPU's edge function: endpoints in a canonical order, so both triangles of an edge get
// exactly opposite values; `top_left` says whether this direction of the edge owns its pixels.
float edge_function(vec2 a, vec2 b, vec2 p, out bool top_left) {
  const bool swap_ends = (a.x > b.x) || (a.x == b.x && a.y > b.y);
  const vec2 e0 = swap_ends ? b : a, e1 = swap_ends ? a : b;
  const float value = (e1.x - e0.x) * (p.y - e0.y) - (e1.y - e0.y) * (p.x - e0.x);
  const vec2 d = b - a;
  top_left = d.y < 0.0 || (d.y == 0.0 && d.x > 0.0);
  return swap_ends ? -value : value;
}

vec4 texel(uint shell, int x, int y, int width, int height) {
  return texelFetch(textures, int(shell * uint(width * height) + uint(y * width + x)));
}

// Image::sample_bilinear on shell `shell`'s texture.
vec4 sample_bilinear(uint shell, vec2 st) {
  const int width = int(pc.params.w & 0xffffu), height = int(pc.params.w >> 16);
  const float x = st.x * float(width) - 0.5, y = st.y * float(height) - 0.5;
  const float fx = floor(x), fy = floor(y);
  const float ax = x - fx, ay = y - fy;
  const int x0 = clamp(int(fx), 0, width - 1), x1 = clamp(int(fx) + 1, 0, width - 1);
  const int y0 = clamp(int(fy), 0, height - 1), y1 = clamp(int(fy) + 1, 0, height - 1);
  const vec4 top = mix(texel(shell, x0, y0, width, height), texel(shell, x1, y0, width, height), ax);
  const vec4 bottom =
      mix(texel(shell, x0, y1, width, height), texel(shell, x1, y1, width, height), ax);
  return mix(top, bottom, ay);
}

void main() {
  const uint tile = gl_WorkGroupID.y * tiles_x() + gl_WorkGroupID.x;
  const uint begin = min(tile_offsets[tile], pc.params.z);
  const uint end = min(tile_offsets[tile + 1u], pc.params.z);
  const ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  const bool inside = pixel.x < int(pc.image.x) && pixel.y < int(pc.image.y);
  const vec2 p = vec2(pixel) + 0.5;

  float f_depth[STRATA_SHELL_MAX_FRAGMENTS];
  uint f_tri[STRATA_SHELL_MAX_FRAGMENTS];
  vec2 f_uv[STRATA_SHELL_MAX_FRAGMENTS];
  int count = 0;

  for (uint e = begin; e < end && inside; ++e) {
    const uint tri = texelFetch(entries, int(e)).x;
    const int at = int(tri * kShellSetupTexels);
    const vec4 box = texelFetch(setup, at + 6);
    // Pixels outside the triangle's box skip it. A loop guard rather than an `if`: CPU devices
    // (llvmpipe) leave a loop once no lane is active but run both sides of an `if` masked.
    const bool near_box = p.x >= box.x && p.x <= box.z && p.y >= box.y && p.y <= box.w;
    for (int once = 0; once < 1 && near_box; ++once) {
      vec4 pos[4];
      for (int i = 0; i < 4; ++i) pos[i] = texelFetch(setup, at + i);
      const vec4 uv01 = texelFetch(setup, at + 4), uv23 = texelFetch(setup, at + 5);
      const vec2 uvs[4] = vec2[4](uv01.xy, uv01.zw, uv23.xy, uv23.zw);
      const int n = int(pos[0].w);
      for (int j = 1; j + 1 < n; ++j) {
        vec4 va = pos[0], vb = pos[j], vc = pos[j + 1];
        vec2 ua = uvs[0], ub = uvs[j], uc = uvs[j + 1];
        bool unused;
        float area = edge_function(va.xy, vb.xy, vc.xy, unused);
        if (area == 0.0 || isnan(area) || isinf(area)) continue;
        if (area < 0.0) {
          const vec4 tv = vb;
          vb = vc;
          vc = tv;
          const vec2 tu = ub;
          ub = uc;
          uc = tu;
          area = -area;
        }
        bool tl0, tl1, tl2;
        const float ea = edge_function(vb.xy, vc.xy, p, tl0);
        const float eb = edge_function(vc.xy, va.xy, p, tl1);
        const float ec = edge_function(va.xy, vb.xy, p, tl2);
        if (ea < 0.0 || eb < 0.0 || ec < 0.0) continue;
        if ((ea == 0.0 && !tl0) || (eb == 0.0 && !tl1) || (ec == 0.0 && !tl2)) continue;
        const float inv_area = 1.0 / area;
        const float la = ea * inv_area, lb = eb * inv_area, lc = ec * inv_area;
        const float inv_w = la * va.z + lb * vb.z + lc * vc.z;
        if (!(inv_w > 0.0)) continue;
        const vec2 uv = (la * ua + lb * ub + lc * uc) / inv_w;
        const float depth = 1.0 / inv_w;
        // Insertion by (depth, triangle); when full, the farthest fragment is dropped.
        int k = count < STRATA_SHELL_MAX_FRAGMENTS ? count : STRATA_SHELL_MAX_FRAGMENTS - 1;
        if (count == STRATA_SHELL_MAX_FRAGMENTS &&
            (depth > f_depth[k] || (depth == f_depth[k] && tri > f_tri[k])))
          continue;
        while (k > 0 && (f_depth[k - 1] > depth || (f_depth[k - 1] == depth && f_tri[k - 1] > tri))) {
          f_depth[k] = f_depth[k - 1];
          f_tri[k] = f_tri[k - 1];
          f_uv[k] = f_uv[k - 1];
          --k;
        }
        f_depth[k] = depth;
        f_tri[k] = tri;
        f_uv[k] = uv;
        count = min(count + 1, STRATA_SHELL_MAX_FRAGMENTS);
      }
    }
  }
  if (!inside) return;
  vec4 color = vec4(0.0);
  float transmittance = 1.0, depth_sum = 0.0, weight_sum = 0.0;
  for (int i = 0; i < count && transmittance >= 1e-4; ++i) {
    const vec4 c = sample_bilinear(f_tri[i] / pc.image.w, f_uv[i]);
    const float w = transmittance * c.a;
    color += transmittance * c;
    depth_sum += w * f_depth[i];
    weight_sum += w;
    transmittance *= 1.0 - c.a;
  }
  imageStore(out_color, pixel, color);
  imageStore(out_depth, pixel, vec4(weight_sum > 0.0 ? depth_sum / weight_sum : 0.0));
}
