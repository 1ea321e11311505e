// Packing UV charts by their outline. A chart is the set of texels its triangles may be sampled
// from (a bit mask); masks are placed first fit, largest box first, so small charts fill the
// empty corners of large ones' bounding boxes (a box packer leaves those empty: on a field's
// surface, 59% of the boxes' area).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "neural/core/math.h"

namespace strata {

// A chart's texels, `width` x `height`, as rows of bits.
struct ChartMask {
  int width = 0, height = 0;
  std::vector<uint64_t> bits;  // row-major, words_per_row() words a row

  ChartMask() = default;
  ChartMask(int width, int height);  // all clear; width, height >= 1
  size_t words_per_row() const { return (size_t(width) + 63) / 64; }
  bool test(int x, int y) const;
  void set(int x, int y);  // ignores texels outside the mask
  size_t count() const;    // texels set
};

struct ChartPacking {
  std::vector<ivec2> positions;  // per mask: where its texel (0, 0) lies in the atlas; (-1, -1)
                                 // for a mask that fitted nowhere
  size_t placed = 0;             // masks placed
  double placed_fraction = 0.0;  // their share of all masks' padded texels (1: all placed)
  bool complete() const { return placed == positions.size(); }
};

// Places `masks` in a size x size atlas, largest bounding box first, each at the first position
// (rows from the top, then from the left) where its set texels stay more than `padding` texels
// (in x and in y) from every set texel placed before and at least `padding` from the atlas's
// border. A mask that fits nowhere is skipped and the rest go on (`complete()` false).
ChartPacking pack_chart_masks(const std::vector<ChartMask>& masks, int size, int padding);

}  // namespace strata
