#version 450
// Pass 3 of the shells renderer: per triangle, its entry in the range of every tile it touches:
// the triangle index and the mask of the tile's slices (8-pixel half rows, see shells_shared.h)
// that it reaches, so that the rasterizer's slices skip the triangles that miss them. The mask is
// found row by row from the polygon's extent on each row of pixel centres: its bounding box
// alone marks about twice the slices for the thin, slanted triangles of a fine mesh.
// Order within a tile is arbitrary; the rasterizer orders fragments by (depth, triangle index),
// as the CPU reference does, so the image does not depend on it.
#extension GL_GOOGLE_include_directive : require

#include "shells_shared.h"
#include "shells_common.glsl"

layout(local_size_x = STRATA_SHELL_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = kShellBindingRects) readonly buffer RectBuffer {
  ivec4 rects[];
};
layout(std430, set = 0, binding = kShellBindingSetup) readonly buffer SetupBuffer {
  vec4 setup[];
};
layout(std430, set = 0, binding = kShellBindingTileCursor) buffer CursorBuffer {
  uint tile_cursor[];
};
layout(std430, set = 0, binding = kShellBindingEntries) writeonly buffer EntryBuffer {
  uvec2 entries[];
};

// The polygon's x extent on the line y (pixels), widened by a margin that covers the rounding of
// this interpolation, so the slice masks never leave out a pixel that the exact edge test in the
// rasterizer includes; empty (lo > hi) where the line misses the polygon.
vec2 row_extent(vec2 v[4], int n, float y) {
  vec2 extent = vec2(1e30, -1e30);
  float scale = abs(y);
  for (int i = 0; i < n; ++i) {
    const vec2 a = v[i], b = v[i + 1 < n ? i + 1 : 0];
    scale = max(scale, max(abs(a.x), abs(a.y)));
    if (y < min(a.y, b.y) || y > max(a.y, b.y)) continue;
    if (a.y == b.y) {
      extent = vec2(min(extent.x, min(a.x, b.x)), max(extent.y, max(a.x, b.x)));
    } else {
      const float x = a.x + clamp((y - a.y) / (b.y - a.y), 0.0, 1.0) * (b.x - a.x);
      extent = vec2(min(extent.x, x), max(extent.y, x));
    }
  }
  const float margin = 0.05 + 1e-5 * scale;
  return extent + vec2(-margin, margin);
}

void main() {
  const uint tri = triangle_index();
  if (tri >= pc.image.z) return;
  const ivec4 rect = rects[tri];
  if (rect.x == kShellCulled) return;
  // Pixels whose centre (x + 0.5, y + 0.5) lies in the box [lo, hi] have floor(lo) <= x, y <=
  // floor(hi): a conservative range of rows. Reads of the setup at loop-independent indices.
  const uint at = tri * kShellSetupTexels;
  const vec4 box = setup[at + 6u];
  const int n = int(setup[at].w);
  vec2 v[4];
  for (int i = 0; i < 4; ++i) v[i] = setup[at + uint(i)].xy;
  const vec2 size = vec2(pc.image.xy);
  const ivec2 lo = ivec2(floor(clamp(box.xy, vec2(0.0), size - 1.0)));
  const ivec2 hi = ivec2(floor(clamp(box.zw, vec2(0.0), size - 1.0)));
  for (int ty = rect.y; ty <= rect.w; ++ty) {
    const int r0 = clamp(lo.y - ty * STRATA_SHELL_TILE, 0, STRATA_SHELL_TILE - 1);
    const int r1 = clamp(hi.y - ty * STRATA_SHELL_TILE, 0, STRATA_SHELL_TILE - 1);
    for (int tx = rect.x; tx <= rect.z; ++tx) {
      // Per row of the tile, the half rows whose pixel centres the polygon's extent reaches.
      uint mask = 0u;
      const float x0 = float(tx * STRATA_SHELL_TILE) + 0.5;  // first pixel centre of the tile
      for (int r = r0; r <= r1; ++r) {
        const vec2 extent = row_extent(v, n, float(ty * STRATA_SHELL_TILE + r) + 0.5);
        if (extent.x <= x0 + 7.0 && extent.y >= x0) mask |= 1u << (2 * r);
        if (extent.x <= x0 + 15.0 && extent.y >= x0 + 8.0) mask |= 2u << (2 * r);
      }
      const uint slot = atomicAdd(tile_cursor[uint(ty) * tiles_x() + uint(tx)], 1u);
      // The bin pass counted this entry: it is written even where the mask is empty (the box
      // reaches the tile but the polygon does not), so the tile's range holds no stale slots.
      if (slot < pc.params.z) entries[slot] = uvec2(tri, mask);
    }
  }
}
