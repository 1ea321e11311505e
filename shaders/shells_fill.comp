#version 450
// Pass 3 of the shells renderer: per triangle, its index in the range of every tile it touches.
// Order within a tile is arbitrary; the rasterizer orders fragments by (depth, triangle index),
// as the CPU reference does, so the image does not depend on it.
#extension GL_GOOGLE_include_directive : require

#include "shells_shared.h"
#include "shells_common.glsl"

layout(local_size_x = STRATA_SHELL_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = kShellBindingRects) readonly buffer RectBuffer {
  ivec4 rects[];
};
layout(std430, set = 0, binding = kShellBindingTileCursor) buffer CursorBuffer {
  uint tile_cursor[];
};
layout(std430, set = 0, binding = kShellBindingEntries) writeonly buffer EntryBuffer {
  uint entries[];
};

void main() {
  const uint tri = triangle_index();
  if (tri >= pc.image.z) return;
  const ivec4 rect = rects[tri];
  if (rect.x == kShellCulled) return;
  for (int ty = rect.y; ty <= rect.w; ++ty)
    for (int tx = rect.x; tx <= rect.z; ++tx) {
      const uint slot = atomicAdd(tile_cursor[uint(ty) * tiles_x() + uint(tx)], 1u);
      if (slot < pc.params.z) entries[slot] = tri;  // else the host grows and redraws
    }
}
