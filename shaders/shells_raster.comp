#version 450
// Pass 4 of the shells renderer: one workgroup per 16x16 tile. The CPU reference's per-pixel
// fragment lists (neural/shells/shell_render.cpp), done per tile: every pixel walks the tile's
// triangles (set up by the bin pass: clipped at the near plane and projected), tests them with
// the same watertight edge functions and top-left rule, keeps its fragments sorted by (depth,
// triangle index) in a small array, and composites them front to back (C += T c, T *= 1 - a;
// stop once T < 1e-4) with bilinear texel samples, writing premultiplied colour and the expected
// depth. Why not the graphics pipeline with depth peeling: K shells of a closed mesh give up to
// 2K layers per pixel, and peeling redraws every triangle once per layer; a per-tile list sorted
// per pixel draws each triangle once and gives the CPU's order exactly.
//
// Why it is shaped this way (it suits GPUs and is what makes llvmpipe fast enough):
// - llvmpipe runs a workgroup as 8-lane slices (half rows) and runs the body of every `if` under
//   a mask even when no lane takes it; only loop exits skip work. So the tile's list is staged
//   in shared memory 256 entries at a time, with one bit per entry and slice saying whether the
//   triangle reaches that half row (exact per row, from shells_fill.comp), and each slice walks
//   the set bits of its own words with findLSB: a triangle costs the edge test only in the
//   slices it reaches, never a per-pixel test of every entry. A GPU warp likewise skips the
//   triangles that miss all of its pixels, and the staging is one coalesced read per chunk.
// - The fragment arrays are only ever indexed by constants (unrolled insertion by compare and
//   select; compositing takes element 0 and shifts the rest down), so llvmpipe keeps them in
//   vector registers and stack slots instead of scratch memory with per-lane dynamic indexing;
//   on GPUs the arrays stay in registers.
// - Triangle records are read through a texel view (vector gathers on llvmpipe).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require

#include "shells_shared.h"
#include "shells_common.glsl"

layout(local_size_x = STRATA_SHELL_TILE, local_size_y = STRATA_SHELL_TILE, local_size_z = 1) in;

layout(std430, set = 0, binding = kShellBindingTileOffsets) readonly buffer OffsetBuffer {
  uint tile_offsets[];
};
layout(set = 0, binding = kShellBindingEntriesRead) uniform usamplerBuffer entries;  // rg32ui
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

