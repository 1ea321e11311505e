#include "neural/field/occupancy_grid.h"

#include <algorithm>
#include <bit>

namespace strata {

void OccupancyGrid::reset(int res) {
  resolution = res;
  density.assign(cells(), 0.0f);
  bits.assign((cells() + 63) / 64, ~uint64_t(0));
  if (cells() % 64) bits.back() = (uint64_t(1) << (cells() % 64)) - 1;
}

float OccupancyGrid::update_bits(float max_threshold) {
  double sum = 0.0;
  size_t seen = 0;
  for (float d : density)
    if (d >= 0.0f) sum += d, ++seen;
  const float mean = seen ? float(sum / double(seen)) : 0.0f;
  const float threshold = std::min(mean, max_threshold);
  std::fill(bits.begin(), bits.end(), uint64_t(0));
  for (size_t i = 0; i < density.size(); ++i)
    if (density[i] > threshold) bits[i >> 6] |= uint64_t(1) << (i & 63);
  return threshold;
}

size_t OccupancyGrid::occupied_count() const {
  size_t n = 0;
  for (uint64_t w : bits) n += size_t(std::popcount(w));
  return n;
}

}  // namespace strata
