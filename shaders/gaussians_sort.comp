#version 450
// Pass 4 of the Gaussian renderer: one workgroup per tile sorts the tile's entries by
// (depth bits, Gaussian index) — the CPU reference's key, so the order is identical to it,
// ties included.
//
// Why a per-tile sort and not a global radix sort of (tile, depth) keys: the tile ranges are
// already known from the counting pass, so each tile is an independent small sort that needs no
// global passes, no 64-bit keys and no cross-workgroup prefix sums. On llvmpipe a workgroup runs
// on one core as a SIMD loop, so per-tile sorts keep every core busy with local data and no
// atomics; on GPUs the thousands of tiles fill the device.
//
// Why a merge sort and not a bitonic network: each invocation first sorts runs of 8 entries in
// registers (an unrolled 19-comparator network: pure SIMD, no memory traffic; then groups of 8
// invocations merge theirs into runs of 64, see kSubgroupRuns), then log2(n / 64) merge passes
// in shared memory, where each invocation finds where its slice of the output
// starts (merge path: a binary search) and merges that slice sequentially: O(n log n) shared
// loads and stores and one barrier per pass, where the bitonic network (the previous version)
// took O(n log^2 n) and a barrier per step. On llvmpipe every shared access at a per-lane index is
// a scalar loop over the 8 lanes, so the count of accesses is what costs: 4x-6x fewer here.
// Lists longer than the shared buffers hold are sorted in chunks of that size in shared memory,
// then merged pairwise in global memory, ping-ponging with a scratch buffer so that the last pass
// lands in the entry buffer.
//
// Sorted, an entry's depth key is no longer needed: the sort replaces it with which of the
// tile's slices (8-pixel half rows, slice_bit()) the Gaussian's 1/255 box reaches, transposed in
// groups of 32 entries (RASTER_WORD), so that the rasterizer finds the Gaussians of a slice with
// one fetch per 32 entries (see gaussians_raster.comp). Computed here it costs two texel fetches
// per entry, in parallel over the entries; in the rasterizer it would cost them once per slice.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require

#include "gaussians_shared.h"
#include "gaussians_common.glsl"

// 64 invocations: every pass ends in a barrier, and llvmpipe switches between the workgroup's
// 8-lane slices at each one, so fewer slices make the passes cheaper; GPUs are fine with 64 too.
#define SORT_GROUP 64u
layout(local_size_x = SORT_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = kGaussBindingTileOffsets) readonly buffer OffsetBuffer {
  uint tile_offsets[];
};
layout(set = 0, binding = kGaussBindingEntries, rg32ui) uniform uimageBuffer entries;
layout(set = 0, binding = kGaussBindingSortScratch, rg32ui) uniform uimageBuffer scratch;
layout(set = 0, binding = kGaussBindingProjectedRead) uniform samplerBuffer projected_texels;

// Entries sorted in shared memory at once (a power of two, at least 32; two buffers of it): the
// host sets it from the device's shared memory (at most STRATA_GAUSS_SORT_SHARED), or smaller
// to test the path of long lists.
layout(constant_id = 0) const uint kShared = STRATA_GAUSS_SORT_SHARED;
// 1: each aligned group of 8 invocations (within one subgroup) turns its eight sorted runs of 8
// into one of 64 in registers (a bitonic merge across lanes with subgroup shuffles), so the
// shared-memory merges start at 64: 3 fewer passes. On llvmpipe (8-lane subgroups) a shuffle is a
// register permute where a shared access is a loop over the lanes. The host sets 0 where
// subgroups are narrower than 8.
layout(constant_id = 1) const uint kSubgroupRuns = 1u;
shared uvec2 buffers[2u * kShared];

const uvec2 kInf = uvec2(0xffffffffu);  // above every real key (depths are finite floats)
const uint kRun = 8u;                   // entries each invocation sorts in registers

bool greater(uvec2 a, uvec2 b) { return a.x > b.x || (a.x == b.x && a.y > b.y); }

// Orders v[a] <= v[b] (constant indices after unrolling: registers, no scratch memory).
#define EXCHANGE(a, b)                            \
  {                                               \
    const bool swap = greater(v[a], v[b]);        \
    const uvec2 low = swap ? v[b] : v[a];         \
    v[b] = swap ? v[a] : v[b];                    \
    v[a] = low;                                   \
  }

