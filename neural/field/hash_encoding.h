// Multiresolution hash encoding (Müller et al. 2022, instant-ngp): L grids from a coarse to a
// fine resolution, each vertex holding F trainable features; coarse levels index a dense grid,
// fine ones a hash table of 2^log2_table_size entries. A point's encoding is the trilinear
// interpolation of its cell's 8 corners, per level, concatenated (L*F features).
// Parameters live in a flat buffer owned by the caller (tiny-cuda-nn's Encoding shape).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "neural/field/matrix.h"

namespace strata {

struct HashEncodingConfig {
  int levels = 16;               // number of grids, 1..32
  int features_per_level = 2;    // F: 1, 2, 4 or 8
  int log2_table_size = 17;      // entries per hashed level = 2^this (10..24)
  int base_resolution = 16;      // cells along each axis of the coarsest grid (>= 2)
  int finest_resolution = 1024;  // cells along each axis of the finest grid (>= base)
};

// One level of the grid, derived from the config.
struct HashLevel {
  uint32_t resolution = 0;   // cells along each axis; vertices 0..resolution
  bool hashed = false;       // true: hash table; false: dense (resolution+1)^3 vertices
  uint32_t entries = 0;      // vertices stored (table size or dense count)
  size_t params_offset = 0;  // first float of this level in the parameter buffer
};

class HashEncoding {
 public:
  // Throws std::invalid_argument for a config outside the documented ranges.
  explicit HashEncoding(const HashEncodingConfig& config);

  const HashEncodingConfig& config() const { return config_; }
  const HashLevel& level(int l) const { return levels_[size_t(l)]; }
  size_t n_params() const { return n_params_; }  // floats
  int n_output_dims() const { return config_.levels * config_.features_per_level; }

  // Uniform features in [-1e-4, 1e-4] (instant-ngp's initialisation), seeded.
  void initialize_params(float* params, uint64_t seed) const;

  // positions: 3 rows (x, y, z) in [0,1]^3 (the field's normalised box; clamped), n samples.
  // Writes n_output_dims() rows of output: row l*F + f is feature f of level l.
  void forward(const float* params, ConstMatrixView positions, MatrixView output, size_t n) const;

  // Adds dL/dparams of one level to d_params (the whole buffer) given dL/doutput (all rows) for
  // the same positions. Levels touch disjoint parameters, so different levels may run on
  // different threads at once; one level is summed in sample order (deterministic).
  void backward_level(int level, ConstMatrixView positions, ConstMatrixView d_output, size_t n,
                      float* d_params) const;
  // All levels, in order.
  void backward(ConstMatrixView positions, ConstMatrixView d_output, size_t n,
                float* d_params) const;

 private:
  HashEncodingConfig config_;
  std::vector<HashLevel> levels_;
  size_t n_params_ = 0;
};

}  // namespace strata
