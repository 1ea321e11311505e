// The network of a radiance field over batches of samples: position -> hash encoding -> density
// MLP -> (density logit, geometry features); [features, SH(direction)] -> colour MLP -> rgb.
// tiny-cuda-nn shaped: forward passes keep what backward needs in a FieldBatch; backward adds the
// MLP gradients to a flat buffer and leaves dL/d(encoding) for the hash encoding's backward (which
// the trainer runs per level, in parallel).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "neural/field/hash_encoding.h"
#include "neural/field/matrix.h"
#include "neural/field/mlp.h"
#include "neural/field/radiance_field.h"

namespace strata {

class FieldNetwork;

// Seconds spent per phase (summed over threads), for the "where the time goes" figures.
struct PhaseTimes {
  double march = 0.0;             // ray generation and marching through the occupancy grid
  double encode = 0.0;            // hash encoding forward
  double density_mlp = 0.0;       // density MLP forward
  double color = 0.0;             // SH encoding + colour MLP forward
  double composite = 0.0;         // compositing, loss, compositing backward, sample compaction
  double color_backward = 0.0;    // colour MLP backward
  double density_backward = 0.0;  // density MLP backward
  double encode_backward = 0.0;   // hash encoding backward (scatter of gradients)
  double optimizer = 0.0;         // gradient reduction and Adam
  double occupancy = 0.0;         // occupancy grid updates

  void add(const PhaseTimes& o);
  double total() const;
};

// Adds the CPU time of the calling thread since the previous lap to one field of a PhaseTimes
// (nothing without one). CPU time, not wall time: on a shared machine the figures stay those of
// the work itself.
class PhaseClock {
 public:
  explicit PhaseClock(PhaseTimes* times) : times_(times), last_(times ? now() : 0.0) {}
  void lap(double PhaseTimes::*phase) {
    if (!times_) return;
    const double t = now();
    times_->*phase += t - last_;
    last_ = t;
  }
  // Starts the next lap now (the time since the previous lap was counted elsewhere).
  void restart() {
    if (times_) last_ = now();
  }
  // Seconds of CPU time used by the calling thread.
  static double now();

 private:
  PhaseTimes* times_;
  double last_;
};

// Per-sample storage for one batch, feature-major with a common row stride `ld` (the capacity).
// Column c is sample c. Reused across batches; grows on demand.
struct FieldBatch {
  size_t ld = 0;               // capacity in samples (row stride)
  bool training = false;       // whether the gradient rows exist
  std::vector<float> storage;  // every row below, rows * ld floats
  std::vector<uint32_t> ray;   // per sample: index of its ray in the caller's list

  MatrixView positions;       // 3 rows: normalised box coordinates [0,1]^3
  MatrixView directions;      // 3 rows: unit ray direction, world space
  MatrixView encoded;         // hash encoding output
  MatrixView density_hidden;  // density MLP hidden activations
  MatrixView color_input;     // geometry_features rows (density MLP output, row 0 the density
                              // logit, before density_bias) then sh_degree^2 rows of SH(direction)
  MatrixView color_hidden;    // colour MLP hidden activations
  MatrixView rgb;             // 3 rows: colour in [0,1] (after the sigmoid)
  MatrixView sigma;           // 1 row: density, 1/metres
  MatrixView t;               // 1 row: distance of the sample along its ray, metres
  MatrixView dt;              // 1 row: length of the sample's segment, metres
  // Training only: gradients.
  MatrixView d_rgb;          // 3 rows: dL/drgb (input of backward; overwritten)
  MatrixView d_sigma;        // 1 row: dL/dsigma (input of backward)
  MatrixView d_color_input;  // geometry_features rows
  MatrixView d_encoded;      // dL/d(encoding): output of backward
  MatrixView scratch;        // 2 * max hidden width rows

  // Sizes the rows for `network` with room for `capacity` samples. Contents are lost.
  void allocate(const FieldNetwork& network, size_t capacity, bool with_gradients);
  // Grows the capacity to at least `capacity`, keeping the first `keep` samples of every row.
  void reserve(const FieldNetwork& network, size_t capacity, size_t keep);
  // Keeps samples keep[0..count) (increasing column indices, all >= begin) and moves them, in
  // that order, to columns begin..begin+count, in the rows that the marcher and the density pass
  // fill (positions, directions, encoded, density_hidden, the geometry rows of color_input,
  // sigma, t, dt, ray) — or, with color_only, just those the colour pass and compositing read
  // (directions, the geometry rows, dt, ray). Drops samples without a gap.
  void compact(size_t begin, const uint32_t* keep, size_t count, bool color_only = false);

 private:
  int geometry_features_ = 0;
};

class FieldNetwork {
 public:
  // Throws InputError for an invalid config.
  explicit FieldNetwork(const FieldConfig& config);

  const FieldConfig& config() const { return config_; }
  const HashEncoding& encoding() const { return encoding_; }  // position -> features
  const Mlp& density_mlp() const { return density_mlp_; }     // features -> geometry rows
  const Mlp& color_mlp() const { return color_mlp_; }         // geometry + SH -> rgb logits
  // Floats in the whole buffer, and where each part starts: encoding at 0, then the MLPs.
  size_t n_params() const { return color_offset_ + color_mlp_.n_params(); }
  size_t encoding_params() const { return encoding_.n_params(); }
  size_t density_offset() const { return density_offset_; }
  size_t color_offset() const { return color_offset_; }
  int sh_rows() const { return config_.sh_degree * config_.sh_degree; }  // SH values per sample

  // Seeded initialisation of the whole buffer (n_params() floats).
  void initialize_params(float* params, uint64_t seed) const;

  // Density pass for samples [begin, begin + n) of `batch` (positions filled): writes encoded,
  // density_hidden, the geometry rows of color_input and sigma.
  void forward_density(const float* params, FieldBatch& batch, size_t begin, size_t n,
                       PhaseTimes* times = nullptr) const;
  // Colour pass for samples [begin, begin + n) (directions and the density pass done): writes the
  // SH rows of color_input, color_hidden and rgb.
  void forward_color(const float* params, FieldBatch& batch, size_t begin, size_t n,
                     PhaseTimes* times = nullptr) const;
  // Backward pass for samples [0, n) of a training batch whose forward passes are done, from
  // d_rgb and d_sigma: adds the MLPs' dL/dparams to d_mlp (n_params() - density_offset() floats:
  // the buffer's layout from density_offset() on) and writes d_encoded for the encoding's
  // backward. d_rgb and d_color_input are overwritten.
  void backward(const float* params, FieldBatch& batch, size_t n, float* d_mlp,
                PhaseTimes* times = nullptr) const;

 private:
  FieldConfig config_;
  HashEncoding encoding_;
  Mlp density_mlp_;
  Mlp color_mlp_;
  size_t density_offset_ = 0;
  size_t color_offset_ = 0;
};

// Column `begin` onwards of a matrix, as a view.
inline MatrixView columns_from(const MatrixView& m, size_t begin) {
  return MatrixView{m.data + begin, m.rows, m.ld};
}

}  // namespace strata
