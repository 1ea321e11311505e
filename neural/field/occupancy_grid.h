// The occupancy grid of a radiance field (instant-ngp's density grid, one cascade): a coarse grid
// over the field's box holding a running estimate of the density in each cell, and one bit per
// cell saying whether ray marching must sample it. Empty cells are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {

struct OccupancyGrid {
  int resolution = 0;          // cells along each axis of the box
  std::vector<float> density;  // per cell (x fastest): density estimate, 1/metres; < 0: never
                               // seen by a training camera, always empty
  std::vector<uint64_t> bits;  // one bit per cell (same order): 1 = occupied, march through it

  // resolution^3 cells, all occupied, density estimates 0.
  void reset(int res);
  size_t cells() const { return size_t(resolution) * resolution * resolution; }
  size_t cell_index(int x, int y, int z) const {
    return size_t(x) + size_t(resolution) * (size_t(y) + size_t(resolution) * size_t(z));
  }
  bool occupied(size_t cell) const { return (bits[cell >> 6] >> (cell & 63)) & 1u; }
  // Sets the bits: a cell is occupied when its density is above min(mean density of the seen
  // cells, max_threshold) (instant-ngp's rule, so that a young field is not pruned to nothing).
  // Returns the threshold used.
  float update_bits(float max_threshold);
  size_t occupied_count() const;
};

}  // namespace strata