// One texel, premultiplied (the buffer holds straight colour, as the shells' PNGs do).
vec4 texel(uint shell, int x, int y, int width, int height) {
  const vec4 t = texelFetch(textures, int(shell * uint(width * height) + uint(y * width + x)));
  return vec4(t.rgb * t.a, t.a);
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

// The fragment of triangle `tri` at pixel centre p, if the triangle (a fan of one or two
// triangles after clipping) covers it: its depth and texture coordinates. The fan is a loop, not
// an unrolled pair: only triangles cut by the near plane have a second one, and a loop's second
// trip runs only when a lane needs it (an unrolled second test would run masked every time).
bool fragment_at(uint tri, vec2 p, out float depth, out vec2 uv) {
  const int at = int(tri * kShellSetupTexels);
  const vec4 va = texelFetch(setup, at);
  const vec4 uv01 = texelFetch(setup, at + 4), uv23 = texelFetch(setup, at + 5);
  const vec2 ua = uv01.xy;
  const int n = int(va.w);
  bool hit = false;
  depth = 0.0;
  uv = vec2(0.0);
  for (int j = 1; j + 1 < n && !hit; ++j) {
    const vec4 pb = texelFetch(setup, at + j), pc_ = texelFetch(setup, at + j + 1);
    const vec2 qb = j == 1 ? uv01.zw : uv23.xy, qc = j == 1 ? uv23.xy : uv23.zw;
    bool unused;
    float area = edge_function(va.xy, pb.xy, pc_.xy, unused);
    const bool flip = area < 0.0;
    const vec4 vb = flip ? pc_ : pb, vc = flip ? pb : pc_;
    const vec2 ub = flip ? qc : qb, uc = flip ? qb : qc;
    area = abs(area);
    bool tl0, tl1, tl2;
    const float ea = edge_function(vb.xy, vc.xy, p, tl0);
    const float eb = edge_function(vc.xy, va.xy, p, tl1);
    const float ec = edge_function(va.xy, vb.xy, p, tl2);
    const float inv_area = 1.0 / area;
    const float la = ea * inv_area, lb = eb * inv_area, lc = ec * inv_area;
    const float inv_w = la * va.z + lb * vb.z + lc * vc.z;
    hit = area != 0.0 && !isnan(area) && !isinf(area) && ea >= 0.0 && eb >= 0.0 && ec >= 0.0 &&
          (ea != 0.0 || tl0) && (eb != 0.0 || tl1) && (ec != 0.0 || tl2) && inv_w > 0.0;
    uv = (la * ua + lb * ub + lc * uc) / inv_w;
    depth = 1.0 / inv_w;
  }
  return hit;
}

// A chunk of the tile's list staged in shared memory: its triangles, and per slice one bit per
// entry whose box reaches that slice (32 entries a word), so a slice finds its entries with
// findLSB over 8 words instead of a fetch and test per entry.
const uint kChunk = STRATA_SHELL_TILE * STRATA_SHELL_TILE;
shared uint chunk_tri[kChunk];
shared uint chunk_bits[32u * (kChunk / 32u)];

void main() {
  const uint tile = gl_WorkGroupID.y * tiles_x() + gl_WorkGroupID.x;
  const uint begin = min(tile_offsets[tile], pc.params.z);
  const uint end = min(tile_offsets[tile + 1u], pc.params.z);
  const ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  const bool inside = pixel.x < int(pc.image.x) && pixel.y < int(pc.image.y);
  const vec2 p = vec2(pixel) + 0.5;
  const uint lid = gl_LocalInvocationIndex;
  const uint slice = lid >> 3;  // 2 y + x / 8

  float f_depth[STRATA_SHELL_MAX_FRAGMENTS];
  uint f_tri[STRATA_SHELL_MAX_FRAGMENTS];
  vec2 f_uv[STRATA_SHELL_MAX_FRAGMENTS];
  [[unroll]] for (int i = 0; i < STRATA_SHELL_MAX_FRAGMENTS; ++i) {
    f_depth[i] = 0.0;
    f_tri[i] = 0u;
    f_uv[i] = vec2(0.0);
  }
  int count = 0;

  for (uint first = begin; first < end; first += kChunk) {  // uniform across the workgroup
    barrier();  // the previous chunk is done with
    chunk_bits[lid] = 0u;
    barrier();
    const uvec2 entry = first + lid < end ? texelFetch(entries, int(first + lid)).xy : uvec2(0u);
    chunk_tri[lid] = entry.x;
    for (uint m = entry.y; m != 0u; m &= m - 1u)
      atomicOr(chunk_bits[uint(findLSB(m)) * (kChunk / 32u) + (lid >> 5)], 1u << (lid & 31u));
    barrier();
    // The slice's entries of this chunk (the same for its 8 lanes, so no lane waits on another).
    for (uint w = 0u; w < kChunk / 32u; ++w) {
      for (uint bits = chunk_bits[slice * (kChunk / 32u) + w]; bits != 0u; bits &= bits - 1u) {
        const uint tri = chunk_tri[w * 32u + uint(findLSB(bits))];
        float depth;
        vec2 uv;
        if (!fragment_at(tri, p, depth, uv)) continue;
        // Insertion by (depth, triangle), unrolled over constant indices: element i becomes the
        // old element i - 1 where that one sorts after the new fragment, the new fragment where
        // only element i does (or i is past the end), else stays. When full the last one drops.
        bool after_i = true;  // element MAX - 1 sorts after the new fragment (or is unused)
        {
          const int last = STRATA_SHELL_MAX_FRAGMENTS - 1;
          after_i = last >= count || f_depth[last] > depth ||
                    (f_depth[last] == depth && f_tri[last] > tri);
        }
        [[unroll]] for (int i = STRATA_SHELL_MAX_FRAGMENTS - 1; i >= 1; --i) {
          const bool after_prev = i - 1 >= count || f_depth[i - 1] > depth ||
                                  (f_depth[i - 1] == depth && f_tri[i - 1] > tri);
          f_depth[i] = after_prev ? f_depth[i - 1] : (after_i ? depth : f_depth[i]);
          f_tri[i] = after_prev ? f_tri[i - 1] : (after_i ? tri : f_tri[i]);
          f_uv[i] = after_prev ? f_uv[i - 1] : (after_i ? uv : f_uv[i]);
          after_i = after_prev;
        }
        f_depth[0] = after_i ? depth : f_depth[0];
        f_tri[0] = after_i ? tri : f_tri[0];
        f_uv[0] = after_i ? uv : f_uv[0];
        count = min(count + 1, STRATA_SHELL_MAX_FRAGMENTS);
      }
    }
  }
  if (!inside) return;
  vec4 color = vec4(0.0);
  float transmittance = 1.0, depth_sum = 0.0, weight_sum = 0.0;
  for (int i = 0; i < count && transmittance >= 1e-4; ++i) {
    const vec4 c = sample_bilinear(f_tri[0] / pc.image.w, f_uv[0]);
    const float w = transmittance * c.a;
    color += transmittance * c;
    depth_sum += w * f_depth[0];
    weight_sum += w;
    transmittance *= 1.0 - c.a;
    // The next fragment moves to element 0 (constant indices; see the header).
    [[unroll]] for (int k = 0; k + 1 < STRATA_SHELL_MAX_FRAGMENTS; ++k) {
      f_depth[k] = f_depth[k + 1];
      f_tri[k] = f_tri[k + 1];
      f_uv[k] = f_uv[k + 1];
    }
  }
  imageStore(out_color, pixel, color);
  imageStore(out_depth, pixel, vec4(weight_sum > 0.0 ? depth_sum / weight_sum : 0.0));
}
