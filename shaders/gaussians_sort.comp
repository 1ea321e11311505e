#version 450
// Pass 4 of the Gaussian renderer: one workgroup per tile sorts the tile's entries by
// (depth bits, Gaussian index) — the CPU reference's key, so the order is identical to it,
// ties included.
//
// Why a per-tile bitonic sort and not a global radix sort of (tile, depth) keys: the tile ranges
// are already known from the counting pass, so each tile is an independent small sort that
// needs no global passes, no 64-bit keys and no cross-workgroup prefix sums; a tile's list
// (typically hundreds to a few thousand entries) fits in shared memory, where a bitonic network
// is log^2 barrier-separated steps with perfectly regular accesses. On llvmpipe a workgroup runs
// on one core as a SIMD loop, so per-tile sorts keep every core busy with local data and
// no atomics; on GPUs the thousands of tiles fill the device. Lists longer than shared memory
// holds are sorted in place in global memory by the same network (correct, just slower). The
// network uses only ascending comparators (the first step of each stage compares mirrored
// positions), so lists of any length sort with virtual +infinity padding.
#extension GL_GOOGLE_include_directive : require

#include "gaussians_shared.h"
#include "gaussians_common.glsl"

// 64 invocations: every step ends in a barrier, and llvmpipe switches between the workgroup's
// 8-lane slices at each one, so fewer slices make the steps cheaper; GPUs are fine with 64 too.
#define SORT_GROUP 64u
layout(local_size_x = SORT_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = kGaussBindingTileOffsets) readonly buffer OffsetBuffer {
  uint tile_offsets[];
};
layout(std430, set = 0, binding = kGaussBindingEntries) buffer EntryBuffer {
  uvec2 entries[];
};

const uint kShared = 2048u;  // entries sorted in shared memory (16 KiB)
shared uvec2 local_entries[kShared];

bool greater(uvec2 a, uvec2 b) { return a.x > b.x || (a.x == b.x && a.y > b.y); }

// Positions of comparator `pair` in step (k, j): the lower one has bit j clear; the first step
// of a stage (j = k / 2) pairs mirrored positions of the k-block, later steps position + j.
uvec2 comparator(uint pair, uint k, uint j) {
  const uint low = (pair / j) * 2u * j + pair % j;
  return uvec2(low, j == k / 2u ? low ^ (k - 1u) : low + j);
}

void main() {
  const uint tile = gl_WorkGroupID.y * tiles_x() + gl_WorkGroupID.x;
  const uint begin = min(tile_offsets[tile], pc.params.w);
  const uint end = min(tile_offsets[tile + 1u], pc.params.w);
  const uint n = end - begin;
  if (n <= 1u) return;
  uint padded = 2u;
  while (padded < n) padded <<= 1u;
  const uint lid = gl_LocalInvocationIndex;
  if (n <= kShared) {
    for (uint e = lid; e < n; e += SORT_GROUP) local_entries[e] = entries[begin + e];
    barrier();
    for (uint k = 2u; k <= padded; k <<= 1u)
      for (uint j = k >> 1u; j > 0u; j >>= 1u) {
        for (uint pair = lid; pair < padded / 2u; pair += SORT_GROUP) {
          const uvec2 pos = comparator(pair, k, j);
          if (pos.y < n) {
            const uvec2 a = local_entries[pos.x], b = local_entries[pos.y];
            if (greater(a, b)) local_entries[pos.x] = b, local_entries[pos.y] = a;
          }
        }
        barrier();
      }
    for (uint e = lid; e < n; e += SORT_GROUP) entries[begin + e] = local_entries[e];
    return;
  }
  for (uint k = 2u; k <= padded; k <<= 1u)
    for (uint j = k >> 1u; j > 0u; j >>= 1u) {
      for (uint pair = lid; pair < padded / 2u; pair += SORT_GROUP) {
        const uvec2 pos = comparator(pair, k, j);
        if (pos.y < n) {
          const uvec2 a = entries[begin + pos.x], b = entries[begin + pos.y];
          if (greater(a, b)) entries[begin + pos.x] = b, entries[begin + pos.y] = a;
        }
      }
      memoryBarrierBuffer();
      barrier();
    }
}