// Keeps the smaller of a and b (by greater()) where `low`, else the larger.
uvec2 keep(bool low, uvec2 a, uvec2 b) { return low == greater(a, b) ? b : a; }

// With v[0..7] sorted in each of 8 consecutive invocations (lane = invocation % 8; elements
// 8 lane + t, all 8 active), sorts the 64 elements: bitonic stages of 16, 32 and 64, each a
// mirrored step (element e against e ^ (k - 1): lane ^ (k / 8 - 1), register 7 - t) and then
// half-cleaners (across lanes for distances >= 8, in registers below).
#define MERGE_RUNS_IN_SUBGROUP()                                                          \
  {                                                                                       \
    const uint lane = lid & 7u;                                                           \
    [[unroll]] for (uint k = 16u; k <= 64u; k <<= 1u) {                                   \
      uvec2 other[kRun];                                                                  \
      [[unroll]] for (uint t = 0u; t < kRun; ++t)                                         \
        other[t] = subgroupShuffleXor(v[7u - t], k / 8u - 1u);                            \
      const bool low_mirror = (lane & (k / 16u)) == 0u;                                   \
      [[unroll]] for (uint t = 0u; t < kRun; ++t) v[t] = keep(low_mirror, v[t], other[t]); \
      [[unroll]] for (uint j = k / 4u; j >= 8u; j >>= 1u) {                               \
        const bool low = (lane & (j / 8u)) == 0u;                                         \
        [[unroll]] for (uint t = 0u; t < kRun; ++t)                                       \
          v[t] = keep(low, v[t], subgroupShuffleXor(v[t], j / 8u));                       \
      }                                                                                   \
      EXCHANGE(0, 4) EXCHANGE(1, 5) EXCHANGE(2, 6) EXCHANGE(3, 7)                         \
      EXCHANGE(0, 2) EXCHANGE(1, 3) EXCHANGE(4, 6) EXCHANGE(5, 7)                         \
      EXCHANGE(0, 1) EXCHANGE(2, 3) EXCHANGE(4, 5) EXCHANGE(6, 7)                         \
    }                                                                                     \
  }

