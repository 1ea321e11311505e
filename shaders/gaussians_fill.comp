#version 450
// Pass 3 of the Gaussian renderer: per Gaussian, one entry (depth bits, Gaussian index) in the
// range of every tile it touches. Order within a tile is arbitrary here; pass 4 sorts it.
#extension GL_GOOGLE_include_directive : require

#include "gaussians_shared.h"
#include "gaussians_common.glsl"

layout(local_size_x = STRATA_GAUSS_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = kGaussBindingTileCursor) buffer CursorBuffer {
  uint tile_cursor[];
};
layout(set = 0, binding = kGaussBindingEntries, rg32ui) uniform writeonly uimageBuffer entries;

void main() {
  const uint i = gaussian_index();
  if (i >= pc.image.w) return;
  const int record = int(i * kGaussProjectedTexels);
  const ivec4 rect = ivec4(imageLoad(projected, record + 3));
  if (rect.x == kGaussCulled) return;
  // Positive floats order like their bits (the CPU reference's key).
  const uint key = imageLoad(projected, record).z;
  const uint span = rect_span_x(rect);
  for (int ty = rect.y; ty <= rect.w; ++ty)
    for (uint k = 0u; k < span; ++k) {
      const uint slot =
          atomicAdd(tile_cursor[uint(ty) * tiles_x() + (uint(rect.x) + k) % tiles_x()], 1u);
      // Beyond the capacity the host grows the buffer and redraws.
      if (slot < pc.params.w) imageStore(entries, int(slot), uvec4(key, i, 0u, 0u));
    }
}
