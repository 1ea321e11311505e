#version 450
// Pass 2 of the shells renderer: one workgroup turns the per-tile entry counts into offsets
// (exclusive scan; offsets[tiles] = total) and fill cursors, and reports the total to the host,
// which grows the entry buffer and redraws when it did not fit.
#extension GL_GOOGLE_include_directive : require

#include "shells_shared.h"
#include "shells_common.glsl"

layout(local_size_x = STRATA_SHELL_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = kShellBindingTileCounts) readonly buffer CountBuffer {
  uint tile_counts[];
};
layout(std430, set = 0, binding = kShellBindingTileOffsets) writeonly buffer OffsetBuffer {
  uint tile_offsets[];
};
layout(std430, set = 0, binding = kShellBindingTileCursor) writeonly buffer CursorBuffer {
  uint tile_cursor[];
};
layout(std430, set = 0, binding = kShellBindingStatus) writeonly buffer StatusBuffer {
  GpuShellStatus status;
};

shared uint partial[STRATA_SHELL_GROUP];

void main() {
  const uint tiles = tiles_x() * tiles_y();
  const uint chunk = (tiles + STRATA_SHELL_GROUP - 1u) / STRATA_SHELL_GROUP;
  const uint lid = gl_LocalInvocationIndex;
  const uint begin = min(tiles, lid * chunk), end = min(tiles, begin + chunk);
  uint sum = 0u;
  for (uint t = begin; t < end; ++t) sum += tile_counts[t];
  partial[lid] = sum;
  barrier();
  if (lid == 0u) {
    uint running = 0u;
    for (uint k = 0u; k < STRATA_SHELL_GROUP; ++k) {
      const uint v = partial[k];
      partial[k] = running;
      running += v;
    }
    tile_offsets[tiles] = running;
    status.totals = uvec4(running, pc.params.z, 0u, 0u);
  }
  barrier();
  uint offset = partial[lid];
  for (uint t = begin; t < end; ++t) {
    tile_offsets[t] = offset;
    tile_cursor[t] = offset;
    offset += tile_counts[t];
  }
}