// Sorts `n` (<= kShared) entries from `source` at `first` into buffers[0, m) or
// buffers[kShared, kShared + m), m = n rounded up to whole runs (padded with kInf); `result` says
// which. Runs are merged pairwise (the last one may be short), so the work follows n rather than
// the next power of two.
#define SORT_IN_SHARED(source, first, n, result)                                          \
  {                                                                                       \
    const uint m = (n + kRun - 1u) & ~(kRun - 1u);                                        \
    const uint first_width = kSubgroupRuns != 0u ? 64u : kRun;                            \
    /* Whole groups of 8 runs with subgroup runs (all 8 lanes active; beyond n: kInf). */ \
    const uint formed = (n + first_width - 1u) & ~(first_width - 1u);                     \
    for (uint run = lid; run * kRun < formed; run += SORT_GROUP) {                        \
      uvec2 v[kRun];                                                                      \
      [[unroll]] for (uint t = 0u; t < kRun; ++t) {                                       \
        const uint e = run * kRun + t;                                                    \
        const uvec2 loaded = imageLoad(source, int(first + min(e, n - 1u))).xy;           \
        v[t] = e < n ? loaded : kInf;                                                     \
      }                                                                                   \
      EXCHANGE(0, 2) EXCHANGE(1, 3) EXCHANGE(4, 6) EXCHANGE(5, 7)                         \
      EXCHANGE(0, 4) EXCHANGE(1, 5) EXCHANGE(2, 6) EXCHANGE(3, 7)                         \
      EXCHANGE(0, 1) EXCHANGE(2, 3) EXCHANGE(4, 5) EXCHANGE(6, 7)                         \
      EXCHANGE(2, 4) EXCHANGE(3, 5)                                                       \
      EXCHANGE(1, 4) EXCHANGE(3, 6)                                                       \
      EXCHANGE(1, 2) EXCHANGE(3, 4) EXCHANGE(5, 6)                                        \
      if (kSubgroupRuns != 0u) MERGE_RUNS_IN_SUBGROUP()                                   \
      /* Positions past m hold kInf only (sorted last): not stored. */                    \
      [[unroll]] for (uint t = 0u; t < kRun; ++t)                                         \
        if (run * kRun + t < m) buffers[run * kRun + t] = v[t];                           \
    }                                                                                     \
    barrier();                                                                            \
    /* Merge runs of `width` pairwise, buffers[src..] -> buffers[dst..], in pieces of a */ \
    /* power of two outputs (never straddling two merges) spread over the invocations. */ \
    uint src = 0u, share = 1u;                                                            \
    while (share * SORT_GROUP < m) share <<= 1u;                                          \
    for (uint width = first_width; width < m; width <<= 1u) {                             \
      const uint dst = kShared - src, piece = min(share, 2u * width);                     \
      for (uint o = lid * piece; o < m; o += SORT_GROUP * piece) {                        \
        const uint a0 = o & ~(2u * width - 1u), b0 = min(a0 + width, m);                  \
        const uint a_len = b0 - a0, b_len = min(b0 + width, m) - b0;                      \
        const uint d = o - a0;                                                            \
        uint lo = d > b_len ? d - b_len : 0u, hi = min(d, a_len);                         \
        while (lo < hi) {                                                                 \
          const uint mid = (lo + hi) >> 1u;                                               \
          if (greater(buffers[src + a0 + mid], buffers[src + b0 + d - 1u - mid])) hi = mid; \
          else lo = mid + 1u;                                                             \
        }                                                                                 \
        uint i = lo, j = d - lo;                                                          \
        const uvec2 a_first = buffers[src + min(a0 + i, m - 1u)];                         \
        const uvec2 b_first = buffers[src + min(b0 + j, m - 1u)];                         \
        uvec2 a = i < a_len ? a_first : kInf;                                             \
        uvec2 b = j < b_len ? b_first : kInf;                                             \
        for (uint t = 0u; t < min(piece, m - o); ++t) {                                   \
          const bool take_a = !greater(a, b);                                             \
          buffers[dst + o + t] = take_a ? a : b;                                          \
          i += take_a ? 1u : 0u;                                                          \
          j += take_a ? 0u : 1u;                                                          \
          const uint next = take_a ? i : j, len = take_a ? a_len : b_len;                 \
          const uvec2 loaded = buffers[src + min((take_a ? a0 : b0) + next, m - 1u)];     \
          const uvec2 value = next < len ? loaded : kInf;                                 \
          a = take_a ? value : a;                                                         \
          b = take_a ? b : value;                                                         \
        }                                                                                 \
      }                                                                                   \
      barrier();                                                                          \
      src = dst;                                                                          \
    }                                                                                     \
    result = src;                                                                         \
  }

// Texel of position `pos` of a list of `n` at `first`, clamped into the list (reads whose value
// is unused stay in bounds).
int within(uint first, uint n, uint pos) { return int(first + min(pos, n - 1u)); }

