#version 450
// Pass 1 of the shells renderer: per triangle (every shell's), clip and project it, find the
// 16x16 tiles its bounding box touches and count one entry in each.
#extension GL_GOOGLE_include_directive : require

#include "shells_shared.h"
#include "shells_common.glsl"

layout(local_size_x = STRATA_SHELL_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = kShellBindingRects) writeonly buffer RectBuffer {
  ivec4 rects[];
};
layout(std430, set = 0, binding = kShellBindingSetup) writeonly buffer SetupBuffer {
  vec4 setup[];
};
layout(std430, set = 0, binding = kShellBindingTileCounts) buffer CountBuffer {
  uint tile_counts[];
};

void main() {
  const uint tri = triangle_index();
  if (tri >= pc.image.z) return;
  rects[tri] = ivec4(kShellCulled, 0, -1, -1);
  ScreenVertex s[4];
  const int n = clip_and_project(tri, s);
  if (n < 3) return;
  vec2 lo = vec2(1e30), hi = vec2(-1e30);
  for (int i = 0; i < n; ++i) {
    lo = min(lo, s[i].pixel);
    hi = max(hi, s[i].pixel);
  }
  // The rasterizer's record of this triangle (see kShellBindingSetup).
  const uint at = tri * kShellSetupTexels;
  for (int i = 0; i < 4; ++i)
    setup[at + uint(i)] = i < n ? vec4(s[i].pixel, s[i].inv_w, float(n)) : vec4(0.0, 0.0, 0.0, float(n));
  setup[at + 4u] = vec4(s[0].uv_over_w, s[1].uv_over_w);
  setup[at + 5u] = vec4(s[2].uv_over_w, n > 3 ? s[3].uv_over_w : vec2(0.0));
  setup[at + 6u] = vec4(lo, hi);
  const vec2 size = vec2(pc.image.xy);
  if (!(hi.x >= 0.0 && hi.y >= 0.0 && lo.x <= size.x && lo.y <= size.y)) return;
  lo = clamp(lo, vec2(0.0), size - 1.0);
  hi = clamp(hi, vec2(0.0), size - 1.0);
  const ivec4 rect = ivec4(ivec2(lo) / STRATA_SHELL_TILE, ivec2(hi) / STRATA_SHELL_TILE);
  rects[tri] = rect;
  for (int ty = rect.y; ty <= rect.w; ++ty)
    for (int tx = rect.x; tx <= rect.z; ++tx) atomicAdd(tile_counts[uint(ty) * tiles_x() + uint(tx)], 1u);
}