// One pass of merging sorted runs of `width` pairwise, entries [0, n) of the tile at `first`,
// `source` -> `target` (global memory; positions past n read as kInf).
#define MERGE_IN_GLOBAL(source, target, first, n, width)                                  \
  {                                                                                       \
    const uint piece = min(64u, 2u * width);                                              \
    for (uint o = lid * piece; o < n; o += SORT_GROUP * piece) {                          \
      const uint a0 = o & ~(2u * width - 1u), b0 = min(a0 + width, n);                    \
      const uint a_len = b0 - a0, b_len = min(b0 + width, n) - b0;                        \
      const uint d = o - a0;                                                              \
      uint lo = d > b_len ? d - b_len : 0u, hi = min(d, a_len);                           \
      while (lo < hi) {                                                                   \
        const uint mid = (lo + hi) >> 1u;                                                 \
        const uvec2 am = imageLoad(source, within(first, n, a0 + mid)).xy;                \
        const uvec2 bm = imageLoad(source, within(first, n, b0 + d - 1u - mid)).xy;       \
        if (greater(am, bm)) hi = mid;                                                    \
        else lo = mid + 1u;                                                               \
      }                                                                                   \
      uint i = lo, j = d - lo;                                                            \
      const uvec2 a_first = imageLoad(source, within(first, n, a0 + i)).xy;               \
      const uvec2 b_first = imageLoad(source, within(first, n, b0 + j)).xy;               \
      uvec2 a = i < a_len ? a_first : kInf;                                               \
      uvec2 b = j < b_len ? b_first : kInf;                                               \
      for (uint t = 0u; t < min(piece, n - o); ++t) {                                     \
        const bool take_a = !greater(a, b);                                               \
        imageStore(target, int(first + o + t), uvec4(take_a ? a : b, 0u, 0u));            \
        i += take_a ? 1u : 0u;                                                            \
        j += take_a ? 0u : 1u;                                                            \
        const uint next = take_a ? i : j, len = take_a ? a_len : b_len;                   \
        const uvec2 loaded = imageLoad(source, within(first, n, (take_a ? a0 : b0) + next)).xy; \
        const uvec2 value = next < len ? loaded : kInf;                                   \
        a = take_a ? value : a;                                                           \
        b = take_a ? b : value;                                                           \
      }                                                                                   \
    }                                                                                     \
    memoryBarrierImage();                                                                 \
    barrier();                                                                            \
  }

// The slices of this tile (slice_bit()) that Gaussian `id` may reach: those with some pixel
// centre in its box (|d| <= half sides) and, with a pinhole camera, within a pixel of the chord
// of its 1/255 ellipse on that row (the CPU reference's row spans): a superset of the pixels
// where alpha can reach 1/255 (margins cover rounding).
uint reached_slices(uint id) {
  const int record = int(id * kGaussProjectedTexels);
  const vec4 mean = texelFetch(projected_texels, record);
  const vec4 conic = texelFetch(projected_texels, record + 1);
  const vec2 half_size = vec2(mean.w, texelFetch(projected_texels, record + 2).w);
  if (!(mean.w >= 0.0)) return 0u;
  const vec2 origin = vec2(gl_WorkGroupID.xy * STRATA_GAUSS_TILE);
  const float kMargin = 0.125;
  // Each half's pixel centres lie within 3.5 px of its middle (x + 4 or x + 12).
  const float reach = half_size.x + kMargin + 3.5;
  const bool left = abs(wrap_dx(mean.x - (origin.x + 4.0))) <= reach;
  const bool right = abs(wrap_dx(mean.x - (origin.x + 12.0))) <= reach;
  // The ellipse q(dx, dy) = A dx^2 + 2 B dx dy + C dy^2 <= q_max = 2 ln(255 opacity).
  const float q_max = 2.0 * log(conic.w / kGaussMinAlpha);
  const float det = conic.x * conic.z - conic.y * conic.y;
  const bool chords = !wraps() && conic.x > 0.0 && det > 0.0;
  uint bits = 0u;
  [[unroll]] for (uint r = 0u; r < STRATA_GAUSS_TILE; ++r) {
    const float dy = mean.y - (origin.y + float(r) + 0.5);
    // Pixel centres x of this row in the ellipse: |x - (mean.x + B dy / A)| <= sqrt(disc) / A.
    const float disc = conic.x * q_max - dy * dy * det;
    const float half_chord = sqrt(max(disc, 0.0)) / conic.x + 1.0 + kMargin;
    const float middle = mean.x + conic.y * dy / conic.x;
    const bool row = abs(dy) <= half_size.y + kMargin &&
                     (!chords || disc >= -1e-4 * conic.x * q_max);
    const bool row_left = left && (!chords || (middle - half_chord <= origin.x + 7.5 &&
                                               middle + half_chord >= origin.x + 0.5));
    const bool row_right = right && (!chords || (middle - half_chord <= origin.x + 15.5 &&
                                                 middle + half_chord >= origin.x + 8.5));
    bits |= row ? (row_left ? 1u << (2u * r) : 0u) | (row_right ? 2u << (2u * r) : 0u) : 0u;
  }
  return bits;
}

// Word e of the list as the rasterizer reads it (gaussians_raster.comp), from the slice bits of
// each entry (`bits_of(k)`, k in [0, n)): in whole groups of 32 entries, word 32 g + s holds which
// entries of group g reach slice s (bit k: entry 32 g + k), so a slice finds its Gaussians with
// one fetch per 32 entries; the last n % 32 entries keep their own slice bits.
#define RASTER_WORD(e, n, bits_of, word)                          \
  {                                                               \
    const uint group = (e) & ~31u, s = (e) & 31u;                 \
    if (group + 32u <= (n)) {                                     \
      word = 0u;                                                  \
      [[unroll]] for (uint k = 0u; k < 32u; ++k)                  \
        word |= ((bits_of(group + k) >> s) & 1u) << k;            \
    } else {                                                      \
      word = bits_of(e);                                          \
    }                                                             \
  }
#define SHARED_BITS(k) buffers[bits_base + (k)].x

// Writes entries [chunk, chunk + count) of the tile (chunk: a multiple of 32) in the
// rasterizer's form, from their Gaussian indices in buffers[base + e].y.
#define WRITE_RASTER_WORDS(base, chunk, count)                                     \
  {                                                                                \
    const uint bits_base = base;                                                   \
    for (uint e = lid; e < count; e += SORT_GROUP)                                 \
      buffers[base + e].x = reached_slices(buffers[base + e].y);                   \
    barrier();                                                                     \
    for (uint e = lid; e < count; e += SORT_GROUP) {                               \
      uint word;                                                                   \
      RASTER_WORD(e, count, SHARED_BITS, word)                                     \
      imageStore(entries, int(begin + chunk + e), uvec4(word, buffers[base + e].y, 0u, 0u)); \
    }                                                                              \
  }

void main() {
  const uint tile = gl_WorkGroupID.y * tiles_x() + gl_WorkGroupID.x;
  const uint begin = min(tile_offsets[tile], pc.params.w);
  const uint end = min(tile_offsets[tile + 1u], pc.params.w);
  const uint n = end - begin;
  const uint lid = gl_LocalInvocationIndex;
  if (n == 1u && lid == 0u) {
    const uint id = imageLoad(entries, int(begin)).y;
    imageStore(entries, int(begin), uvec4(reached_slices(id), id, 0u, 0u));
  }
  if (n <= 1u) return;
  if (n <= kShared) {
    uint result;
    SORT_IN_SHARED(entries, begin, n, result)
    // The keys are done with: slice bits in their place, then the rasterizer's words.
    WRITE_RASTER_WORDS(result, 0u, n)
    return;
  }
  // Chunks of kShared sorted in shared memory, then merged pairwise in global memory: the chunks
  // go to whichever buffer makes the last merge land in `entries`.
  uint merges = 0u;
  for (uint width = kShared; width < n; width <<= 1u) ++merges;
  const bool chunks_to_scratch = (merges & 1u) != 0u;
  for (uint chunk = 0u; chunk < n; chunk += kShared) {
    const uint count = min(kShared, n - chunk);
    uint result;
    SORT_IN_SHARED(entries, begin + chunk, count, result)
    for (uint e = lid; e < count; e += SORT_GROUP) {
      const uvec4 value = uvec4(buffers[result + e], 0u, 0u);
      if (chunks_to_scratch) imageStore(scratch, int(begin + chunk + e), value);
      else imageStore(entries, int(begin + chunk + e), value);
    }
    memoryBarrierImage();
    barrier();
  }
  bool in_scratch = chunks_to_scratch;
  for (uint width = kShared; width < n; width <<= 1u) {
    if (in_scratch) MERGE_IN_GLOBAL(scratch, entries, begin, n, width)
    else MERGE_IN_GLOBAL(entries, scratch, begin, n, width)
    in_scratch = !in_scratch;
  }
  // The rasterizer's words, chunk by chunk through shared memory (kShared >= 32: whole groups).
  for (uint chunk = 0u; chunk < n; chunk += kShared) {
    const uint count = min(kShared, n - chunk);
    for (uint e = lid; e < count; e += SORT_GROUP)
      buffers[e].y = imageLoad(entries, int(begin + chunk + e)).y;
    barrier();
    WRITE_RASTER_WORDS(0u, chunk, count)
    barrier();
  }
}
